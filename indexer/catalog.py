"""Catalog metadata: catalog.csv files (Chinese or English headers) and NAME.EXT.json sidecars."""
from __future__ import annotations

import codecs
import csv
import json
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ExtractionError
from .textfile import decode

# Canonical key -> accepted header names.
HEADERS = {
    "path": ("文件", "path"),
    "archival_code": ("档号", "archival_code"),
    "title": ("题名", "title"),
    "org": ("责任者", "org"),
    "doc_number": ("文号", "doc_number"),
    "date": ("日期", "date"),
    "category": ("门类", "category"),
    "kind": ("文种", "kind"),
    "retention": ("保管期限", "retention"),
    "security": ("密级", "security"),
    "pages": ("页数", "pages"),
    "notes": ("备注", "notes"),
    "persons": ("人员", "persons"),
}
_ALIASES = {name.lower(): key for key, names in HEADERS.items() for name in names}
CATALOG_NAME = "catalog.csv"


@lru_cache(maxsize=1024)  # a catalog's few headers, asked for on every row
def canonical_key(name: str) -> str:
    name = name.strip().lstrip("\ufeff")
    return _ALIASES.get(name.lower(), name)


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
        out["date"] = normalise_date(str(out["date"]))
    return out


def normalise_date(value: str) -> str:
    """YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD, YYYY/MM/DD, YYYY.MM.DD → YYYY[-MM[-DD]]; else ''."""
    value = value.strip()
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    if m:
        parts = m.groups()
    else:
        m = re.fullmatch(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?", value)
        if not m:
            return ""
        parts = tuple(p for p in m.groups() if p)
    year, rest = parts[0], [int(p) for p in parts[1:]]
    if rest and not 1 <= rest[0] <= 12 or len(rest) > 1 and not 1 <= rest[1] <= 31:
        return ""
    return "-".join([year] + [f"{p:02d}" for p in rest])


def read_catalog(path: Path) -> dict[Path, dict[str, Any]]:
    """Rows of one catalog.csv keyed by the absolute path of the file they describe."""
    return {Path(key): row for key, row in catalog_rows(path)}


def packed(row: dict[str, Any]) -> bytes:
    """A row as sorted UTF-8 JSON: compact, and what the metadata signature hashes."""
    return json.dumps(row, sort_keys=True, ensure_ascii=False).encode()


def catalogs(root: Path) -> list[Path]:
    """The catalog.csv files under a corpus root, shallowest first (deeper catalogs win)."""
    return sorted(root.rglob(CATALOG_NAME), key=lambda p: len(p.parts))


def catalog_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(normalised absolute path, canonical row) of every row of one catalog.csv, one at a
    time. Raises ExtractionError (bad header), csv.Error or OSError, possibly after some rows:
    a caller keeps a catalog's rows only once it has read them all."""
    reader = csv.DictReader(_catalog_lines(path))
    if not reader.fieldnames or "path" not in {canonical_key(h) for h in reader.fieldnames}:
        raise ExtractionError(f"{path}: no 文件/path column in the header")
    folder = str(path.parent)
    for row in reader:
        row = canonical(row)
        rel = row.pop("path", "")
        if rel:  # normalised, not resolved: a syscall per row is what a big catalog can't pay
            yield os.path.normpath(os.path.join(folder, rel.replace("\\", "/"))), row


def _catalog_lines(path: Path) -> Iterator[str]:
    """The lines of a catalog. UTF-8 (the usual case) is read from the file as it goes, never
    held whole; another encoding is detected on the whole file (textfile.decode)."""
    if _utf8(path):
        with open(path, encoding="utf-8-sig", newline="") as f:
            yield from f
        return
    text, _encoding = decode(path.read_bytes())
    start, end = 0, len(text)
    while start < end:  # line by line, without a second copy of the text
        stop = text.find("\n", start) + 1 or end
        yield text[start:stop]
        start = stop


def _utf8(path: Path, chunk: int = 1 << 20) -> bool:
    """Whether the file is valid UTF-8 (with or without a BOM), checked a chunk at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
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


def read_sidecar(file: Path) -> dict[str, Any]:
    """Metadata from FILE.EXT.json next to the file, if there is one."""
    sidecar = file.with_name(file.name + ".json")
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (ValueError, OSError) as e:
        raise ExtractionError(f"sidecar {sidecar.name} is not valid JSON: {e}") from e
    if not isinstance(data, dict):
        raise ExtractionError(f"sidecar {sidecar.name} must hold a JSON object")
    return canonical({k: v if not isinstance(v, (int, float)) else str(v) for k, v in data.items()})


def persons(meta: dict[str, Any]) -> list[str]:
    value = meta.get("persons", "")
    if isinstance(value, list):
        return [str(v) for v in value]
    return [p for p in re.split(r"[;；,，、\s]+", str(value)) if p]
