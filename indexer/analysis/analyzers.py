"""Whoosh analyzers: jieba words (ranking) and CJK n-grams (exact matching), one normaliser.

Both tokenizers run on the normalised text and report positions as token ordinals and
`startchar`/`endchar` as offsets in the **original** text, so phrases match and highlights
land on the original (possibly traditional) characters.
"""
from __future__ import annotations

import logging
import re
import threading
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import jieba
import numpy as np
from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions

from .normalize import CJK, Normalized, normalize

# Bump whenever tokens produced for the same text could change: the index refuses to be
# searched by a different version ("run dangan index --rebuild").
ANALYSIS_VERSION = "7"  # 7: format characters (zero-width spaces …) removed

MAX_UNIT_CHARS = 40
PREFIX = "*"  # a query gram "档*" stands for every indexed gram that starts with 档
_UNIT = re.compile(rf"([{CJK}])|((?:(?![{CJK}])[^\W_])+)")
_WORDY = re.compile(rf"[{CJK}]|[^\W_]")
_CJK_CHAR = re.compile(rf"[{CJK}]")

jieba.setLogLevel(logging.WARNING)
_jieba_lock = threading.Lock()
_jieba: jieba.Tokenizer | None = None
_user_words: set[str] = set()


def _segmenter() -> jieba.Tokenizer:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            seg = jieba.Tokenizer()
            seg.initialize()
            for word in sorted(_user_words):
                seg.add_word(word, freq=_user_freq(seg, word))
            _jieba = seg
        return _jieba


def _user_freq(seg: jieba.Tokenizer, word: str) -> int:
    # high enough that the word wins over any split of it, even inside a sentence
    return max(seg.suggest_freq(word, tune=False), 2000 * len(word))


def warm_up() -> None:
    """Load jieba's dictionary (about a second) before the first text needs it."""
    _segmenter()


def add_user_words(words: Iterable[str]) -> None:
    """Teach the segmenter words (names, organisations) that must stay whole."""
    new = {normalize(w.strip()).text for w in words if w and w.strip()} - _user_words
    if not new:
        return
    _user_words.update(new)
    if _jieba is not None:
        for word in sorted(new):
            _jieba.add_word(word, freq=_user_freq(_jieba, word))


def user_words() -> set[str]:
    return set(_user_words)


def load_user_dict(path: Path) -> list[str]:
    """Words from a jieba-style dictionary file (one word per line, extra columns ignored)."""
    words = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line.split()[0])
    return words


def units(norm: str) -> list[tuple[str, int, int, int]]:
    """Matching units of normalised text: each CJK char and each letter/digit run.

    Returns (unit, start, end, position). Positions count units, plus one for every run of
    punctuation or space between two units, so that 交通，安全 never matches 交通安全.
    """
    out, last_end, pos = [], 0, -1
    for m in _UNIT.finditer(norm):
        start, end = m.span()
        pos += 2 if out and start != last_end else 1
        out.append((m.group().lower()[:MAX_UNIT_CHARS], start, end, pos))
        last_end = end
    return out


def ngram_terms(query_text: str) -> list[tuple[str, int]]:
    """The (n-gram, offset) pairs a query string must match, offsets relative to its start.

    Each run of adjacent units is covered by bigrams at every second unit (plus the last
    pair), or by a unigram when the run is a single unit.
    """
    us = units(normalize(query_text).text)
    if not us:
        return []
    base = us[0][3]
    out: list[tuple[str, int]] = []
    runs: list[list[tuple[str, int, int, int]]] = []
    for u in us:
        if runs and u[3] == runs[-1][-1][3] + 1:
            runs[-1].append(u)
        else:
            runs.append([u])
    for run in runs:
        if len(run) == 1:  # a lone CJK char is indexed as the start of a bigram
            unit = run[0][0]
            out.append((unit + PREFIX if _is_cjk_unit(unit) else unit, run[0][3] - base))
            continue
        starts = list(range(0, len(run) - 1, 2))
        if starts[-1] != len(run) - 2:
            starts.append(len(run) - 2)
        out.extend((run[k][0] + run[k + 1][0], run[k][3] - base) for k in starts)
    return out


