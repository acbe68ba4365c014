"""Reading scan files (PNG, JPEG, multi-page TIFF) into upright page images, safely."""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageError

SUPPORTED_FORMATS = {"PNG", "JPEG", "TIFF", "MPO"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
DEFAULT_MAX_PIXELS = 60_000_000


def _name(path) -> str:
    """The file name of a path, or of an open file (for messages)."""
    name = getattr(path, "name", path)
    return Path(name).name if isinstance(name, (str, Path)) else "image"


def _open(path, max_pixels: int) -> Image.Image:
    """Open an image (a path or an open binary file) lazily, refusing unknown formats and
    decompression bombs."""
    try:
        with warnings.catch_warnings():
            # our own max_pixels check below decides; Pillow still refuses the absurd
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as e:
        raise ImageError(f"{_name(path)}: image too large to process safely ({e})") from e
    except UnidentifiedImageError as e:
        raise ImageError(f"{_name(path)}: not a readable PNG, JPEG or TIFF image") from e
    except OSError as e:
        raise ImageError(f"{_name(path)}: cannot open image: {e}") from e
    if image.format not in SUPPORTED_FORMATS:
        image.close()
        raise ImageError(f"{_name(path)}: unsupported image format {image.format}")
    return image


def _check_size(image: Image.Image, name: str, max_pixels: int) -> None:
    pixels = image.width * image.height
    if pixels > max_pixels:
        raise ImageError(
            f"{name}: image has {pixels:,} pixels ({image.width}x{image.height}), "
            f"more than the limit of {max_pixels:,}"
        )


def normalize_mode(image: Image.Image) -> Image.Image:
    """RGB or L for every input: palette, CMYK, 16-bit, bilevel and alpha are flattened."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        wide = np.asarray(image.convert("I"), dtype=np.int64)
        return Image.fromarray(np.clip(wide >> 8 if wide.max() > 255 else wide, 0, 255).astype(np.uint8))
    if image.mode in ("1", "L;1"):
        return image.convert("L")
    return image.convert("RGB")


def iter_pages(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> Iterator[Image.Image]:
    """Yield each page (frame) of an image file, decoded, upright and in RGB or L mode.

    The resolution (info["dpi"]) is kept when the file states one. Raises ImageError for
    truncated or corrupt data, unknown formats and images above max_pixels.
    """
    name = _name(path)
    with _open(path, max_pixels) as image:
        for index in range(getattr(image, "n_frames", 1)):
            try:
                image.seek(index)
                _check_size(image, name, max_pixels)
                dpi = image.info.get("dpi")
                image.load()
                page = normalize_mode(ImageOps.exif_transpose(image))
            except ImageError:
                raise
            except (OSError, SyntaxError, ValueError, EOFError) as e:
                raise ImageError(
                    f"{name}: page {index + 1} is truncated or corrupt ({e})"
                ) from e
            page = page.copy() if page is image else page
            if dpi:
                page.info["dpi"] = dpi
            yield page


def load_pages(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[Image.Image]:
    """All pages of an image file (see iter_pages)."""
    return list(iter_pages(path, max_pixels))


def page_count(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """Number of pages (frames) in an image file, without decoding them."""
    with _open(path, max_pixels) as image:
        return int(getattr(image, "n_frames", 1))
