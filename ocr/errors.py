"""The OCR package's error hierarchy; each class carries the exit code the CLI turns it into."""
from __future__ import annotations

INSTALL_HINT = (
    "install it with: apt-get install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra"
)


class OcrError(Exception):
    """Pixels could not be turned into text."""

    exit_code = 1


class OcrUnavailable(OcrError):
    """The tesseract program or a language's data is missing: a setup problem, not a file's."""

    exit_code = 2


class OcrTimeout(OcrError):
    """One page took longer than the configured time limit."""


class TesseractFailed(OcrError):
    """The tesseract program failed on a page (crashed, or exited with an error).

    status is its exit status (negative: killed by that signal), stderr what it said.
    """

    status: int = 0
    stderr: str = ""


class ImageError(OcrError):
    """An image file is unreadable, truncated, of an unknown format or too large."""


def package_for(language: str) -> str:
    """The Debian package that ships one Tesseract language (chi_sim -> tesseract-ocr-chi-sim)."""
    return "tesseract-ocr-" + language.lower().replace("_", "-")
