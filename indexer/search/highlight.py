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
        written = normalize(term).text
        us, typed = units(written), written.strip()
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
            found = _occurrences(norm.text, "".join(u[0] for u in us))
        else:
            tu = tu or text_units(norm.text)
            first, last = tu.find(term)
            found = zip(tu.starts[first].tolist(), tu.ends[last].tolist())
        spans.extend(norm.span(*_with_edges(norm.text, a, b, typed)) for a, b in found)
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


_EDGE = "〔〕[]【】()（）《》「」『』<>\"'“”‘’"  # brackets and quotes a term may begin or end with


def _with_edges(text: str, a: int, b: int, term: str) -> tuple[int, int]:
    """The span [a, b) of a term's units in normalised `text`, widened over the brackets or
    quotes the term begins or ends with where the text has them too (〔 of 〔2008〕7号)."""
    lead = len(term) - len(term.lstrip(_EDGE))
    trail = len(term) - len(term.rstrip(_EDGE))
    if lead and text[max(0, a - lead):a] == term[:lead]:
        a -= lead
    if trail and text[b:b + trail] == term[len(term) - trail:]:
        b += trail
    return a, b


def _occurrences(text: str, joined: str):
    """Normalised spans of every (possibly overlapping) occurrence of `joined` in `text`."""
    at = text.find(joined)
    while at >= 0:
        yield at, at + len(joined)
        at = text.find(joined, at + 1)


def page_of(page_starts: list[int], offset: int) -> int:
    return max(1, bisect.bisect_right(page_starts, offset))


def snippets(text: str, page_starts: list[int], terms: list[str], count: int = 3,
             width: int = 120) -> list[Snippet]:
    """Up to `count` windows around hits; the start of the text if nothing matches. A very
    long text is normalised a part at a time, as far as the windows reach (see `_Spans`)."""
    found = _Spans(text, terms)
    out, covered_to, i = [], -1, 0
    while len(out) < count and found.reach(i):
        a, b = found.spans[i]
        i += 1
        if a < covered_to:
            continue
        lo = _window_start(text, max(0, a - width // 3), a)
        hi = min(len(text), max(b, lo + width))
        found.until(hi)
        out.append(excerpt(text, [s for s in found.spans if s[1] > lo and s[0] < hi], lo, hi,
                           page=page_of(page_starts, a)))
        covered_to = hi
    if not out:
        return [excerpt(text, [], 0, min(len(text), width), page=1)]
    return out


LONG = 100_000  # a record's text longer than this is normalised a part at a time for its
PART = 20_000  # snippets, parts of about this many characters (a shorter one whole: cutting
# it costs more than it saves, as a term with fewer hits than windows is looked for to the end)
_SENTENCE_END = re.compile("[。！？；]")


class _Spans:
    """The hits of `terms` in `text` (find_spans); in a LONG text found a part at a time from
    the start, each part ending at a sentence's end: no step of the normaliser reaches across
    。！？；, nor does a hit of a term without them, so the parts' hits are the whole text's
    (the first windows of a 2-million-character record no longer wait for all of it to be
    normalised)."""

    def __init__(self, text: str, terms: list[str]):
        self.text, self.terms = text, terms
        self.spans: list[Span] = []
        whole = (not terms or len(text) <= LONG
                 or any(_SENTENCE_END.search(t) for t in terms))
        self.done = len(text) if whole else 0
        if whole and terms:
            self.spans = find_spans(text, terms)

    def until(self, end: int) -> None:
        """Every hit starting before `end` found."""
        while self.done < min(end, len(self.text)):
            cut = _SENTENCE_END.search(self.text, self.done + PART)
            stop = cut.end() if cut else len(self.text)
            at = self.done
            self.spans += [(a + at, b + at) for a, b in find_spans(self.text[at:stop],
                                                                  self.terms)]
            self.done = stop

    def reach(self, i: int) -> bool:
        """Whether there is an i-th hit (finding more of them as needed)."""
        while i >= len(self.spans) and self.done < len(self.text):
            self.until(self.done + 1)
        return i < len(self.spans)


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
