"""The value OCR returns for one page: text, mean confidence, warnings, rotation applied, and
where on the page each piece of the text was read (boxes)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """Where text[start:end] of a PageText was read: a word or line rectangle in pixels.

    An engine's recognize() gives boxes in the pixels of the image it was handed and offsets
    into the text it returned; ocr_page() maps both back (to the page image as the caller
    gave it, and to the repaired text it returns).
    """

    start: int
    end: int
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class PageText:
    """Recognised text of one page.

    confidence is the mean word confidence 0-100 (0 when nothing was recognised); warnings
    say what fell back or looked wrong; rotation is the whole-page turn applied before
    recognition, in degrees clockwise (0, 90, 180, 270); boxes say where the text was read
    (may be empty: an engine that gives no boxes, or text not read from pixels).
    """

    text: str
    confidence: float
    warnings: tuple[str, ...] = ()
    rotation: int = 0
    boxes: tuple[Box, ...] = ()
