"""The red header's line (an office and 文件) read again, as the date line is (dateline.py), and
a character of the office put right where the readings agree on another.

A header names the 责任者 in large type; the whole-page reading misreads one of its characters
now and then, the same way wherever the name comes again (安速縣民政局 for 安遠縣民政局 above,
in the 主送 and in the 落款 of a 楷体 page), or a part of one (紅嚴鎮 for 紅巖鎮). The line is
cut out as it is, with only its darkest ink and in the red channel (dateline.cutouts), at its
size and at half of it (Tesseract reads very large type badly), and read by each engine.
The readings of the line's length vote per place: where one place of the office has another
character by MIN_VOTES readings and more than have the page's (compared in simplified
script), and that is the only place so, the line takes it, with a warning. Readings of
another length (a joint header's rows, a seal read along) do not vote; two places changed
change nothing.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from PIL import Image

from . import dateline
from .result import Box, PageText
from .script import to_simplified

# the header is one of the page's first lines
FIRST_LINES = 3
# a header line: Han characters ending with 文件, four or more before it
_HEADER = re.compile(r"^[\u4e00-\u9fff]{4,20}文件$")
MIN_VOTES = 2
SCALES = (1.0, 0.5)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _target(page: PageText) -> tuple[int, int] | None:
    """The span of the page's header line, or None."""
    for start, end in dateline._lines(page.text)[:FIRST_LINES]:
        if _HEADER.match(_flat(page.text[start:end])):
            return start, end
    return None


def chosen(readings: list[str], as_read: str) -> str | None:
    """`as_read` (spaces dropped) with one Han character of its office (not of 文件) replaced
    by the one the readings of its length have there most (compared in simplified script),
    where that has MIN_VOTES and more than `as_read`'s own character there, and every other
    place keeps `as_read`'s character by the same vote; else None."""
    old = _flat(as_read)
    aligned = [r for r in map(_flat, readings) if len(r) == len(old) and _HEADER.match(r)]
    if not _HEADER.match(old) or len(aligned) < MIN_VOTES:
        return None
    changed = []
    for i, mine in enumerate(old):
        votes = Counter(to_simplified(r[i]) for r in aligned)
        best, n = votes.most_common(1)[0]
        if best != to_simplified(mine) and n >= MIN_VOTES and n > votes[to_simplified(mine)]:
            as_written = Counter(r[i] for r in aligned if to_simplified(r[i]) == best)
            changed.append((i, as_written.most_common(1)[0][0]))
    if len(changed) != 1 or changed[0][0] >= len(old) - 2:
        return None
    i, char = changed[0]
    return old[:i] + char + old[i + 1:]


def reread_header(image: Image.Image, page: PageText, readers: list) -> PageText:
    """`page` with its header line replaced by the reading the engines agree on (see the
    module docstring); the same page otherwise."""
    if page.rotation % 360 or not page.boxes or not readers:
        return page
    span = _target(page)
    if span is None:
        return page
    start, end = span
    rect = dateline._rect(page.boxes, start, end)
    if rect is None:
        return page
    h = dateline.char_height(page.boxes)
    left, top, right, bottom = rect
    box, crops = dateline.cutouts(image, (left - h, top - h // 3, right + h, bottom + h // 3), h)
    if not crops:
        return page
    variants = [c if s == 1.0 else c.resize((max(1, round(c.width * s)), max(1, round(c.height * s))),
                                            Image.LANCZOS)
                for s in SCALES for c in crops]
    readings = [text for read in readers for text, _conf in read(variants)]
    text = chosen(readings, page.text[start:end])
    if text is None:
        return page
    old = page.text[start:end]
    shift = len(text) - (end - start)
    new = Box(start, start + len(text), box[0], box[1], box[2] - box[0], box[3] - box[1])
    boxes = [b for b in page.boxes if b.end <= start] + [new] + [
        replace(b, start=b.start + shift, end=b.end + shift) for b in page.boxes if b.start >= end]
    return replace(page, text=page.text[:start] + text + page.text[end:],
                   boxes=tuple(sorted(boxes, key=lambda b: b.start)),
                   warnings=(*page.warnings, f"header line read again: {old.strip()} → {text}"))
