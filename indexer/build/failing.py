"""Files that failed for a reason of their own are not read again while nothing changed.

A file that failed on its content (a decoder refused it, it took longer than [index]
file_timeout, it needed more memory than a worker may have, its reader crashed each time) would
fail the same way on every run, at the same cost: up to file_timeout of a worker for a PDF
bomb, a hash of gigabytes for a sparse file. Its manifest row keeps the status `failed:STAMP`,
STAMP naming the settings and versions it was read under; the next run reads it again only
when the file, its metadata (catalog row, sidecar, corrections) or STAMP changed, or when
asked (`dangan index --retry-failed`). A failure that is not the file's (a missing program, an
I/O error, a file it could not open) keeps the status `failed` and is tried on every run.
"""
from __future__ import annotations

import hashlib
from dataclasses import astuple

from ocr.settings import PIPELINE_VERSION

from ..analysis.analyzers import ANALYSIS_VERSION
from ..config import Settings

LASTING = "failed:"
UNCHANGED = "未变，本次未重读；dangan index --retry-failed 会再读一次"


def reading_stamp(settings: Settings) -> str:
    """What a file's reading depends on besides the file: the limits, the OCR settings and
    the versions of the analysis and the OCR pipeline."""
    i = settings.index
    shaped = (ANALYSIS_VERSION, PIPELINE_VERSION, i.file_timeout, i.worker_memory_mb,
              i.max_inflated_mb, i.max_text_chars, astuple(settings.ocr))
    return hashlib.blake2b(repr(shaped).encode(), digest_size=8).hexdigest()


def failed_status(lasting: bool, stamp: str) -> str:
    """The manifest status of a failed file: `failed:STAMP` when the failure is its own."""
    return LASTING + stamp if lasting else "failed"
