"""OCR for the extractors: one runner per batch, cached by file content, engine and settings.

A re-index never re-OCRs an unchanged file: the cache key is the file's SHA-256, the page
number, the engine's version and every OCR setting that changes the output.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ocr import ocr_page
from ocr.engine import check_available, engine_for
from ocr.errors import OcrError, OcrUnavailable
from ocr.result import PageText
from ocr.settings import OcrSettings

from ..errors import DependencyError, ExtractionError
from ..private import private_dir, private_file

CACHE_FILE = "ocr-cache.sqlite"


class OcrRunner:
    """Runs (or recalls) OCR of pages; errors become per-file extraction errors."""

    def __init__(self, settings: OcrSettings, cache_dir: Path | None, engine=None):
        self.settings = settings
        self.engine = engine or engine_for(settings)
        self._checked = False
        self._db = None
        self._lock = threading.Lock()
        if cache_dir is not None:
            private_dir(cache_dir)
            # several extraction processes share the cache: wait for each other's writes
            self._db = sqlite3.connect(private_file(cache_dir / CACHE_FILE),
                                       check_same_thread=False,
                                       timeout=120)
            if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                with self._lock:  # made once, by the writer, before any worker starts
                    self._db.execute("PRAGMA journal_mode=WAL")
                    self._db.execute("CREATE TABLE IF NOT EXISTS pages (key TEXT PRIMARY KEY, "
                                     "text TEXT, confidence REAL, warnings TEXT, "
                                     "rotation INTEGER)")
        self.hits = 0
        self.misses = 0
        self.fresh: list[tuple[str, PageText]] = []  # pages OCR'd here, for take_fresh()
        self.seconds = 0.0  # spent in OCR (cache misses)

    def check(self) -> None:
        """Fail early and clearly when the engine (Tesseract or a language, PP-OCR) is missing."""
        if not self._checked:
            try:
                check_available(self.settings)
            except OcrUnavailable as e:
                raise DependencyError(str(e)) from e
            self._checked = True

    def page(self, digest: str, index: int, render: Callable[[], object]) -> PageText:
        """OCR of page `index` of the file with content hash `digest`, rendered on demand."""
        key = f"{digest}:{index}:{self.engine.version()}:{self.settings.key()}"
        cached = self._get(key)
        if cached is not None:
            self.hits += 1
            return cached
        self.check()
        self.misses += 1
        started = time.perf_counter()
        try:
            result = ocr_page(render(), self.settings, self.engine)
        except OcrError as e:
            raise ExtractionError(f"OCR failed on page {index + 1}: {e}") from e
        finally:
            self.seconds += time.perf_counter() - started
        self._put(key, result)
        self.fresh.append((key, result))
        return result

    def take_fresh(self) -> list[tuple[str, PageText]]:
        """Pages OCR'd since the last call (a remote worker sends them to the writer)."""
        fresh, self.fresh = self.fresh, []
        return fresh

    def store(self, pages: list[tuple[str, PageText]]) -> None:
        """Keep pages another machine OCR'd, so this machine never reads them again."""
        for key, page in pages:
            self._put(key, page)

    def _get(self, key: str) -> PageText | None:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute("SELECT text, confidence, warnings, rotation FROM pages "
                                   "WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return PageText(text=row[0], confidence=row[1], warnings=tuple(json.loads(row[2])),
                        rotation=row[3])

    def _put(self, key: str, page: PageText) -> None:
        if self._db is None:
            return
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                             (key, page.text, page.confidence, json.dumps(page.warnings),
                              page.rotation))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
