"""The faces the set is drawn with: Debian font packages found through fontconfig."""
from __future__ import annotations

from functools import lru_cache

from PIL import ImageFont

from tools.scanlib import find_font

# face key -> (fontconfig query, family the answer must name, Debian package)
FACES = {
    "ming": ("AR PL UMing CN", "AR PL UMing", "fonts-arphic-uming"),
    "kai": ("AR PL UKai CN", "AR PL UKai", "fonts-arphic-ukai"),
    "zenhei": ("WenQuanYi Zen Hei", "WenQuanYi Zen Hei", "fonts-wqy-zenhei"),
    "serif": ("Noto Serif CJK SC", "Noto Serif CJK SC", "fonts-noto-cjk"),
    "serif_bold": ("Noto Serif CJK SC:style=Bold", "Noto Serif CJK SC", "fonts-noto-cjk"),
    "sans_bold": ("Noto Sans CJK SC:style=Bold", "Noto Sans CJK SC", "fonts-noto-cjk"),
    "serif_tc": ("Noto Serif CJK TC", "Noto Serif CJK TC", "fonts-noto-cjk"),
}


@lru_cache(maxsize=None)
def font_file(face: str) -> tuple[str, int]:
    """(file, face index) of a face; exits with the package to install when it is missing
    (tools/system-deps.sh bench-ocr installs them all)."""
    query, family, package = FACES[face]
    return find_font(query, family, package)


@lru_cache(maxsize=256)
def pil(face: str, px: int) -> ImageFont.FreeTypeFont:
    file, index = font_file(face)
    return ImageFont.truetype(file, max(4, px), index=index)


@lru_cache(maxsize=None)
def _cmap(face: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont
    file, index = font_file(face)
    return frozenset(TTFont(file, fontNumber=index, lazy=True).getBestCmap())


def covers(face: str, text: str) -> bool:
    """Whether the face has a glyph for every character of the text (spaces aside)."""
    cmap = _cmap(face)
    return all(ord(c) in cmap for c in text if not c.isspace())
