"""Pixels to text: ocr_page / ocr_file run pre-processing, Tesseract and text repair."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from PIL import Image

from . import dateline, headerread
from .cleanup import repair_mapped, repair_text
from .auto import AutoEngine
from .engine import OcrEngine, TesseractEngine, check_available, engine_for, engine_version
from .errors import ImageError, OcrError, OcrTimeout, OcrUnavailable
from .images import ScanPages, iter_pages, load_pages, page_count, read_page
from .offsets import Mapped
from .preprocess import Prepared, prepare
from .result import Box, PageText
from .script import unify_script
from .settings import OcrSettings

__all__ = [
    "ImageError", "OcrEngine", "OcrError", "OcrSettings", "OcrTimeout", "OcrUnavailable",
    "PageText", "ScanPages", "TesseractEngine", "check_available", "engine_for", "engine_version",
    "load_pages", "ocr_file", "ocr_page", "page_count", "read_page", "repair_text",
]

# below this mean confidence an upright page is suspected to be rotated: ask OSD
ORIENT_BELOW_CONFIDENCE = 60.0
# a red header whose recognition is less sure than this is dropped (with a warning)
HEADER_MIN_CONFIDENCE = 50.0
# the header crop is read as one block (a joint header may hold several office names)
HEADER_PSM = 6


def ocr_page(
    image: Image.Image, settings: OcrSettings | None = None, engine: OcrEngine | None = None
) -> PageText:
    """Recognise one page image: prepare, recognise, repair; red header text first.

    The boxes of the result are in the pixels of `image` as given (whatever turning, deskew,
    upscaling or cropping preparation did) with offsets into the returned text."""
    settings = settings or OcrSettings()
    engine = engine or engine_for(settings)
    if isinstance(engine, AutoEngine):  # runs _read_page per candidate engine and keeps one
        page = engine.read_page(image, settings, _read_page)
    else:
        page = _read_page(image, settings, engine)
    return _dated(image, page, settings, engine)


# engines whose pages get their date line read again by PP-OCR's recogniser too (Tesseract
# alone for "tesseract": PP-OCR may not be installed there)
_WITH_PPOCR = ("auto", "hybrid", "ppocr")


def _dated(image: Image.Image, page: PageText, settings: OcrSettings,
           engine: OcrEngine) -> PageText:
    """The page with its 成文日期 line read again where its reading is no date (ocr/dateline.py)
    and its red header's line read again (ocr/headerread.py); a failure of either second look
    leaves the page as read, with a warning."""
    name = getattr(engine, "name", "")
    if name not in (*_WITH_PPOCR, "tesseract"):
        return page
    ppocr = dateline.ppocr_reader(settings) if name in _WITH_PPOCR else None
    tesseract = dateline.tesseract_reader(settings)
    readers = [r for r in (ppocr, tesseract) if r]
    try:
        page = dateline.reread_date(image, page, readers)
    except OcrUnavailable:
        raise
    except OcrError as e:
        page = replace(page, warnings=(*page.warnings, f"date line not read again: {e}"))
    try:  # the red header's line too (ocr/headerread.py)
        return headerread.reread_header(image, page, ppocr, tesseract)
    except OcrUnavailable:
        raise
    except OcrError as e:
        return replace(page, warnings=(*page.warnings, f"header line not read again: {e}"))


def _read_page(image: Image.Image, settings: OcrSettings, engine: OcrEngine) -> PageText:
    """ocr_page with one engine, without the date line's second look."""
    prepared = prepare(image, settings)
    result, header_read = _recognize_page(engine, prepared, settings)
    warnings = list(result.warnings)
    steps = settings.active_steps()
    if "orient" in steps and result.confidence < ORIENT_BELOW_CONFIDENCE:
        turned, result = _reorient(image, settings, engine, prepared, result, warnings)
        if turned is not prepared:  # the header is read again from the turned page
            prepared, header_read = turned, None
    body = repair_mapped(Mapped.of(result.text))
    text = body.text
    boxes = placed(result.boxes, body, prepared)
    confidence = result.confidence
    header = _header_text(prepared, settings, engine, warnings, header_read)
    if header and header.text not in text:
        shift = len(header.text) + 1 if text else 0
        text = f"{header.text}\n{text}" if text else header.text
        boxes = [*header.boxes, *(replace(b, start=b.start + shift, end=b.end + shift)
                                  for b in boxes)]
        confidence = _weighted(result.confidence, len(result.text), header)
    if settings.unify_script:
        text = unify_script(text)  # keeps every character's place (one for one)
    return PageText(
        text=text, confidence=confidence, warnings=tuple(warnings), rotation=prepared.rotation,
        boxes=tuple(boxes),
    )


