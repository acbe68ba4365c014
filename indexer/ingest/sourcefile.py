"""A corpus file as discovery found it: its place, fingerprint and catalog row, the signature of
its metadata, its merged catalog and sidecar metadata, and the record id of its content."""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ExtractionError
from ..fields import SECURITY_LEVELS
from .catalog import MAX_SIDECAR_BYTES, read_sidecar
from .levels import MARKS_VERSION, parse_level
from .safeopen import LinkRefused, open_file


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

SIGNED_HEAD = 64 * 1024  # bytes of a sidecar over the limit that its signature reads
# keys of a record's stored meta that the indexer writes itself (its warnings, the text's
# encoding, what the file itself said): a catalog column or sidecar key of that name is
# dropped with a warning, never written over them
RESERVED_META = ("warnings", "encoding", "extracted", "review")


def metadata_signature(file: SourceFile) -> str:
    """Changes when the catalog row or the sidecar of the file changes, or when a catalog
    above it becomes readable (or unreadable)."""
    return signature(file.row, file.path if file.sidecar else None, file.catalog_error)


def signature(row: bytes, path: Path | str | None, catalog_error: str = "") -> str:
    """The metadata signature of a file with this catalog row, at `path` if a sidecar may sit
    beside it (None: discovery saw none)."""
    h = hashlib.blake2b(row, digest_size=8)
    h.update(MARKS_VERSION)  # (new mark rules: every record's mark read again, unextracted)
    if catalog_error:
        h.update(b"\0" + catalog_error.encode())
    if path is not None:
        try:
            with open_file(f"{os.fspath(path)}.json") as sidecar:
                st = os.fstat(sidecar.fileno())
                if st.st_size > MAX_SIDECAR_BYTES:  # fails when read: never read it whole
                    h.update(b"\0too big %d %d" % (st.st_size, st.st_mtime_ns))
                    h.update(sidecar.read(SIGNED_HEAD))
                else:
                    h.update(sidecar.read(MAX_SIDECAR_BYTES + 1))
        except FileNotFoundError:
            pass
        except (LinkRefused, OSError):
            h.update(b"\0unreadable")  # the file fails when its metadata is read
    return h.hexdigest()


METADATA_WARNING = "著录："  # starts a record warning about its metadata (made anew each time)


def file_metadata(file: SourceFile, warnings: list[str] | None = None,
                  marked: str = "") -> dict[str, Any]:
    """Catalog row overridden by the sidecar, but for 密级: the highest of the catalogs' and
    the sidecar's values. Raises ExtractionError on a bad sidecar, a 密级 that is not one of
    the five levels, or a catalog above the file that cannot be read (unless the sidecar, or
    the mark in the text (`marked`), gives the highest level, which that catalog could not
    raise: then it is a warning, added to `warnings`)."""
    notes = warnings if warnings is not None else []
    meta = dict(file.catalog)
    sidecar = read_sidecar(file.path, file.root,
                           lambda m: notes.append(f"{METADATA_WARNING}{m}"))
    levels = []
    if meta.get("security"):
        levels.append(parse_level(meta["security"], "目录"))
    given = (parse_level(sidecar["security"], f"旁注文件 {posixpath.basename(file.rel)}.json")
             if sidecar.get("security") else "")
    if given:
        levels.append(given)
    if file.catalog_error and SECURITY_LEVELS[-1] not in (given, marked):
        # the catalog that cannot be read may give a higher level than the sidecar: only a
        # sidecar giving the highest (which nothing can raise) settles it
        raise ExtractionError(f"目录无法读取，密级不明：{file.catalog_error}" + (
            f"（旁注文件给出的{given}不能代替目录：目录可能给出更高的密级）" if given else ""))
    if file.catalog_error:
        notes.append(f"{METADATA_WARNING}目录无法读取（{file.catalog_error}），"
                     f"密级按{SECURITY_LEVELS[-1]}（旁注文件或正文的密级标志）")
    meta.update(sidecar)
    for key in RESERVED_META:
        if key in meta:
            del meta[key]
            notes.append(f"{METADATA_WARNING}目录或旁注文件中的“{key}”是索引程序自用的名称，"
                         "这一项已忽略（请改用别的列名）")
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


__all__ = ["SourceFile", "RESERVED_META", "metadata_signature", "signature", "file_metadata", "content_id"]
