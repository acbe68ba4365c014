"""The PP-OCR engine: PP-OCRv4 mobile detection + recognition through rapidocr-onnxruntime.

The ONNX models ship inside the rapidocr-onnxruntime wheel (nothing is downloaded). The model
is loaded once per process, on first use; onnxruntime runs one thread per page like
Tesseract (parallelism comes from the worker processes). Lines come back as boxes without an
order of their own: ocr/layout.py orders them. Whole-page orientation is asked of Tesseract's
OSD (PP-OCR only turns single lines by 180°).

settings.timeout bounds each call, also inside one onnxruntime run (ocr/deadline.py stops a
detection still running when the time is up); pages are read at most MAX_SIDE pixels on their
long side.
"""
from __future__ import annotations

import copy
import threading
import time
from importlib import metadata

import numpy as np
from PIL import Image

from . import deadline, tesseract
from .errors import OcrError, OcrTimeout, OcrUnavailable
from .layout import Line, compose, reading_order
from .result import Box, PageText
from .settings import OcrSettings

PACKAGE = "rapidocr-onnxruntime"
INSTALL = (f"install it with: pip install {PACKAGE}==1.4.4 (OpenCV needs libGL: "
           "apt-get install libgl1 libglib2.0-0)")
# onnxruntime threads per process (intra- and inter-op), like Tesseract's OMP_THREAD_LIMIT=1
THREADS = 1
# rapidocr's default: larger pages are scaled down to this long side (lines are cut out of
# that image for recognition)
MAX_SIDE = 2000
# detection runs on the page scaled to at most this long side. rapidocr 1.4.4 ignores its
# own det_limit_side_len for limit type "max" (TextDetector.get_preprocess picks 960, 1500
# or 2000 from the image's size), so an A4 page was detected at 1414x2000: 2.4 times the
# pixels, about 1.2 of PP-OCR's 2.5-3.5 CPU s per page. load() makes the limit hold.
DET_SIDE = 1280
# lines per call of the recogniser (rapidocr's own batch size)
REC_BATCH = 6
# the recogniser reads a batch of lines scaled to 48 px high and padded to the widest one, but
# to at least rapidocr's 320 px (rec_img_shape): a table cell of two characters was read with
# five times its width of padding. load() lowers that floor to one square for whole pages
# (the neutral set's photos, tables and vertical text: their recognition about 40% cheaper,
# mean CER 4.10% -> 4.03%); the lines the hybrid cuts out keep rapidocr's padding (a joint
# red header's short lines read otherwise without it: a wrong 责任者)
REC_MIN_WIDTH = 48

_model = None
_lock = threading.Lock()


def load():
    """The RapidOCR model of this process (loaded on first call); OcrUnavailable when the
    package or a library it needs (libGL for OpenCV) is missing."""
    global _model
    with _lock:
        if _model is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as e:  # the package, or OpenCV's libGL.so.1
                raise OcrUnavailable(f"PP-OCR engine unavailable ({e}); {INSTALL}") from e
            _model = RapidOCR(intra_op_num_threads=THREADS, inter_op_num_threads=THREADS,
                              max_side_len=MAX_SIDE, det_limit_type="max",
                              det_limit_side_len=DET_SIDE)
            _detect_at_most(_model.text_det, DET_SIDE)
            deadline.bound(_model)
            # recognize_lines keeps rapidocr's recogniser (its padding); whole pages get a copy
            # (the same session) padding a batch to its widest line only
            _model.line_rec = _model.text_rec
            _model.text_rec = copy.copy(_model.line_rec)
            _model.text_rec.rec_image_shape = [*_model.line_rec.rec_image_shape[:2],
                                               REC_MIN_WIDTH]
        return _model


def _detect_at_most(detector, side: int) -> None:
    """Make rapidocr's detector scale pages to at most `side` pixels on the long side (its
    get_preprocess replaces the configured limit by 960/1500/2000 from the image's size)."""
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    detector.get_preprocess = lambda _longest: DetPreProcess(
        side, "max", detector.mean, detector.std)


