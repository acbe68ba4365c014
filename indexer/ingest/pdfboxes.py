"""Character boxes of a PDF page's text layer (pdfminer's LTChar), as page-image pixels.

pdfminer gives each character's rectangle in PDF points with y going up from the page's
bottom (its layout has the page's /Rotate applied already); the page image is drawn from
the top, at `scale` pixels per point. Offsets are into the layer's text as pdffile builds it
(the text of every LTTextContainer, joined), so they hold for the page text the index keeps.
"""
from __future__ import annotations

import numpy as np
from pdfminer.layout import LTAnno, LTChar, LTPage, LTText, LTTextContainer

from .pageboxes import PageBoxes


class LayerBoxes:
    """One page's layer text as pdfminer makes it, and a box per character: `spans` int32
    (n, 2) start, end and `rects` float32 (n, 4) x0, y0, x1, y1 in points (compact: every
    page of a long PDF is held until its pages are judged)."""

    __slots__ = ("text", "spans", "rects", "bbox")

    def __init__(self, layout: LTPage):
        self.bbox = layout.bbox
        rows: list[tuple[int, int, float, float, float, float]] = []
        parts: list[str] = []
        at = 0
        for element in layout:
            if isinstance(element, LTTextContainer):
                at = self._walk(element, parts, rows, at)
        self.text = "".join(parts)
        self.spans = np.asarray([r[:2] for r in rows], dtype=np.int32).reshape(-1, 2)
        self.rects = np.asarray([r[2:] for r in rows], dtype=np.float32).reshape(-1, 4)

    def _walk(self, element, parts: list[str], rows: list, at: int) -> int:
        if isinstance(element, LTChar):
            text = element.get_text()
            parts.append(text)
            if text.strip():
                rows.append((at, at + len(text), *element.bbox))
            return at + len(text)
        if isinstance(element, LTAnno):
            text = element.get_text()
            parts.append(text)
            return at + len(text)
        for child in element:
            if isinstance(child, LTText):
                at = self._walk(child, parts, rows, at)
        return at

    def to_pixels(self, scale: float, lead: int = 0) -> PageBoxes | None:
        """The boxes on the page image at `scale` pixels per point, offsets moved back by
        `lead` (characters cut from the text's start); None when there are none."""
        x0, y0, x1, y1 = self.bbox
        rows = []
        for (start, end), (a, b, c, d) in zip(self.spans.tolist(), self.rects.tolist()):
            left, top = round((a - x0) * scale), round((y1 - d) * scale)
            right, bottom = round((c - x0) * scale), round((y1 - b) * scale)
            if start - lead >= 0 and right > left and bottom > top:
                rows.append((start - lead, end - lead, left, top, right - left, bottom - top))
        if not rows:
            return None
        return PageBoxes.of(round((x1 - x0) * scale), round((y1 - y0) * scale), rows)
