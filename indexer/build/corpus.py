"""Discovery of source files in corpus folders, their fingerprints and catalog metadata."""
from __future__ import annotations

import csv
import hashlib
import json
import os
import posixpath
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import CATALOG_NAME, catalog_rows, merged_rows, named, packed, read_sidecar
from .errors import ConfigError, ExtractionError
from .levels import parse_level
from .listing import Lister, catalogs, display_name, joined
from .safeopen import LinkRefused, open_file
from .scratch import Rows, Scratch, insert_many, stream

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
    raw: bytes | None = None  # the real path under the root when `rel` (shown) differs
    catalog_error: str = ""  # why a catalog above it cannot be read

    @property
    def catalog(self) -> dict[str, Any]:
        return json.loads(self.row)

    @property
    def path(self) -> Path:
        return self.root / (os.fsdecode(self.raw) if self.raw else self.rel)

    @property
    def key(self) -> tuple[str, str]:
        return self.source, self.rel


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


def _report_missing(db: sqlite3.Connection, warn: Notes) -> None:
    """A warning per catalog row naming a file that is not in the listing."""
    for catalog, source, rel in stream(db, MISSING + " ORDER BY c.source, c.rel"):
        warn(f"{catalog}: row names {source}/{rel}, which is not in the corpus (no such file, a link, "
             "or a file dangan does not read)")


MISSING = ("SELECT c.catalog, c.source, c.rel FROM catalog c WHERE NOT EXISTS "
           "(SELECT 1 FROM files f WHERE f.source = c.source AND f.rel = c.rel)")


def metadata_signature(file: SourceFile) -> str:
    """Changes when the catalog row or the sidecar of the file changes, or when a catalog
    above it becomes readable (or unreadable)."""
    return signature(file.row, file.path if file.sidecar else None, file.catalog_error)


def signature(row: bytes, path: Path | str | None, catalog_error: str = "") -> str:
    """The metadata signature of a file with this catalog row, at `path` if a sidecar may sit
    beside it (None: discovery saw none)."""
    h = hashlib.blake2b(row, digest_size=8)
    if catalog_error:
        h.update(b"\0" + catalog_error.encode())
    if path is not None:
        try:
            with open_file(f"{os.fspath(path)}.json") as sidecar:
                h.update(sidecar.read())
        except FileNotFoundError:
            pass
        except (LinkRefused, OSError):
            h.update(b"\0unreadable")  # the file fails when its metadata is read
    return h.hexdigest()


METADATA_WARNING = "著录："  # starts a record warning about its metadata (made anew each time)


def file_metadata(file: SourceFile, warnings: list[str] | None = None) -> dict[str, Any]:
    """Catalog row overridden by the sidecar, but for 密级: the highest of the catalogs' and
    the sidecar's values. Raises ExtractionError on a bad sidecar, a 密级 that is not one of
    the five levels, or a catalog above the file that cannot be read (unless the sidecar
    gives the 密级: then it is a warning, added to `warnings`)."""
    notes = warnings if warnings is not None else []
    meta = dict(file.catalog)
    sidecar = read_sidecar(file.path, file.root,
                           lambda m: notes.append(f"{METADATA_WARNING}{m}"))
    levels = []
    if meta.get("security"):
        levels.append(parse_level(meta["security"], "目录"))
    if sidecar.get("security"):
        levels.append(parse_level(sidecar["security"], f"旁注文件 {posixpath.basename(file.rel)}.json"))
    elif file.catalog_error:
        raise ExtractionError(f"目录无法读取，密级不明：{file.catalog_error}")
    if file.catalog_error:
        notes.append(f"{METADATA_WARNING}目录无法读取（{file.catalog_error}），"
                     "密级取自旁注文件")
    meta.update(sidecar)
    meta.pop("security", None)
    if levels:
        meta["security"] = parse_level(levels)
    return meta


def content_id(digest: str, salt: str = "") -> str:
    """A record id from the file's content hash: stable while the content is unchanged."""
    h = hashlib.blake2b(digest.encode(), digest_size=8)
    if salt:
        h.update(salt.encode())
    return h.hexdigest()


__all__ = ["Corpus", "SourceFile", "discover", "check_roots", "metadata_signature", "signature",
           "file_metadata", "content_id", "ExtractionError"]
