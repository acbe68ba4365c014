"""engine = "auto": per page, the better of two engines and of pre-processing on or off.

The first reading (PP-OCR, which read the sample scans best) is kept when its engine is sure
of it (confidence at least SURE[engine]), which most pages are: one engine run, as fast as
that engine alone. Otherwise Tesseract reads the page, with pre-processing as configured and
switched (off when it was on: the clean-up helps some images and erases others), and the
reading kept is the one with the highest score(): plausibility of its text (ocr/plausible.py,
one scale for both engines) weighted by its engine's confidence.

SURE: PP-OCR's confidence on the sample 公文 scans and rendered lines, tables and columns was
97.7-99.9; Tesseract's on clean pages 87-96, and 46 on a ruled table it could not read.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from .engine import TesseractEngine
from .errors import OcrError, OcrUnavailable
from .plausible import plausibility
from .result import PageText
from .settings import OcrSettings

ORDER = ("ppocr", "tesseract")
# confidence from which a first reading is kept without trying the others
SURE = {"ppocr": 95.0, "tesseract": 85.0}


class AutoEngine:
    """OcrEngine that reads with PP-OCR and Tesseract as needed (see the module docstring)."""

    name = "auto"

    def __init__(self, engines: dict | None = None, order: tuple[str, str] = ORDER) -> None:
        """engines: {"tesseract": …, "ppocr": …} (the real ones by default); order: which
        reads first."""
        if engines is None:
            from .ppocr import PpocrEngine

            engines = {"tesseract": TesseractEngine(), "ppocr": PpocrEngine()}
        self.engines = engines
        self.order = order

    def version(self) -> str:
        sure = ",".join(f"{name}>={SURE[name]:g}" for name in self.order)
        versions = " + ".join(self.engines[name].version() for name in self.order)
        return f"auto {versions} (sure: {sure})"

    def recognize(self, image: Image.Image, settings: OcrSettings) -> PageText:
        """One engine call, then the other when the first is unsure; the better reading."""
        return self._choose(
            [(name, lambda name=name: self.engines[name].recognize(image, settings))
             for name in self.order]
        )

    def orientation(self, image: Image.Image, settings: OcrSettings) -> int:
        return self.engines["tesseract"].orientation(image, settings)

    def read_page(
        self, image: Image.Image, settings: OcrSettings,
        read: Callable[[Image.Image, OcrSettings, object], PageText],
    ) -> PageText:
        """The whole pipeline (`read`, i.e. ocr_page) per candidate; the best reading."""
        tesseract = replace(settings, engine="tesseract")
        tries = [(name, replace(settings, engine=name)) for name in self.order]
        tries.append(("tesseract", replace(tesseract, preprocess=not settings.preprocess)))
        return self._choose(
            [(name, lambda name=name, s=s: read(image, s, self.engines[name]))
             for name, s in tries],
            labels=[_label(name, s) for name, s in tries],
        )

    def _choose(self, tries: list, labels: list[str] | None = None) -> PageText:
        labels = labels or [name for name, _ in tries]
        readings: list[tuple[float, int, PageText]] = []
        failures: list[OcrError] = []
        first_confidence = None
        for n, (name, run) in enumerate(tries):
            try:
                page = run()
            except OcrUnavailable:
                raise
            except OcrError as e:  # another candidate may still read the page
                failures.append(e)
                continue
            if n == 0:
                if page.confidence >= SURE[name]:
                    return page
                first_confidence = page.confidence
            readings.append((score(page), -n, page))
        if not readings:
            raise failures[0]
        best_score, minus_n, best = max(readings, key=lambda r: (r[0], r[1]))
        if minus_n == 0:
            return best
        unsure = (f"unsure, confidence {first_confidence:.0f}" if first_confidence is not None
                  else f"failed: {failures[0]}")
        note = f"auto: kept the {labels[-minus_n]} reading ({labels[0]} {unsure})"
        return replace(best, warnings=(*best.warnings, note))


def score(page: PageText) -> float:
    """Plausibility of the text weighted by the engine's confidence (0 for an empty page)."""
    return plausibility(page.text) * page.confidence / 100


def _label(name: str, settings: OcrSettings) -> str:
    if name == "ppocr":  # PP-OCR's pre-processing is orientation only (ENGINE_STEPS)
        return name
    return f"{name} {'with' if settings.preprocess else 'without'} pre-processing"
