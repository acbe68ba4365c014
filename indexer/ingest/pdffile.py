"""PDF records: the text layer per page (pdfminer.six), judged; bad pages OCR'd (pypdfium2).

Pages are rendered at RENDER_DPI, or smaller when that would pass [ocr] max_pixels (a page
can be 200 inches wide), and the pixels of every page to OCR are counted against
[ocr] max_file_pixels before the first one is rendered.
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pypdfium2
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from ocr.images import DEFAULT_MAX_PIXELS

from ..errors import ExtractionError
from .extracted import ExtractContext, Extracted, from_pages
from .ocrcache import file_digest
from .pdfboxes import LayerBoxes
from .textlayer import AGREE, agreement, judge_text_layer

RENDER_DPI = 300


class PdfExtractor:
    """Born-digital pages keep their text layer; empty or garbage layers are OCR'd, and a
    suspect layer is OCR'd too, then kept when the OCR agrees with it."""

    type = "pdf"
    magic = (b"%PDF",)

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted:
        char_boxes: list[LayerBoxes] = []
        with pdfminer_complaints() as complaints:
            layers = text_layers(path, ctx.max_pages, char_boxes)
        verdicts = [judge_text_layer(layer) for layer in layers]
        to_read = [i for i, v in enumerate(verdicts) if v.state != "ok"]
        pages, warnings, boxes = [], [], []
        if complaints:  # one line for the file, not one per glyph or font (62 once)
            warnings.append(f"PDF 的字体信息不完整（{len(complaints)} 处，如：{complaints[0][:120]}），"
                            "文字层可能有误")
        if to_read and ctx.ocr is None:
            bad = [i for i in to_read if verdicts[i].state == "bad"]
            if bad:
                raise ExtractionError(f"page {bad[0] + 1} needs OCR ({verdicts[bad[0]].reason}) "
                                      "but OCR is off")
            warnings += [f"第{i + 1}页文字层可能有误，OCR 已关闭，未能核对" for i in to_read]
            to_read = []
        reduced = check_render_pixels(path, to_read, ctx.ocr.settings.max_pixels,
                                      ctx.ocr.settings.max_file_pixels) if to_read else {}
        digest = None
        for index, (layer, verdict) in enumerate(zip(layers, verdicts)):
            if index not in to_read:
                pages.append(layer.strip("\n"))
                boxes.append(layer_boxes(char_boxes, index, layer))
                continue
            digest = digest or ctx.digest or file_digest(path)
            max_pixels = ctx.ocr.settings.max_pixels
            result, found = ctx.ocr.read(digest, index,
                                         lambda i=index: render_page(path, i, max_pixels))
            if verdict.state == "suspect" and agreement(layer, result.text) >= AGREE:
                pages.append(layer.strip("\n"))  # the OCR confirms it: born-digital text wins
                boxes.append(layer_boxes(char_boxes, index, layer))
                continue
            pages.append(result.text)
            boxes.append(found)
            warnings.append(f"第{index + 1}页{verdict.reason}，已用OCR识别")
            if index in reduced:
                warnings.append(f"第{index + 1}页幅面过大，只能按 {reduced[index]:.0f} dpi 识别"
                                "（[ocr] max_pixels），小字可能识别不全")
            warnings.extend(f"第{index + 1}页：{w}" for w in result.warnings)
        return from_pages(pages, warnings=tuple(warnings), boxes=tuple(boxes))


def layer_boxes(found: list[LayerBoxes], index: int, layer: str):
    """Character boxes of a page kept as its text layer, on the page rendered as for OCR
    (offsets into the page text as kept: leading blank lines stripped); None when the boxes
    were made of other text than the layer judged."""
    if index >= len(found) or found[index].text != layer:
        return None
    x0, y0, x1, y1 = found[index].bbox
    return found[index].to_pixels(render_scale(x1 - x0, y1 - y0),
                                  lead=len(layer) - len(layer.lstrip("\n")))


