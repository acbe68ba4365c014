"""engine = "auto": per page, the better of two engines and of pre-processing on or off.

Tesseract reads first: with 2 workers it read the sample scans three times as fast as
PP-OCR (pages/s 0.15 vs 0.05; plain Tesseract 0.10), PP-OCR read them better (mean CER 0.8%
vs 2.7%). Its reading is kept when it is sure() of it: confidence at least SURE[engine] and
little junk (plausibility per character at least MIN_SHARE) and no lines split by wide gaps
(columns or a table read across, engine.GAPPED) — one engine run, Tesseract's speed.
Otherwise PP-OCR reads the page and, when it is unsure too, Tesseract with
pre-processing switched (off when it was on: the clean-up helps some images and erases
others). The first sure reading is kept; when none is, the one with the highest score():
plausibility of its text (ocr/plausible.py, one scale for both engines) weighted by its
engine's confidence.

SURE: Tesseract's confidence on the sample 公文 scans was 88-93 and on rendered lines 87-96;
46 on a ruled table it could not read. PP-OCR's was 97.7-99.9 on all of them. Sending a
page to PP-OCR costs about three Tesseract pages: below 0.8x plain Tesseract's throughput
once more than about a quarter of the pages go there.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from .engine import GAPPED, TesseractEngine
from .errors import OcrError, OcrUnavailable
from .plausible import plausibility
from .result import PageText
from .settings import OcrSettings

ORDER = ("tesseract", "ppocr")
# confidence from which a reading is kept without trying the others
SURE = {"ppocr": 95.0, "tesseract": 85.0}
# plausibility per non-space character below which a reading is unsure (junk read from
# rules, backgrounds or noise); running text with its punctuation scores 0.9-1
MIN_SHARE = 0.8


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
        first_reason = ""
        chosen = None
        for n, (name, run) in enumerate(tries):
            try:
                page = run()
            except OcrUnavailable:
                raise
            except OcrError as e:  # another candidate may still read the page
                failures.append(e)
                continue
            if sure(page, name):  # a sure reading beats unsure ones: no further run
                chosen = (n, page)
                break
            if n == 0:
                first_confidence = page.confidence
                if GAPPED in page.warnings:
                    first_reason = "saw columns or a table"
            readings.append((score(page), -n, page))
        if chosen is None:
            if not readings:
                raise failures[0]
            _score, minus_n, best = max(readings, key=lambda r: (r[0], r[1]))
            chosen = (-minus_n, best)
        n, best = chosen
        if n == 0:
            return best
        unsure = (first_reason or f"unsure, confidence {first_confidence:.0f}"
                  if first_confidence is not None else f"failed: {failures[0]}")
        note = f"auto: kept the {labels[n]} reading ({labels[0]} {unsure})"
        return replace(best, warnings=(*best.warnings, note))


def sure(page: PageText, engine: str) -> bool:
    """Confident enough, not much junk and no layout trouble: kept without asking another
    engine."""
    chars = sum(not c.isspace() for c in page.text)
    return (page.confidence >= SURE[engine] and chars > 0 and GAPPED not in page.warnings
            and plausibility(page.text) >= MIN_SHARE * chars)


def score(page: PageText) -> float:
    """Plausibility of the text weighted by the engine's confidence (0 for an empty page)."""
    return plausibility(page.text) * page.confidence / 100


def _label(name: str, settings: OcrSettings) -> str:
    if name == "ppocr":  # PP-OCR's pre-processing is orientation only (ENGINE_STEPS)
        return name
    return f"{name} {'with' if settings.preprocess else 'without'} pre-processing"
