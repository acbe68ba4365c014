"""Small files that decode into huge ones (memory bombs), built for tests and benchmarks.

Each maker writes one real file with the library a clerk's software would use (Pillow, fpdf2,
zipfile) and returns its path. The defaults are the sizes of the files reported in the issue
that added the decoder limits; tests pass smaller ones.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from PIL import Image

_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>')
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def tiff_bomb(path: Path, frames: int = 80, side: int = 7500) -> Path:
    """A multi-page TIFF of blank bilevel pages: a few KB per frame, side² pixels each."""
    page = Image.new("1", (side, side), 1)
    page.save(path, save_all=True, append_images=[page] * (frames - 1), compression="group4")
    return path


def pdf_bomb(path: Path, side_pt: float = 4000, text: str = "") -> Path:
    """A one-page PDF of side_pt × side_pt points with no text layer (so it is OCR'd)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(side_pt, side_pt))
    pdf.add_page()
    if text:
        pdf.set_font("helvetica", size=12)
        pdf.text(20, 20, text)
    pdf.output(str(path))
    return path


def docx_bomb(path: Path, inflated_mb: int = 150, text: str = "档案") -> Path:
    """A .docx whose word/document.xml inflates to about inflated_mb MB (one huge paragraph
    of repeated text: compressed a thousandfold)."""
    head = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
    run = f"<w:r><w:t>{text}</w:t></w:r>".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _DOCX_TYPES)
        z.writestr("_rels/.rels", _DOCX_RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f"{head}<w:body><w:p>".encode())
            chunk = run * ((1 << 20) // len(run))
            for _ in range(inflated_mb * (1 << 20) // len(chunk)):
                member.write(chunk)
            member.write(b"</w:p></w:body></w:document>")
    return path


def docx_file(path: Path, paragraphs: list[str]) -> Path:
    """An ordinary small .docx with these paragraphs."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _DOCX_TYPES)
        z.writestr("_rels/.rels", _DOCX_RELS)
        z.writestr("word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')
    return path


def long_text(path: Path, chars: int = 16_000_000) -> Path:
    """A UTF-8 .txt of `chars` characters of ordinary Chinese sentences."""
    sentence = "各单位做好档案保管工作，落实保密要求，按期移交。\n"
    path.write_text(sentence * (chars // len(sentence)), encoding="utf-8")
    return path
