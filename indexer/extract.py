"""The extractor registry: one extractor per file kind, keyed by suffix."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .textfile import decode, page_starts


@dataclass(frozen=True)
class Extracted:
    """What an extractor got out of one file."""

    text: str
    page_starts: tuple[int, ...] = (0,)
    encoding: str = ""
    warnings: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)


class Extractor(Protocol):
    type: str

    def extract(self, path: Path) -> Extracted: ...


class TextExtractor:
    """Plain text in UTF-8, GB18030/GBK or Big5; pages split at form feeds and page markers."""

    type = "txt"

    def extract(self, path: Path) -> Extracted:
        text, encoding = decode(path.read_bytes())
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return Extracted(text=text, page_starts=page_starts(text), encoding=encoding)


EXTRACTORS: dict[str, Extractor] = {
    ".txt": TextExtractor(),
}


def extractor_for(path: Path) -> Extractor | None:
    return EXTRACTORS.get(path.suffix.lower())
