"""What the index holds before a run: live records per (source, path), in the scratch
database's `indexed` table (from the manifest when it provably matches the index, else read from
the index's ID postings), and the set-like view of it the writer keeps up to date."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ..store.manifest import Manifest
from .scratch import attached, insert_many


def committed_files(ix, manifest: Manifest, db: sqlite3.Connection) -> IndexedKeys:
    """Fill `indexed`: from the manifest's rows if it was saved right after the index's current
    commit (and counts as many records), else from the index itself."""
    records = live_records(ix)
    db.execute("DELETE FROM indexed")
    if manifest.matched() == (ix.latest_generation(), records):
        with attached(db, manifest.path):
            db.execute("INSERT INTO indexed (source, path, n) "
                       "SELECT source, path, 1 FROM m.files WHERE status = 'ok'")
        if db.execute("SELECT count(*) FROM indexed").fetchone()[0] == records:
            return IndexedKeys(db)
        db.execute("DELETE FROM indexed")
    read_indexed(ix, db)
    return IndexedKeys(db)


def live_records(ix) -> int:
    """Records in the index, from its table of contents (ix.doc_count() opens every segment)."""
    return sum(s.doc_count() for s in ix._segments())


def read_indexed(ix, db: sqlite3.Connection) -> None:
    """Fill `indexed` from the index's `source` and `path` postings (no stored text is loaded):
    each live document's owner goes to a scratch table, the counts are a GROUP BY."""
    db.executescript("""
        DROP TABLE IF EXISTS doc_path; DROP TABLE IF EXISTS doc_source;
        CREATE TABLE doc_path (docnum INTEGER PRIMARY KEY, term TEXT NOT NULL);
        CREATE TABLE doc_source (docnum INTEGER PRIMARY KEY, term TEXT NOT NULL);
        DELETE FROM indexed;
    """)
    with ix.reader() as r:
        for fieldname in ("path", "source"):
            insert_many(db, f"INSERT OR REPLACE INTO doc_{fieldname} VALUES (?, ?)",
                        _owners(r, fieldname))
    db.execute("INSERT INTO indexed (source, path, n) "
               "SELECT coalesce(s.term, ''), p.term, count(*) FROM doc_path p "
               "LEFT JOIN doc_source s USING (docnum) GROUP BY 1, 2")
    db.executescript("DROP TABLE doc_path; DROP TABLE doc_source;")


def _owners(r, fieldname: str) -> Iterator[tuple[int, str]]:
    for term in r.field_terms(fieldname):
        for docnum in r.postings(fieldname, term).all_ids():
            if not r.is_deleted(docnum):
                yield docnum, term


class IndexedKeys:
    """(source, path) of the records committed before this run, as the writer uses them:
    membership, and discard once a record is deleted."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __contains__(self, key: tuple[str, str]) -> bool:
        return self.db.execute("SELECT 1 FROM indexed WHERE source = ? AND path = ?",
                               key).fetchone() is not None

    def discard(self, key: tuple[str, str]) -> None:
        self.db.execute("DELETE FROM indexed WHERE source = ? AND path = ?", key)

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM indexed").fetchone()[0]
