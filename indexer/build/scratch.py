"""The scratch database of one run: the corpus listing, its catalog rows and the plan, on disk
(SQLite) so a corpus of any size costs the writer the same memory.

A run's scratch file sits beside its index, next to the index's lock, and belongs to the run
holding that lock: it is deleted when the run starts (a run killed before it could clean up
leaves nothing that reaches the next plan) and when the run ends. Runs that take no lock
(--dry-run, --check) and library callers get a private temporary database instead, which
SQLite deletes when it is closed. Nothing is ever written into a corpus folder.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
FETCH = 512  # rows read from a cursor at a time
CACHE_KB = 2048  # SQLite's page cache for the scratch database (bounded, whatever the corpus)

_SCHEMA = """
CREATE TABLE files (               -- the corpus listing, in discovery order
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    rel TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sidecar INTEGER NOT NULL,      -- a NAME.EXT.json may sit beside it
    raw BLOB,                      -- the real path (bytes) when rel, as shown, is not it
    catalog_error TEXT             -- why a catalog above the file cannot be read
);
CREATE TABLE catalog (             -- catalog rows, keyed like the files they describe
    source TEXT NOT NULL,
    rel TEXT NOT NULL,
    row BLOB NOT NULL,             -- sorted JSON (what the metadata signature hashes)
    catalog TEXT NOT NULL,         -- the nearest catalog.csv giving it (for messages)
    PRIMARY KEY (source, rel)
) WITHOUT ROWID;
CREATE TABLE catalog_stage (rel TEXT NOT NULL, row BLOB NOT NULL);  -- one catalog.csv
CREATE TABLE indexed (             -- records the index holds per file, before this run
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (source, path)
) WITHOUT ROWID;
"""


class Scratch:
    """A scratch SQLite database: `Scratch(path)` beside an index, `Scratch()` private."""

    def __init__(self, path: Path | None = None):
        self.path = path
        if path is not None:
            remove(path)  # a killed run's listing and plan are never reused
        self.db = sqlite3.connect("" if path is None else str(path), isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", f"cache_size = -{CACHE_KB}",
                       "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()
        if self.path is not None:
            remove(self.path)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def scratch_path(index_dir: Path) -> Path:
    """Where a run writing to `index_dir` keeps its scratch database (beside its lock)."""
    return index_dir.with_name(index_dir.name + ".plan.sqlite")


def remove(path: Path) -> None:
    for name in (path, path.with_name(path.name + "-journal")):
        try:
            os.unlink(name)
        except FileNotFoundError:
            pass


@contextmanager
def attached(db: sqlite3.Connection, path: Path, name: str = "m"):
    """Another SQLite file (the manifest) attached read-only for the queries inside the block,
    and detached after it, so that nothing of this connection holds it while others write."""
    uri = path.resolve().as_uri() + "?mode=ro"
    db.execute(f"ATTACH DATABASE ? AS {name}", (uri,))
    try:
        yield
    finally:
        db.execute(f"DETACH DATABASE {name}")


def insert_many(db: sqlite3.Connection, sql: str, rows: Iterable[tuple]) -> None:
    """Stream rows into a table in one transaction (executemany consumes an iterator lazily)."""
    db.execute("BEGIN")
    try:
        db.executemany(sql, rows)
    finally:
        db.execute("COMMIT")


def stream(db: sqlite3.Connection, sql: str, args: tuple = ()) -> Iterator[tuple]:
    cursor = db.execute(sql, args)
    try:
        while rows := cursor.fetchmany(FETCH):
            yield from rows
    finally:
        with suppress(sqlite3.ProgrammingError):  # the run closed the database first
            cursor.close()


class Rows(Generic[T]):
    """A query's rows as a re-iterable collection with a length: built one at a time when
    iterated, never held whole."""

    def __init__(self, db: sqlite3.Connection, select: str, make: Callable[[tuple], T],
                 count: int | None = None, args: tuple = ()):
        self.db, self.select, self.make, self.args = db, select, make, args
        self._count = count

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.db.execute(f"SELECT count(*) FROM ({self.select})",
                                          self.args).fetchone()[0]
        return self._count

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[T]:
        make = self.make
        for row in stream(self.db, self.select, self.args):
            yield make(row)

    def __getitem__(self, i: int) -> T:
        if i < 0:
            i += len(self)
        row = self.db.execute(f"{self.select} LIMIT 1 OFFSET ?", (*self.args, i)).fetchone()
        if row is None:
            raise IndexError(i)
        return self.make(row)


class Tally:
    """What the plan only counts (the unchanged files): a length, nothing held."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[Any]:
        raise TypeError("the plan counts unchanged files; it does not list them")