@lru_cache(maxsize=65536)
def _is_cjk_unit(unit: str) -> bool:
    return len(unit) == 1 and bool(_CJK_CHAR.match(unit))


def _grams(us: list[tuple[str, int, int, int]]) -> Iterator[tuple[str, int, int, int]]:
    """(gram, first unit, last unit, position) of the n-gram fields.

    Bigrams of adjacent units; unigrams only where no bigram starts (a unit before
    punctuation or at the end) and for letter/digit runs, which are matched whole.
    A query for one CJK character looks for it as the start of a gram (PREFIX)."""
    last = len(us) - 1
    for k, (unit, _start, _end, pos) in enumerate(us):
        joined = k < last and us[k + 1][3] == pos + 1
        if not joined or not _is_cjk_unit(unit):  # letters/digits: always whole
            yield unit, k, k, pos
        if joined:
            yield unit + us[k + 1][0], k, k + 1, pos


def dictionary_word_share(text: str) -> float:
    """Share of CJK characters that belong to words of two or more characters in jieba's
    dictionary: ~0.85 for real Chinese, ~0.04 for text decoded through a broken font."""
    norm = normalize(text).text
    seg = _segmenter()
    total = in_words = 0
    for word in seg.cut(norm, HMM=False):
        n = len(_CJK_CHAR.findall(word))
        total += n
        if n >= 2 and seg.FREQ.get(word):
            in_words += n
    return in_words / total if total else 0.0


def is_chinese(word: str) -> bool:
    """True when every character of `word` is a CJK character."""
    return all(_CJK_CHAR.match(c) for c in word)


def word_terms(text: str) -> list[str]:
    """jieba words of a query string (for ranking)."""
    return [w for w, _s, _e in _words(normalize(text).text)]


def _words(norm: str) -> Iterator[tuple[str, int, int]]:
    for word, start, end in _segmenter().tokenize(norm, HMM=True):
        if _WORDY.search(word):
            yield word.lower(), start, end


