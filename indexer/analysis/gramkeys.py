"""The n-gram rule of `grams` computed with arrays: a text's units (for the highlighter) and
its grams as 64-bit keys (for the worker's postings). A property test holds both to `grams`."""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .grams import _UNIT, MAX_UNIT_CHARS, WHOLE, WORD_END, units
from .normalize import normalize

_RUN_BASE = 1 << 22  # unit ids below: a character's code point; from here: a named unit


@lru_cache(maxsize=65536)
def _kind(c: int) -> int:
    """0: not in a unit; 1: a CJK character; 2: a letter of a run; 3: a digit."""
    m = _UNIT.match(chr(c))
    if m is None:
        return 0
    return 2 if m.group(2) else (3 if chr(c).isdecimal() else 1)


@lru_cache(maxsize=1)
def _bmp_kinds() -> np.ndarray:
    """`_kind` of every code point below U+10000, made once (one regex pass)."""
    chars = "".join(map(chr, range(0x10000)))
    out = np.zeros(0x10000, dtype=np.int8)
    for m in _UNIT.finditer(chars):
        a, b = m.span()
        if m.group(2):
            out[a:b] = 2
        else:
            out[a] = 3 if chars[a].isdecimal() else 1
    return out


class TextUnits(NamedTuple):
    """`grams.units(norm)` as arrays: unit k is `names[ids[k] - _RUN_BASE]` for a letter run
    (else the character `ids[k]`), at norm[starts[k]:ends[k]], at position pos[k]."""

    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    pos: np.ndarray
    gap: np.ndarray  # punctuation or space before the unit
    digit: np.ndarray  # the unit is a digit
    names: list[str]

    def unit_ids(self, us) -> list[int] | None:
        """These units' ids in this text (None: a letter run the text does not have)."""
        known = {name: _RUN_BASE + k for k, name in enumerate(self.names)}
        out = []
        for unit, _s, _e, _p in us:
            i = ord(unit) if len(unit) == 1 and _kind(ord(unit)) in (1, 3) else known.get(unit)
            if i is None:
                return None
            out.append(i)
        return out

    def find(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Every occurrence of `term`'s units, at the same relative positions, as
        (first unit index, last unit index) arrays: where its n-gram query matches."""
        us = units(normalize(term).text)
        ids = self.unit_ids(us) if us else None
        if ids is None or not len(self.ids):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        found = np.flatnonzero(self.ids == ids[0])
        for j in range(1, len(ids)):
            found = found[found + j < len(self.ids)]
            step = self.pos[found + j] - self.pos[found]
            found = found[(self.ids[found + j] == ids[j]) & (step == us[j][3] - us[0][3])]
        return found, found + len(ids) - 1


def text_units(norm: str) -> TextUnits:
    """The units of normalised text, computed over code point arrays."""
    cp = np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kind = _bmp_kinds()[np.minimum(cp, 0xFFFF)]
    astral = np.flatnonzero(cp > 0xFFFF)  # rare: extension B and later CJK, symbols
    if len(astral):
        kind[astral] = [_kind(c) for c in cp[astral].tolist()]
    letter = kind == 2
    prev_letter = np.concatenate(([False], letter[:-1]))
    starts = np.flatnonzero((kind == 1) | (kind == 3) | (letter & ~prev_letter))
    ids = cp[starts].astype(np.int64)
    ends = starts + 1
    names: list[str] = []
    run_starts = np.flatnonzero(letter[starts])
    if len(run_starts):
        run_ends = np.flatnonzero(np.diff(np.concatenate((letter, [False])).astype(np.int8))
                                  == -1) + 1
        ends[run_starts] = run_ends[np.searchsorted(run_ends, starts[run_starts], side="right")]
        known: dict[str, int] = {}
        for k, a, b in zip(run_starts.tolist(), starts[run_starts].tolist(),
                           ends[run_starts].tolist()):
            name = norm[a:b].lower()[:MAX_UNIT_CHARS]
            ids[k] = _RUN_BASE + known.setdefault(name, len(known))
        names = list(known)
    gap = np.zeros(len(starts), dtype=bool)
    gap[1:] = kind[starts[1:] - 1] == 0
    pos = np.cumsum(np.where(gap, 2, 1)) - 1
    return TextUnits(ids, starts, ends, pos, gap, kind[starts] == 3, names)


def gram_keys(norm: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every gram of `grams._grams(units(norm))` as a 64-bit key (first unit id << 32 |
    second unit id + 1, or 0 for a unigram) with its position, and the named units' names
    (letter runs, and whole digit runs after them)."""
    tu = text_units(norm)
    ids, pos, gap = tu.ids, tu.pos, tu.gap
    names = [name + WORD_END for name in tu.names]
    if not len(ids):
        return np.zeros(0, np.uint64), np.zeros(0, np.int64), []
    joined = np.zeros(len(ids), dtype=bool)
    joined[:-1] = ~gap[1:]
    single = ~joined
    pairs = np.flatnonzero(joined)
    keys = [ids[single] << 32, (ids[pairs] << 32) | (ids[pairs + 1] + 1)]
    where = [pos[single], pos[pairs]]
    digit = tu.digit
    if digit.any():
        first = digit & ~(np.concatenate(([False], digit[:-1])) & ~gap)
        last = digit & ~(np.concatenate((digit[1:], [False])) & np.concatenate((~gap[1:], [False])))
        known = {name: k for k, name in enumerate(names)}
        whole = []
        for a, b in zip(np.flatnonzero(first).tolist(), np.flatnonzero(last).tolist()):
            name = WHOLE + norm[tu.starts[a]:tu.ends[b]][:MAX_UNIT_CHARS]
            whole.append(_RUN_BASE + known.setdefault(name, len(known)))
        names = list(known)
        keys.append(np.array(whole, dtype=np.int64) << 32)
        where.append(pos[first])
    return np.concatenate(keys).astype(np.uint64), np.concatenate(where), names


def gram_names(keys: np.ndarray) -> list[bytes]:
    """The grams (UTF-8) of keys of character-only grams: first code point << 32 | second + 1,
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


def named_gram_names(keys: np.ndarray, names: list[str]) -> list[bytes]:
    """The grams (UTF-8) of keys with a named unit (see `gram_keys`)."""
    def unit(i: int) -> str:
        return chr(i) if i < _RUN_BASE else names[i - _RUN_BASE]
    out = []
    for first, second in zip((keys >> 32).tolist(), (keys & 0xFFFFFFFF).tolist()):
        out.append((unit(first) + unit(second - 1) if second else unit(first)).encode())
    return out


def is_character_key(keys: np.ndarray) -> np.ndarray:
    """Which keys are grams of characters only (no named unit)."""
    return ((keys >> 32) < _RUN_BASE) & ((keys & 0xFFFFFFFF) <= _RUN_BASE)
