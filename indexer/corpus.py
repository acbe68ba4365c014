"""Discovery of source files in corpus folders, their fingerprints and catalog metadata."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import CATALOG_NAME, catalog_rows, catalogs, named, packed, read_sidecar
from .errors import ConfigError, ExtractionError
from .extract import EXTRACTORS, SKIPPED_SUFFIXES
from .scratch import Rows, Scratch, insert_many

EMPTY_ROW = packed({})


@dataclass(frozen=True, slots=True)
class SourceFile:
    source: str  # name of the corpus root
    root: Path
    rel: str  # forward slashes
    size: int
    mtime_ns: int
    row: bytes = b"{}"  # its catalog row as sorted JSON (what the metadata signature hashes)
    sidecar: bool = True  # a NAME.EXT.json may sit beside it (False: discovery saw none)

    @property
    def catalog(self) -> dict[str, Any]:
        return json.loads(self.row)

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.rel


FILES = ("SELECT f.source, f.rel, f.size, f.mtime_ns, f.sidecar, c.row FROM files f "
         "LEFT JOIN catalog c ON c.source = f.source AND c.rel = f.rel")


@dataclass
class Corpus:
    """What discovery found. The listing and the catalog rows are in the scratch database;
    `files` reads them back one at a time."""
    scratch: Scratch
    errors: list[str]  # catalog problems, reported but not fatal
    sources: dict[str, Path]
    names: set[str]  # organisations and persons named by the catalogs (for the dictionary)

    @property
    def db(self) -> sqlite3.Connection:
        return self.scratch.db

    @property
    def files(self) -> Rows[SourceFile]:
        return Rows(self.db, FILES + " ORDER BY f.id", self.source_file)

    def source_file(self, row: tuple) -> SourceFile:
        """A SourceFile from (source, rel, size, mtime_ns, sidecar, catalog row)."""
        source, rel, size, mtime_ns, sidecar, catalog = row
        return SourceFile(source, self.sources[source], rel, size, mtime_ns,
                          catalog or EMPTY_ROW, bool(sidecar))


def source_names(roots: list[Path]) -> dict[str, Path]:
    """A short, unique name per corpus root (its folder name, numbered if repeated)."""
    names: dict[str, Path] = {}
    for root in roots:
        base = root.resolve().name or "corpus"
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
    and per catalog row, streamed, so memory does not grow with the corpus."""
    check_roots(roots)
    scratch = scratch or Scratch()
    db = scratch.db
    sources = source_names(roots)
    errors: list[str] = []
    names: set[str] = set()
    for source, root in sources.items():
        for cat in catalogs(root):
            try:
                names |= _load_catalog(db, source, root, cat)
            except (ExtractionError, csv.Error, OSError) as e:
                errors.append(f"{cat.relative_to(root)}: {e}")
        insert_many(db, "INSERT INTO files (source, rel, size, mtime_ns, sidecar) "
                        "VALUES (?, ?, ?, ?, ?)", _listing(source, str(root)))
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS files_key ON files (source, rel)")
    return Corpus(scratch, errors, sources, names)


def _load_catalog(db: sqlite3.Connection, source: str, root: Path, cat: Path) -> set[str]:
    """Stage one catalog's rows, then let them replace what shallower catalogs said of the
    same files; a catalog that fails part way is left out whole. Returns the names it gives."""
    prefix = os.path.join(str(root), "")
    names: set[str] = set()

    def rows():
        for key, row in catalog_rows(cat):
            names.update(named(row))
            if key.startswith(prefix):  # a row naming a file outside the root matches none
                yield key[len(prefix):].replace(os.sep, "/"), packed(row)

    db.execute("DELETE FROM catalog_stage")
    insert_many(db, "INSERT INTO catalog_stage (rel, row) VALUES (?, ?)", rows())
    db.execute("INSERT INTO catalog (source, rel, row) SELECT ?, rel, row FROM catalog_stage "
               "WHERE true ORDER BY rowid "
               "ON CONFLICT (source, rel) DO UPDATE SET row = excluded.row", (source,))
    db.execute("DELETE FROM catalog_stage")
    return names


def _listing(source: str, root: str) -> Iterator[tuple[str, str, int, int, bool]]:
    """(source, rel, size, mtime_ns, sidecar?) of every file an extractor reads."""
    start = len(os.path.join(root, ""))  # every path _walk gives starts with the root's
    for folder, entries in _walk(root):
        present = {e.name for e in entries}
        for entry in entries:
            if entry.name == CATALOG_NAME or not readable(entry.name):
                continue
            st = entry.stat()
            rel = entry.path[start:].replace(os.sep, "/")
            yield source, rel, st.st_size, st.st_mtime_ns, entry.name + ".json" in present


def readable(name: str) -> bool:
    """Whether an extractor reads a file of this name (extract.extractor_for, without a Path:
    pathlib interns every name it parses, and a big corpus has many)."""
    lower = name.lower()
    return not lower.endswith(SKIPPED_SUFFIXES) and os.path.splitext(lower)[1] in EXTRACTORS


def _walk(folder: str):
    """(folder, its regular files) for every folder under `folder`, in sorted order, hidden
    files and folders skipped, one scandir per folder (no per-file path objects)."""
    with os.scandir(folder) as it:
        entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    yield folder, [e for e in entries if e.is_file()]
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            yield from _walk(e.path)


def metadata_signature(file: SourceFile) -> str:
    """Changes when the catalog row or the sidecar of the file changes."""
    return signature(file.row, file.path if file.sidecar else None)


def signature(row: bytes, path: Path | str | None) -> str:
    """The metadata signature of a file with this catalog row, at `path` if a sidecar may sit
    beside it (None: discovery saw none)."""
    h = hashlib.blake2b(row, digest_size=8)
    if path is not None:
        try:
            with open(f"{path}.json", "rb") as sidecar:
                h.update(sidecar.read())
        except FileNotFoundError:
            pass
    return h.hexdigest()


def file_metadata(file: SourceFile) -> dict[str, Any]:
    """Catalog row overridden by the sidecar (raises ExtractionError on a bad sidecar)."""
    meta = dict(file.catalog)
    meta.update(read_sidecar(file.path))
    return meta


def content_id(digest: str, salt: str = "") -> str:
    """A record id from the file's content hash: stable while the content is unchanged."""
    h = hashlib.blake2b(digest.encode(), digest_size=8)
    if salt:
        h.update(salt.encode())
    return h.hexdigest()


__all__ = ["Corpus", "SourceFile", "discover", "check_roots", "metadata_signature", "signature",
           "file_metadata", "content_id", "ExtractionError"]
