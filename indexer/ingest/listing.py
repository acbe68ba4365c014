"""The walk over one corpus root: folders and files in name order, hidden ones skipped, links
reported and never followed, names that are not UTF-8 given a display name (the real one is
kept to open the file)."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from .catalog import CATALOG_NAME
from .extract import EXTRACTORS, SKIPPED_SUFFIXES


def joined(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def display_name(name: str) -> tuple[str, bool]:
    """A file name as shown and stored, and whether that is its real name. A name that is not
    valid UTF-8 (os.fsdecode's surrogate escapes) is read as GB18030, the encoding of names
    copied from Chinese Windows, else shown with replacement characters."""
    try:
        name.encode("utf-8")
        return name, True
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace"), False


def _entries(folder: str) -> list[os.DirEntry]:
    """A folder's entries, hidden ones skipped, in name order."""
    with os.scandir(folder) as it:
        return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)


def is_catalog(name: str) -> bool:
    """Whether a folder entry is a catalog: any name that case-folds to catalog.csv."""
    return name.casefold() == CATALOG_NAME


def catalogs(root: str) -> Iterator[tuple[str, str, str]]:
    """(folder, its display rel, catalog path) of every catalog.csv (any case) under `root`,
    each before those of its subfolders (deeper catalogs win), never through a link (reported
    by the listing). One that is not a regular file (a folder, a FIFO) is listed too: reading
    it fails, so the files under its folder fail as for any unreadable catalog."""
    stack = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            entries = _entries(folder)
        except OSError:
            continue  # reported by the listing
        subfolders = []
        for e in entries:
            if e.is_symlink():
                continue
            if is_catalog(e.name):
                yield folder, rel, e.path
            elif e.is_dir(follow_symlinks=False):
                subfolders.append((e.path, joined(rel, display_name(e.name)[0])))
        stack.extend(reversed(subfolders))


class Lister:
    """The listing of one corpus root: (source, rel, size, mtime_ns, sidecar?, raw name, catalog
    error) of every file an extractor reads. Links are reported and skipped; a name that is
    not UTF-8 gets a display name (its real one is kept to open it); a name two entries of a
    folder share once decoded is reported as failed."""

    def __init__(self, source: str, root: str, broken: dict[str, str],
                 warn: Callable[[str], None], failed: list[tuple[str, str]]):
        self.source, self.root, self.broken = source, root, broken
        self.warn, self.failed = warn, failed

    def rows(self) -> Iterator[tuple]:
        yield from self._folder(self.root, "", True, self.broken.get("", None))

    def _folder(self, folder: str, rel: str, real: bool, error: str | None) -> Iterator[tuple]:
        try:
            entries = _entries(folder)
        except OSError as e:
            self.warn(f"{rel or '.'}: folder cannot be read ({e.strerror}): skipped")
            return
        present = {e.name for e in entries}
        shown: dict[str, os.DirEntry] = {}
        subfolders = []
        for entry in entries:
            name, is_real = display_name(entry.name)
            path = joined(rel, name)
            if entry.is_symlink():
                self.warn(f"{self.source}/{path}: a symbolic link, not followed (skipped)")
                continue
            if name in shown:
                self.failed.append((f"{self.source}/{path}", "another file or folder here has "
                                    "the same name once decoded as UTF-8 or GB18030: rename it"))
                continue
            shown[name] = entry
            if entry.is_dir(follow_symlinks=False):
                subfolders.append((entry, path, real and is_real))
            elif not entry.is_file(follow_symlinks=False):
                if readable(entry.name):  # a named pipe, a device or a socket called x.txt
                    self.warn(f"{self.source}/{path}: not a regular file (a pipe, device or "
                              "socket), not read (skipped)")
            elif not is_catalog(entry.name) and readable(entry.name):
                st = entry.stat(follow_symlinks=False)
                raw = None if real and is_real else os.fsencode(entry.path[len(self.root) + 1:])
                yield (self.source, path, st.st_size, st.st_mtime_ns,
                       entry.name + ".json" in present, raw, error)
        for entry, path, is_real in subfolders:
            yield from self._folder(entry.path, path, is_real, self.broken.get(path, error))


def readable(name: str) -> bool:
    """Whether an extractor reads a file of this name (extract.extractor_for, without a Path:
    pathlib interns every name it parses, and a big corpus has many)."""
    lower = name.lower()
    return not lower.endswith(SKIPPED_SUFFIXES) and os.path.splitext(lower)[1] in EXTRACTORS
