"""Corrections of records by an 编辑 (著录 fields and page texts): data beside the index, never in
the corpus (SQLite, corrections.sqlite in the data folder, or the PostgreSQL database of
`[database] url` that several servers share). Rows are keyed by the file's corpus
source and path (a record's id changes with its content; a correction stays with the file),
with the record id and file digest at correction time. Rows are only added; a revert marks the
field's or page's rows as reverted. The build applies the current ones on every run.
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .database import Database

CORRECTIONS_FILE = "corrections.sqlite"
# the 著录 fields an 编辑 may correct (persons and notes live in the record's meta)
FIELDS = ("title", "org", "doc_number", "date", "category", "kind", "retention", "security",
          "persons", "notes")
META_FIELDS = ("persons", "notes")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    record_id TEXT NOT NULL,      -- the record corrected (its id changes with the content)
    digest TEXT NOT NULL,         -- the file's content hash when it was corrected
    field TEXT NOT NULL,          -- a 著录 field, or '' for a page's text
    page INTEGER NOT NULL,        -- the page (from 1) whose text this is, 0 for a field
    old TEXT NOT NULL,
    new TEXT NOT NULL,
    note TEXT NOT NULL,
    "user" TEXT NOT NULL,
    admin INTEGER NOT NULL,       -- made by a 管理员 (a 密级 correction then overrides)
    time REAL NOT NULL,
    reverted REAL,                -- when it was reverted (NULL: in force unless superseded)
    reverted_by TEXT
);
CREATE INDEX IF NOT EXISTS corrections_file ON corrections (source, path, seq);
"""
_COLUMNS = ('seq, source, path, record_id, digest, field, page, old, new, note, "user", admin, '
            "time, reverted, reverted_by")
# the latest row per field or page, unless reverted
_CURRENT = f"""
SELECT {_COLUMNS} FROM corrections c WHERE reverted IS NULL AND seq = (
    SELECT max(seq) FROM corrections d WHERE d.source = c.source AND d.path = c.path
    AND d.field = c.field AND d.page = c.page AND d.reverted IS NULL)
"""


@dataclass(frozen=True, slots=True)
class Correction:
    seq: int
    source: str
    path: str
    record_id: str
    digest: str
    field: str
    page: int
    old: str
    new: str
    note: str
    user: str
    admin: bool
    time: float
    reverted: float | None = None
    reverted_by: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.path

    @property
    def target(self) -> str:
        """The field's name, or "page N"."""
        return self.field or f"page {self.page}"

    def json(self) -> dict:
        return {"seq": self.seq, "field": self.field or None, "page": self.page or None,
                "old": self.old, "new": self.new, "note": self.note, "user": self.user,
                "admin": self.admin, "time": self.time, "record_id": self.record_id,
                "reverted": self.reverted, "reverted_by": self.reverted_by}


def _row(r: tuple) -> Correction:
    return Correction(*r[:11], bool(r[11]), *r[12:])


def fingerprint(current: tuple[Correction, ...] | list[Correction]) -> str:
    """Changes whenever a correction of the file is made or reverted ('' for none)."""
    if not current:
        return ""
    seqs = ",".join(str(c.seq) for c in sorted(current, key=lambda c: c.seq))
    return hashlib.blake2b(seqs.encode(), digest_size=6).hexdigest()


