"""Scanned images (PNG, JPEG, TIFF with several pages): OCR page by page, cached."""
from __future__ import annotations

from pathlib import Path

from ocr.errors import OcrError
from ocr.images import ScanPages

from ..errors import ExtractionError
from .extracted import ExtractContext, Extracted, from_pages
from .ocrcache import file_digest


class ImageExtractor:
    """Every page image through the OCR pipeline; low confidence is a warning, not an error.

    The page count and pixel limits are checked before any page is decoded; then one page at
    a time is decoded (only when its OCR is not cached), read and let go."""

    type = "image"
    magic = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted:
        if ctx.ocr is None:
            raise ExtractionError("a scanned image needs OCR, which is off")
        digest = ctx.digest or file_digest(path)
        settings = ctx.ocr.settings
        texts, warnings, boxes = [], [], []
        try:
            with ScanPages(path, settings.max_pixels, ctx.max_pages,
                           settings.max_file_pixels) as pages:
                for index in range(len(pages)):
                    result, found = ctx.ocr.read(digest, index, lambda i=index: pages.page(i))
                    texts.append(result.text)
                    boxes.append(found)
                    warnings.extend(f"第{index + 1}页：{w}" for w in result.warnings)
        except OcrError as e:
            raise ExtractionError(str(e)) from e
        return from_pages(texts, warnings=tuple(warnings), boxes=tuple(boxes))
