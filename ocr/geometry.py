"""Page geometry: skew estimation and correction, text size estimation and upscaling."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageFilter

from .binarize import otsu_threshold

MAX_SKEW = 5.0
SKEW_WIDTH = 640  # skew is estimated on a copy about this wide
MIN_CHAR_HEIGHT = 30  # pixels; smaller text is upscaled ...
TARGET_CHAR_HEIGHT = 44  # ... to about this height
MAX_UPSCALE = 3.0
# larger text is scaled down to about DOWN_CHAR_HEIGHT for Tesseract: its cost grows with the
# page's pixels while its LSTM reads every line scaled to 36 px anyway (a 300 dpi scan of
# 16 pt type has 60-70 px characters)
MAX_CHAR_HEIGHT = 52
DOWN_CHAR_HEIGHT = 40
MIN_DOWNSCALE = 0.5
# a measured "text height" above this share of the page's height is not text (the shading of
# a photo measured as one band): nothing is scaled down by it
MAX_HEIGHT_SHARE = 1 / 20


def _ink(grey: Image.Image) -> np.ndarray:
    """Ink mask robust to uneven lighting: darker than both Otsu's level of the page
    flattened by its local background, i.e. pixel / local mean."""
    radius = max(8, min(grey.width, grey.height) // 40)
    background = np.asarray(grey.filter(ImageFilter.BoxBlur(radius)), dtype=np.float32)
    ratio = np.asarray(grey, dtype=np.float32) / np.maximum(background, 1.0)
    flat = np.clip(ratio * 200.0, 0, 255).astype(np.uint8)
    return flat < min(otsu_threshold(flat), 170)


def _profile_score(ink: Image.Image, angle: float) -> float:
    """Sharpness of the row profile after rotating by angle: straight lines score highest."""
    rows = np.asarray(ink.rotate(angle, resample=Image.NEAREST), dtype=np.float32).sum(axis=1)
    return float(np.square(np.diff(rows)).sum())


def estimate_skew(grey: Image.Image) -> float:
    """Angle in degrees (counter-clockwise) that straightens the text lines, within ±5°."""
    scale = min(1.0, SKEW_WIDTH / grey.width)
    small = grey.resize((max(1, int(grey.width * scale)), max(1, int(grey.height * scale))))
    ink = _ink(small)
    if ink.sum() < 200:
        return 0.0
    mask = Image.fromarray((ink * 255).astype(np.uint8), "L")
    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 1.0), key=lambda a: _profile_score(mask, a))
    fine = np.arange(best - 0.8, best + 0.81, 0.1)
    best = max(fine, key=lambda a: _profile_score(mask, a))
    return round(float(best), 2)


def rotate(image: Image.Image, angle: float, fill: int | tuple | None = 255) -> Image.Image:
    """Rotate counter-clockwise by angle degrees, keeping everything.

    The uncovered corners get fill; with fill=None (greyscale pages only) they continue the
    nearby paper, so that shaded paper next to a corner does not look like ink.
    """
    if abs(angle) < 0.05:
        return image
    if fill is None and image.mode == "L":
        return _rotate_extend(image, angle)
    if image.mode == "RGB" and isinstance(fill, int):
        fill = (fill, fill, fill)
    rotated = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=fill or 255)
    rotated.info.update(image.info)
    return rotated


def _rotate_extend(grey: Image.Image, angle: float) -> Image.Image:
    """Rotate, then fill the corners with the local mean of the covered pixels near them.

    The mean varies slowly (a box of `radius`, 16 px and more): it is taken on a copy reduced
    `step` times and enlarged again, which cost a third of a CPU second per 300 dpi page at
    full size."""
    rotated = grey.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=0)
    covered = Image.new("L", grey.size, 255).rotate(angle, expand=True, fillcolor=0)
    radius = int(abs(np.sin(np.radians(angle))) * max(grey.size)) + 16
    step = max(1, radius // 8)
    inside = np.asarray(covered) > 127
    pixels = np.asarray(rotated)
    paper = Image.fromarray(np.where(inside, pixels, 0).astype(np.uint8))
    small_radius = max(1, radius // step)
    sums = np.asarray(paper.reduce(step).filter(ImageFilter.BoxBlur(small_radius)),
                      dtype=np.float32)
    weights = np.asarray(covered.reduce(step).filter(ImageFilter.BoxBlur(small_radius)),
                         dtype=np.float32)
    background = np.where(weights > 0, sums * 255.0 / np.maximum(weights, 1.0), 255.0)
    background = np.asarray(Image.fromarray(np.clip(background, 0, 255).astype(np.uint8))
                            .resize(rotated.size, Image.BILINEAR))
    out = Image.fromarray(np.where(inside, pixels, background).astype(np.uint8), "L")
    out.info.update(grey.info)
    return out


def char_height(grey: Image.Image) -> float | None:
    """Median height of text lines in pixels (≈ CJK character height), None if no text."""
    ink = _ink(grey)
    counts = ink.sum(axis=1)
    rows = counts > max(2, 0.01 * ink.shape[1])
    heights, start = [], None
    for y, on in enumerate(np.append(rows, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= 4:
                heights.append(y - start)
            start = None
    if not heights:
        return None
    lines = [h for h in heights if h <= MAX_HEIGHT_SHARE * ink.shape[0]]
    return float(np.median(_text_bands(lines) if lines else heights))


def _text_bands(heights: list[int]) -> np.ndarray:
    """The bands of rows that are text (of those no higher than MAX_HEIGHT_SHARE of the page,
    char_height: not a table's ruled body or a photo's shading): those at least half as high as the band in which
    half of all inked rows lie. The grain of a photocopy makes many thin bands between
    the lines (4-14 px against 41 px text on a 200 dpi copy): their median was taken for
    the text's height, and the page upscaled three times over."""
    bands = np.sort(np.asarray(heights))
    rows = np.cumsum(bands)
    middle = bands[np.searchsorted(rows, rows[-1] / 2)]
    return bands[bands >= middle / 2]


