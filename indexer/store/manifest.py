"""The manifest: per source file, its fingerprint, status, error and record id (SQLite).

Rows of a batch are written only after the index commit that holds the batch's records, so a
run killed at any moment leaves the manifest describing a subset of what the index holds.
"""
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
    digest TEXT,                   -- SHA-256 of the content (moves are found by it)
    PRIMARY KEY (source, path)
)
"""
_COLUMNS = "source, path, size, mtime_ns, meta_sig, record_id, status, error, digest"
# the index generation and record count the manifest last matched, so a run can tell that
# nothing happened in between without reading the whole index
_STATE = "CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


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
    digest: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.path


class Manifest:
    """A small wrapper around the manifest table."""

    def __init__(self, index_dir: Path):
        self.path = index_dir / MANIFEST_FILE
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute(_SCHEMA)
        self.db.execute(_STATE)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(files)")}
        if "digest" not in columns:  # a manifest written before moves were tracked
            self.db.execute("ALTER TABLE files ADD COLUMN digest TEXT")

    def entries(self) -> dict[tuple[str, str], Entry]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM files")
        return {(r[0], r[1]): Entry(*r) for r in rows}

    def entry(self, source: str, path: str) -> Entry | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM files WHERE source = ? AND path = ?",
                              (source, path)).fetchone()
        return Entry(*row) if row else None

    def save(self, entries: list[Entry], removed: list[tuple[str, str]]) -> None:
        with self.db:
            self.db.executemany("DELETE FROM files WHERE source = ? AND path = ?", removed)
            self.db.executemany(
                f"INSERT OR REPLACE INTO files ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(e.source, e.path, e.size, e.mtime_ns, e.meta_sig, e.record_id, e.status,
                  e.error, e.digest) for e in entries],
            )

    def matched(self) -> tuple[int, int] | None:
        """(index generation, record count) at the last save that matched the index."""
        rows = dict(self.db.execute("SELECT key, value FROM state"))
        try:
            return int(rows["generation"]), int(rows["records"])
        except (KeyError, ValueError):
            return None

    def set_matched(self, generation: int, records: int) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)",
                                [("generation", str(generation)), ("records", str(records))])

    def close(self) -> None:
        self.db.close()
