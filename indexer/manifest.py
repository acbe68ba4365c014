"""The manifest: per source file, its fingerprint, status, error and record id (SQLite)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

MANIFEST_FILE = "manifest.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    meta_sig TEXT NOT NULL,
    record_id TEXT,
    status TEXT NOT NULL,          -- 'ok' or 'failed'
    error TEXT,
    PRIMARY KEY (source, path)
)
"""


@dataclass(frozen=True)
class Entry:
    source: str
    path: str
    size: int
    mtime_ns: int
    meta_sig: str
    record_id: str | None
    status: str
    error: str | None = None


class Manifest:
    """A small wrapper around the manifest table; rows are written after the index commit."""

    def __init__(self, index_dir: Path):
        self.db = sqlite3.connect(index_dir / MANIFEST_FILE)
        self.db.execute(_SCHEMA)

    def entries(self) -> dict[tuple[str, str], Entry]:
        rows = self.db.execute(
            "SELECT source, path, size, mtime_ns, meta_sig, record_id, status, error FROM files"
        )
        return {(r[0], r[1]): Entry(*r) for r in rows}

    def save(self, entries: list[Entry], removed: list[tuple[str, str]]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM files WHERE source = ? AND path = ?", removed)
            self.db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (e.source, e.path, e.size, e.mtime_ns, e.meta_sig, e.record_id, e.status,
                     e.error)
                    for e in entries
                ],
            )

    def close(self) -> None:
        self.db.close()
