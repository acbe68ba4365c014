"""Hits on the page image: the character spans the highlighter marks (find_spans), turned into
rectangles from the boxes kept for the page (ingest/pageboxes.py).

A hit's rectangles are the boxes its characters overlap, each cut to the hit's share of it
(a word box holds several characters: a hit on two of four gets the half they stand in,
along the box's long side), merged per line: one rectangle per line the hit runs over.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ingest.pageboxes import PageBoxes
from .highlight import Span

Rect = tuple[float, float, float, float]  # left, top, right, bottom (pixels of the page image)


@dataclass(frozen=True)
class PageHit:
    index: int  # the hit's number among the record's hits (the record page's marks), from 0
    start: int  # offsets in the page's text
    end: int
    rects: tuple[Rect, ...]


def page_span(page_starts: list[int], text_length: int, page: int) -> tuple[int, int]:
    """[start, end) of page `page` (from 1) in the record's text."""
    start = page_starts[page - 1]
    end = page_starts[page] - 1 if page < len(page_starts) else text_length
    return start, end


def page_hits(spans: list[Span], page_range: tuple[int, int],
              boxes: PageBoxes | None) -> list[PageHit]:
    """The hits (record text spans, in order) on the page [start, end) with their rectangles;
    a hit with no box (text not read from pixels) has none."""
    lo, hi = page_range
    out = []
    for index, (a, b) in enumerate(spans):
        a, b = max(a, lo) - lo, min(b, hi) - lo
        if a >= b:
            continue
        rects = hit_rects(boxes, a, b) if boxes is not None else ()
        out.append(PageHit(index, a, b, tuple(rects)))
    return out


def hit_rects(boxes: PageBoxes, a: int, b: int) -> list[Rect]:
    """Rectangles of page text [a, b): the overlapped part of each box, merged per line."""
    rows = boxes.rows
    hit = rows[(rows[:, 0] < b) & (rows[:, 1] > a)]
    parts = [_part(row, a, b) for row in hit]
    return _merge_lines(parts)


def _part(row: np.ndarray, a: int, b: int) -> Rect:
    start, end, left, top, width, height = (int(v) for v in row)
    n = max(1, end - start)
    first, last = (max(a, start) - start) / n, (min(b, end) - start) / n
    if width >= height:  # a horizontal word: its characters side by side
        return left + first * width, top, left + last * width, top + height
    return left, top + first * height, left + width, top + last * height  # vertical text


def _merge_lines(parts: list[Rect]) -> list[Rect]:
    """Consecutive rectangles on one line (overlapping by half the smaller height, or width
    for a column of vertical text) become one."""
    out: list[list[float]] = []
    for left, top, right, bottom in parts:
        if out and (_same_line(out[-1], (left, top, right, bottom))):
            last = out[-1]
            out[-1] = [min(last[0], left), min(last[1], top), max(last[2], right),
                       max(last[3], bottom)]
        else:
            out.append([left, top, right, bottom])
    return [tuple(r) for r in out]


def _same_line(p: list[float], q: Rect) -> bool:
    rows = min(p[3], q[3]) - max(p[1], q[1])
    columns = min(p[2], q[2]) - max(p[0], q[0])
    horizontal = rows >= 0.5 * min(p[3] - p[1], q[3] - q[1])
    vertical = columns >= 0.5 * min(p[2] - p[0], q[2] - q[0])
    return horizontal or vertical
