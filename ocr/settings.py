"""OCR settings as one frozen dataclass, and the stable key of what changes OCR output."""
from __future__ import annotations

from dataclasses import dataclass

# Bump when pre-processing or text repair changes in a way that changes output for the same
# settings: cached OCR results carrying an older key are then recomputed.
PIPELINE_VERSION = 8  # 4: large text read scaled down, text height measured past grain;
# 5: auto: rows packed like vertical text measured in character heights (readings kept change);
# PP-OCR's recogniser pads lines to the batch's widest only (ppocr.REC_MIN_WIDTH);
# 6: a red header's plainly red ink whitened for Tesseract's body pass, a page read half in
# each script put into PP-OCR's script, a one-row header cut out as wide as its ink, 丶/° read
# as 、/。
# 7: a 成文日期 line read as no date (or lost below the signature) read again without the seal
# (ocr/dateline.py)
# 8: the red header's line read again, one character of its office put right where the
# readings agree (ocr/headerread.py)

# Pre-processing steps, in the order they run; see ocr/preprocess.py.
ALL_STEPS = ("red", "seal", "orient", "deskew", "upscale", "binarize")

# OCR engines: Tesseract, PP-OCR (ocr/ppocr.py), or per page the better of them (ocr/auto.py)
ENGINES = ("tesseract", "ppocr", "auto")
# the pre-processing steps an engine gets: PP-OCR reads grey and colour pages, red headers
# included, better as they are (measured on the sample scans: mean CER 0.3% as scanned, 5.6%
# with the Tesseract steps: binarising, and reading the red header apart, lose characters);
# but red ink below the header — a seal over the 成文日期 — is taken out for it ("seal": the
# red channel there; Tesseract's "red" takes it out of the whole page, header included)
ENGINE_STEPS = {"tesseract": ALL_STEPS, "ppocr": ("seal", "orient"), "auto": ALL_STEPS}


@dataclass(frozen=True)
class OcrSettings:
    """How a page is recognised.

    engine: "tesseract", "ppocr" (PP-OCRv4 through rapidocr-onnxruntime) or "auto" (per page,
        Tesseract's lines with PP-OCR's recogniser on the unsure ones; the whole-page PP-OCR
        and pre-processing off are tried when that reading is unsure, and the most plausible
        reading is kept; see ocr/auto.py and ocr/hybrid.py).
    languages: Tesseract language codes joined by "+".
    psm: Tesseract page segmentation mode (6 = one uniform block, measured best on 公文 pages).
    timeout: seconds allowed per Tesseract call (one page); 0 means no limit.
    preprocess: run the clean-up pipeline; False sends the page to Tesseract as it is.
    steps: which pre-processing steps run (a subset of ALL_STEPS).
    red_header: OCR the red layer (红头 header) separately and put its text first.
    unify_script: fold stray traditional characters of a simplified page (or the reverse).
    header_inline: draw the red header back into the page and read it in the same Tesseract
        call: one call less per page, but the header is read less reliably (measured).
    max_pixels: refuse images larger than this (decompression-bomb cap); PDF pages are
        rendered, and pages upscaled, to at most this many pixels. 0 = no limit.
    max_file_pixels: refuse files whose pages together have more pixels than this. 0 = no
        limit.
    min_dpi / target_dpi: scans below min_dpi are upscaled to target_dpi.
    """

    languages: str = "chi_sim+chi_tra"
    engine: str = "tesseract"
    psm: int = 6
    timeout: float = 120.0
    preprocess: bool = True
    steps: tuple[str, ...] = ("red", "seal", "orient", "deskew", "upscale", "binarize")
    red_header: bool = True
    unify_script: bool = True
    header_inline: bool = False
    max_pixels: int = 60_000_000
    max_file_pixels: int = 2_000_000_000
    min_dpi: int = 250
    target_dpi: int = 300

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown OCR engine {self.engine!r}; known: {', '.join(ENGINES)}")
        unknown = [s for s in self.steps if s not in ALL_STEPS]
        if unknown:
            raise ValueError(f"unknown pre-processing step(s) {unknown}; known: {ALL_STEPS}")
        if not self.languages or any(not part for part in self.languages.split("+")):
            raise ValueError(f"bad OCR language list {self.languages!r} (e.g. chi_sim+chi_tra)")

    def language_list(self) -> list[str]:
        """The languages as a list, e.g. ["chi_sim", "chi_tra"]."""
        return self.languages.split("+")

    def active_steps(self) -> tuple[str, ...]:
        """The pre-processing steps that run: none when preprocess is off, else those of
        `steps` that the engine gets (ENGINE_STEPS)."""
        if not self.preprocess:
            return ()
        return tuple(s for s in self.steps if s in ENGINE_STEPS[self.engine])

    def reads_red_header(self) -> bool:
        """Whether the red header is cut out and read apart (Tesseract's pipeline)."""
        return self._header_mode() != "off"

    def _header_mode(self) -> str:
        if not (self.red_header and self.preprocess) or "red" not in ENGINE_STEPS[self.engine]:
            return "off"
        return "inline" if self.header_inline else "separate"

    def key(self) -> str:
        """A stable string of every setting that changes OCR output (for cache keys)."""
        steps = ",".join(self.active_steps()) if self.preprocess else "none"
        # "tesseract" adds nothing: keys (and OCR caches) from before engines were choosable
        # stay valid
        engine = "" if self.engine == "tesseract" else f"engine={self.engine};"
        return (
            f"v{PIPELINE_VERSION};{engine}lang={self.languages};psm={self.psm};steps={steps};"
            f"red={self._header_mode()};script={int(self.unify_script)};"
            f"dpi={self.min_dpi}-{self.target_dpi}"
        )
