"""Hits as character spans of the original text, and snippets (plain text with the spans of
their hits, each knowing its page). Plain data: the web app turns spans into <mark>, the
command line into terminal highlighting."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..analysis.gramkeys import text_units
from ..analysis.grams import is_char_unit, units
from ..analysis.normalize import is_cjk, normalize


Span = tuple[int, int]


@dataclass(frozen=True)
class Snippet:
    page: int
    text: str
    spans: tuple[Span, ...] = ()  # hits, as offsets in `text`
    field: str = ""  # a catalog field's label (备注, 人员 …) when the snippet is of it (page 0)


def find_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Original-text spans of every occurrence of any term, sorted, non-overlapping: where
    the term's units (the n-gram rule's) occur in the text's units at the same relative
    positions, which is exactly where its n-gram query matches."""
    norm = normalize(text)
    tu = lowered = None
    spans = []
    for term in terms:
        us = units(normalize(term).text)
        if not us or not all(u[0] in norm.text for u in us if is_char_unit(u[0])):
            continue  # a character of the term is not in the text (the usual case for titles)
        words = [u[0] for u in us if not is_char_unit(u[0])]
        if words:
            lowered = norm.text.lower() if lowered is None else lowered
            if not all(w in lowered for w in words):
                continue  # a word of the term is not in the text (pinyin typed for a name)
        if all(is_char_unit(u[0]) and u[3] == us[0][3] + k for k, u in enumerate(us)):
            # characters and digits side by side (王建成, 2008): each is a unit of its own,
            # so the term's units occur exactly where its characters stand together
            spans.extend(_occurrences(norm, "".join(u[0] for u in us)))
            continue
        tu = tu or text_units(norm.text)
        first, last = tu.find(term)
        spans.extend(norm.span(a, b) for a, b in zip(tu.starts[first].tolist(),
                                                    tu.ends[last].tolist()))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _occurrences(norm, joined: str):
    """Original-text spans of every (possibly overlapping) occurrence of `joined` in the
    normalised text."""
    at = norm.text.find(joined)
    while at >= 0:
        yield norm.span(at, at + len(joined))
        at = norm.text.find(joined, at + 1)


def page_of(page_starts: list[int], offset: int) -> int:
    return max(1, bisect.bisect_right(page_starts, offset))


def snippets(text: str, page_starts: list[int], terms: list[str], count: int = 3,
             width: int = 120) -> list[Snippet]:
    """Up to `count` windows around hits; the start of the text if nothing matches."""
    spans = find_spans(text, terms) if terms else []
    if not spans:
        end = min(len(text), width)
        return [excerpt(text, [], 0, end, page=1)]
    out, covered_to = [], -1
    for a, b in spans:
        if a < covered_to:
            continue
        lo = _window_start(text, max(0, a - width // 3), a)
        hi = min(len(text), max(b, lo + width))
        out.append(excerpt(text, [s for s in spans if s[1] > lo and s[0] < hi], lo, hi,
                           page=page_of(page_starts, a)))
        covered_to = hi
        if len(out) >= count:
            break
    return out


def excerpt(text: str, spans: list[Span], lo: int, hi: int, page: int) -> Snippet:
    """text[lo:hi] with white space runs made one space, "…" where it is cut, and the spans
    moved onto the result."""
    pieces: list[tuple[str, bool]] = []
    pos = lo
    for a, b in spans:
        a, b = max(a, lo), min(b, hi)
        if a < b:
            pieces += [(text[pos:a], False), (text[a:b], True)]
            pos = b
    pieces.append((text[pos:hi], False))
    out, marks = ["…" if lo > 0 else ""], []
    length = len(out[0])
    for n, (piece, marked) in enumerate(pieces):
        piece = _WHITE.sub(" ", piece.replace("\f", " "))
        if n == 0:
            piece = piece.lstrip()
        if n == len(pieces) - 1:
            piece = piece.rstrip()
        if marked and piece:
            marks.append((length, length + len(piece)))
        out.append(piece)
        length += len(piece)
    if hi < len(text):
        out.append("…")
    return Snippet(page, "".join(out), tuple(marks))


_WHITE = re.compile(r"\s+")


def _window_start(text: str, lo: int, hit: int) -> int:
    """Move a snippet start forward onto a CJK character, so it never opens inside a
    pinyin annotation like (xiāng) or in the middle of a Latin word."""
    for i in range(lo, min(hit, lo + 12)):
        if is_cjk(text[i]):
            return i
    return lo
