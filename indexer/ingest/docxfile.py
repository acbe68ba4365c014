"""Word (.docx) records: the page headers' text first (a 密级 mark or 份号 is often there), then
paragraphs, tables, content controls and text boxes in document order (python-docx).

A .docx is a zip: before python-docx inflates it (every part, in memory), the parts' sizes
are checked against [index] max_inflated_mb, as the zip declares them and as they inflate.
"""
from __future__ import annotations

import zipfile
import zlib
from itertools import takewhile
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
        lines = _header_lines(document) + _lines(document.element.body, document)
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


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _header_lines(document) -> list[str]:
    """The distinct non-empty lines of every section's page headers (first page, odd, even),
    in that order: read first, so a 密级 mark there is on the first lines like a printed one."""
    out: list[str] = []
    for section in document.sections:
        for header in (section.first_page_header, section.header, section.even_page_header):
            if header.is_linked_to_previous:
                continue  # (the previous section's, already read; or none at all)
            out += [line for line in _lines(header._element, header)
                    if line.strip() and line not in out]
    return out


def _lines(container, parent) -> list[str]:
    """Paragraphs and table rows of a body, header, table cell, content control or text box,
    in order; a content control (w:sdt) is read where it stands, a text box after the
    paragraph it is anchored in (once: not its compatibility copy)."""
    out: list[str] = []
    for child in container.iterchildren():
        if child.tag == _W + "p":
            out.append(Paragraph(child, parent).text)
            for box in _boxes(child):
                out += _lines(box, parent)
        elif child.tag == _W + "tbl":
            out += _table_lines(Table(child, parent))
        elif child.tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                out += _lines(content, parent)
    return out


def _boxes(paragraph):
    """The text boxes anchored in a paragraph: not those inside another box (read with it),
    nor the copies kept for older Word versions (mc:Fallback)."""
    for box in paragraph.iter(_W + "txbxContent"):
        between = takewhile(lambda a: a is not paragraph, box.iterancestors())
        if not any(a.tag in (_FALLBACK, _W + "txbxContent") for a in between):
            yield box


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
