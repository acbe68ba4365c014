"""Reading order of text lines from their boxes: rows, columns, tables, vertical text.

Pure: works on rectangles and their text, no engine. An engine that finds lines but gives no
order of its own (PP-OCR) uses it; Tesseract orders its own lines.

- Lines whose vertical extents overlap form a row; a row's cells read left to right (a table
  row, or a label and its value, stays one row).
- Consecutive rows that all split at one vertical gutter into prose on both sides (long lines
  filling each side, several rows) are two columns: the left column is read, then the right.
- A page whose text is mostly in tall narrow boxes is vertical text: columns right to left,
  each top to bottom.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median

# a box this many times taller than wide, holding 2+ characters, is a vertical line
VERTICAL_RATIO = 1.5
# lines join one row when they overlap vertically by this share of the shorter one
ROW_OVERLAP = 0.5
# a column run needs this many rows, and on each side cells this long (median characters)
# that fill this share of their side's width (prose, not a table's label column)
MIN_COLUMN_ROWS = 3
MIN_PROSE_CHARS = 6
PROSE_FILL = 0.7


@dataclass(frozen=True)
class Line:
    """One recognised line: its text and rectangle (pixels)."""

    text: str
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def vertical(self) -> bool:
        return self.height >= VERTICAL_RATIO * self.width and len(self.text) >= 2


# The order: blocks (columns, or runs of rows), each a list of rows, each row a list of
# indices into the lines given, left to right.
Order = list[list[list[int]]]


def reading_order(lines: list[Line]) -> Order:
    """The order to read `lines` in (see the module's docstring)."""
    if not lines:
        return []
    vertical_chars = sum(len(line.text) for line in lines if line.vertical)
    if vertical_chars * 2 > sum(len(line.text) for line in lines):
        return [[[i] for column in _vertical_columns(lines) for i in column]]
    return _horizontal(lines)


def _vertical_columns(lines: list[Line]) -> list[list[int]]:
    """Columns right to left (grouped by horizontal overlap), each top to bottom."""
    by_right = sorted(range(len(lines)), key=lambda i: -lines[i].right)
    columns: list[list[int]] = []
    spans: list[tuple[float, float]] = []
    for i in by_right:
        line = lines[i]
        for c, (left, right) in enumerate(spans):
            if _overlap(line.left, line.right, left, right) >= ROW_OVERLAP * min(
                line.width, right - left
            ):
                columns[c].append(i)
                spans[c] = (min(left, line.left), max(right, line.right))
                break
        else:
            columns.append([i])
            spans.append((line.left, line.right))
    order = sorted(range(len(columns)), key=lambda c: -spans[c][1])
    return [sorted(columns[c], key=lambda i: lines[i].top) for c in order]


def _horizontal(lines: list[Line]) -> Order:
    rows = group_rows(lines)
    blocks: Order = []
    plain: list[list[int]] = []
    i = 0
    while i < len(rows):
        found = _column_run(lines, rows, i)
        if found is None:
            plain.append(rows[i])
            i += 1
            continue
        end, gutter = found
        if plain:
            blocks.append(plain)
            plain = []
        for side in (0, 1):
            column = []
            for row in rows[i:end]:
                cells = [c for c in row if (lines[c].right <= gutter) == (side == 0)]
                if cells:
                    column.append(cells)
            blocks.append(column)
        i = end
    if plain:
        blocks.append(plain)
    return blocks


def group_rows(lines: list[Line]) -> list[list[int]]:
    """Lines grouped into rows (top to bottom), each row's cells left to right.

    A line joins the row whose vertical extent it overlaps enough, unless it sits under a
    cell of that row (same column, next line down).
    """
    rows: list[list[int]] = []
    extents: list[tuple[float, float]] = []
    for i in sorted(range(len(lines)), key=lambda i: (lines[i].top + lines[i].bottom) / 2):
        line = lines[i]
        for r in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom = extents[r]
            enough = _overlap(line.top, line.bottom, top, bottom) >= ROW_OVERLAP * min(
                line.height, bottom - top
            )
            under = any(
                _overlap(line.left, line.right, lines[c].left, lines[c].right) > 0
                for c in rows[r]
            )
            if enough and not under:
                rows[r].append(i)
                extents[r] = (min(top, line.top), max(bottom, line.bottom))
                break
        else:
            rows.append([i])
            extents.append((line.top, line.bottom))
    return [sorted(row, key=lambda c: lines[c].left) for row in rows]


def _column_run(lines: list[Line], rows: list[list[int]], start: int):
    """(end, gutter x) when rows[start:end] are two prose columns split at gutter, else None."""
    first = rows[start]
    if len(first) < 2:
        return None
    gaps = [(lines[b].left - lines[a].right, a, b) for a, b in zip(first, first[1:])]
    width, a, b = max(gaps)
    if width <= 0:
        return None
    gutter = (lines[a].right + lines[b].left) / 2
    end = start
    while end < len(rows) and all(
        lines[c].right <= gutter or lines[c].left >= gutter for c in rows[end]
    ):
        end += 1
    if end - start < MIN_COLUMN_ROWS:
        return None
    cells = [c for row in rows[start:end] for c in row]
    sides = ([c for c in cells if lines[c].right <= gutter],
             [c for c in cells if lines[c].left >= gutter])
    if not all(_prose([lines[c] for c in side]) for side in sides):
        return None
    return end, gutter


def _prose(cells: list[Line]) -> bool:
    """Cells that look like lines of running text: long, filling their side's width."""
    if len(cells) < MIN_COLUMN_ROWS:
        return False
    span = max(c.right for c in cells) - min(c.left for c in cells)
    return (median(len(c.text) for c in cells) >= MIN_PROSE_CHARS
            and median(c.width for c in cells) >= PROSE_FILL * span)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def compose(lines: list[Line], order: Order) -> tuple[str, list[tuple[int, int, int]]]:
    """The text of `lines` read in `order`: cells of a row joined by a space, rows by a line
    break, blocks by a blank line; and (line index, start, end) of each line in that text."""
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    at = 0
    for b, block in enumerate(order):
        for r, row in enumerate(block):
            if b or r:
                sep = "\n\n" if r == 0 else "\n"
                parts.append(sep)
                at += len(sep)
            for c, i in enumerate(row):
                if c:
                    parts.append(" ")
                    at += 1
                text = lines[i].text
                spans.append((i, at, at + len(text)))
                parts.append(text)
                at += len(text)
    return "".join(parts), spans


# a gap between two words of one line wider than this many line heights splits columns or
# table cells (words of running text are a fraction of a character apart, up to 1.2 heights
# in Tesseract's reading of spaced-out 公文 lines; a table's cells or a gutter are 3 and more)
WIDE_GAP = 2.5
# a page with at least this share of its lines split by wide gaps (and 2 lines or more) has a
# layout that one block of rows misreads: columns, a table, vertical text read across
GAPPED_SHARE = 0.25


def gapped_layout(words: list[tuple[object, float, float, float]]) -> bool:
    """Whether lines of words (line key, left, width, height), in reading order, are split
    by wide gaps often enough to suspect columns, a table or vertical text."""
    lines: dict[object, list[tuple[float, float, float]]] = {}
    for key, left, width, height in words:
        lines.setdefault(key, []).append((left, width, height))
    gapped = 0
    for line in lines.values():
        line.sort()
        height = median(h for _, _, h in line)
        if any(b[0] - (a[0] + a[1]) > WIDE_GAP * height for a, b in zip(line, line[1:])):
            gapped += 1
    return gapped >= 2 and gapped >= GAPPED_SHARE * len(lines)
