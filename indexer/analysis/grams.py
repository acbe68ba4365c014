"""The one n-gram rule: the matching units of normalised text, the grams indexed for them and
the grams a query must match. The array form (gramkeys) and the highlighter are held to it.

Units are CJK characters and digits (one unit each, so a string inside a longer number
matches, like Ctrl+F) and runs of other letters (a Latin word is matched whole; in grams it
ends with a space, so that "abc *" finds that word and no longer one). Grams are bigrams of
adjacent units and, for a unit with no unit right after it, the unit alone: so a query
"档，案" needs 档 followed by punctuation, as Ctrl+F does. Every digit run is also indexed
whole ("#1997") so that whole-number matches can rank first.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache

from .normalize import CJK, normalize

MAX_UNIT_CHARS = 40
PREFIX = "*"  # a query gram "档*" stands for every indexed gram that starts with 档
WHOLE = "#"  # "#1997": the digit run 1997 whole (no digit either side), for ranking only
WORD_END = " "  # after a letter run in a gram: "files " (alone), "abc 档" (with the next unit)
_UNIT = re.compile(rf"([{CJK}]|\d)|((?:(?![{CJK}])(?!\d)[^\W_])+)")
_CHAR = re.compile(rf"[{CJK}]|\d")
_DIGIT = re.compile(r"\d")

Unit = tuple[str, int, int, int]  # (unit, start, end, position)


def units(norm: str) -> list[Unit]:
    """Matching units of normalised text: each CJK character, each digit, each run of other
    letters (lower-cased, at most MAX_UNIT_CHARS).

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


@lru_cache(maxsize=65536)
def is_char_unit(unit: str) -> bool:
    """A unit of one CJK character or one digit (grams are built across it)."""
    return len(unit) == 1 and bool(_CHAR.match(unit))


@lru_cache(maxsize=65536)
def is_digit_unit(unit: str) -> bool:
    return len(unit) == 1 and bool(_DIGIT.match(unit))


def gram_unit(unit: str) -> str:
    """A unit as it is spelled in grams (a letter run ends with WORD_END)."""
    return unit if is_char_unit(unit) else unit + WORD_END


def _grams(us: list[Unit]) -> Iterator[tuple[str, int, int, int]]:
    """(gram, first unit, last unit, position) of the n-gram fields.

    Bigrams of adjacent units; unigrams where no bigram starts (a unit before punctuation or
    at the end); each digit run whole, marked (WHOLE), at its first digit. A query for one
    unit looks for it as the start of a gram (PREFIX)."""
    last = len(us) - 1
    run_end = -1  # the last unit of the digit run being read
    for k, (unit, _start, _end, pos) in enumerate(us):
        if k < last and us[k + 1][3] == pos + 1:
            yield gram_unit(unit) + gram_unit(us[k + 1][0]), k, k + 1, pos
        else:
            yield gram_unit(unit), k, k, pos
        if k > run_end and is_digit_unit(unit):
            run_end = k
            while (run_end < last and us[run_end + 1][3] == us[run_end][3] + 1
                   and is_digit_unit(us[run_end + 1][0])):
                run_end += 1
            digits = "".join(u[0] for u in us[k:run_end + 1])
            yield WHOLE + digits[:MAX_UNIT_CHARS], k, run_end, pos


def ngram_positions(value: str) -> dict[str, list[int]]:
    """The grams of a text with their positions (exactly what NgramTokenizer emits)."""
    out: dict[str, list[int]] = defaultdict(list)
    for gram, _first, _last, pos in _grams(units(normalize(value).text)):
        out[gram].append(pos)
    return out


def _runs(us: list[Unit]) -> list[list[Unit]]:
    """Units split where punctuation or space comes between two of them."""
    runs: list[list[Unit]] = []
    for u in us:
        if runs and u[3] == runs[-1][-1][3] + 1:
            runs[-1].append(u)
        else:
            runs.append([u])
    return runs


def ngram_terms(query_text: str) -> list[tuple[str, int]]:
    """The (n-gram, offset) pairs a query string must match, offsets relative to its start.

    Each run of adjacent units is covered by bigrams at every second unit (plus the last
    pair), or by a prefix (PREFIX) when the run is a single unit. A run followed by
    punctuation also needs its last unit alone (the unigram of a unit with none right after).
    """
    us = units(normalize(query_text).text)
    if not us:
        return []
    base = us[0][3]
    out: list[tuple[str, int]] = []
    runs = _runs(us)
    for n, run in enumerate(runs):
        followed = n < len(runs) - 1  # by punctuation, then more of the query
        if len(run) > 1:
            starts = list(range(0, len(run) - 1, 2))
            if starts[-1] != len(run) - 2:
                starts.append(len(run) - 2)
            out.extend((gram_unit(run[k][0]) + gram_unit(run[k + 1][0]), run[k][3] - base)
                       for k in starts)
        if len(run) == 1 or followed:
            unit = run[-1]
            out.append((gram_unit(unit[0]) + ("" if followed else PREFIX), unit[3] - base))
    return out


def whole_number_terms(query_text: str) -> list[tuple[str, int]]:
    """`ngram_terms` plus the digit run at the query's start or end, whole ("#97"): what an
    occurrence matches where that number is not part of a longer one (97年度 in 97年度, not in
    1997年度), so that it can rank first. [] when the query starts and ends with no digit."""
    us = units(normalize(query_text).text)
    if not us or not (is_digit_unit(us[0][0]) or is_digit_unit(us[-1][0])):
        return []
    base = us[0][3]
    whole = [(gram, us[first][3] - base) for gram, first, last, _pos in _grams(us)
             if gram.startswith(WHOLE) and (first == 0 or last == len(us) - 1)]
    return ngram_terms(query_text) + whole
