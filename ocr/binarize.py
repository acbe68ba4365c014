"""Binarisation of greyscale pages: global Otsu threshold and local (Sauvola) threshold."""
from __future__ import annotations

import numpy as np
from PIL import Image


def otsu_threshold(pixels: np.ndarray) -> int:
    """Otsu's global threshold of an 8-bit greyscale array."""
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight_dark = np.cumsum(histogram)
    weight_light = total - weight_dark
    sum_dark = np.cumsum(histogram * levels)
    mean_dark = sum_dark / np.maximum(weight_dark, 1)
    mean_light = (sum_dark[-1] - sum_dark) / np.maximum(weight_light, 1)
    between = weight_dark * weight_light * np.square(mean_dark - mean_light)
    return int(np.argmax(between)) + 1


def otsu(grey: Image.Image) -> Image.Image:
    """Black/white page (mode L, 0 or 255) by one global threshold."""
    pixels = np.asarray(grey)
    return Image.fromarray(np.where(pixels < otsu_threshold(pixels), 0, 255).astype(np.uint8))


def _box_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean over a window x window box around each pixel, via an integral image."""
    half = window // 2
    padded = np.pad(values, half + 1, mode="edge")
    integral = padded.cumsum(axis=0).cumsum(axis=1)
    h, w = values.shape
    a = integral[window:window + h, window:window + w]
    b = integral[0:h, window:window + w]
    c = integral[window:window + h, 0:w]
    d = integral[0:h, 0:w]
    return (a - b - c + d) / float(window * window)


def sauvola(grey: Image.Image, window: int = 41, k: float = 0.2, step: int = 4) -> Image.Image:
    """Black/white page by Sauvola's local threshold mean * (1 + k (std / 128 - 1)).

    The local statistics vary slowly, so they are computed on a copy reduced step times
    and the threshold map is interpolated back: about ten times faster than full size.
    """
    step = max(1, min(step, window // 8 or 1))
    small = grey.reduce(step) if step > 1 else grey
    values = np.asarray(small, dtype=np.float64)
    box = max(3, (window // step) | 1)
    mean = _box_mean(values, box)
    variance = np.maximum(_box_mean(values * values, box) - mean * mean, 0.0)
    threshold = (mean * (1.0 + k * (np.sqrt(variance) / 128.0 - 1.0))).astype(np.float32)
    if step > 1:
        threshold_map = Image.fromarray(threshold, "F").resize(grey.size, Image.BILINEAR)
        threshold = np.asarray(threshold_map)
    pixels = np.asarray(grey, dtype=np.float32)
    return Image.fromarray(np.where(pixels <= threshold, 0, 255).astype(np.uint8))
