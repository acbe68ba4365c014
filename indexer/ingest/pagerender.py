"""Rendering one page image in a child process with a time and memory limit, so a hostile file
(a tiny PDF whose page takes minutes to draw) costs a web worker seconds, not minutes.

The child reads the original from the descriptor the server opened (never by its path),
renders the page (pdffile.render_page, or the scan's page alone), scales it to the width
served and writes a PNG (or a JPEG: scans) to its stdout. It is killed when the time is up.
"""
from __future__ import annotations

import io
import math
import os
import resource
import subprocess
import sys
import threading
from typing import BinaryIO

from ..errors import DanganError, RecordNotFound

RENDER_TIMEOUT = 20.0  # seconds ([server] render_timeout)
MEMORY_MB = 1024  # the child's address space (RLIMIT_AS)
SLOTS = 2  # renders at a time per web worker: its other threads keep answering searches
SLOT_WAIT = 2.0  # seconds a request waits for a free slot before it is told to come back
MAX_PIXELS = 2 * 1600 ** 2  # a PDF page is rendered at the width served, within this
JPEG_QUALITY = 80  # scans: a tenth of the PNG's size, no visible loss at the widths served
FORMATS = {"png": b"\x89PNG", "jpg": b"\xff\xd8\xff"}  # what the child may write
_FAILED = 3  # the child's exit status for a page that cannot be read (message on stderr)

TIMED_OUT = ("这一页的图像无法在限定时间内生成（第{page}页，[server] render_timeout），"
             "请查看文字或下载原件")
TOO_BIG = "这一页的图像太大，无法在限定的内存内生成（第{page}页），请查看文字或下载原件"
BUSY = "服务器正在生成其他页面的图像，请稍后再试"

_slots = threading.BoundedSemaphore(SLOTS)


class PageImageUnavailable(DanganError):
    """A page image that could not be made now (the server is busy): try again later."""

    exit_code = 1
    http_status = 503


class PageImageFailed(RecordNotFound):
    """A page image that cannot be made from this file (too slow, too big, unreadable): there
    is none (404), and the failure is remembered for the file as it is."""


def render_png(file: BinaryIO, kind: str, index: int, width: int,
               timeout: float = RENDER_TIMEOUT) -> bytes:
    """Page `index` (from 0) of the open original as PNG bytes (see render_image)."""
    return render_image(file, kind, index, width, timeout, "png")


def render_image(file: BinaryIO, kind: str, index: int, width: int,
                 timeout: float = RENDER_TIMEOUT, fmt: str = "png") -> bytes:
    """Page `index` (from 0) of the open original as `fmt` ("png" or "jpg") bytes at most
    `width` pixels wide, made by a child process given at most `timeout` seconds and
    MEMORY_MB of memory."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {sorted(FORMATS)}")
    page = index + 1
    if not _slots.acquire(timeout=SLOT_WAIT):
        raise PageImageUnavailable(BUSY)
    try:
        fd = file.fileno()
        command = [sys.executable, "-m", __name__, str(fd), kind, str(index), str(width), fmt]
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "PYTHONIOENCODING": "utf-8"}
        try:
            done = subprocess.run(command, pass_fds=(fd,), capture_output=True,
                                  timeout=timeout or None, env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as e:  # run() has killed the child and waited
            raise PageImageFailed(TIMED_OUT.format(page=page)) from e
    finally:
        _slots.release()
    if done.returncode == 0 and done.stdout.startswith(FORMATS[fmt]):
        return done.stdout
    message = done.stderr.decode("utf-8", "replace").strip().splitlines()
    if done.returncode == _FAILED and message:
        raise PageImageFailed(message[-1])
    raise PageImageFailed(TOO_BIG.format(page=page))  # out of memory, or killed by a signal


def _child(fd: int, kind: str, index: int, width: int, fmt: str = "png") -> bytes:
    """In the child: the page as PNG or JPEG bytes. Imports only what the page needs (pypdfium2 for a
    PDF): the child starts for every page image not cached, so it starts small."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_MB << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY
                                            else min(limit, hard), hard))
    file = os.fdopen(fd, "rb")
    if kind == "pdf":
        image = _pdf_page(file, index, width)
    else:
        from ocr.images import read_page

        image = read_page(file, index)
    if image.width > width:
        image = image.resize((width, max(1, round(image.height * width / image.width))))
    out = io.BytesIO()
    image = image.convert("RGB" if image.mode not in ("L", "1") else "L")
    if fmt == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _pdf_page(file: BinaryIO, index: int, width: int):
    """A PDF page rendered at `width` pixels (at most 300 dpi and MAX_PIXELS), as
    pdffile.render_page does it, without loading the indexer's PDF reading (pdfminer, OCR)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(file)
    page = pdf[index]
    w, h = page.get_size()
    scale = min(300 / 72, width / max(w, 1e-6),
                math.sqrt(MAX_PIXELS / max(w * h, 1e-6)) * 0.999)
    return page.render(scale=scale).to_pil()


def main(argv: list[str]) -> int:
    fd, kind, index, width = int(argv[0]), argv[1], int(argv[2]), int(argv[3])
    fmt = argv[4] if len(argv) > 4 else "png"
    try:
        png = _child(fd, kind, index, width, fmt)
    except MemoryError:
        print(TOO_BIG.format(page=index + 1), file=sys.stderr)
        return _FAILED
    except Exception as e:  # noqa: BLE001 (a damaged file: its reason, for the reader)
        reason = " ".join(str(e).split())[:200] or type(e).__name__
        print(f"第{index + 1}页的图像无法读取：{reason}", file=sys.stderr)
        return _FAILED
    sys.stdout.buffer.write(png)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
