"""The corpus listing of a run: discovery of the source files in corpus folders and their catalog
rows, staged in the run's scratch database."""
from __future__ import annotations

import csv
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.normalize import FORMAT_CHARS
from ..errors import ConfigError, ExtractionError
from ..ingest.catalog import CATALOG_NAME, catalog_rows, merged_rows, named, packed
from ..ingest.listing import Lister, catalogs, display_name, joined
from ..ingest.sourcefile import SourceFile
from .scratch import Rows, Scratch, insert_many, stream

EMPTY_ROW = packed({})

FILE_COLUMNS = "f.source, f.rel, f.size, f.mtime_ns, f.sidecar, c.row, f.raw, f.catalog_error"
FILES = (f"SELECT {FILE_COLUMNS} FROM files f "
         "LEFT JOIN catalog c ON c.source = f.source AND c.rel = f.rel")
MAX_NOTES = 1000  # warnings kept word for word; beyond, only counted


@dataclass
class Notes:
    """Warnings of one run (links, catalog problems), the first MAX_NOTES kept in full."""

    items: list[str] = field(default_factory=list)
    more: int = 0

    def __call__(self, message: str) -> None:
        if len(self.items) < MAX_NOTES:
            self.items.append(message)
        else:
            self.more += 1

    def __iter__(self) -> Iterator[str]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items) + self.more


@dataclass
class Corpus:
    """What discovery found. The listing and the catalog rows are in the scratch database;
    `files` reads them back one at a time."""
    scratch: Scratch
    warnings: Notes  # links skipped, catalog problems: reported, not fatal
    sources: dict[str, Path]
    names: set[str]  # organisations and persons named by the catalogs (for the dictionary)
    failed: list[tuple[str, str]] = field(default_factory=list)  # files that cannot be listed

    @property
    def db(self) -> sqlite3.Connection:
        return self.scratch.db

    @property
    def files(self) -> Rows[SourceFile]:
        return Rows(self.db, FILES + " ORDER BY f.id", self.source_file)

    def source_file(self, row: tuple) -> SourceFile:
        """A SourceFile from the FILE_COLUMNS of a row."""
        source, rel, size, mtime_ns, sidecar, catalog, raw, catalog_error = row
        return SourceFile(source, self.sources[source], rel, size, mtime_ns,
                          catalog or EMPTY_ROW, bool(sidecar), raw, catalog_error or "")


def source_names(roots: list[Path]) -> dict[str, Path]:
    """A short, unique name per corpus root (its folder name, numbered if repeated)."""
    names: dict[str, Path] = {}
    for root in roots:
        base = display_name(root.resolve().name)[0] or "corpus"
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names[name] = root.resolve()
    return names


def check_roots(roots: list[Path]) -> None:
    for root in roots:
        if not root.is_dir():
            raise ConfigError(f"corpus folder not found: {root}")


def discover(roots: list[Path], scratch: Scratch | None = None) -> Corpus:
    """List the corpus folders into `scratch` (a private one if not given): one row per file
    and per catalog row, streamed, so memory does not grow with the corpus. Links are not
    followed: each is reported once and skipped."""
    check_roots(roots)
    scratch = scratch or Scratch()
    db = scratch.db
    db.create_function("merged_rows", 2, merged_rows, deterministic=True)
    sources = source_names(roots)
    corpus = Corpus(scratch, Notes(), sources, set())
    for source, root in sources.items():
        broken: dict[str, str] = {}  # folder (display rel) of a catalog that cannot be read
        for folder, rel, cat in catalogs(str(root)):
            shown = f"{source}/{joined(rel, CATALOG_NAME)}"
            try:
                corpus.names |= _load_catalog(db, source, root, cat, rel, shown,
                                              corpus.warnings)
            except (ExtractionError, csv.Error, OSError, UnicodeError) as e:
                error = f"{shown}: {e}" if not str(e).startswith(shown) else str(e)
                broken[rel] = error
                corpus.warnings(f"{error} (the files under its folder fail until it is fixed, "
                                "except those whose sidecar gives their 密级)")
        lister = Lister(source, str(root), broken, corpus.warnings, corpus.failed)
        insert_many(db, "INSERT INTO files (source, rel, size, mtime_ns, sidecar, raw, "
                        "catalog_error) VALUES (?, ?, ?, ?, ?, ?, ?)", lister.rows())
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS files_key ON files (source, rel)")
    _near_names(db, corpus.warnings)
    _report_missing(db, corpus.warnings)
    return corpus


