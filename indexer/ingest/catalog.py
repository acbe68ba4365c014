"""Catalog metadata: catalog.csv files (Chinese or English headers) and NAME.EXT.json sidecars."""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
import posixpath
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from .. import dates, fields
from ..errors import ExtractionError
from .safeopen import LinkRefused, open_file
from .textfile import decode

# A long cell is not an error: the csv module's limit (128 KiB) is raised to MAX_LINE_CHARS, and
# stored values are cut at MAX_VALUE_CHARS instead (with a warning). What is bigger than that
# (a line, a cell, a whole catalog or sidecar) makes the file unreadable, never a memory hog:
# a sparse file of 2 GB of NUL bytes is one valid UTF-8 "line".
MAX_LINE_CHARS = 4 * 1024 * 1024
MAX_CATALOG_BYTES = 256 * 1024 * 1024
MAX_SIDECAR_BYTES = 1024 * 1024
csv.field_size_limit(MAX_LINE_CHARS)
MAX_VALUE_CHARS = 10_000
DETECT_BYTES = 1 << 20  # the start of a catalog that is not UTF-8 its encoding is detected on

CATALOG_NAME = "catalog.csv"


@lru_cache(maxsize=1024)  # a catalog's few headers, asked for on every row
def canonical_key(name: str) -> str:
    """A header's field (any name the field registry gives it), or the header as written."""
    return fields.catalog_key(name)


def canonical(row: dict[str, Any]) -> dict[str, Any]:
    """Rename Chinese/English keys to canonical ones; drop empty values; normalise the date."""
    out = {}
    for key, value in row.items():
        if key is None or value is None:
            continue
        value = value.strip() if isinstance(value, str) else value
        if value in ("", None):
            continue
        out[canonical_key(key)] = value
    if "date" in out:
        out["date"] = dates.normalise(str(out["date"]))
    return out


def read_catalog(path: Path) -> dict[Path, dict[str, Any]]:
    """Rows of one catalog.csv keyed by the absolute path of the file they describe."""
    return {path.parent / rel: row for rel, row in catalog_rows(path)}


def packed(row: dict[str, Any]) -> bytes:
    """A row as sorted UTF-8 JSON: compact, and what the metadata signature hashes."""
    return json.dumps(row, sort_keys=True, ensure_ascii=False).encode()


def merged_rows(shallow: bytes, near: bytes) -> bytes:
    """Two catalogs' rows for one file (packed): the nearer one wins for every field but 密级,
    where every written value is kept (the highest applies, a bad one fails the file)."""
    old, new = json.loads(shallow), json.loads(near)
    levels = list(dict.fromkeys(_listed(old.get("security")) + _listed(new.get("security"))))
    out = old | new
    if levels:
        out["security"] = levels[0] if len(levels) == 1 else levels
    return packed(out)