def placed(boxes: tuple[Box, ...], text: Mapped, prepared: Prepared,
           header: bool = False) -> list[Box]:
    """Boxes an engine gave (its pixels, offsets into its raw text) moved onto the page as
    given and onto the repaired `text`; a box whose text the repair removed is left out."""
    out = []
    for box in boxes:
        span = text.span(box.start, box.end)
        rect = prepared.to_source((box.left, box.top, box.left + box.width,
                                   box.top + box.height), header=header)
        if span is not None and rect is not None:
            out.append(Box(span[0], span[1], *rect))
    return out


def _recognize_page(engine: OcrEngine, prepared: Prepared, settings: OcrSettings
                    ) -> tuple[PageText, PageText | None]:
    """The page's reading, and its red header's where the engine reads both in one go
    (recognize_with_header: one Tesseract run, its language models loaded once); None when
    the header is to be read apart (no header, another psm for it, an engine without)."""
    both = getattr(engine, "recognize_with_header", None)
    if both is None or prepared.header is None or settings.psm != HEADER_PSM:
        return _recognize(engine, prepared.image, settings), None
    try:
        return both(prepared.image, prepared.header, settings)
    except OcrError:
        raise
    except Exception as e:  # an engine bug must fail one page, not the whole batch
        raise OcrError(f"OCR engine {getattr(engine, 'name', engine)!r} failed: {e!r}") from e


def _recognize(engine: OcrEngine, image: Image.Image, settings: OcrSettings,
               header: bool = False) -> PageText:
    """engine.recognize (for the red header its recognize_header, where it has one), with
    any failure of a misbehaving engine reported as OcrError."""
    read = getattr(engine, "recognize_header", engine.recognize) if header else engine.recognize
    try:
        return read(image, settings)
    except OcrError:
        raise
    except Exception as e:  # an engine bug must fail one page, not the whole batch
        raise OcrError(f"OCR engine {getattr(engine, 'name', engine)!r} failed: {e!r}") from e


def _reorient(
    image: Image.Image,
    settings: OcrSettings,
    engine: OcrEngine,
    prepared: Prepared,
    result: PageText,
    warnings: list[str],
) -> tuple[Prepared, PageText]:
    """Low confidence: ask the engine for the page's orientation and retry rotated."""
    try:
        rotation = engine.orientation(prepared.image, settings)
    except (OcrUnavailable, OcrTimeout):
        raise
    except OcrError as e:
        warnings.append(f"orientation not detected (kept as scanned): {e}")
        return prepared, result
    if rotation % 360 == 0:
        return prepared, result
    turned = prepare(image, settings, rotation=rotation)
    second = _recognize(engine, turned.image, settings)
    if second.confidence > result.confidence:
        return turned, second
    warnings.append(
        f"orientation detection suggested {rotation}° but that read worse; kept as scanned"
    )
    return prepared, result


def _header_text(
    prepared: Prepared, settings: OcrSettings, engine: OcrEngine, warnings: list[str],
    found: PageText | None = None,
) -> PageText | None:
    """OCR the red header crop as one block (`found`: read already, with the page); None
    when absent or unreadable."""
    if prepared.header is None:
        return None
    if found is None:
        found = _recognize(engine, prepared.header, replace(settings, psm=HEADER_PSM),
                           header=True)
    text = repair_mapped(Mapped.of(found.text)).sub(_NEWLINE, "").strip()
    if not text.text:
        return None
    if found.confidence < HEADER_MIN_CONFIDENCE:
        warnings.append(f"red header text unreadable (confidence {found.confidence:.0f}); left out")
        return None
    return PageText(text=text.text, confidence=found.confidence,
                    boxes=tuple(placed(found.boxes, text, prepared, header=True)))


_NEWLINE = re.compile("\n")


def _weighted(body_confidence: float, body_chars: int, header: PageText) -> float:
    total = body_chars + len(header.text)
    if total == 0:
        return 0.0
    mean = (body_confidence * body_chars + header.confidence * len(header.text)) / total
    return round(mean, 2)


def ocr_file(
    path: str | Path, settings: OcrSettings | None = None, engine: OcrEngine | None = None
) -> list[PageText]:
    """Recognise every page of a PNG, JPEG or (multi-page) TIFF file, one page in memory at a
    time; the pixel limits of `settings` are checked before any page is decoded."""
    settings = settings or OcrSettings()
    engine = engine or engine_for(settings)
    pages = iter_pages(path, settings.max_pixels, max_file_pixels=settings.max_file_pixels)
    return [ocr_page(page, settings, engine) for page in pages]
