"""The value OCR returns for one page: text, mean confidence, warnings, rotation applied."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageText:
    """Recognised text of one page.

    confidence is the mean word confidence 0-100 (0 when nothing was recognised); warnings
    say what fell back or looked wrong; rotation is the whole-page turn applied before
    recognition, in degrees clockwise (0, 90, 180, 270).
    """

    text: str
    confidence: float
    warnings: tuple[str, ...] = ()
    rotation: int = 0
