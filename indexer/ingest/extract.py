"""The extractor registry: one extractor per file kind, keyed by suffix and checked by content."""
from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Protocol

from ..errors import ExtractionError
from .docxfile import DocxExtractor
from .extracted import ExtractContext, Extracted
from .imagefile import ImageExtractor
from .pdffile import PdfExtractor
from .textfile import TextExtractor


class Extractor(Protocol):
    type: str
    magic: tuple[bytes, ...]  # what the file must start with (empty: any)

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted: ...


def _registry() -> dict[str, Extractor]:
    text, image, pdf, docx = TextExtractor(), ImageExtractor(), PdfExtractor(), DocxExtractor()
    return {".txt": text, ".pdf": pdf, ".docx": docx, ".png": image, ".jpg": image,
            ".jpeg": image, ".tif": image, ".tiff": image}


EXTRACTORS: dict[str, Extractor] = _registry()
SKIPPED_SUFFIXES = (".gt.txt",)  # ground truth beside sample scans, not records


def extractor_for(path: Path) -> Extractor | None:
    if path.name.lower().endswith(SKIPPED_SUFFIXES):
        return None
    return EXTRACTORS.get(path.suffix.lower())


SPARSE_BYTES = 64 * 2**20  # a file this big that is mostly holes is no document
SPARSE_SHARE = 8  # (under 1/8 of its size on disk)


def check_magic(path: Path, extractor: Extractor) -> None:
    """A file whose bytes do not match its extension is reported, not misread; so is a big
    sparse one (mostly holes the file system never wrote: a 10 GB "PDF" that takes no disk
    would hold a worker until its time limit)."""
    with path.open("rb") as f:
        st = os.fstat(f.fileno())
        blocks = getattr(st, "st_blocks", None)
        if (blocks is not None and st.st_size > SPARSE_BYTES
                and blocks * 512 * SPARSE_SHARE < st.st_size):
            written = _written(f.fileno(), st.st_size)  # (a compressing file system also
            if written * SPARSE_SHARE < st.st_size:  # reports few blocks: it has no holes)
                raise ExtractionError(
                    f"稀疏文件：{st.st_size / 2**20:.0f} MB 中只有 {written / 2**20:.0f} MB 写在磁盘上，"
                    "其余是空洞，不是真实的文档，未读取")
        if not extractor.magic:
            return
        head = f.read(16)
    if not head:
        raise ExtractionError("the file is empty (0 bytes)")
    if not head.startswith(extractor.magic):
        actual = sniff(head)
        hint = f" (its content looks like {actual})" if actual else ""
        raise ExtractionError(f"the content is not a {extractor.type.upper()} file{hint}: "
                              "check the file extension")


def _written(fd: int, size: int, most: int = 10_000) -> int:
    """Bytes of the file that are data, not holes (SEEK_DATA / SEEK_HOLE, at most `most`
    extents looked at: past them, the rest counts as data); `size` where holes cannot be told."""
    if not hasattr(os, "SEEK_DATA"):
        return size
    written, at = 0, 0
    try:
        for _ in range(most):
            start = os.lseek(fd, at, os.SEEK_DATA)
            at = os.lseek(fd, start, os.SEEK_HOLE)
            written += at - start
            if at >= size:
                return written
        return written + (size - at)
    except OSError as e:  # ENXIO: no data after `at`; anything else: holes not told
        return written if e.errno == errno.ENXIO else size
    finally:
        os.lseek(fd, 0, os.SEEK_SET)


_SIGNATURES = {b"%PDF": "PDF", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"II*\x00": "TIFF",
               b"MM\x00*": "TIFF", b"PK\x03\x04": "a ZIP/DOCX", b"GIF8": "GIF"}


def sniff(head: bytes) -> str:
    return next((name for sig, name in _SIGNATURES.items() if head.startswith(sig)), "")
