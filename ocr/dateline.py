"""The 成文日期 line read again when the page's reading of it is no date: cut out with a seal's
ink taken away, read by each engine, the reading that is a calendar date kept.

A seal stamped over the signature and date (red, or grey on a photocopy) and a toner streak
through them are what the whole-page reading gets wrong most on 公文: a numeral under the
seal's ring misread (二〇二6年四月二十日 for 二〇二〇年四月二十七日) or the line lost. The last
lines of a page are checked: a line that looks like a date (numerals, 年 月 日) but is none by
the strict grammar of date_of() is read again in its own rectangle; when no such line is
there, the band right below the last line (where a lost date line of a signature sits) is read.
Each cut-out is read as it is, with only its darkest ink kept (a seal is lighter than print,
also on a photocopy) and, on a colour page, in the red channel (red ink vanishes); by PP-OCR's
recogniser and Tesseract as one line. The date most readings (and the page's own reading of
the line) agree on, but for a character each, replaces the line (or is added under the last
line), with a warning; when no reading is a date, nothing changes.
Pure grammar here: ocr imports nothing of the indexer (indexer/dates.py reads dates there).
"""
from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from PIL import Image

from .result import Box, PageText

# the last lines of a page where its 成文日期 is looked for
LAST_LINES = 4
_NUMERALS = "〇一二三四五六七八九"
_CN_DIGIT = {c: i for i, c in enumerate(_NUMERALS)}
# OCR's look-alikes of Chinese numerals, put right between other numerals of a date:
# 〇 read as O, 0, o, ○, 零, 口, D, Q; 一 as a dash; 二 as =; 十 as +
_LOOKALIKES = {**dict.fromkeys("O0oо○零口DQ", "〇"), **dict.fromkeys("-—–_‐－ー", "一"),
               "=": "二", "＝": "二", "+": "十", "＋": "十"}
_CN_YEAR = f"[{_NUMERALS}]{{4}}"
_CN_SMALL = "(?:[一二三四五六七八九]|十[一二三四五六七八九]?|[二三]十[一二三四五六七八九]?)"
_CN_DATE = re.compile(f"({_CN_YEAR})年({_CN_SMALL})月({_CN_SMALL})日")
_DIGIT_DATE = re.compile(r"((?:19|20)\d\d)年(\d{1,2})月(\d{1,2})日")
# a line that looks like a date: year, 年, month, 月, day (its 日 may be lost), little else
_DATE_LIKE = re.compile(r"^.{0,3}?[\w〇○=+\-—]{2,6}\s*[年午乍]\s*[\w=+\-—]{1,4}\s*月"
                        r"\s*[\w=+\-—]{1,4}\s*[日曰目]?.{0,2}$")
# votes a date needs (chosen()), and more than any other date
MIN_VOTES = 2
# a date line is at most this many line heights below the last line read (one line's pitch of
# a 公文 signature block is 1.5-2 heights)
BAND_HEIGHTS = 2.4
# a cut-out with less ink than this share of its pixels holds no line
MIN_INK = 0.004
# ink kept in "darkest ink" cut-outs: darker than this share of the way from the ink to the
# paper (print is near black, a stamped or photocopied seal mid-grey)
INK_CUT = 0.35


def _as_numerals(text: str) -> str:
    """Look-alikes of numerals made numerals where a Chinese-numeral date stands around them."""
    if not any(c in _NUMERALS + "十" for c in text):
        return text
    return "".join(_LOOKALIKES.get(c, c) if c not in "年月日" else c for c in text)


