"""OCR for the extractors: one runner per batch, cached by file content, engine and settings.

A re-index never re-OCRs an unchanged file: the cache key is the file's SHA-256, the page
number, the engine's version and every OCR setting that changes the output. Each page keeps
its boxes (where its words were read) and the size of the page image they are measured on;
CACHE_VERSION is part of the key, so pages cached before boxes were kept are read again.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ocr import ocr_page
from ocr.engine import TesseractEngine, check_available
from ocr.errors import OcrError, OcrUnavailable
from ocr.result import Box, PageText
from ocr.settings import OcrSettings

from ..errors import DependencyError, ExtractionError
from ..private import private_dir, private_file
from .pageboxes import PageBoxes

CACHE_FILE = "ocr-cache.sqlite"
CACHE_VERSION = 2  # 2: boxes and page size kept
_COLUMNS = (("boxes", "BLOB"), ("width", "INTEGER"), ("height", "INTEGER"))


class OcrRunner:
    """Runs (or recalls) OCR of pages; errors become per-file extraction errors."""

    def __init__(self, settings: OcrSettings, cache_dir: Path | None, engine=None):
        self.settings = settings
        self.engine = engine or TesseractEngine()
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
            with self._lock:
                self._add_columns()
        self.hits = 0
        self.misses = 0
        # pages OCR'd here, for take_fresh(): (key, PageText, page size)
        self.fresh: list[tuple[str, PageText, tuple[int, int]]] = []
        self.seconds = 0.0  # spent in OCR (cache misses)

    def check(self) -> None:
        """Fail early and clearly when Tesseract or a language is missing."""
        if not self._checked:
            try:
                check_available(self.settings)
            except OcrUnavailable as e:
                raise DependencyError(str(e)) from e
            self._checked = True

    def _add_columns(self) -> None:
        """Columns a cache made before boxes were kept lacks (its rows are never read again:
        their keys have no CACHE_VERSION)."""
        have = {row[1] for row in self._db.execute("PRAGMA table_info(pages)")}
        for name, kind in _COLUMNS:
            if name not in have:
                try:
                    self._db.execute(f"ALTER TABLE pages ADD COLUMN {name} {kind}")
                except sqlite3.OperationalError:  # another process added it meanwhile
                    pass

    def page(self, digest: str, index: int, render: Callable[[], object]) -> PageText:
        """OCR of page `index` of the file with content hash `digest`, rendered on demand."""
        return self.read(digest, index, render)[0]

    def read(self, digest: str, index: int, render: Callable[[], object]
             ) -> tuple[PageText, PageBoxes | None]:
        """OCR of page `index` (as page()) and its boxes on the page image as rendered."""
        key = (f"v{CACHE_VERSION}:{digest}:{index}:{self.engine.version()}:"
               f"{self.settings.key()}")
        cached = self._get(key)
        if cached is not None:
            self.hits += 1
            return cached[0], page_boxes(*cached)
        self.check()
        self.misses += 1
        started = time.perf_counter()
        try:
            image = render()
            size = image.size
            result = ocr_page(image, self.settings, self.engine)
        except OcrError as e:
            raise ExtractionError(f"OCR failed on page {index + 1}: {e}") from e
        finally:
            self.seconds += time.perf_counter() - started
        self._put(key, result, size)
        self.fresh.append((key, result, size))
        return result, page_boxes(result, size)

    def take_fresh(self) -> list[tuple[str, PageText, tuple[int, int]]]:
        """Pages OCR'd since the last call (a remote worker sends them to the writer)."""
        fresh, self.fresh = self.fresh, []
        return fresh

    def store(self, pages: list[tuple[str, PageText, tuple[int, int]]]) -> None:
        """Keep pages another machine OCR'd, so this machine never reads them again."""
        for key, page, size in pages:
            self._put(key, page, size)

    def _get(self, key: str) -> tuple[PageText, tuple[int, int]] | None:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute("SELECT text, confidence, warnings, rotation, boxes, "
                                   "width, height FROM pages WHERE key = ?",
                                   (key,)).fetchone()
        if row is None:
            return None
        boxes = tuple(Box(*map(int, r)) for r in _rows(row[4]))
        return (PageText(text=row[0], confidence=row[1], warnings=tuple(json.loads(row[2])),
                         rotation=row[3], boxes=boxes), (row[5] or 0, row[6] or 0))

    def _put(self, key: str, page: PageText, size: tuple[int, int]) -> None:
        if self._db is None:
            return
        rows = np.asarray([(b.start, b.end, b.left, b.top, b.width, b.height)
                           for b in page.boxes], dtype="<i4").reshape(-1, 6)
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO pages (key, text, confidence, warnings, "
                             "rotation, boxes, width, height) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (key, page.text, page.confidence, json.dumps(page.warnings),
                              page.rotation, zlib.compress(rows.tobytes()), size[0], size[1]))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def page_boxes(page: PageText, size: tuple[int, int]) -> PageBoxes | None:
    """The boxes of an OCR'd page on its image of `size`, None when it has none."""
    if not page.boxes or not size[0] or not size[1]:
        return None
    return PageBoxes.of(size[0], size[1], ((b.start, b.end, b.left, b.top, b.width, b.height)
                                           for b in page.boxes))


def _rows(blob: bytes | None) -> np.ndarray:
    if not blob:
        return np.zeros((0, 6), dtype=np.int32)
    try:
        return np.frombuffer(zlib.decompress(blob), dtype="<i4").reshape(-1, 6)
    except (zlib.error, ValueError):
        return np.zeros((0, 6), dtype=np.int32)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
