"""The red header's line (an office and 文件) read again, as the date line is (dateline.py), and
a character of the office put right where the readings agree on another.

A header names the 责任者 in large type; the whole-page reading misreads one of its characters
now and then, the same way wherever the name comes again (安速縣民政局 for 安遠縣民政局 above,
in the 主送 and in the 落款 of a 楷体 page), or a part of one (紅嚴鎮 for 紅巖鎮). The line is
cut out as it is, with only its darkest ink and in the red channel (dateline.cutouts), at its
size and at half of it (Tesseract reads very large type badly), and read by each engine.
One engine's readings of the line's length vote per place: where one place of the office has
another character by MIN_VOTES readings and more than have the page's (compared in simplified
script; the page's own reading votes too), and that is the only place so, the line takes it,
with a warning. PP-OCR reads large headers best and its vote is enough; Tesseract is asked only
where a line of the page names the office but for one character, and its vote is taken only
for the office so printed (the 落款: 紅巖鎮人民政府 signed, 紅嚴鎮 read above; Tesseract alone
reads 新塘 as 新超 in some fonts, every time); the 文号 right under the header with the page's
character and not the readings' keeps the page's (凤发〔2023〕79号 under 中共凤鸣镇委员会文件,
which PP-OCR's cut-outs read 风). Readings of another length (a joint
header's rows, a seal read along) do not vote; two places changed change nothing.
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
    where that has MIN_VOTES and more than `as_read`'s own character there (`as_read` votes
    too), and every other place keeps `as_read`'s character by the same vote; else None."""
    old = _flat(as_read)
    aligned = [r for r in map(_flat, readings) if len(r) == len(old) and _HEADER.match(r)]
    if not _HEADER.match(old) or len(aligned) < MIN_VOTES:
        return None
    changed = []
    for i, mine in enumerate(old):
        votes = Counter(to_simplified(r[i]) for r in aligned + [old])  # the page's: a vote
        best, n = votes.most_common(1)[0]
        if best != to_simplified(mine) and n >= MIN_VOTES and n > votes[to_simplified(mine)]:
            as_written = Counter(r[i] for r in aligned if to_simplified(r[i]) == best)
            changed.append((i, as_written.most_common(1)[0][0]))
    if len(changed) != 1 or changed[0][0] >= len(old) - 2:
        return None
    i, char = changed[0]
    return old[:i] + char + old[i + 1:]


def named_elsewhere(line: str, text: str) -> bool:
    """Whether the office of a header line (文件 cut off) is printed elsewhere in the page's
    text (the 落款, the 主送), spaces dropped and compared in simplified script."""
    office = to_simplified(_flat(line)[:-2])
    return office in to_simplified(_flat(text))


def disputed(line: str, text: str) -> bool:
    """Whether a line of the page's text names the header line's office (文件 cut off) but
    for one character (a 落款 紅巖鎮人民政府 under 紅嚴鎮人民政府文件): only then is Tesseract
    asked, its reading to settle which."""
    office = to_simplified(_flat(line)[:-2])
    for other in text.splitlines():
        other = to_simplified(_flat(other))
        if len(other) == len(office) and sum(a != b for a, b in zip(other, office)) == 1:
            return True
    return False


def contradicted(old: str, new: str, rest: str) -> bool:
    """Whether the line right under the header (its 文号: 凤发〔2023〕79号) has the page's
    character where the readings put another and not theirs: the 机关代字 confirms the page
    (PP-OCR reads 凤 as 风 on the cut-out of 中共凤鸣镇委员会文件)."""
    before, after = next(((to_simplified(a), to_simplified(b)) for a, b in
                          zip(_flat(old), new) if a != b), ("", ""))
    below = next((to_simplified(_flat(line)) for line in rest.splitlines() if line.strip()), "")
    return bool(before) and before in below and after not in below


def reread_header(image: Image.Image, page: PageText, ppocr=None, tesseract=None) -> PageText:
    """`page` with its header line replaced by the reading PP-OCR's readings agree on, or
    Tesseract's where the page prints that office elsewhere too (see the module docstring);
    the same page otherwise."""
    if page.rotation % 360 or not page.boxes or not (ppocr or tesseract):
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
    old = page.text[start:end]
    text = chosen([t for t, _conf in ppocr(variants)], old) if ppocr else None
    rest = page.text[:start] + page.text[end:]
    if text is None and tesseract and disputed(old, rest):
        text = chosen([t for t, _conf in tesseract(variants)], old)
        if text is not None and not named_elsewhere(text, rest):
            text = None
    if text is None or contradicted(old, text, rest):
        return page
    shift = len(text) - (end - start)
    new = Box(start, start + len(text), box[0], box[1], box[2] - box[0], box[3] - box[1])
    boxes = [b for b in page.boxes if b.end <= start] + [new] + [
        replace(b, start=b.start + shift, end=b.end + shift) for b in page.boxes if b.start >= end]
    return replace(page, text=page.text[:start] + text + page.text[end:],
                   boxes=tuple(sorted(boxes, key=lambda b: b.start)),
                   warnings=(*page.warnings, f"header line read again: {old.strip()} → {text}"))
