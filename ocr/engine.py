"""The OcrEngine protocol and its Tesseract implementation: the only code that runs tesseract."""
from __future__ import annotations

import os
import re
from typing import Protocol, runtime_checkable

import pytesseract
from PIL import Image

from .errors import INSTALL_HINT, OcrError, OcrTimeout, OcrUnavailable, package_for
from .result import PageText
from .settings import OcrSettings


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


def run_tesseract(
    task: str,
    image: Image.Image | None = None,
    *,
    lang: str = "",
    psm: int = 3,
    timeout: float = 0.0,
) -> object:
    """Run tesseract once; every call of the program goes through here.

    task is "data" (word table as a dict), "osd" (orientation dict), "langs" (installed
    languages) or "version". Sets OMP_THREAD_LIMIT=1 for the child (parallelism comes from
    worker processes) and maps pytesseract's failures onto OcrError subclasses.
    """
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        if task == "langs":
            return pytesseract.get_languages(config="")
        if task == "version":
            return str(pytesseract.get_tesseract_version())
        if image is None:
            raise ValueError(f"tesseract task {task!r} needs an image")
        if image.format:  # pytesseract re-saves in the source format: keep it lossless
            image = image.copy()
        if task == "osd":
            return pytesseract.image_to_osd(
                image, config="--psm 0", timeout=timeout, output_type=pytesseract.Output.DICT
            )
        if task == "data":
            return pytesseract.image_to_data(
                image,
                lang=lang,
                config=f"--psm {int(psm)}",
                timeout=timeout,
                output_type=pytesseract.Output.DICT,
            )
        raise ValueError(f"unknown tesseract task {task!r}")
    except pytesseract.TesseractNotFoundError as e:
        raise OcrUnavailable(f"the tesseract program is not installed; {INSTALL_HINT}") from e
    except pytesseract.TesseractError as e:
        raise _translate(e, lang) from e
    except RuntimeError as e:
        if "timeout" in str(e).lower():
            raise OcrTimeout(f"tesseract took longer than {timeout:g} s on one page") from e
        raise OcrError(f"tesseract failed: {e}") from e
    except OSError as e:
        raise OcrError(f"could not run tesseract: {e}") from e


def _translate(error: pytesseract.TesseractError, lang: str) -> OcrError:
    """Turn tesseract's stderr into our error: missing language data is a setup problem."""
    message = str(error.message or error.status)
    missing = re.findall(r"Failed loading language '([^']+)'", message)
    if missing or "couldn't load any languages" in message:
        names = missing or lang.split("+")
        packages = " ".join(package_for(n) for n in names)
        return OcrUnavailable(
            f"Tesseract language data missing: {', '.join(names)}; "
            f"install it with: apt-get install {packages}"
        )
    return OcrError(f"tesseract failed (status {error.status}): {message}")


def check_available(settings: OcrSettings) -> None:
    """Raise OcrUnavailable naming what is missing: the program or a language's data."""
    installed = set(run_tesseract("langs"))
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


def engine_version() -> str:
    """The installed Tesseract's version, e.g. "tesseract 5.3.0"."""
    return f"tesseract {run_tesseract('version')}"


class TesseractEngine:
    """OcrEngine backed by the tesseract program (LSTM models, via pytesseract)."""

    name = "tesseract"

    def __init__(self) -> None:
        self._version: str | None = None

    def version(self) -> str:
        if self._version is None:
            self._version = engine_version()
        return self._version

    def recognize(self, image: Image.Image, settings: OcrSettings) -> PageText:
        data = run_tesseract(
            "data", image, lang=settings.languages, psm=settings.psm, timeout=settings.timeout
        )
        text, confidence = text_from_data(data)
        return PageText(text=text, confidence=confidence)

    def orientation(self, image: Image.Image, settings: OcrSettings) -> int:
        osd = run_tesseract("osd", image, timeout=settings.timeout)
        return int(osd.get("rotate", 0)) % 360


def text_from_data(data: dict) -> tuple[str, float]:
    """Rebuild text (lines, blank lines between blocks) and mean word confidence.

    Pure: works on pytesseract's image_to_data dict (level, block_num, par_num, line_num,
    text, conf columns).
    """
    lines: list[str] = []
    current: list[str] = []
    key = None
    confidences: list[float] = []
    for i, word in enumerate(data.get("text", [])):
        conf = float(data["conf"][i])
        if conf < 0:  # layout rows (page, block, paragraph, line) carry conf -1
            continue
        line_key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if line_key != key:
            if current:
                lines.append(" ".join(current))
            if key is not None and line_key[:2] != key[:2] and lines and lines[-1]:
                lines.append("")
            current, key = [], line_key
        word = word.strip()
        if word:
            current.append(word)
            confidences.append(conf)
    if current:
        lines.append(" ".join(current))
    text = "\n".join(lines).strip("\n")
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return text, round(mean, 2)
