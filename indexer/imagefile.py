"""Scanned images (PNG, JPEG, TIFF with several pages): OCR page by page, cached."""
from __future__ import annotations

from pathlib import Path

from ocr.errors import OcrError
from ocr.images import load_pages

from .errors import ExtractionError
from .extracted import ExtractContext, Extracted, from_pages
from .ocrcache import file_digest


class ImageExtractor:
    """Every page image through the OCR pipeline; low confidence is a warning, not an error."""

    type = "image"
    magic = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")

    def extract(self, path: Path, ctx: ExtractContext) -> Extracted:
        if ctx.ocr is None:
            raise ExtractionError("a scanned image needs OCR, which is off")
        digest = ctx.digest or file_digest(path)
        try:
            images = load_pages(path, ctx.ocr.settings.max_pixels)
        except OcrError as e:
            raise ExtractionError(str(e)) from e
        if len(images) > ctx.max_pages:
            raise ExtractionError(f"the image has {len(images)} pages, more than "
                                  f"[ocr] max_pages = {ctx.max_pages}")
        pages, warnings = [], []
        for index, image in enumerate(images):
            result = ctx.ocr.page(digest, index, lambda image=image: image)
            pages.append(result.text)
            warnings.extend(f"第{index + 1}页：{w}" for w in result.warnings)
        return from_pages(pages, warnings=tuple(warnings))