def date_of(text: str) -> tuple[str, tuple[int, int, int]] | None:
    """(the date as written, (year, month, day)) when `text` (spaces aside) is one full date in
    Chinese numerals (二〇二〇年四月二十七日) or digits (2020年4月27日) and in the calendar;
    OCR's look-alikes of numerals (O 0 for 〇, - for 一, = for 二, + for 十) put right; else
    None (a mixed 二〇二6年, a 二十十日, a 二月三十日 are no dates)."""
    flat = re.sub(r"\s+", "", text).replace("日日", "日")
    flat, numerals = _trimmed(flat), _trimmed(_as_numerals(flat))
    # a seal's ring read as a 〇 before the year (〇二〇二〇年…; a year has four numerals)
    ringed = numerals[1:] if re.match(f"〇[{_NUMERALS}]{{4}}年", numerals) else numerals
    for candidate in dict.fromkeys([flat, numerals, ringed]):
        m = _CN_DATE.fullmatch(candidate)
        if m:
            year = int("".join(str(_CN_DIGIT[c]) for c in m.group(1)))
            parts = (year, _small(m.group(2)), _small(m.group(3)))
        else:
            m = _DIGIT_DATE.fullmatch(candidate)
            if not m:
                continue
            parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        try:
            datetime.date(*parts)
        except ValueError:
            continue
        if parts[0] < 1900:
            continue
        return candidate, parts
    return None


def _trimmed(text: str) -> str:
    """Marks read from the paper (not Chinese characters: a sentence is no date line) before
    the first numeral and after the 日 left out."""
    return re.sub("^[^\\d\u3007\u4e00-\u9fff]+|(?<=日)[^\u4e00-\u9fff]+$", "", text)


def _small(value: str) -> int:
    if "十" not in value:
        return _CN_DIGIT[value]
    tens, _, ones = value.partition("十")
    return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)


def ends_with_date(text: str) -> bool:
    """A line ending with a full date after other words (填报日期：2020年3月5日, or a signature
    and its date read as one line)."""
    flat = _trimmed(re.sub(r"\s+", "", text))
    return any(date_of(flat[m.start():]) for m in re.finditer(r"[\d〇一二]", flat)
               if flat.endswith("日"))


def looks_like_date(text: str) -> bool:
    """A line shaped like a date (numerals or their look-alikes, 年 月 and maybe 日), whether
    or not it is one."""
    return bool(_DATE_LIKE.match(text.strip()))


# reads cut-outs (greyscale images of one line) -> (text, confidence 0-100) for each
LineReader = Callable[[list[Image.Image]], list[tuple[str, float]]]


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line."""
    out, at = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((at, at + len(line)))
        at += len(line) + 1
    return out


def _rect(boxes: tuple[Box, ...], start: int, end: int) -> tuple[int, int, int, int] | None:
    inside = [b for b in boxes if b.start < end and start < b.end]
    if not inside:
        return None
    return (min(b.left for b in inside), min(b.top for b in inside),
            max(b.left + b.width for b in inside), max(b.top + b.height for b in inside))


def char_height(boxes: tuple[Box, ...]) -> int:
    """The page's character height: the median over its boxes of their height or, when less,
    their width per character (a skewed line's box is taller than its characters; Chinese
    characters are about square)."""
    return int(np.median([min(b.height, b.width / max(1, b.end - b.start)) for b in boxes]))


def _target(page: PageText, size: tuple[int, int]
            ) -> tuple[tuple[int, int] | None, tuple[int, int, int, int], int] | None:
    """(the span of the date line to replace, or None to add one; the rectangle to read; the
    line's height),
    or None when the page's last lines hold a date already or give no place to look."""
    lines = _lines(page.text)[-LAST_LINES:]
    if not lines or not page.boxes:
        return None
    h = char_height(page.boxes)
    for start, end in reversed(lines):
        line = page.text[start:end]
        if date_of(line) or ends_with_date(line):
            return None
        if looks_like_date(line):
            rect = _rect(page.boxes, start, end)
            if rect is None:
                return None
            left, top, right, bottom = rect
            return (start, end), (round(left - 1.5 * h), round(top - 0.3 * h),
                                  round(right + 1.5 * h), round(bottom + 0.3 * h)), h
    start, end = lines[-1]
    rect = _rect(page.boxes, start, end)
    if rect is None:
        return None
    left, top, right, bottom = rect
    if h <= 0 or bottom + 0.5 * h >= size[1]:
        return None
    return None, (round(left - 4 * h), bottom, round(right + 4 * h),
                  round(bottom + BAND_HEIGHTS * h)), h


def cutouts(image: Image.Image, rect: tuple[int, int, int, int], height: int,
            band: bool = False) -> tuple[tuple[int, int, int, int], list[Image.Image]]:
    """(the rectangle read, its cut-outs): the page there as it is (grey), with only its
    darkest ink, and (a colour page with red ink in it) in the red channel; no cut-outs when
    it holds no ink. A `band` (where a lost line may sit) is narrowed to its first row of
    print about a line high (`height`, the line above's)."""
    box = _within(rect, image.size)
    if box[2] - box[0] < 8 or box[3] - box[1] < 8:
        return box, []
    grey = np.asarray(image.crop(box).convert("L"), dtype=np.int16)
    paper = float(np.median(grey))
    inky = grey[grey < paper - 40]
    if inky.size < MIN_INK * grey.size:
        return box, []
    ink = float(np.percentile(inky, 5))
    dark = grey < ink + INK_CUT * (paper - ink)
    if band:
        rows = _first_row(dark, height)
        if rows is None:
            return box, []
        pad = round(0.25 * height)
        top, bottom = max(0, rows[0] - pad), min(dark.shape[0], rows[1] + pad)
        left, right = _widest_run(dark[top:bottom], height)
        left, right = max(0, left - 2 * pad), min(dark.shape[1], right + 2 * pad)
        box = (box[0] + left, box[1] + top, box[0] + right, box[1] + bottom)
        dark, grey = dark[top:bottom, left:right], grey[top:bottom, left:right]
    if dark.mean() < MIN_INK:
        return box, []
    part = image.crop(box)
    out = [part.convert("L"), Image.fromarray(np.where(dark, grey, 255).astype(np.uint8), "L")]
    if part.mode != "L":
        rgb = np.asarray(part.convert("RGB"), dtype=np.int16)
        if (rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2]) > 60).mean() > MIN_INK:
            out.append(part.convert("RGB").getchannel("R"))
    return box, out


