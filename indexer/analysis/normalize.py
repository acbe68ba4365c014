"""The one text normaliser, used identically at index and query time, with an offset map.

Steps: NFKC; CJK radicals folded to the ideographs they stand for (⺠ → 民); invisible
format characters (zero-width spaces and joiners, soft hyphens,
direction marks: Unicode category Cf) removed; pinyin annotations removed (鄉(xiāng) → 鄉); page markers (第7页 共7页) removed;
whitespace between two CJK characters removed (OCR spacing, hard line breaks); traditional →
simplified (OpenCC t2s) plus a few folds (著→着, 帐→账). Every normalised character remembers
the span of original characters it came from, so hits map back onto the original text.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import opencc
from cachetools import LRUCache


CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U0003134f"
)
_CJK_CLASS = f"[{CJK}]"
_PINYIN_VOWELS = "aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN = re.compile(  # the bracket first, then what stands before it: a scan for "(" (6× faster)
    rf"\((?<={_CJK_CLASS}\()(?:[a-zA-Z{_PINYIN_VOWELS}]*[{_PINYIN_VOWELS}]"
    rf"[a-zA-Z{_PINYIN_VOWELS}]*[1-5]?)\)"
)
_NUM = r"[0-9一二三四五六七八九十百〇零]+"
_PAGE_MARK = re.compile(
    rf"第\s*{_NUM}\s*页\s*[,，/、]?\s*共\s*{_NUM}\s*页|共\s*{_NUM}\s*页\s*[,，/、]?\s*第\s*{_NUM}\s*页"
)
# Unicode category Cf (format characters): invisible, so a 绝\u200b密 reads as 绝密 (a test
# checks this list against unicodedata)
FORMAT_CHARS = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_FORMAT = re.compile(f"[{FORMAT_CHARS}]+")
_CJK_ONE = re.compile(_CJK_CLASS)
_CJK_SPACE = re.compile(rf"(?<={_CJK_CLASS})\s+(?={_CJK_CLASS})")
_FOLDS = {"著": "着", "帐": "账"}
_RADICALS = Path(__file__).with_name("radicals.tsv")
_RADICAL_RANGE = re.compile("[\u2e80-\u2fdf\u31c0-\u31ef]")  # radicals, Kangxi, strokes
_SPACES = re.compile(r"\s+")

_converter_lock = threading.Lock()
_converter: opencc.OpenCC | None = None


def _t2s(text: str) -> str:
    global _converter
    with _converter_lock:
        if _converter is None:
            _converter = opencc.OpenCC("t2s")
        return _converter.convert(text)


@lru_cache(maxsize=65536)
def _nfkc_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch)


@lru_cache(maxsize=65536)
def _t2s_char(ch: str) -> str:
    out = _t2s(ch)
    return out if len(out) == 1 else ch


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus, per normalised character, its original [start, end) span."""

    original: str
    text: str
    starts: np.ndarray | None  # None means identity
    ends: np.ndarray | None

    @property
    def bytes(self) -> int:
        """About what this costs in memory (both texts and the offset map)."""
        offsets = 0 if self.starts is None else self.starts.nbytes + self.ends.nbytes
        return 2 * (len(self.original) + len(self.text)) + offsets + 200

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original character span of normalised characters [i, j)."""
        if j <= i:
            pos = int(self.starts[i]) if self.starts is not None and i < len(self.starts) else i
            return pos, pos
        if self.starts is None:
            return i, j
        return int(self.starts[i]), int(self.ends[j - 1])


class _Builder:
    """Applies editing steps to a text while keeping the original-offset map."""

    def __init__(self, text: str):
        self.text = text
        self.starts: np.ndarray | None = None
        self.ends: np.ndarray | None = None

    def _materialise(self) -> None:
        if self.starts is None:
            self.starts = np.arange(len(self.text), dtype=np.int32)
            self.ends = self.starts + 1

    def delete(self, pattern: re.Pattern[str], group: int = 0) -> None:
        self.remove([m.span(group) for m in pattern.finditer(self.text)])

    def remove(self, spans: list[tuple[int, int]]) -> None:
        """Delete the sorted, disjoint [a, b) spans of the text."""
        if not spans:
            return
        self._materialise()
        n = len(self.text)
        bounds = np.array(spans, dtype=np.int64)  # (each span opens and closes a deleted run)
        inside = np.cumsum(np.bincount(bounds[:, 0], minlength=n + 1)
                           - np.bincount(bounds[:, 1], minlength=n + 1))[:n]
        keep = inside == 0
        points = np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        self.text = points[keep].tobytes().decode("utf-32-le", "surrogatepass")
        self.starts, self.ends = self.starts[keep], self.ends[keep]

    def map_chars(self, func) -> None:
        """Replace each character by func(ch) (which may be longer or empty)."""
        parts = [func(c) for c in self.text]
        if all(len(p) == 1 for p in parts):
            self.text = "".join(parts)
            return
        self._materialise()
        lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        self.starts = np.repeat(self.starts, lengths)
        self.ends = np.repeat(self.ends, lengths)
        self.text = "".join(parts)

    def convert_same_length(self, func, per_char) -> None:
        """Whole-text conversion when it keeps the length, else per character."""
        out = func(self.text)
        if len(out) == len(self.text):
            self.text = out
        else:
            self.map_chars(per_char)


@lru_cache(maxsize=1)
def _nfkc_changing() -> re.Pattern[str]:
    """A pattern matching the characters NFKC changes: those of the Basic Multilingual Plane
    listed (made once, ~30 ms), and any character beyond it (looked at one by one)."""
    ranges, first, last = [], None, None
    for code in range(0x10000):
        if unicodedata.normalize("NFKC", chr(code)) == chr(code):
            continue
        if last is not None and code == last + 1:
            last = code
            continue
        if first is not None:
            ranges.append((first, last))
        first = last = code
    ranges.append((first, last))
    body = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    return re.compile(f"[{body}\\U00010000-\\U0010ffff]")


def nfkc(text: str) -> _Builder:
    """Each character as NFKC makes it alone (found by one scan for the characters it changes:
    a set of the text's characters costs ten times more)."""
    builder = _Builder(text)
    changed = {c: v for c in set(_nfkc_changing().findall(text))
               if (v := _nfkc_char(c)) != c}
    if not changed:
        return builder
    if all(len(v) == 1 for v in changed.values()):
        for c, v in changed.items():  # a few distinct characters: replace beats translate
            text = text.replace(c, v)
        builder.text = text
    else:
        builder.map_chars(_nfkc_char)
    return builder


@lru_cache(maxsize=1)
def radicals() -> dict[int, str]:
    """CJK radicals and strokes → the unified ideograph each stands for (radicals.tsv, made by
    tools/radicals.py from Unicode's EquivalentUnifiedIdeograph.txt). NFKC folds the Kangxi
    radicals (⼈ → 人) but not the Radicals Supplement, which PDF text layers use (⺠ for 民)."""
    out = {}
    for line in _RADICALS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            _code, radical, ideograph = line.split("\t")
            out[ord(radical)] = ideograph
    return out


SHORT_TEXT = 200  # terms, names and titles: cached by the thousand; record texts by the few


def normalize(text: str) -> Normalized:
    """Normalise `text` (the same function for records and queries)."""
    return _normalize_short(text) if len(text) <= SHORT_TEXT else _normalize_long(text)


@lru_cache(maxsize=8192)
def _normalize_short(text: str) -> Normalized:
    return _normalize(text)


LONG_CACHE_BYTES = 16 * 2**20  # normalised record texts kept (snippets of hits shown again)
_long = LRUCache(maxsize=LONG_CACHE_BYTES, getsizeof=lambda n: n.bytes)
_long_lock = threading.Lock()


def _normalize_long(text: str) -> Normalized:
    """A record's text normalised, kept by the bytes it takes (a record in the hits of many
    searches is normalised once; a 2-million-character one does not crowd out the rest for
    long)."""
    with _long_lock:
        found = _long.get(text)
    if found is None:
        found = _normalize(text)
        if found.bytes <= LONG_CACHE_BYTES // 8:
            with _long_lock:
                _long[text] = found
    return found


def clear_caches() -> None:
    """Forget every normalised text (a benchmark measuring first reads)."""
    _normalize_short.cache_clear()
    with _long_lock:
        _long.clear()


def _normalize(text: str) -> Normalized:
    b = nfkc(text)
    if _RADICAL_RANGE.search(b.text):
        b.text = b.text.translate(radicals())  # one character for one: offsets unchanged
    if _FORMAT.search(b.text):
        b.delete(_FORMAT)
    if "(" in b.text:
        b.delete(_PINYIN)
    if "页" in b.text:
        b.delete(_PAGE_MARK)
    b.remove(_cjk_spaces(b.text))
    b.convert_same_length(_t2s, _t2s_char)
    for old, new in _FOLDS.items():
        if old in b.text:
            b.text = b.text.replace(old, new)
    return Normalized(original=text, text=b.text, starts=b.starts, ends=b.ends)


def _cjk_spaces(text: str) -> list[tuple[int, int]]:
    """The runs of white space between two CJK characters (OCR spacing, hard line breaks):
    each run found, then its neighbours looked at (what _CJK_SPACE finds, 5× faster on text
    that is mostly CJK)."""
    return [(a, b) for a, b in (m.span() for m in _SPACES.finditer(text))
            if a and b < len(text) and _CJK_ONE.match(text, a - 1) and _CJK_ONE.match(text, b)]


def normalize_text(text: str) -> str:
    """Just the normalised string (for ground truth, facets values and display)."""
    return normalize(text).text


def is_cjk(ch: str) -> bool:
    return bool(_CJK_ONE.match(ch))


def fold_value(text: str) -> str:
    """A catalog or extracted value as facets list it and exact `field:value` searches
    compare it: traditional folded to simplified and OCR spaces between Chinese characters
    dropped (半月鎮人民政府 and 半月镇 人民政府 are one 责任者 with 半月镇人民政府)."""
    b = _Builder(collapse_cjk_spaces(text.strip()))
    b.convert_same_length(_t2s, _t2s_char)
    return b.text


def collapse_cjk_spaces(text: str) -> str:
    """Drop the spaces OCR puts between Chinese characters (for display values like titles)."""
    return _CJK_SPACE.sub("", text)
