"""Page images of a record's original (scan pages, rendered PDF pages), as cached thumbnails."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..errors import RecordNotFound
from ..private import private_dir
from .originals import Indexed, open_original
from .pagerender import FORMATS, RENDER_TIMEOUT, PageImageFailed, render_image

IMAGE_TYPES = ("image", "pdf")  # record types whose pages have an image
WIDTHS = (400, 1000, 1600)  # the sizes served (anything else is rounded up to one of these)
DEFAULT_WIDTH = 1000  # what the record page shows first (pre-rendered: [index] page_images)
# the format the record page shows: a scan page as JPEG is a tenth of its PNG and made in a
# fifth of the time (measured: 171 KB in 1.0 s against 1.3 MB in 5.6 s at 1000 pixels); a
# born-digital page half (132 KB against 269 KB). PNG stays served (.png).
SHOWN_FORMAT = "jpg"
THUMBS_DIR = "thumbs"
RETRY_FAILED = 24 * 3600  # seconds before a page that could not be rendered is tried again


def has_page_images(record: dict) -> bool:
    return record.get("type") in IMAGE_TYPES


def page_thumbnail(record: dict, sources: dict[str, str], indexed: Indexed | None, page: int,
                   width: int, cache_dir: Path, timeout: float = RENDER_TIMEOUT,
                   fmt: str = "png") -> Path:
    """A PNG (or JPEG: fmt "jpg") of page `page` (from 1) at about `width` pixels wide,
    rendered once (in a child process given `timeout` seconds) and cached. A page that could
    not be rendered is remembered (a `.failed` marker beside the thumbnails) and not tried
    again for a day."""
    if not has_page_images(record) or not 1 <= page <= int(record.get("pages") or 1):
        raise RecordNotFound(f"第{page}页没有图像")
    if fmt not in FORMATS:
        raise RecordNotFound(f"没有 {fmt} 格式的图像")
    width = next((w for w in WIDTHS if w >= width), WIDTHS[-1])
    # opened (without following links, and only while it is the file indexed) even when the
    # thumbnail is cached: an original that changed is not shown, not even as the picture
    # made of it before
    with open_original(record, sources, indexed) as original:
        stat = original.stat
        key = hashlib.sha1(f"{record['id']}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        stem = f"{key.hexdigest()[:16]}-{page}"
        target = cache_dir / THUMBS_DIR / f"{stem}-{width}.{fmt}"
        if target.exists():
            return target
        failed = target.with_name(f"{stem}.failed")
        _raise_if_failed(failed)
        try:
            data = render_image(original.file, record["type"], page - 1, width, timeout, fmt)
        except PageImageFailed as e:
            _write(failed, str(e).encode("utf-8"))
            raise
    _write(target, data)
    return target


def _raise_if_failed(marker: Path) -> None:
    try:
        if time.time() - marker.stat().st_mtime < RETRY_FAILED:
            raise PageImageFailed(marker.read_text(encoding="utf-8", errors="replace"))
    except FileNotFoundError:
        pass


def _write(target: Path, data: bytes) -> None:
    """Write the file atomically (a reader never sees half of it), readable by us only."""
    private_dir(target.parent)
    partial = target.with_name(f"{target.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(data)
    partial.replace(target)
