"""Discovery of source files in corpus folders, their fingerprints and catalog metadata."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import CATALOG_NAME, load_catalogs, packed, read_sidecar
from .errors import ConfigError, ExtractionError
from .extract import extractor_for


EMPTY_ROW = packed({})


@dataclass(frozen=True, slots=True)
class SourceFile:
    source: str  # name of the corpus root
    root: Path
    rel: str  # forward slashes
    size: int
    mtime_ns: int
    row: bytes = b"{}"  # its catalog row as sorted JSON (compact: a big corpus is held whole)
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


@dataclass
class Corpus:
    files: list[SourceFile]
    errors: list[str]  # catalog problems, reported but not fatal
    sources: dict[str, Path]
    names: set[str]  # organisations and persons named by the catalogs (for the dictionary)


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


def discover(roots: list[Path]) -> Corpus:
    for root in roots:
        if not root.is_dir():
            raise ConfigError(f"corpus folder not found: {root}")
    sources = source_names(roots)
    files, errors, names = [], [], set()
    for source, root in sources.items():
        rows, named, cat_errors = load_catalogs(root)
        errors.extend(cat_errors)
        names |= named
        for folder, entries in _walk(str(root)):
            present = {e.name for e in entries}
            for entry in entries:
                if entry.name == CATALOG_NAME or extractor_for(Path(entry.name)) is None:
                    continue
                st = entry.stat()
                rel = os.path.relpath(entry.path, root).replace(os.sep, "/")
                files.append(SourceFile(source, root, rel, st.st_size, st.st_mtime_ns,
                                        rows.get(entry.path, EMPTY_ROW),
                                        entry.name + ".json" in present))
    return Corpus(files, errors, sources, names)


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
    h = hashlib.blake2b(digest_size=8)
    h.update(file.row)
    sidecar = file.path.with_name(file.path.name + ".json")
    if file.sidecar and sidecar.exists():
        h.update(sidecar.read_bytes())
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


__all__ = ["Corpus", "SourceFile", "discover", "metadata_signature", "file_metadata",
           "content_id", "ExtractionError"]
