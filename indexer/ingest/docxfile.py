"""Word (.docx) records: paragraphs and tables in document order (python-docx).

A .docx is a zip: before python-docx inflates it (every part, in memory), the parts' sizes
are checked against [index] max_inflated_mb, as the zip declares them and as they inflate.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import docx
from lxml import etree
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..errors import ExtractionError
from .extracted import ExtractContext, Extracted


class DocxExtractor:
    """Paragraph text, and table rows as cells joined by tabs."""

    type = "docx"
    magic = (b"PK\x03\x04",)

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted:
        try:
            check_inflated_size(path, ctx.max_inflated_mb)
            document = docx.Document(str(path))
        except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError,
                ValueError, NotImplementedError, etree.XMLSyntaxError) as e:
            # XMLSyntaxError: broken XML, or entities that expand a thousandfold (lxml refuses
            # the amplification): a damaged file, not a crash with its traceback in the run
            raise ExtractionError(f"not a readable Word .docx file ({e})") from e
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_table_lines(block))
        return Extracted(text="\n".join(lines).strip("\n"))


def check_inflated_size(path: Path, max_mb: int) -> None:
    """ExtractionError unless the zip's members inflate to at most max_mb MB together
    (0: no limit). The declared sizes are checked first, then every member is inflated
    and counted chunk by chunk, so a header that lies about its size is caught too."""
    if not max_mb:
        return
    limit = max_mb << 20
    with zipfile.ZipFile(path) as z:
        members = z.infolist()
        declared = sum(info.file_size for info in members)
        if declared > limit:
            raise ExtractionError(_too_big(declared, max_mb))
        inflated = 0
        for info in members:
            with z.open(info) as member:
                while chunk := member.read(1 << 20):
                    inflated += len(chunk)
                    if inflated > limit:
                        raise ExtractionError(_too_big(inflated, max_mb))


def _too_big(size: int, max_mb: int) -> str:
    return (f"the .docx inflates to {size / (1 << 20):,.0f} MB or more, more than "
            f"[index] max_inflated_mb = {max_mb} (a zip bomb, or a document too big to read)")


def _table_lines(table: Table) -> list[str]:
    lines = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:  # merged cells repeat: keep one copy
            if cell._tc is not last:
                cells.append(cell.text.strip())
            last = cell._tc
        lines.append("\t".join(cells))
    return lines
