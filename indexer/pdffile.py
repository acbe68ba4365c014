"""PDF records: the text layer per page (pdfminer.six), judged; bad pages OCR'd (pypdfium2)."""
from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from .errors import ExtractionError
from .extracted import ExtractContext, Extracted, from_pages
from .ocrcache import file_digest
from .textlayer import judge_text_layer

RENDER_DPI = 300


class PdfExtractor:
    """Born-digital pages keep their text layer; empty or garbage layers are OCR'd."""

    type = "pdf"
    magic = (b"%PDF",)

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted:
        layers = text_layers(path, ctx.max_pages)
        pages, warnings = [], []
        digest = None
        for index, layer in enumerate(layers):
            reason = judge_text_layer(layer)
            if reason is None:
                pages.append(layer.strip("\n"))
                continue
            if ctx.ocr is None:
                raise ExtractionError(f"page {index + 1} needs OCR ({reason}) but OCR is off")
            digest = digest or ctx.digest or file_digest(path)
            result = ctx.ocr.page(digest, index, lambda i=index: render_page(path, i))
            pages.append(result.text)
            warnings.append(f"第{index + 1}页{reason}，已用OCR识别")
            warnings.extend(f"第{index + 1}页：{w}" for w in result.warnings)
        return from_pages(pages, warnings=tuple(warnings))


def text_layers(path: Path, max_pages: int) -> list[str]:
    """The text layer of every page ('' for a page without one)."""
    pages = []
    try:
        for layout in extract_pages(path):
            if len(pages) >= max_pages:
                raise ExtractionError(f"the PDF has more than {max_pages} pages "
                                      "(raise [ocr] max_pages to index it)")
            pages.append("".join(el.get_text() for el in layout
                                 if isinstance(el, LTTextContainer)))
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise ExtractionError("the PDF is protected by a password: "
                              "save an unprotected copy to index it") from e
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AssertionError) as e:
        raise ExtractionError(f"the PDF is damaged and cannot be read ({_short(e)})") from e
    if not pages:
        raise ExtractionError("the PDF has no pages")
    return pages


def render_page(path, index: int):
    """Page `index` of a PDF (a path or an open binary file) as a PIL image at RENDER_DPI."""
    pdf = pypdfium2.PdfDocument(path)
    try:
        page = pdf[index]
        image = page.render(scale=RENDER_DPI / 72).to_pil()
        image.info["dpi"] = (RENDER_DPI, RENDER_DPI)
        return image
    finally:
        pdf.close()


def _short(e: Exception) -> str:
    return re.sub(r"\s+", " ", str(e) or type(e).__name__)[:120]
