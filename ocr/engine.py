"""The OcrEngine protocol and its Tesseract implementation (over ocr/tesseract.py)."""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol, runtime_checkable

from PIL import Image

from . import tesseract
from .errors import OcrUnavailable, package_for
from .layout import gapped_layout
from .result import Box, PageText
from .settings import OcrSettings


# Tesseract reads a page as one block of rows (psm 6): lines split by wide gaps mean columns
# or a table that it read across (ocr/layout.gapped_layout); "auto" then asks PP-OCR
GAPPED = "layout: wide gaps inside lines (columns or a table?), read as plain rows"


@runtime_checkable
class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine."""

    name: str

    def version(self) -> str:
        """Engine name and version, part of cache keys (e.g. "tesseract 5.3.0")."""
        ...

    def recognize(self, image: Image.Image, settings: OcrSettings) -> PageText:
        """Text and mean confidence of one prepared page image."""
        ...

    def orientation(self, image: Image.Image, settings: OcrSettings) -> int:
        """Degrees (0/90/180/270) to turn the page clockwise to make it upright.

        Raises OcrError when the engine cannot tell (too little text).
        """
        ...


def engine_for(settings: OcrSettings | None = None) -> OcrEngine:
    """The engine settings.engine names: TesseractEngine, PpocrEngine or AutoEngine."""
    name = (settings or OcrSettings()).engine
    if name == "ppocr":
        from .ppocr import PpocrEngine

        return PpocrEngine()
    if name == "auto":
        from .auto import AutoEngine

        return AutoEngine()
    return TesseractEngine()


def check_available(settings: OcrSettings) -> None:
    """Raise OcrUnavailable naming what is missing for settings.engine: the tesseract program
    or a language's data, the PP-OCR package or a library it needs (both for "auto")."""
    if settings.engine in ("ppocr", "auto"):
        from . import ppocr

        ppocr.check_available()
    if settings.engine in ("tesseract", "auto"):
        check_tesseract(settings)


def check_tesseract(settings: OcrSettings) -> None:
    """Raise OcrUnavailable naming what Tesseract misses: the program or a language's data."""
    installed = set(tesseract.languages())
    missing = [lang for lang in settings.language_list() if lang not in installed]
    if settings.preprocess and "orient" in settings.steps and "osd" not in installed:
        missing.append("osd")
    if missing:
        packages = " ".join(
            "tesseract-ocr" if m == "osd" else package_for(m) for m in missing
        )
        raise OcrUnavailable(
            f"Tesseract language data missing: {', '.join(missing)} "
            f"(installed: {', '.join(sorted(installed)) or 'none'}); "
            f"install it with: apt-get install {packages}"
        )


def engine_version(settings: OcrSettings | None = None) -> str:
    """Name and version of the engine settings choose (Tesseract by default), e.g.
    "tesseract 5.3.0"; part of OCR cache keys."""
    if settings is not None and settings.engine != "tesseract":
        return engine_for(settings).version()
    return f"tesseract {tesseract.version()}"


class TesseractEngine:
    """OcrEngine backed by the tesseract program (LSTM models, see ocr/tesseract.py)."""

    name = "tesseract"

    def __init__(self) -> None:
        self._version: str | None = None

    def version(self) -> str:
        if self._version is None:
            self._version = engine_version()
        return self._version

    def recognize(self, image: Image.Image, settings: OcrSettings) -> PageText:
        data = tesseract.image_to_data(
            image, lang=settings.languages, psm=settings.psm, timeout=settings.timeout
        )
        return _page(data)

    def recognize_with_header(self, image: Image.Image, header: Image.Image,
                              settings: OcrSettings) -> tuple[PageText, PageText]:
        """recognize() of the page and of its red header crop from one run of the program
        (settings.psm for both): the language models loaded once per page."""
        body, top = tesseract.images_to_data([image, header], lang=settings.languages,
                                             psm=settings.psm, timeout=settings.timeout)
        return _page(body), _page(top)

    def orientation(self, image: Image.Image, settings: OcrSettings) -> int:
        osd = tesseract.orientation(image, timeout=settings.timeout)
        return int(osd.get("rotate", 0)) % 360


def _page(data: dict) -> PageText:
    """page_from_data, with GAPPED among its warnings when lines are split by wide gaps."""
    page = page_from_data(data)
    if gapped_layout(words_of(data)):
        page = replace(page, warnings=(*page.warnings, GAPPED))
    return page


def words_of(data: dict) -> list[tuple[tuple, int, int, int]]:
    """(line key, left, width, height) of each word in tesseract.image_to_data's columns."""
    return [((data["block_num"][i], data["par_num"][i], data["line_num"][i]),
             data["left"][i], data["width"][i], data["height"][i])
            for i, word in enumerate(data.get("text", []))
            if float(data["conf"][i]) >= 0 and str(word).strip() and "left" in data]


def text_from_data(data: dict) -> tuple[str, float]:
    """Rebuild text (lines, blank lines between blocks) and mean word confidence."""
    page = page_from_data(data)
    return page.text, page.confidence


def page_from_data(data: dict) -> PageText:
    """Text (lines, blank lines between blocks), mean word confidence and a box per word
    (offsets into that text, pixels of the image read).

    Pure: works on the columns of tesseract.image_to_data (level, block_num, par_num,
    line_num, text, conf, and left, top, width, height when present).
    """
    lines: list[list[tuple[str, int]]] = []  # words of each line, with their row; [] = blank
    current: list[tuple[str, int]] = []
    key = None
    confidences: list[float] = []
    for i, word in enumerate(data.get("text", [])):
        conf = float(data["conf"][i])
        if conf < 0:  # layout rows (page, block, paragraph, line) carry conf -1
            continue
        line_key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if line_key != key:
            if current:
                lines.append(current)
            if key is not None and line_key[:2] != key[:2] and lines and lines[-1]:
                lines.append([])
            current, key = [], line_key
        word = word.strip()
        if word:
            current.append((word, i))
            confidences.append(conf)
    if current:
        lines.append(current)
    while lines and not lines[-1]:
        lines.pop()
    geometry = all(k in data for k in ("left", "top", "width", "height"))
    parts: list[str] = []
    boxes: list[Box] = []
    at = 0
    for n, line in enumerate(lines):
        if n:
            parts.append("\n")
            at += 1
        for k, (word, row) in enumerate(line):
            if k:
                parts.append(" ")
                at += 1
            parts.append(word)
            if geometry:
                left, width = int(data["left"][row]), int(data["width"][row])
                if k + 1 < len(line):  # a word ends where the next begins (Tesseract's
                    after = int(data["left"][line[k + 1][1]])  # Chinese words sometimes
                    if left < after < left + width:  # reach across the rest of the line)
                        width = after - left
                boxes.append(Box(at, at + len(word), left, int(data["top"][row]), width,
                                 int(data["height"][row])))
            at += len(word)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return PageText(text="".join(parts), confidence=round(mean, 2), boxes=tuple(boxes))
