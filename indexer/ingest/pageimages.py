"""Page images of a record's original (scan pages, rendered PDF pages), as cached thumbnails."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from ocr.errors import OcrError
from ocr.images import read_page

from ..errors import RecordNotFound
from ..private import private_dir
from .originals import open_original
from .pdffile import render_page

IMAGE_TYPES = ("image", "pdf")  # record types whose pages have an image
WIDTHS = (400, 1000, 1600)  # the sizes served (anything else is rounded up to one of these)
THUMBS_DIR = "thumbs"
MAX_PIXELS = 2 * WIDTHS[-1] ** 2  # a PDF page is rendered at the width served, within this


def has_page_images(record: dict) -> bool:
    return record.get("type") in IMAGE_TYPES


def page_thumbnail(record: dict, sources: dict[str, str], page: int, width: int,
                   cache_dir: Path) -> Path:
    """A PNG of page `page` (from 1) at about `width` pixels wide, rendered once and cached."""
    if not has_page_images(record) or not 1 <= page <= int(record.get("pages") or 1):
        raise RecordNotFound(f"第{page}页没有图像")
    width = next((w for w in WIDTHS if w >= width), WIDTHS[-1])
    # opened (without following links) even when the thumbnail is cached: an original that
    # became a link is not shown, not even as the picture made of it before
    with open_original(record, sources) as original:
        stat = original.stat
        key = hashlib.sha1(f"{record['id']}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        target = cache_dir / THUMBS_DIR / f"{key.hexdigest()[:16]}-{page}-{width}.png"
        if target.exists():
            return target
        image = _render(record, original.file, page - 1, width)
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    private_dir(target.parent)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        image.convert("RGB" if image.mode not in ("L", "1") else "L").save(out, "PNG",
                                                                             optimize=True)
    partial.replace(target)  # atomic: a reader never sees half a file
    return target


def _render(record: dict, file: BinaryIO, index: int, width: int):
    """Page `index` of the open original (read from the file object, never by its path), at
    about `width` pixels wide: a PDF page is rendered at that size, a scan's page is decoded
    alone, never its other pages."""
    if record["type"] == "pdf":
        return render_page(file, index, MAX_PIXELS, max_width=width)
    try:
        return read_page(file, index)
    except (OcrError, IndexError) as e:
        raise RecordNotFound(f"第{index + 1}页的图像无法读取：{e}") from e