def _load_catalog(db: sqlite3.Connection, source: str, root: Path, cat: str, folder: str,
                  shown: str, warn: Notes) -> set[str]:
    """Stage one catalog's rows, then merge them over what shallower catalogs said of the same
    files (catalog.merged_rows); a catalog that fails part way is left out whole. Returns the
    names it gives."""
    names: set[str] = set()
    notes: list[str] = []  # reported only when the whole catalog was read

    def rows():
        for rel, row in catalog_rows(Path(cat), root, notes.append, shown):
            names.update(named(row))
            yield joined(folder, rel), packed(row)

    db.execute("DELETE FROM catalog_stage")
    insert_many(db, "INSERT INTO catalog_stage (rel, row) VALUES (?, ?)", rows())
    db.execute("INSERT INTO catalog (source, rel, row, catalog) SELECT ?, rel, row, ? "
               "FROM catalog_stage WHERE true ORDER BY rowid ON CONFLICT (source, rel) "
               "DO UPDATE SET row = merged_rows(catalog.row, excluded.row), catalog = excluded.catalog",
               (source, shown))
    db.execute("DELETE FROM catalog_stage")
    for note in notes:
        warn(note)
    return names


def _loose(rel: str) -> str:
    """A path as a clerk means it: NFKC (full-width letters and digits), invisible format
    characters (a zero-width space) dropped, spaces around each part trimmed."""
    return "/".join(_INVISIBLE.sub("", unicodedata.normalize("NFKC", part)).strip()
                    for part in rel.split("/"))


_INVISIBLE = re.compile(f"[{FORMAT_CHARS}]")


def _near_names(db: sqlite3.Connection, warn: Notes) -> None:
    """A catalog row naming no file, whose name is a file's but for full-width letters or
    invisible characters (ｔ15.txt, t15.txt + U+200B), describes that file: fail closed, since
    ignoring it would leave a 机密 row's file at the default 内部. Its row is merged with any
    row the file has (the higher 密级 stands), with a warning."""
    unmatched: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for catalog, source, rel in stream(db, MISSING):
        unmatched.setdefault((source, _loose(rel)), []).append((catalog, rel))
    if not unmatched:
        return
    found = []
    for source, rel in stream(db, "SELECT source, rel FROM files ORDER BY id"):
        for catalog, named_as in unmatched.get((source, _loose(rel)), ()):
            found.append((source, rel, catalog, named_as))
    for source, rel, catalog, named_as in found:
        row = db.execute("SELECT row FROM catalog WHERE source = ? AND rel = ?",
                         (source, named_as)).fetchone()[0]
        db.execute("INSERT INTO catalog (source, rel, row, catalog) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (source, rel) DO UPDATE SET row = merged_rows(catalog.row, "
                   "excluded.row)", (source, rel, row, catalog))
        warn(f"{catalog}: row names {named_as!r}, taken as {source}/{rel} (the same name but "
             "for full-width letters or invisible characters); please write it as the file is named")
    for source, _rel, _catalog, named_as in found:
        db.execute("DELETE FROM catalog WHERE source = ? AND rel = ?", (source, named_as))


def _report_missing(db: sqlite3.Connection, warn: Notes) -> None:
    """A warning per catalog row naming a file that is not in the listing."""
    for catalog, source, rel in stream(db, MISSING + " ORDER BY c.source, c.rel"):
        warn(f"{catalog}: row names {source}/{rel}, which is not in the corpus (no such file, a link, "
             "or a file dangan does not read)")


MISSING = ("SELECT c.catalog, c.source, c.rel FROM catalog c WHERE NOT EXISTS "
           "(SELECT 1 FROM files f WHERE f.source = c.source AND f.rel = c.rel)")


__all__ = ["Corpus", "Notes", "discover", "check_roots"]