class _NormalisingTokenizer(Tokenizer):
    """Shared plumbing: normalise, then emit tokens with original offsets."""

    def _spans(self, norm: Normalized) -> Iterator[tuple[str, int, int]]:
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        norm = normalize(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (text, start, end, first_unit) in enumerate(self._tokens(norm)):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + first_unit
            if chars:
                a, b = norm.span(start, end)
                t.startchar, t.endchar = start_char + a, start_char + b
            yield t

    def _tokens(self, norm: Normalized) -> Iterator[tuple[str, int, int, int]]:
        raise NotImplementedError


class WordTokenizer(_NormalisingTokenizer):
    """jieba words; Latin words and digit runs kept; no stemming, no stop words."""

    def _tokens(self, norm):
        for pos, (word, start, end) in enumerate(_words(norm.text)):
            yield word, start, end, pos


class NgramTokenizer(_NormalisingTokenizer):
    """Unigrams and bigrams of adjacent units (CJK chars, letter/digit runs), with positions."""

    def _tokens(self, norm):
        us = units(norm.text)
        for gram, first, last, pos in _grams(us):
            yield gram, us[first][1], us[last][2], pos


def ngram_positions(value: str) -> dict[str, list[int]]:
    """The grams of a text with their positions (exactly what NgramTokenizer emits)."""
    out: dict[str, list[int]] = defaultdict(list)
    for gram, _first, _last, pos in _grams(units(normalize(value).text)):
        out[gram].append(pos)
    return out


# (term bytes, frequency, weight, encoded value): what a Whoosh field's index() yields.
Posting = tuple[bytes, int, float, bytes]


class Postings(NamedTuple):
    """One field's postings of one record, compact for the trip from a worker to the writer.
    Grams of CJK characters are 64-bit keys (see `gram_names`), the other terms bytes; per
    posting, keys first, a float32 weight and a uint32 value size, the values back to back
    (a few objects per field instead of a tuple per posting)."""

    terms: list[bytes]
    weights: bytes  # array("f")
    sizes: bytes    # array("I")
    values: bytes
    length: int     # the field's length: the sum of its terms' frequencies
    keys: bytes = b""  # uint64 keys of CJK grams, whose postings come before the terms'

    def items(self) -> list[Posting]:
        """As `field.index(value)` gives them (frequency = weight: no field boosts)."""
        out, at = [], 0
        names = gram_names(np.frombuffer(self.keys, dtype=np.uint64)) + self.terms
        for term, weight, size in zip(names, array("f", self.weights), array("I", self.sizes)):
            out.append((term, int(weight), weight, self.values[at:at + size]))
            at += size
        return out


def word_postings(value: str) -> Postings:
    """What a word field (frequencies only) indexes for `value`, without Token objects;
    identical to `field.index(value)`, computed in an extraction worker."""
    counts = Counter(w.lower() for w in _segmenter().cut(normalize(value).text, HMM=True)
                     if _WORDY.search(w))
    freqs = np.fromiter(counts.values(), dtype=np.uint32, count=len(counts))
    return Postings([w.encode() for w in counts], freqs.astype(np.float32).tobytes(),
                    np.full(len(freqs), 4, dtype=np.uint32).tobytes(),
                    freqs.astype(">u4").tobytes(), int(freqs.sum()))


def ngram_postings(value: str) -> Postings:
    """What an n-gram field indexes for `value`; identical to `field.index(value)` (which
    goes through `ngram_positions`), computed with arrays instead of a tuple per gram."""
    keys, poss, names = _gram_keys(normalize(value).text)
    if not len(keys):
        return Postings([], b"", b"", b"", 0)
    found, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    second = found & 0xFFFFFFFF
    plain = ((found >> 32) < _RUN_BASE) & (second <= _RUN_BASE)  # CJK characters only
    n_plain = int(plain.sum())
    if n_plain < len(found):  # grams with a letter/digit run go last, as bytes
        perm = np.concatenate((np.flatnonzero(plain), np.flatnonzero(~plain)))
        rank = np.empty(len(perm), dtype=np.int64)
        rank[perm] = np.arange(len(perm))
        found, counts, inverse = found[perm], counts[perm], rank[inverse]
    order = np.lexsort((poss, inverse))
    pos = poss[order]
    deltas = pos.copy()
    deltas[1:] -= pos[:-1]
    firsts = np.cumsum(counts) - counts
    deltas[firsts] = pos[firsts]  # a term's first position is stored whole
    return Postings(_run_gram_names(found[n_plain:], names), counts.astype(np.float32).tobytes(),
                    (counts * 4).astype(np.uint32).tobytes(),
                    deltas.astype(np.uint32).tobytes(), len(pos), found[:n_plain].tobytes())


def gram_names(keys: np.ndarray) -> list[bytes]:
    """The grams (UTF-8) of keys of CJK-only grams: first code point << 32 | second + 1,
    or 0 for a unigram. Keys in order give their grams in byte order."""
    if not len(keys):
        return []
    pairs = np.empty((len(keys), 2), dtype="<u4")
    pairs[:, 0] = keys >> 32
    second = (keys & 0xFFFFFFFF).astype(np.int64) - 1
    pairs[:, 1] = np.maximum(second, 0)  # a unigram: a NUL, dropped below
    text = pairs.tobytes().decode("utf-32-le", "surrogatepass")
    return [text[i:i + 2].rstrip("\0").encode("utf-8", "surrogatepass")
            for i in range(0, len(text), 2)]


def _ranges(char_class: str) -> np.ndarray:
    """(first, last) code points of a regex character class body like normalize.CJK."""
    out, k = [], 0
    while k < len(char_class):
        if k + 2 < len(char_class) and char_class[k + 1] == "-":
            out.append((ord(char_class[k]), ord(char_class[k + 2])))
            k += 3
        else:
            out.append((ord(char_class[k]), ord(char_class[k])))
            k += 1
    return np.array(out, dtype=np.uint32)


@lru_cache(maxsize=65536)
def _is_word_char(c: int) -> bool:
    return bool(_WORDY.match(chr(c)))


_CJK_RANGES = _ranges(CJK)
_RUN_BASE = 1 << 22  # unit ids below: a CJK character's code point; from here: a letter/digit run
_ASCII_WORD = np.array([_is_word_char(c) for c in range(128)])


def _gram_keys(norm: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every gram of `_grams(units(norm))` as a 64-bit key (first unit id << 32 | second unit
    id + 1, or 0 for a unigram) with its position, and the letter/digit runs' names."""
    cp = np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cjk = np.zeros(len(cp), dtype=bool)
    for lo, hi in _CJK_RANGES:
        cjk |= (cp >= lo) & (cp <= hi)
    word = np.zeros(len(cp), dtype=bool)
    ascii_ = cp < 128
    word[ascii_] = _ASCII_WORD[cp[ascii_]]
    other = ~ascii_ & ~cjk
    if other.any():
        table = {int(c): _is_word_char(int(c)) for c in np.unique(cp[other])}
        word[other] = [table[int(c)] for c in cp[other]]
    prev_word = np.concatenate(([False], word[:-1]))
    starts = np.flatnonzero(cjk | (word & ~prev_word))  # each CJK char; each run's first char
    if not len(starts):
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), []
    ids = cp[starts].astype(np.int64)
    names: list[str] = []
    run_starts = np.flatnonzero(~cjk[starts])
    if len(run_starts):
        ends = np.flatnonzero(np.diff(np.concatenate((word, [False])).astype(np.int8)) == -1) + 1
        run_ends = ends[np.searchsorted(ends, starts[run_starts], side="right")]
        known: dict[str, int] = {}
        for k, a, b in zip(run_starts.tolist(), starts[run_starts].tolist(), run_ends.tolist()):
            name = norm[a:b].lower()[:MAX_UNIT_CHARS]
            ids[k] = _RUN_BASE + known.setdefault(name, len(known))
        names = list(known)
    gap = np.zeros(len(starts), dtype=bool)  # punctuation or space before the unit
    gap[1:] = ~(cjk | word)[starts[1:] - 1]
    pos = np.cumsum(np.where(gap, 2, 1)) - 1
    joined = np.zeros(len(starts), dtype=bool)
    joined[:-1] = ~gap[1:]
    single = ~joined | (ids >= _RUN_BASE)
    pairs = np.flatnonzero(joined)
    keys = np.concatenate((ids[single] << 32, (ids[pairs] << 32) | (ids[pairs + 1] + 1)))
    return keys.astype(np.uint64), np.concatenate((pos[single], pos[pairs])), names


def _run_gram_names(keys: np.ndarray, names: list[str]) -> list[bytes]:
    def unit(i: int) -> str:
        return chr(i) if i < _RUN_BASE else names[i - _RUN_BASE]
    out = []
    for first, second in zip((keys >> 32).tolist(), (keys & 0xFFFFFFFF).tolist()):
        out.append((unit(first) + unit(second - 1) if second else unit(first)).encode())
    return out


class NgramFormat(Positions):
    """Positions for the n-gram fields, computed without Token objects and stored as uint32
    deltas (array bytes), which the query executor decodes in bulk."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        for gram, poses in ngram_positions(value).items():
            yield gram, len(poses), len(poses) * fb, self.encode(poses)

    def encode(self, poslist):
        if len(poslist) == 1:  # most grams occur once in a record
            return array("I", poslist).tobytes()
        return array("I", [b - a for a, b in zip([0] + poslist[:-1], poslist)]).tobytes()

    def decode_positions(self, valuestring):
        positions, total = [], 0
        for delta in array("I", valuestring):
            total += delta
            positions.append(total)
        return positions

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


def word_analyzer() -> WordTokenizer:
    return WordTokenizer()


def ngram_analyzer() -> NgramTokenizer:
    return NgramTokenizer()
