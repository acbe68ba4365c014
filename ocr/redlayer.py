"""Red ink (红头 header, red rule, seals): suppress it for the body, extract it for the header.

Red ink is bright in the red channel and dark in green and blue, while black ink is dark in
all three; so the red channel is a greyscale in which red vanishes but black text under a
seal stays black. The red layer itself (red ink as black on white) is kept to OCR the header.
"""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageChops

# redness = R - max(G, B); paper and black ink are near 0, printed red ink is 100-200
RED_THRESHOLD = 60
MIN_RED_SHARE = 0.0005  # below this share of red pixels the page has no red layer


def _channels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def redness(image: Image.Image) -> np.ndarray:
    """Per-pixel redness R - max(G, B) (int16, 0 for greyscale images)."""
    if image.mode == "L":
        return np.zeros((image.height, image.width), dtype=np.int16)
    rgb = _channels(image)
    return rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])


def to_grey(image: Image.Image) -> Image.Image:
    """Plain luminance greyscale (red ink stays mid-grey)."""
    return image if image.mode == "L" else image.convert("L")


def suppress_red(image: Image.Image,
                 header: tuple[int, int, int, int] | None = None) -> Image.Image:
    """Greyscale in which red ink vanishes and black ink (also under a seal) stays black.

    This is the red channel. Measured against whitening every red pixel to the paper level,
    it keeps the strokes that JPEG colour bleeding tints red and makes no halos on shaded
    paper. Within `header` (the red header's box, header_box()) the pixels that are plainly
    red ink — redness above WHITE_REDNESS and bright in red, which no black stroke is — are
    made white: in the red channel a header's ink is still a shade darker than the paper
    (200 against 250), which binarising a noisy or blurred page turned into specks along its
    strokes, read as a line of junk (，=下一，~上全，让 under 南屏县农业农村局文件). Seals are
    left as they are: whitened, the paper around a signature under one changed how it read."""
    if image.mode == "L":
        return image
    r = image.convert("RGB").getchannel("R")
    if header is None:
        return r
    part = image.convert("RGB").crop(header)
    pr, pg, pb = part.split()
    red = ImageChops.subtract(pr, ImageChops.lighter(pg, pb))
    plainly = ImageChops.multiply(red.point(_PLAINLY_RED), pr.point(_BRIGHT_RED))
    r.paste(ImageChops.lighter(pr, plainly), header[:2])
    return r


# redness above which, with a red channel above RED_BRIGHT, a pixel is red ink (printed red:
# 100-200; a black stroke's JPEG fringe stays below it, or dark in red)
WHITE_REDNESS, RED_BRIGHT = 80, 150
_PLAINLY_RED = [255 if v > WHITE_REDNESS else 0 for v in range(256)]
_BRIGHT_RED = [255 if v > RED_BRIGHT else 0 for v in range(256)]


def red_layer(image: Image.Image) -> Image.Image | None:
    """Red ink drawn black on white (L), or None when the page has (almost) no red ink.

    Computed with 8-bit image operations (R minus the lighter of G and B, cut at 0; a lookup
    table for the ink's darkness): the same pixels as from redness(), at a fifth of the
    time on a 300 dpi page."""
    if image.mode == "L":
        return None
    r, g, b = image.convert("RGB").split()
    red = ImageChops.subtract(r, ImageChops.lighter(g, b))
    if sum(red.histogram()[RED_THRESHOLD + 1:]) < MIN_RED_SHARE * red.width * red.height:
        return None
    return red.point(_LAYER_LEVELS)


# red_layer's darkness per redness: (redness - 30) * 2.5, within 0-255, drawn as 255 - that
_LAYER_LEVELS = [int(255.0 - min(255.0, max(0.0, (v - 30.0) * 2.5))) for v in range(256)]


def _bands(mask: np.ndarray, min_share: float) -> list[tuple[int, int, int]]:
    """Runs of rows holding ink: (top, bottom, widest row's ink count)."""
    counts = mask.sum(axis=1)
    rows = counts > max(1, min_share * mask.shape[1])
    bands, start = [], None
    for y, on in enumerate(np.append(rows, False)):
        if on and start is None:
            start = y
        elif not on and start is not None:
            bands.append((start, y, int(counts[start:y].max())))
            start = None
    return bands


def header_box(layer: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the red header text: red text rows above the red rule.

    Without a rule, red text in the top third counts. Seals sit lower on the page and are
    not taken. Returns None when no header text is found.
    """
    mask = np.asarray(layer) < 128
    height, width = mask.shape
    bands = _bands(mask, 0.002)
    rules = [b for b in bands if b[1] - b[0] <= max(12, height // 80) and b[2] > 0.4 * width]
    limit = rules[0][0] if rules else height // 3
    text = [b for b in bands if b[1] <= limit and b[1] - b[0] >= max(10, height // 100)]
    if not text:
        return None
    top, bottom = text[0][0], text[-1][1]
    columns = np.nonzero(mask[top:bottom].any(axis=0))[0]
    pad = max(8, (bottom - top) // 4)
    return (
        max(0, int(columns[0]) - pad), max(0, top - pad),
        min(width, int(columns[-1]) + pad), min(height, bottom + pad),
    )


# red ink a seal leaves (lighter than a header's: stamped, faded, photographed)
SEAL_THRESHOLD = 40


def without_seals(image: Image.Image, grey: Image.Image) -> Image.Image:
    """`grey` (the page's luminance) with the red ink below the red header — seals, stamps,
    the red rule — taken from the red channel, where it vanishes while black ink under it
    stays black; the header itself is left dark, to be read with the page (PP-OCR misread
    a 成文日期 under a seal's ring: 三月 for 二月, or lost its line)."""
    if image.mode == "L":
        return grey
    red = redness(image)
    mask = red > SEAL_THRESHOLD
    if not mask.any():
        return grey
    layer = red_layer(image)
    box = header_box(layer) if layer is not None else None
    if box is not None:
        mask[:box[3]] = False
    out = np.asarray(grey).copy()
    out[mask] = np.asarray(image.convert("RGB"))[..., 0][mask]
    return Image.fromarray(out, "L")

