"""Reading scan files (PNG, JPEG, multi-page TIFF) into upright page images, safely.

Every limit is checked before any pixel is decoded: the frame count, each frame's size and
the sum over all frames (a TIFF of blank frames compresses a thousandfold). Pages are then
decoded one at a time, so a file costs the memory of its largest page, not of all of them.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageError

SUPPORTED_FORMATS = {"PNG", "JPEG", "TIFF", "MPO"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
DEFAULT_MAX_PIXELS = 60_000_000
Source = str | Path | BinaryIO


def _name(source: Source) -> str:
    """The file name of a path, or of an open file (for messages)."""
    name = getattr(source, "name", source)
    return Path(name).name if isinstance(name, (str, Path)) else "image"


def _open(source: Source) -> Image.Image:
    """Open an image lazily (nothing decoded), refusing unknown formats and absurd sizes."""
    name = _name(source)
    try:
        with warnings.catch_warnings():
            # our own max_pixels check decides; Pillow still refuses the absurd
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source)
    except Image.DecompressionBombError as e:
        raise ImageError(f"{name}: image too large to process safely ({e})") from e
    except UnidentifiedImageError as e:
        raise ImageError(f"{name}: not a readable PNG, JPEG or TIFF image") from e
    except OSError as e:
        raise ImageError(f"{name}: cannot open image: {e}") from e
    if image.format not in SUPPORTED_FORMATS:
        image.close()
        raise ImageError(f"{name}: unsupported image format {image.format}")
    return image


class ScanPages:
    """The pages (frames) of one image file, checked against the limits when opened and
    decoded one at a time by page(). A limit of 0 is no limit.

    max_pages: frames in the file; max_pixels: pixels of one frame; max_file_pixels: pixels
    of all frames together.
    """

    def __init__(self, source: Source, max_pixels: int = DEFAULT_MAX_PIXELS,
                 max_pages: int = 0, max_file_pixels: int = 0):
        self.name = _name(source)
        self.max_pixels = max_pixels
        self._image = _open(source)
        try:
            self.sizes = self._survey(max_pages, max_file_pixels)
        except BaseException:
            self._image.close()
            raise

    def _survey(self, max_pages: int, max_file_pixels: int) -> list[tuple[int, int]]:
        """Every frame's size, read from the frame headers only."""
        try:
            count = int(getattr(self._image, "n_frames", 1))
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise ImageError(f"{self.name}: the page list is damaged ({e})") from e
        if max_pages and count > max_pages:
            raise ImageError(f"{self.name}: the image has {count} pages, more than the "
                             f"limit of {max_pages} ([ocr] max_pages)")
        sizes, total = [], 0
        for index in range(count):
            self._seek(index)
            _check_size(self._image, self.name, self.max_pixels)
            sizes.append(self._image.size)
            total += self._image.width * self._image.height
        if max_file_pixels and total > max_file_pixels:
            raise ImageError(f"{self.name}: its {count} pages have {total:,} pixels together, "
                             f"more than the limit of {max_file_pixels:,} "
                             "([ocr] max_file_pixels)")
        return sizes

    def _seek(self, index: int) -> None:
        try:
            self._image.seek(index)
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise ImageError(f"{self.name}: page {index + 1} is truncated or corrupt ({e})"
                             ) from e

    def __len__(self) -> int:
        return len(self.sizes)

    def page(self, index: int) -> Image.Image:
        """Page `index` (from 0), decoded, upright, in RGB or L mode, with its dpi if stated."""
        if not 0 <= index < len(self.sizes):
            raise ImageError(f"{self.name}: no page {index + 1} (the image has "
                             f"{len(self.sizes)})")
        self._seek(index)
        image = self._image
        try:
            _check_size(image, self.name, self.max_pixels)
            dpi = image.info.get("dpi")
            image.load()
            page = normalize_mode(ImageOps.exif_transpose(image))
        except ImageError:
            raise
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise ImageError(f"{self.name}: page {index + 1} is truncated or corrupt ({e})"
                             ) from e
        page = page.copy() if page is image else page
        if dpi:
            page.info["dpi"] = dpi
        return page

    def close(self) -> None:
        self._image.close()

    def __enter__(self) -> ScanPages:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_size(image: Image.Image, name: str, max_pixels: int) -> None:
    pixels = image.width * image.height
    if max_pixels and pixels > max_pixels:
        raise ImageError(
            f"{name}: image has {pixels:,} pixels ({image.width}x{image.height}), "
            f"more than the limit of {max_pixels:,} ([ocr] max_pixels)"
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


def iter_pages(path: Source, max_pixels: int = DEFAULT_MAX_PIXELS, max_pages: int = 0,
               max_file_pixels: int = 0) -> Iterator[Image.Image]:
    """Yield each page (frame) of an image file, decoded, upright and in RGB or L mode.

    Every limit is checked before the first page is decoded (see ScanPages); one page is
    decoded per step. The resolution (info["dpi"]) is kept when the file states one. Raises
    ImageError for truncated or corrupt data, unknown formats and images over a limit.
    """
    with ScanPages(path, max_pixels, max_pages, max_file_pixels) as pages:
        for index in range(len(pages)):
            yield pages.page(index)


def load_pages(path: Source, max_pixels: int = DEFAULT_MAX_PIXELS, max_pages: int = 0,
               max_file_pixels: int = 0) -> list[Image.Image]:
    """All pages of an image file at once (see iter_pages; for small files)."""
    return list(iter_pages(path, max_pixels, max_pages, max_file_pixels))


def read_page(path: Source, index: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Page `index` (from 0) of an image file, decoding no other page."""
    with ScanPages(path, max_pixels) as pages:
        return pages.page(index)


def page_count(path: Source, max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """Number of pages (frames) in an image file, without decoding them."""
    with ScanPages(path, max_pixels) as pages:
        return len(pages)
