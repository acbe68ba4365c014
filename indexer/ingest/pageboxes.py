"""Where each piece of a page's text is drawn on the page image: boxes, kept per record.

A page's boxes are rows (start, end, left, top, width, height): text[start:end] of the page's
text (offsets from the page's start in the record's text) is drawn in that rectangle, in
pixels of the page image of `width` x `height` (the scan page as given, or a PDF page at
the size it is rendered for OCR), so the server can scale them to whatever width it serves.

A record's boxes are stored as one compressed blob (encode / decode): int32 rows, zlib.
"""
from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

MAGIC = b"DGB1"
_HEAD = struct.Struct("<4sI")  # magic, pages
_PAGE = struct.Struct("<III")  # width, height, rows


@dataclass(frozen=True)
class PageBoxes:
    """Boxes of one page: `rows` int32 (n, 6) start, end, left, top, width, height."""

    width: int
    height: int
    rows: np.ndarray

    @classmethod
    def of(cls, width: int, height: int, boxes: Iterable[Sequence[int]]) -> PageBoxes:
        rows = np.asarray([tuple(b) for b in boxes], dtype=np.int32).reshape(-1, 6)
        return cls(int(width), int(height), rows)

    def __len__(self) -> int:
        return len(self.rows)

    def cut(self, length: int) -> PageBoxes:
        """The boxes of text[:length] only (a record's text cut short)."""
        return PageBoxes(self.width, self.height, self.rows[self.rows[:, 1] <= length])

    def shifted(self, by: int) -> PageBoxes:
        """Offsets moved by `by` (text removed or added before them); boxes before 0 dropped."""
        rows = self.rows.copy()
        rows[:, :2] += by
        return PageBoxes(self.width, self.height, rows[rows[:, 0] >= 0])


def encode(pages: Sequence[PageBoxes | None]) -> bytes:
    """A record's boxes, page by page (None: a page without boxes), as one blob; b"" when
    no page has any."""
    if not any(p is not None and len(p) for p in pages):
        return b""
    parts = [_HEAD.pack(MAGIC, len(pages))]
    for page in pages:
        if page is None:
            parts.append(_PAGE.pack(0, 0, 0))
            continue
        parts.append(_PAGE.pack(page.width, page.height, len(page)))
        parts.append(np.ascontiguousarray(page.rows, dtype="<i4").tobytes())
    return zlib.compress(b"".join(parts), 6)


def decode(blob: bytes) -> list[PageBoxes | None]:
    """The pages of a blob made by encode (an empty or unreadable blob: no pages)."""
    if not blob:
        return []
    try:
        raw = zlib.decompress(blob)
        magic, count = _HEAD.unpack_from(raw, 0)
    except (zlib.error, struct.error):
        return []
    if magic != MAGIC:
        return []
    pages: list[PageBoxes | None] = []
    at = _HEAD.size
    for _ in range(count):
        width, height, n = _PAGE.unpack_from(raw, at)
        at += _PAGE.size
        rows = np.frombuffer(raw, dtype="<i4", count=n * 6, offset=at).reshape(n, 6)
        at += n * 24
        pages.append(PageBoxes(width, height, rows.astype(np.int32)) if width else None)
    return pages


def page(blob: bytes, index: int) -> PageBoxes | None:
    """Boxes of page `index` (from 0) of a record's blob, None when it has none."""
    pages = decode(blob)
    return pages[index] if 0 <= index < len(pages) else None
