"""Is a PDF page's text layer trustworthy? Judged by character statistics, since a broken font
map gives valid characters that are wrong: empty, (cid:) runs, invalid characters, repeated
characters (轉轉︰針針針), adjacent pairs that begin no dictionary word, rare characters, odd
scripts. A layer is `ok` (kept, never OCR'd), `bad` (replaced by OCR) or `suspect` (OCR'd, and
kept when the OCR agrees with it: born-digital text beats OCR).

The thresholds were measured with `make bench-layers` (bench/layers.py): good layers (several
faces, traditional, numbers and Latin, Type-3) and every kind of broken map, far apart.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ..analysis.normalize import normalize
from ..analysis.words import base_analyzer

MIN_CHARS = 20  # fewer CJK characters than this: judged only for emptiness, (cid:), repeats
# a layer is bad past any of these, suspect past any of the looser ones (see `judge`)
BAD = {"plausible": 0.25, "rare": 0.30, "repeat": 0.25, "odd": 0.10}
SUSPECT = {"plausible": 0.42, "rare": 0.10, "repeat": 0.08, "odd": 0.03}
AGREE = 0.5  # bigram overlap of layer and OCR from which the layer is kept (see `agreement`)

NO_LAYER = "没有文字层"
GARBLED = "文字层乱码"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_SPACE = re.compile(r"\s+")
_CID = re.compile(r"\(cid:\d+\)")


@dataclass(frozen=True)
class LayerStats:
    """Character statistics of one page's layer (shares from 0 to 1)."""

    chars: int  # CJK characters
    plausible: float  # adjacent CJK pairs that begin a word of jieba's dictionary
    rare: float  # CJK characters outside GB2312 level 1 (after traditional -> simplified)
    repeat: float  # CJK characters equal to the one before (or the 3 most frequent past 1/3)
    odd: float  # visible characters in blocks no Chinese document is written in

    def score(self) -> float:
        """How far past the `ok` thresholds the worst statistic is (0 = clean, 1 = bad)."""
        return max(0.0, *(_past(getattr(self, k), k) for k in BAD))


def _past(value: float, key: str) -> float:
    lo, hi = SUSPECT[key], BAD[key]
    if key == "plausible":  # low is bad
        return (lo - value) / (lo - hi)
    return (value - lo) / (hi - lo)


@dataclass(frozen=True)
class Verdict:
    state: str  # "ok", "suspect" or "bad"
    reason: str = ""  # for the record's warning: 没有文字层, 文字层乱码, 文字层字体编码损坏, …
    stats: LayerStats | None = None


def judge_text_layer(text: str) -> Verdict:
    """The verdict on one page's text layer."""
    stripped = _SPACE.sub("", text)
    if not stripped:
        return Verdict("bad", NO_LAYER)
    cids = len(_CID.findall(stripped))
    if cids:  # glyphs without any character: a few are dropped, more make the layer broken
        text = _CID.sub("", text)
        stripped = _SPACE.sub("", text)
        if cids > 0.02 * (cids + len(stripped)):
            return Verdict("bad", "文字层字体编码损坏")
    bad = sum(1 for ch in stripped if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co",
                                                                                     "Cs"))
    if bad / len(stripped) > 0.02:
        return Verdict("bad", "文字层含有无效字符")
    stats = layer_stats(text)
    if stats.chars < MIN_CHARS and stats.repeat < BAD["repeat"]:
        return Verdict("ok", stats=stats)
    worst = stats.score()
    if worst >= 1.0:
        return Verdict("bad", GARBLED, stats)
    return Verdict("suspect" if worst > 0 else "ok", GARBLED if worst > 0 else "", stats)


def layer_stats(text: str) -> LayerStats:
    """The statistics of a layer: its CJK characters are compared after normalisation, with
    line breaks and spaces between them removed (a layer may split every character)."""
    visible = _SPACE.sub("", text)
    norm = normalize(_SPACE.sub("", text)).text
    chars = _CJK.findall(norm)
    n = len(chars)
    if not visible:
        return LayerStats(0, 1.0, 0.0, 0.0, 0.0)
    odd = sum(1 for ch in visible if _odd(ch)) / len(visible)
    if not n:
        return LayerStats(0, 1.0, 0.0, 0.0, odd)
    freq = base_analyzer().segmenter().FREQ
    pairs = plausible = 0
    for run in _RUN.findall(norm):
        for i in range(len(run) - 1):
            pairs += 1
            plausible += run[i:i + 2] in freq
    rare = sum(1 for ch in chars if not _common(ch)) / n
    same = sum(1 for a, b in zip(chars, chars[1:]) if a == b) / max(n - 1, 1)
    top = sum(c for _ch, c in Counter(chars).most_common(3)) / n
    repeat = max(same, (top - 1 / 3) * 1.5 if n >= MIN_CHARS else 0.0)
    return LayerStats(n, plausible / pairs if pairs else 1.0, rare, max(repeat, 0.0), odd)


def _common(ch: str) -> bool:
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return 0xB0 <= code[0] <= 0xD7


def _odd(ch: str) -> bool:
    """A character of a block no Chinese record is written in (vertical presentation forms,
    Hangul, Yi, Cyrillic, private use, CJK compatibility ideographs…)."""
    cp = ord(ch)
    return (0xFE10 <= cp <= 0xFE4F or 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF
            or 0xA000 <= cp <= 0xA4CF or 0x0400 <= cp <= 0x052F or 0xE000 <= cp <= 0xF8FF
            or 0xF900 <= cp <= 0xFAFF or 0x3130 <= cp <= 0x318F or 0x0E00 <= cp <= 0x0EFF
            or 0x0600 <= cp <= 0x06FF or 0x0590 <= cp <= 0x05FF or 0x31C0 <= cp <= 0x31EF or 0x3190 <= cp <= 0x31BF)


def agreement(layer: str, ocr: str) -> float:
    """How much of the layer the OCR of the same page confirms: the Dice overlap of their
    adjacent-character pairs (spaces removed, normalised). A layer that is right but for a few
    characters scores ~0.8 against a good OCR; a wrong map scores ~0."""
    a, b = _pairs(layer), _pairs(ocr)
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


def _pairs(text: str) -> Counter:
    norm = normalize(_SPACE.sub("", text)).text
    return Counter(norm[i:i + 2] for i in range(len(norm) - 1))
