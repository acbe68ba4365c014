"""The 查阅 watermark: a page image of a record above 公开 is served with the reader's name and
the time drawn across it, over the cached image (the cache itself stays unmarked)."""
from __future__ import annotations

import io
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
from flask_login import current_user
from PIL import Image, ImageDraw, ImageFont

from indexer.errors import DanganError
from indexer.fields import SECURITY_LEVELS

FONT_FAMILY = "Noto Sans CJK SC"  # Debian's fonts-noto-cjk (tools/system-deps.sh installs it)
FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)
OPACITY = 56  # of 255: readable, and the page stays readable under it
ANGLE = 30
JPEG_QUALITY = 80


class WatermarkError(DanganError):
    """No font to draw the watermark with: the image is not served unmarked."""

    http_status = 500


def watermark_text(rec: dict) -> str:
    """Who reads a record above 公开, and when (printed across its pages and drawn over its
    images: the 查阅 practice of archives); '' for a 公开 record."""
    if rec.get("security", SECURITY_LEVELS[1]) == SECURITY_LEVELS[0]:
        return ""
    return f"{current_user.name or '匿名查阅'} {time.strftime('%Y-%m-%d %H:%M')}"


@lru_cache(maxsize=1)
def _font_file() -> str:
    for candidate in FONT_FILES:
        if Path(candidate).is_file():
            return candidate
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", FONT_FAMILY], capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found and Path(found).is_file():
        return found
    raise WatermarkError(f"没有可用于水印的中文字体（{FONT_FAMILY}）：请安装 fonts-noto-cjk")


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_file(), size)


def watermarked(path: Path, fmt: str, text: str) -> bytes:
    """The image at `path` with `text` tiled across it diagonally, encoded as `fmt`."""
    with Image.open(path) as source:
        page = source.convert("RGB")
    size = max(14, page.width // 28)
    font = _font(size)
    left, top, right, bottom = font.getbbox(text)
    tile = Image.new("L", (right - left + size * 3, (bottom - top) * 5), 0)
    ImageDraw.Draw(tile).text((size, (bottom - top) * 2 - top), text, fill=OPACITY, font=font)
    tile = np.asarray(tile.rotate(ANGLE, expand=True))
    rows, cols = -(-page.height // tile.shape[0]), -(-page.width // tile.shape[1])
    alpha = Image.fromarray(np.tile(tile, (rows, cols))[: page.height, : page.width])
    ink = Image.new("RGB", page.size, (120, 20, 20))
    page.paste(ink, (0, 0), alpha)
    out = io.BytesIO()
    if fmt == "jpg":
        page.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        page.save(out, "PNG")
    return out.getvalue()