def recognize_lines(crops: list[np.ndarray], settings: OcrSettings) -> list[tuple[str, float]]:
    """(text, score 0-1) of each line image (BGR arrays, one line of horizontal text each)
    read by the recogniser alone: no detection, no direction classifier. Batches of
    REC_BATCH lines; settings.timeout (seconds, 0 = none) is checked between batches."""
    recognizer = load().line_rec
    started = time.monotonic()
    out: list[tuple[str, float]] = []
    with deadline.within(settings.timeout):
        for at in range(0, len(crops), REC_BATCH):
            if settings.timeout and time.monotonic() - started > settings.timeout:
                raise OcrTimeout(f"PP-OCR took longer than {settings.timeout:g} s on one page")
            found, _elapsed = recognizer(crops[at:at + REC_BATCH])
            out += [(str(text), float(score)) for text, score, *_ in found]
    return out


def charset() -> frozenset[str]:
    """The characters the recogniser can read (its dictionary: 6,623, mostly simplified; some
    traditional ones such as 檢 認 貫 崗 are missing)."""
    global _charset
    if _charset is None:
        _charset = frozenset(load().text_rec.postprocess_op.character)
    return _charset


_charset: frozenset[str] | None = None


def check_available() -> None:
    """Raise OcrUnavailable when the PP-OCR engine cannot run here."""
    load()


def package_version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError as e:
        raise OcrUnavailable(f"PP-OCR engine not installed; {INSTALL}") from e


class PpocrEngine:
    """OcrEngine over PP-OCRv4 (rapidocr-onnxruntime)."""

    name = "ppocr"

    def version(self) -> str:
        return (f"ppocr rapidocr-onnxruntime {package_version()} PP-OCRv4 {MAX_SIDE}/det "
                f"{DET_SIDE}/rec {REC_MIN_WIDTH}")

    def recognize(self, image: Image.Image, settings: OcrSettings) -> PageText:
        model = load()
        with deadline.within(settings.timeout):
            found, _elapsed = model(np.asarray(image.convert("RGB"))[:, :, ::-1])
        return page_from_lines(found or [], image.size)

    def orientation(self, image: Image.Image, settings: OcrSettings) -> int:
        try:
            osd = tesseract.orientation(image, timeout=settings.timeout)
        except OcrUnavailable as e:  # no OSD: the page is kept as scanned, with a warning
            raise OcrError(f"orientation needs Tesseract's OSD: {e}") from e
        return int(osd.get("rotate", 0)) % 360


def page_slope(found: list) -> float:
    """The page's tilt as dy/dx of its lines' top edges (median over lines at least three
    times wider than high; 0 when there are none): a photo taken at an angle."""
    slopes = []
    for points, _text, _score in found:
        (x0, y0), (x1, y1) = points[0][:2], points[1][:2]
        height = abs(points[3][1] - points[0][1])
        if x1 - x0 > 3 * max(1.0, height):
            slopes.append((y1 - y0) / (x1 - x0))
    return float(np.median(slopes)) if slopes else 0.0


def page_from_lines(found: list, size: tuple[int, int]) -> PageText:
    """PageText of RapidOCR's [[4 corner points], text, score] lines: text in reading order,
    confidence the character-weighted mean score (0-100), one box per line (pixels of the
    image read, clipped to it)."""
    found = [(points, text.strip(), score) for points, text, score in found if text.strip()]
    if not found:
        return PageText(text="", confidence=0.0)
    lines, upright, scores = [], [], []
    turn = page_slope(found)
    for points, text, score in found:
        xs = [min(max(p[0], 0), size[0]) for p in points]
        ys = [min(max(p[1], 0), size[1]) for p in points]
        lines.append(Line(text, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
        # the same line on the page turned level: a tilted photo's rows stay rows
        xs, ys = zip(*((x + turn * y, y - turn * x) for x, y in zip(xs, ys)))
        upright.append(Line(text, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
        scores.append(float(score))
    text, spans = compose(lines, reading_order(upright))
    boxes = []
    for i, start, end in spans:
        line = lines[i]
        left, top = int(line.left), int(line.top)
        boxes.append(Box(start, end, left, top, max(1, round(line.right) - left),
                         max(1, round(line.bottom) - top)))
    weights = [len(line.text) for line in lines]
    confidence = 100 * sum(s * w for s, w in zip(scores, weights)) / sum(weights)
    return PageText(text=text, confidence=round(confidence, 2), boxes=tuple(boxes))
