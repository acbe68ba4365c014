"""The page clean-up pipeline: red suppression, rotation, deskew, upscaling, binarisation."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from . import geometry
from .binarize import sauvola
from .redlayer import header_box, red_layer, suppress_red, to_grey
from .settings import OcrSettings


@dataclass(frozen=True)
class Prepared:
    """A page ready for OCR, the red header crop (if any) and what was done to get there."""

    image: Image.Image
    header: Image.Image | None = None
    rotation: int = 0
    skew: float = 0.0
    scale: float = 1.0
    warnings: tuple[str, ...] = ()


def prepare(image: Image.Image, settings: OcrSettings, rotation: int = 0) -> Prepared:
    """Run the enabled steps of settings.steps on one page image.

    rotation (degrees clockwise, from orientation detection) is applied first. Pure apart
    from the pixels: no OCR happens here.
    """
    steps = set(settings.steps) if settings.preprocess else set()
    grey = suppress_red(image) if "red" in steps else to_grey(image)
    layer = red_layer(image) if settings.preprocess and settings.red_header else None
    if rotation % 360:
        grey = geometry.rotate(grey, -rotation)
        layer = geometry.rotate(layer, -rotation) if layer is not None else None
    skew = geometry.estimate_skew(grey) if "deskew" in steps else 0.0
    if skew:
        grey = geometry.rotate(grey, skew, fill=None)
        layer = geometry.rotate(layer, skew) if layer is not None else None
    factor = 1.0
    if "upscale" in steps:
        factor = geometry.upscale_factor(grey, settings.min_dpi, settings.target_dpi)
        grey = geometry.scale(grey, factor)
    header = _header(layer, factor)
    if "binarize" in steps:
        grey = binarize_page(grey)
    if header is not None and settings.header_inline:
        grey = _paste_header(grey, layer, factor)
        header = None
    return Prepared(image=grey, header=header, rotation=rotation % 360, skew=skew, scale=factor)


def binarize_page(grey: Image.Image) -> Image.Image:
    """Black/white page: a light blur against scanner noise, then Sauvola's local threshold."""
    return sauvola(grey.filter(ImageFilter.GaussianBlur(1.0)), window=_window(grey))


def _window(grey: Image.Image) -> int:
    """Sauvola window: about two character heights."""
    height = geometry.char_height(grey) or 30.0
    return int(max(15, min(101, 2 * height)))


def _paste_header(grey: Image.Image, layer: Image.Image, factor: float) -> Image.Image:
    """Draw the red header (black on white, from the red layer) back into the page."""
    box = header_box(layer)
    crop = geometry.scale(layer.crop(box), factor)
    at = (round(box[0] * factor), round(box[1] * factor))
    region = grey.crop((*at, at[0] + crop.width, at[1] + crop.height))
    merged = np.minimum(np.asarray(region), np.asarray(crop.resize(region.size)))
    grey = grey.copy()
    grey.paste(Image.fromarray(merged), at)
    return grey


def _header(layer: Image.Image | None, factor: float) -> Image.Image | None:
    """The red header text cropped from the red layer, upscaled like the body."""
    if layer is None:
        return None
    box = header_box(layer)
    if box is None:
        return None
    return geometry.scale(layer.crop(box), factor)
