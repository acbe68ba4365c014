"""One script per page: chi_sim+chi_tra mixes 縣/县 within a page; fold to the page's script.

Measured on generated pages: Tesseract with chi_sim+chi_tra reads whole lines of a
simplified page as traditional (up to 26 traditional-only against 30 simplified-only
characters), while a traditional page keeps at least three traditional-only characters per
simplified-only one. So a page is taken as traditional only from TRADITIONAL_RATIO up, and
as simplified otherwise.
"""
from __future__ import annotations

import threading

import opencc

TRADITIONAL_RATIO = 2.0
# Tesseract read a traditional page in 明体 (AR PL UMing) with 40 traditional-only against 24
# simplified-only characters, and simplified pages with up to 26 against 30: a page whose
# counts are within TRADITIONAL_RATIO of each other either way is undecided (undecided()),
# and its script is better asked of an engine that keeps it (PP-OCR reads each as printed)

_lock = threading.Lock()  # OpenCC converters are not safe to share between threads
_converters: dict[str, opencc.OpenCC] = {}


def _convert(config: str, text: str) -> str:
    with _lock:
        if config not in _converters:
            _converters[config] = opencc.OpenCC(config)
        return _converters[config].convert(text)


def script_counts(text: str) -> tuple[int, int]:
    """(characters that exist only in traditional, only in simplified) in text."""
    as_simplified = _convert("t2s", text)
    as_traditional = _convert("s2t", text)
    traditional = sum(1 for a, b in zip(text, as_simplified) if a != b)
    simplified = sum(1 for a, b in zip(text, as_traditional) if a != b)
    return traditional, simplified


def to_simplified(text: str) -> str:
    """The text converted to simplified characters (OpenCC t2s)."""
    return _convert("t2s", text)


def undecided(traditional: int, simplified: int) -> bool:
    """Characters of both scripts, neither TRADITIONAL_RATIO times the other's: the counts
    do not tell the page's script."""
    return (traditional > 0 and simplified > 0 and traditional < TRADITIONAL_RATIO * simplified
            and simplified < TRADITIONAL_RATIO * traditional)


def decided(traditional: int, simplified: int) -> str:
    """"traditional" or "simplified" when one script's characters are TRADITIONAL_RATIO
    times the other's (and some), else ""."""
    if traditional and traditional >= TRADITIONAL_RATIO * simplified:
        return "traditional"
    if simplified and simplified >= TRADITIONAL_RATIO * traditional:
        return "simplified"
    return ""


def in_script(text: str, script: str) -> str:
    """The text converted to "traditional" (OpenCC s2t) or "simplified" (t2s), character for
    character (unchanged where the conversion would change its length)."""
    converted = _convert("s2t" if script == "traditional" else "t2s", text)
    return converted if len(converted) == len(text) else text


def unify_script(text: str) -> str:
    """Fold characters of the other script into the page's script (see the module doc)."""
    traditional, simplified = script_counts(text)
    if not traditional or not simplified:
        return text
    if traditional >= TRADITIONAL_RATIO * simplified:
        converted = _convert("s2t", text)
    else:
        converted = _convert("t2s", text)
    return converted if len(converted) == len(text) else text