def _listed(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


Warn = Callable[[str], None]


def catalog_rows(path: Path, root: Path | None = None, warn: Warn | None = None,
                 shown: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path relative to the catalog's folder, canonical row) of every row of one catalog.csv,
    one at a time. A row naming a file outside the catalog's folder (`..`, an absolute path)
    is reported to `warn` and skipped; over-long values are cut (and reported). Raises
    ExtractionError (bad header, a link), csv.Error or OSError, possibly after some rows: a
    caller keeps a catalog's rows only once it has read them all."""
    shown = shown or path.name
    warn = warn or (lambda message: None)
    reader = csv.DictReader(_catalog_lines(path, root))
    try:
        _check_header(reader.fieldnames, shown)
        yield from _rows(reader, shown, warn)
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise ExtractionError(f"{shown}: 第 {reader.line_num} 行的单元格过长（超过 "
                                  f"{csv.field_size_limit():,} 个字符的上限）") from e
        raise


def _check_header(names: list[str] | None, shown: str) -> None:
    """A header must name the 文件/path column, and no field twice (two 密级 columns: which
    one would be meant cannot be known, so the catalog is unreadable)."""
    keys = [canonical_key(h) for h in names or () if h is not None]
    if "path" not in keys:
        raise ExtractionError(f"{shown}: no 文件/path column in the header")
    for key in dict.fromkeys(keys):
        if keys.count(key) > 1 and fields.field_named(key) is not None:
            raise ExtractionError(f"{shown}: 目录表头中“{fields.LABELS[key]}”出现了不止一次"
                                  "（每个字段只能有一列）")


def _rows(reader: csv.DictReader, shown: str, warn: Warn) -> Iterator[tuple[str, dict[str, Any]]]:
    for row in reader:
        row = capped(canonical(row), lambda m: warn(f"{shown} row {reader.line_num}: {m}"))
        rel = row.pop("path", "")
        if not rel:
            continue
        inside = _inside(rel)
        if inside is None:
            warn(f"{shown} row {reader.line_num}: {rel!r} is not under the catalog's folder "
                 "(a catalog describes only the files under its own folder): row ignored")
            continue
        yield inside, row


def _inside(rel: str) -> str | None:
    """A row's path normalised (forward slashes), or None when it leaves the catalog's folder
    or is absolute. Normalised, not resolved: a syscall per row is what a big catalog can't
    pay (links are never followed anyway)."""
    rel = rel.replace("\\", "/")
    if rel.startswith("/") or re.match(r"[A-Za-z]:", rel):
        return None
    norm = posixpath.normpath(rel)
    if norm == ".." or norm.startswith("../") or norm == ".":
        return None
    return norm


def capped(row: dict[str, Any], warn: Warn, limit: int = MAX_VALUE_CHARS) -> dict[str, Any]:
    """Values longer than `limit` characters cut to it, each cut reported to `warn`."""
    for key, value in row.items():
        if isinstance(value, str) and len(value) > limit:
            warn(f"{key} holds {len(value):,} characters; the first {limit:,} are kept")
            row[key] = value[:limit]
    return row


def _catalog_lines(path: Path, root: Path | None = None) -> Iterator[str]:
    """The lines of a catalog, opened without following links, read as it goes, never held
    whole: UTF-8 (the usual case), else the encoding detected on its first MB (GB18030,
    Big5). A catalog over MAX_CATALOG_BYTES or a line over MAX_LINE_CHARS raises
    ExtractionError."""
    with open_file(path, root) as raw:
        size = os.fstat(raw.fileno()).st_size
        if size > MAX_CATALOG_BYTES:
            raise ExtractionError(f"目录文件过大（{size / 2**20:,.0f} MB，超过 "
                                  f"{MAX_CATALOG_BYTES // 2**20} MB）")
        if _utf8(raw):
            encoding = "utf-8-sig"
        else:
            raw.seek(0)
            encoding = decode(raw.read(DETECT_BYTES), cut=True)[1]
        raw.seek(0)
        with io.TextIOWrapper(raw, encoding=encoding, newline="") as f:
            number = 0
            while line := f.readline(MAX_LINE_CHARS + 1):
                number += 1
                if len(line) > MAX_LINE_CHARS:
                    raise ExtractionError(f"目录第 {number} 行过长（超过 {MAX_LINE_CHARS:,} "
                                          "个字符的上限）")
                yield line


def _utf8(f: BinaryIO, chunk: int = 1 << 20) -> bool:
    """Whether the file is valid UTF-8 (with or without a BOM), checked a chunk at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = f.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16
        return False
    f.seek(0)
    try:
        while data := f.read(chunk):
            decoder.decode(data)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def named(row: dict[str, Any]) -> list[str]:
    """The organisation and persons a catalog row names (words for the dictionary)."""
    return [v for v in (row.get("org"),) if v] + persons(row)


def read_sidecar(file: Path, root: Path | None = None,
                 warn: Warn | None = None) -> dict[str, Any]:
    """Metadata from FILE.EXT.json next to the file, if there is one (never through a link:
    a sidecar that is a link raises ExtractionError). Over-long values are cut, with a warning."""
    sidecar = file.with_name(file.name + ".json")
    shown = sidecar.name.encode("utf-8", "replace").decode("utf-8")
    try:
        with open_file(sidecar, root) as f:
            if os.fstat(f.fileno()).st_size > MAX_SIDECAR_BYTES:
                raise ExtractionError(f"sidecar {shown}: 旁注文件过大（超过 "
                                      f"{MAX_SIDECAR_BYTES // 2**20} MB）")
            raw = f.read(MAX_SIDECAR_BYTES + 1)
        if len(raw) > MAX_SIDECAR_BYTES:  # grew since
            raise ExtractionError(f"sidecar {shown}: 旁注文件过大（超过 "
                                  f"{MAX_SIDECAR_BYTES // 2**20} MB）")
    except FileNotFoundError:
        return {}
    except LinkRefused as e:
        raise ExtractionError(f"sidecar {shown}: {e}") from e
    except OSError as e:
        raise ExtractionError(f"sidecar {shown} cannot be read: {e}") from e
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
    except ValueError as e:
        raise ExtractionError(f"sidecar {shown} is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise ExtractionError(f"sidecar {shown} must hold a JSON object")
    named: dict[str, str] = {}  # (as a catalog's header may not name a field twice: 密级 and
    for key, _value in json.loads(text, object_pairs_hook=lambda kv: kv):  # security, or 密级
        field = canonical_key(key)  # twice, of which JSON keeps the last)
        if field in named:
            raise ExtractionError(f"sidecar {shown}: “{named[field]}”和“{key}”是同一字段，"
                                  "只能写一次（为免取了较低的密级，未收录）")
        named[field] = key
    row = canonical({k: v if not isinstance(v, (int, float)) else str(v) for k, v in data.items()})
    return capped(row, lambda m: (warn or (lambda _m: None))(f"sidecar {shown}: {m}"))


LISTED = re.compile(r"[;；,，、\s]+")  # how a catalog's 人员 lists several people


def persons(meta: dict[str, Any]) -> list[str]:
    value = meta.get("persons", "")
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p for p in LISTED.split(str(value)) if p]