@contextmanager
def pdfminer_complaints() -> Iterator[list[str]]:
    """pdfminer's warnings while reading one file (Could not get FontBBox …), gathered
    instead of printed one per font or glyph: the caller reports them once."""
    found: list[str] = []

    class Gather(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    logger = logging.getLogger("pdfminer")
    handler, before = Gather(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.propagate = before


def text_layers(path: Path, max_pages: int, boxes: list | None = None) -> list[str]:
    """The text layer of every page ('' for a page without one); with `boxes`, each page's
    character boxes (pdfboxes.LayerBoxes) are appended to it."""
    pages = []
    try:
        for layout in extract_pages(path):
            if len(pages) >= max_pages:
                raise ExtractionError(f"the PDF has more than {max_pages} pages "
                                      "(raise [ocr] max_pages to index it)")
            pages.append("".join(el.get_text() for el in layout
                                 if isinstance(el, LTTextContainer)))
            if boxes is not None:
                boxes.append(LayerBoxes(layout))
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise ExtractionError("the PDF is protected by a password: "
                              "save an unprotected copy to index it") from e
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AssertionError) as e:
        raise ExtractionError(f"the PDF is damaged and cannot be read ({_short(e)})") from e
    if not pages:
        raise ExtractionError("the PDF has no pages")
    return pages


def render_scale(width_pt: float, height_pt: float, max_pixels: int = DEFAULT_MAX_PIXELS,
                 max_width: int = 0) -> float:
    """Pixels per point for a page: RENDER_DPI, less if the page would pass max_pixels
    (or be wider than max_width pixels). A limit of 0 is no limit."""
    scale = RENDER_DPI / 72
    area = max(width_pt * height_pt, 1e-6)
    if max_pixels and area * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / area) * 0.999  # rounding up must not pass the cap
    if max_width and width_pt * scale > max_width:
        scale = max_width / max(width_pt, 1e-6)
    return scale


def check_render_pixels(path: Path, indexes: list[int], max_pixels: int,
                        max_file_pixels: int) -> dict[int, float]:
    """Refuse a PDF whose pages to OCR would render to more than max_file_pixels together
    (counted from the page sizes, before anything is rendered). Returns the dpi of each page
    that max_pixels makes render below RENDER_DPI."""
    pdf = _open_pdf(path)
    reduced: dict[int, float] = {}
    try:
        total = 0
        for index in indexes:
            width, height = pdf.get_page_size(index)
            scale = render_scale(width, height, max_pixels)
            total += round(width * scale) * round(height * scale)
            if scale * 72 < RENDER_DPI - 0.5:
                reduced[index] = scale * 72
    finally:
        pdf.close()
    if max_file_pixels and total > max_file_pixels:
        raise ExtractionError(
            f"the {len(indexes)} page(s) to OCR would render to {total:,} pixels together, "
            f"more than [ocr] max_file_pixels = {max_file_pixels:,}")
    return reduced


def render_page(path, index: int, max_pixels: int = DEFAULT_MAX_PIXELS, max_width: int = 0):
    """Page `index` of a PDF (a path or an open binary file) as a PIL image at RENDER_DPI,
    or at the largest resolution that keeps it within max_pixels and max_width (its dpi is
    recorded on the image)."""
    pdf = _open_pdf(path)
    try:
        page = pdf[index]
        scale = render_scale(*page.get_size(), max_pixels, max_width)
        image = page.render(scale=scale).to_pil()
        image.info["dpi"] = (scale * 72, scale * 72)
        return image
    finally:
        pdf.close()


def _open_pdf(path) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(path)
    except pypdfium2.PdfiumError as e:
        raise ExtractionError(f"the PDF cannot be rendered ({_short(e)})") from e


def _short(e: Exception) -> str:
    return re.sub(r"\s+", " ", str(e) or type(e).__name__)[:120]