def _within(rect: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    left, top, right, bottom = rect
    return max(0, left), max(0, top), min(size[0], right), min(size[1], bottom)


def _widest_run(dark: np.ndarray, height: int) -> tuple[int, int]:
    """(left, right) of the run of columns holding the most print, where characters follow
    each other closer than a line's height (PP-OCR's recogniser reads round marks into blank
    paper at the ends of a line: a toner streak or a seal's edge off to the side is left out)."""
    columns = np.flatnonzero(dark.any(axis=0))
    if not len(columns):
        return 0, dark.shape[1]
    breaks = np.flatnonzero(np.diff(columns) > height) + 1
    runs = np.split(columns, breaks)
    ink = dark.sum(axis=0)
    best = max(runs, key=lambda run: ink[run].sum())
    return int(best[0]), int(best[-1]) + 1


# a row of a band is print where it has this share of the busiest row's dark pixels (a row
# through a line of characters between their horizontal strokes has a fifth of them)
ROW_SHARE = 0.1


def _first_row(dark: np.ndarray, height: int) -> tuple[int, int] | None:
    """(top, bottom) of the first run of rows of print at least half a line high: rows whose
    dark pixels are ROW_SHARE of the busiest row's or more (a seal's ring, crossing many rows
    with a few pixels each, is not print)."""
    counts = dark.sum(axis=1)
    if not counts.max():
        return None
    on = np.append(counts >= max(3, ROW_SHARE * counts.max()), False)
    start = None
    for y, row in enumerate(on):
        if row and start is None:
            start = y
        elif not row and start is not None:
            if y - start >= 0.5 * height:
                return start, y
            start = None
    return None


def chosen(readings: list[tuple[str, float]], as_read: str = "") -> str | None:
    """The date (as written) most readings support, else None. A reading supports a date
    that it is (a vote), or that it misses by one character (NEAR_VOTE: 二〇二年年六月二十一日
    of 二〇二三年六月二十一日; the readings of a line under a seal differ each in another
    place); so does the page's own reading of the line (`as_read`). A date needs MIN_VOTES
    and more than any other date."""
    dates = {}
    for text, _conf in readings:
        found = date_of(text)
        if found:
            dates.setdefault(found[1], found[0])
    if not dates:
        return None
    texts = [_flat(text) for text, _conf in readings] + ([_flat(as_read)] if as_read else [])
    votes = Counter({parts: sum(_support(t, written, parts) for t in texts)
                     for parts, written in dates.items()})
    ranked = votes.most_common()
    if ranked[0][1] < MIN_VOTES or len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None  # two dates read as often: neither is taken
    return dates[ranked[0][0]]


def _support(text: str, written: str, parts: tuple[int, int, int]) -> float:
    """1 for a reading that is the date, NEAR_VOTE for one that misses it by a character."""
    found = date_of(text)
    if found and found[1] == parts:
        return 1.0
    return NEAR_VOTE if within_one(text, written) else 0.0


# what a reading one character off a date adds to its votes (a reading that is the date: 1)
NEAR_VOTE = 0.5


def _flat(text: str) -> str:
    """A reading without spaces or stray marks at its ends, look-alikes made numerals."""
    return _trimmed(_as_numerals(re.sub(r"\s+", "", text)))


def within_one(a: str, b: str) -> bool:
    """At most one character inserted, dropped or replaced between a and b."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:k] + long[k + 1:] == short for k in range(len(long)))


def reread_date(image: Image.Image, page: PageText, readers: list[LineReader]) -> PageText:
    """`page` with its date line read again where its last lines hold no date (see the module
    docstring); the same page when nothing better is read."""
    if page.rotation % 360:  # the boxes' "below" is not the page's
        return page
    target = _target(page, image.size)
    if target is None or not readers:
        return page
    span, rect, height = target
    box_rect, crops = cutouts(image, rect, height, band=span is None)
    if not crops:
        return page
    readings = [r for read in readers for r in read(crops)]
    date = chosen(readings, page.text[span[0]:span[1]] if span else "")
    if date is None:
        return page
    if span is None:
        at = len(page.text.rstrip("\n"))
        text = page.text[:at] + "\n" + date + page.text[at:]
        new = Box(at + 1, at + 1 + len(date), box_rect[0], box_rect[1],
                  box_rect[2] - box_rect[0], box_rect[3] - box_rect[1])
        boxes = [*page.boxes, new]
        note = f"date line read again below the signature: {date}"
    else:
        start, end = span
        old = page.text[start:end]
        text = page.text[:start] + date + page.text[end:]
        shift = len(date) - (end - start)
        new = Box(start, start + len(date), box_rect[0], box_rect[1],
                  box_rect[2] - box_rect[0], box_rect[3] - box_rect[1])
        boxes = [b for b in page.boxes if b.end <= start] + [new] + [
            replace(b, start=b.start + shift, end=b.end + shift)
            for b in page.boxes if b.start >= end]
        note = f"date line read again without the seal: {old.strip()} → {date}"
    return replace(page, text=text, boxes=tuple(sorted(boxes, key=lambda b: b.start)),
                   warnings=(*page.warnings, note))


def ppocr_reader(settings) -> LineReader:
    """PP-OCR's recogniser on each cut-out (its score as 0-100)."""
    from . import ppocr

    def read(crops: list[Image.Image]) -> list[tuple[str, float]]:
        arrays = [np.ascontiguousarray(np.asarray(c.convert("RGB"))[:, :, ::-1]) for c in crops]
        return [(text, score * 100) for text, score in ppocr.recognize_lines(arrays, settings)]
    return read


def tesseract_reader(settings) -> LineReader:
    """Tesseract on each cut-out as one line (psm 7), all in one run of the program."""
    from . import tesseract
    from .engine import page_from_data

    def read(crops: list[Image.Image]) -> list[tuple[str, float]]:
        tables = tesseract.images_to_data(crops, lang=settings.languages, psm=LINE_PSM,
                                          timeout=settings.timeout)
        return [(p.text, p.confidence) for p in map(page_from_data, tables)]
    return read


LINE_PSM = 7  # Tesseract: the image is one line of text
