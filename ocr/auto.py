"""engine = "auto": per page, the better of two engines and of pre-processing on or off.

The hybrid reads first (ocr/hybrid.py): Tesseract with pre-processing, and PP-OCR's
recogniser on the lines Tesseract is unsure of. Its reading is kept when it is sure() of
it: confidence at least SURE[engine], little junk (plausibility per character at least
MIN_SHARE), no lines split by wide gaps (columns or a table read across, engine.GAPPED) and
no lines Tesseract could not read at all (hybrid.LOST_LINES: a table's rules, photocopy
grain) and no rows packed like vertical text read across (hybrid.PACKED) — about one Tesseract pass and a few lines' recognition. Otherwise
PP-OCR reads the whole page (detection and recognition) and, when it is unsure too,
Tesseract with pre-processing switched (off when it was on: the clean-up helps some images
and erases others). The first sure reading is kept; when none is, the one with the highest
score(): plausibility of its text (ocr/plausible.py, one scale for both engines) weighted by
its engine's confidence.

A page that looks like a ruled table, a photo, vertical text or a photocopy with streaks
(ocr/pagekind.py: long rules across and down it, paper whose brightness varies over the page,
blank columns between columns of characters, a rule down through the text) is read by PP-OCR
first, then as above: Tesseract's pass over such a page was unsure on nearly every one of the
neutral set's. On vertical text PP-OCR's reading is kept even when unsure: Tesseract reads
rows across the columns (only when PP-OCR fails is it asked). A streaked photocopy is not read
without the clean-up (its grain and streaks are what the clean-up is for): where all three
readings of such a page were made (the neutral set, two seeds), that one was never kept.

SURE: Tesseract's confidence on the sample 公文 scans was 88-93 and on rendered lines 87-96;
46 on a ruled table it could not read. PP-OCR's was 97.7-99.9 on all of them; the hybrid's
(Tesseract's sure lines, PP-OCR's score on the others) 95-98 on clean 公文 pages. Whole-page
PP-OCR costs 1.4-2.8 CPU s a page (detection at ppocr.DET_SIDE), about one plain Tesseract
page; the hybrid 1.9-3 s.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from .engine import GAPPED, TesseractEngine
from .errors import OcrError, OcrUnavailable
from .hybrid import LOST_LINES, PACKED, HybridEngine
from .pagekind import STREAKED, VERTICAL, page_kind
from .plausible import plausibility
from .result import PageText
from .settings import OcrSettings

ORDER = ("hybrid", "ppocr")
# confidence from which a reading is kept without trying the others
SURE = {"ppocr": 95.0, "tesseract": 85.0, "hybrid": 85.0}
# what each engine's candidate is read with: the hybrid gets Tesseract's pre-processing
SETTINGS_ENGINE = {"hybrid": "tesseract", "ppocr": "ppocr", "tesseract": "tesseract"}
# warnings of a reading that say its layout went wrong: never sure
LAYOUT_TROUBLE = (GAPPED, LOST_LINES, PACKED)
# plausibility per non-space character below which a reading is unsure (junk read from
# rules, backgrounds or noise); running text with its punctuation scores 0.9-1
MIN_SHARE = 0.8


class AutoEngine:
    """OcrEngine that reads with PP-OCR and Tesseract as needed (see the module docstring)."""

    name = "auto"

    def __init__(self, engines: dict | None = None, order: tuple[str, str] = ORDER) -> None:
        """engines: {"hybrid": …, "ppocr": …, "tesseract": …} (the real ones by default);
        order: which of them reads first and second (Tesseract with pre-processing switched
        is the last resort)."""
        if engines is None:
            from .ppocr import PpocrEngine

            engines = {"hybrid": HybridEngine(), "tesseract": TesseractEngine(),
                       "ppocr": PpocrEngine()}
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
        """The whole pipeline (`read`, i.e. ocr_page) per candidate; the best reading. A
        page that looks like a ruled table, a photo, vertical text or a streaked photocopy is
        read by PP-OCR first: the hybrid's Tesseract pass would be unsure of it anyway
        (ocr/pagekind.py)."""
        kind = page_kind(image) if "ppocr" in self.order else None
        order = (("ppocr", *(n for n in self.order if n != "ppocr")) if kind else self.order)
        tesseract = replace(settings, engine="tesseract")
        tries = [(name, replace(settings, engine=SETTINGS_ENGINE[name])) for name in order]
        if kind != STREAKED:  # a photocopy's grain and streaks are what the clean-up is for
            tries.append(("tesseract", replace(tesseract, preprocess=not settings.preprocess)))
        candidates = [(name, lambda name=name, s=s: read(image, s, self.engines[name]))
                      for name, s in tries]
        labels = [_label(name, s) for name, s in tries]
        # on vertical text Tesseract reads rows (psm 6) across the columns: PP-OCR's reading is
        # kept, sure or not, and Tesseract's only asked for when PP-OCR fails
        page = self._choose(candidates, labels, fallback_only=kind == VERTICAL)
        if kind and order != self.order:
            note = f"auto: read by PP-OCR first (the page looks like {kind})"
            page = replace(page, warnings=(note, *page.warnings))
        return page

    def _choose(self, tries: list, labels: list[str] | None = None,
                fallback_only: bool = False) -> PageText:
        """The first sure reading, else the best scored one; fallback_only: the first
        reading, sure or not, the others only when it fails."""
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
            if fallback_only or sure(page, name):  # kept: no further run
                chosen = (n, page)
                break
            if n == 0:
                first_confidence = page.confidence
                if GAPPED in page.warnings:
                    first_reason = "saw columns or a table"
                elif LOST_LINES in page.warnings:
                    first_reason = "could not read some lines"
                elif PACKED in page.warnings:
                    first_reason = "saw vertical text"
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
    return (page.confidence >= SURE[engine] and chars > 0
            and not any(w in page.warnings for w in LAYOUT_TROUBLE)
            and plausibility(page.text) >= MIN_SHARE * chars)


def score(page: PageText) -> float:
    """Plausibility of the text weighted by the engine's confidence (0 for an empty page)."""
    return plausibility(page.text) * page.confidence / 100


def _label(name: str, settings: OcrSettings) -> str:
    if name == "ppocr":  # PP-OCR's pre-processing is orientation only (ENGINE_STEPS)
        return name
    if name == "hybrid":
        return "hybrid (Tesseract + PP-OCR lines)"
    return f"{name} {'with' if settings.preprocess else 'without'} pre-processing"
