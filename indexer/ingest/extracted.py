"""What extractors return (page texts, warnings) and what they may use (OCR, limits)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ocrcache import OcrRunner
    from .pageboxes import PageBoxes


@dataclass(frozen=True)
class Extracted:
    """What an extractor got out of one file."""

    text: str
    page_starts: tuple[int, ...] = (0,)
    encoding: str = ""
    warnings: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    # per page, where its text is drawn on the page image (None: not known); () for none
    boxes: tuple[PageBoxes | None, ...] = ()


def from_pages(pages: list[str], **kwargs) -> Extracted:
    """One record from page texts: pages joined by form feeds, page starts remembered
    (boxes, when given, are per page with offsets into each page's text)."""
    starts, text = [], []
    offset = 0
    for page in pages:
        starts.append(offset)
        text.append(page)
        offset += len(page) + 1
    return Extracted(text="\f".join(text), page_starts=tuple(starts) or (0,), **kwargs)


@dataclass(frozen=True)
class ExtractContext:
    """What extractors may use besides the file: the OCR runner (with its cache) and limits."""

    ocr: OcrRunner | None = None
    max_pages: int = 2000
    max_text_chars: int = 2_000_000  # a record's text is cut there (0: not cut)
    max_inflated_mb: int = 100  # a .docx whose parts inflate to more is refused (0: no limit)
    digest: str = ""  # SHA-256 of the file being extracted, when the caller already has it