class Corrections:
    """The store, as the web app writes it (one connection shared by the server's threads)."""

    def __init__(self, data_dir: Path, url: str = ""):
        """`url`: `[database] url` ('' = corrections.sqlite in `data_dir`)."""
        self.db = Database(data_dir, CORRECTIONS_FILE, url, pragmas=("journal_mode=WAL",))
        self.db.create(_SCHEMA)

    def add(self, source: str, path: str, record_id: str, digest: str, field: str, page: int,
            old: str, new: str, note: str, user: str, admin: bool) -> Correction:
        if bool(field) == bool(page) or (field and field not in FIELDS):
            raise ValueError(f"a correction is of one field of {FIELDS} or one page")
        row = (source, path, record_id, digest, field, page, old, new, note, user, int(admin),
               time.time())
        seq = self.db.row(
            "INSERT INTO corrections (source, path, record_id, digest, field, page, old, "
            'new, note, "user", admin, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) '
            "RETURNING seq", row)[0]
        return Correction(seq, *row[:10], admin, row[11])

    def revert(self, source: str, path: str, field: str, page: int, user: str
               ) -> Correction | None:
        """Take back the correction in force of a field or page (the text or value the file
        gives applies again); None when there is none."""
        with self.db.transaction("corrections"):
            found = self.db.row(
                _CURRENT + " AND source = ? AND path = ? AND field = ? AND page = ?",
                (source, path, field, page))
            if found is not None:
                self.db.run(
                    "UPDATE corrections SET reverted = ?, reverted_by = ? WHERE source = ? "
                    "AND path = ? AND field = ? AND page = ? AND reverted IS NULL",
                    (time.time(), user, source, path, field, page))
        return _row(found) if found else None

    def current(self, source: str, path: str) -> tuple[Correction, ...]:
        rows = self.db.rows(_CURRENT + " AND source = ? AND path = ? ORDER BY seq",
                            (source, path))
        return tuple(_row(r) for r in rows)

    def history(self, source: str, path: str) -> list[Correction]:
        rows = self.db.rows(f"SELECT {_COLUMNS} FROM corrections WHERE source = ? AND "
                            "path = ? ORDER BY seq", (source, path))
        return [_row(r) for r in rows]

    def close(self) -> None:
        self.db.close()


def current_all(data_dir: Path, url: str = "") -> dict[tuple[str, str], tuple[Correction, ...]]:
    """Every file's corrections in force (they are few: what people typed), read-only; empty
    when nothing was ever corrected. What a run's planner applies. `url`: `[database] url`."""
    if url:
        return _current_all_postgres(data_dir, url)
    path = data_dir / CORRECTIONS_FILE
    if not path.is_file():
        return {}
    db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=30)
    try:
        out: dict[tuple[str, str], list[Correction]] = {}
        for r in db.execute(_CURRENT + " ORDER BY seq"):
            c = _row(r)
            out.setdefault(c.key, []).append(c)
    except sqlite3.OperationalError:  # created but no table yet
        return {}
    finally:
        db.close()
    return {k: tuple(v) for k, v in out.items()}


def _current_all_postgres(data_dir: Path, url: str
                          ) -> dict[tuple[str, str], tuple[Correction, ...]]:
    db = Database(data_dir, CORRECTIONS_FILE, url)
    try:
        if not db.exists("corrections"):  # no table yet: nothing corrected (a table this
            return {}  # user may not read is an error, never "nothing corrected")
        out: dict[tuple[str, str], list[Correction]] = {}
        for r in db.rows(_CURRENT + " ORDER BY seq"):
            c = _row(r)
            out.setdefault(c.key, []).append(c)
    finally:
        db.close()
    return {k: tuple(v) for k, v in out.items()}


def held_any(data_dir: Path, url: str = "") -> int:
    """How many rows the store holds, reverted ones included (0: none at all, or no store)."""
    if not url and not (data_dir / CORRECTIONS_FILE).is_file():
        return 0
    db = Database(data_dir, CORRECTIONS_FILE, url)
    try:
        return db.row("SELECT count(*) FROM corrections")[0] if db.exists("corrections") else 0
    finally:
        db.close()


class RaisedLevels:
    """The 密级 corrections in force, for the servers reading an index: a raise is withheld
    from readers below it at once, on every server sharing the store, and while a run that has
    not applied it yet is going on (a server's index holds it only after its next run). Read
    on each call when the store changed (one small query; nothing while no correction was ever
    made)."""

    def __init__(self, data_dir: Path, url: str = ""):
        self.data_dir, self.url = data_dir, url
        self._db: Database | None = None
        self._table = False
        self._key: tuple | None = None
        self._rows: tuple[tuple[str, str, str], ...] = ()

    def current(self) -> tuple[tuple[str, str, str], ...]:
        """(source, path, 密级) of every 密级 correction in force."""
        if not self.url and not (self.data_dir / CORRECTIONS_FILE).is_file():
            return ()
        if self._db is None:
            self._db = Database(self.data_dir, CORRECTIONS_FILE, self.url)
        if not self._table:
            self._table = self._db.exists("corrections")  # (once there, it stays)
            if not self._table:
                return ()
        key = self._db.row("SELECT count(*), max(seq), max(reverted) FROM corrections")
        if key != self._key:
            rows = self._db.rows(_CURRENT + " AND field = 'security' ORDER BY seq")
            self._rows = tuple((c.source, c.path, c.new) for c in map(_row, rows))
            self._key = key
        return self._rows

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
