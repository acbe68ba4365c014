"""Page images of a record's original (scan pages, rendered PDF pages), as cached thumbnails."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ocr.errors import OcrError
from ocr.images import read_page

from .errors import RecordNotFound
from .pdffile import render_page

IMAGE_TYPES = ("image", "pdf")  # record types whose pages have an image
WIDTHS = (400, 1000, 1600)  # the sizes served (anything else is rounded up to one of these)
THUMBS_DIR = "thumbs"
MAX_PIXELS = 2 * WIDTHS[-1] ** 2  # a PDF page is rendered at the width served, within this


def has_page_images(record: dict) -> bool:
    return record.get("type") in IMAGE_TYPES


def original_path(record: dict, sources: dict[str, str]) -> Path:
    """The source file of a record, from the index's own list of corpus roots (never from a
    path a client sent)."""
    root = sources.get(record.get("source", ""))
    if not root:
        raise RecordNotFound("这条记录的原件所在目录未登记")
    path = Path(root) / record["path"]
    if not path.is_file():
        raise RecordNotFound("这条记录的原件已不在档案目录中，请重新索引")
    return path


def page_thumbnail(record: dict, sources: dict[str, str], page: int, width: int,
                   cache_dir: Path) -> Path:
    """A PNG of page `page` (from 1) at about `width` pixels wide, rendered once and cached."""
    if not has_page_images(record) or not 1 <= page <= int(record.get("pages") or 1):
        raise RecordNotFound(f"第{page}页没有图像")
    width = next((w for w in WIDTHS if w >= width), WIDTHS[-1])
    path = original_path(record, sources)
    stat = path.stat()
    key = hashlib.sha1(f"{record['id']}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    target = cache_dir / THUMBS_DIR / f"{key[:16]}-{page}-{width}.png"
    if target.exists():
        return target
    image = _render(record, path, page - 1, width)
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    image.convert("RGB" if image.mode not in ("L", "1") else "L").save(partial, "PNG",
                                                                         optimize=True)
    partial.replace(target)  # atomic: a reader never sees half a file
    return target


def _render(record: dict, path: Path, index: int, width: int):
    """The page at about `width` pixels wide (a PDF page is rendered at that size; a scan's
    page is decoded alone, never its other pages)."""
    if record["type"] == "pdf":
        return render_page(path, index, MAX_PIXELS, max_width=width)
    try:
        return read_page(path, index)
    except (OcrError, IndexError) as e:
        raise RecordNotFound(f"第{index + 1}页的图像无法读取：{e}") from e