def upscale_factor(grey: Image.Image, min_dpi: int, target_dpi: int,
                   height: float | None | bool = False) -> float:
    """How much to enlarge a page whose text is too small for Tesseract (1.0 = leave it).

    Uses the measured character height (`height`, when measured already); when no text
    lines are found, the stated dpi.
    """
    height = char_height(grey) if height is False else height
    if height is not None:
        if height >= MIN_CHAR_HEIGHT:
            return 1.0
        return min(MAX_UPSCALE, TARGET_CHAR_HEIGHT / height)
    dpi = grey.info.get("dpi")
    if dpi and 30 <= float(dpi[0]) < min_dpi:
        return min(MAX_UPSCALE, target_dpi / float(dpi[0]))
    return 1.0


def downscale_factor(grey: Image.Image, height: float | None) -> float:
    """How much to shrink a page whose text (`height`, measured) is larger than Tesseract
    needs (1.0 = leave it; never below MIN_DOWNSCALE)."""
    if height is None or height <= MAX_CHAR_HEIGHT or height > MAX_HEIGHT_SHARE * grey.height:
        return 1.0
    return max(MIN_DOWNSCALE, DOWN_CHAR_HEIGHT / height)


def scale(image: Image.Image, factor: float) -> Image.Image:
    """Resize by factor with a smooth filter (no-op at 1.0)."""
    if abs(factor - 1.0) < 0.01:
        return image
    size = (round(image.width * factor), round(image.height * factor))
    resized = image.resize(size, Image.LANCZOS)
    resized.info.update(image.info)
    dpi = image.info.get("dpi")
    if dpi:
        resized.info["dpi"] = (float(dpi[0]) * factor, float(dpi[1]) * factor)
    return resized


def rotation_inverse(size: tuple[int, int], angle: float) -> tuple[tuple[float, ...], tuple[int, int]]:
    """For rotate(image of `size`, angle) (counter-clockwise, expanded): the affine matrix
    (a, b, c, d, e, f) taking a point of the rotated image back to the image
    (x = a·x' + b·y' + c, y = d·x' + e·y' + f), and the rotated image's size. The same
    arithmetic as PIL's Image.rotate(expand=True)."""
    w, h = size
    if abs(angle) < 0.05:  # rotate() leaves such an image as it is
        return (1.0, 0.0, 0.0, 0.0, 1.0, 0.0), size
    a = -math.radians(angle % 360.0)
    m = [round(math.cos(a), 15), round(math.sin(a), 15), 0.0,
         round(-math.sin(a), 15), round(math.cos(a), 15), 0.0]

    def apply(x: float, y: float) -> tuple[float, float]:
        return m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]

    m[2], m[5] = apply(-w / 2, -h / 2)
    m[2] += w / 2
    m[5] += h / 2
    corners = [apply(x, y) for x, y in ((0, 0), (w, 0), (w, h), (0, h))]
    nw = math.ceil(max(x for x, _ in corners)) - math.floor(min(x for x, _ in corners))
    nh = math.ceil(max(y for _, y in corners)) - math.floor(min(y for _, y in corners))
    m[2], m[5] = apply(-(nw - w) / 2.0, -(nh - h) / 2.0)
    return tuple(m), (nw, nh)


def map_rect(matrix: tuple[float, ...], rect: tuple[float, float, float, float]
             ) -> tuple[float, float, float, float]:
    """The bounding rectangle (x0, y0, x1, y1) of rect's corners taken through matrix."""
    a, b, c, d, e, f = matrix
    x0, y0, x1, y1 = rect
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        xs.append(a * x + b * y + c)
        ys.append(d * x + e * y + f)
    return min(xs), min(ys), max(xs), max(ys)
