"""Word (.docx) records: paragraphs and tables in document order (python-docx)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from .errors import ExtractionError
from .extracted import ExtractContext, Extracted


class DocxExtractor:
    """Paragraph text, and table rows as cells joined by tabs."""

    type = "docx"
    magic = (b"PK\x03\x04",)

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted:
        try:
            document = docx.Document(str(path))
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
            raise ExtractionError(f"not a readable Word .docx file ({e})") from e
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_table_lines(block))
        return Extracted(text="\n".join(lines).strip("\n"))


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
