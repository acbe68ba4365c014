"""Catalog metadata: catalog.csv files (Chinese or English headers) and NAME.EXT.json sidecars."""
from __future__ import annotations

import csv
import io
import json
import os
import re
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
    return {Path(key): row for key, row in _rows(path)}


def packed(row: dict[str, Any]) -> bytes:
    """A row as sorted UTF-8 JSON: compact to hold for every file, and what the metadata
    signature hashes."""
    return json.dumps(row, sort_keys=True, ensure_ascii=False).encode()


def _rows(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(normalised absolute path, canonical row) of every row of one catalog.csv."""
    text, _encoding = decode(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "path" not in {canonical_key(h) for h in reader.fieldnames}:
        raise ExtractionError(f"{path}: no 文件/path column in the header")
    rows = []
    folder = str(path.parent)
    shared: dict[str, str] = {}  # one copy of each repeated value (门类, 保管期限, 责任者 …)
    for row in reader:
        row = {k: shared.setdefault(v, v) if isinstance(v, str) else v
               for k, v in canonical(row).items()}
        rel = row.pop("path", "")
        if rel:  # normalised, not resolved: a syscall per row is what a big catalog can't pay
            rows.append((os.path.normpath(os.path.join(folder, rel.replace("\\", "/"))), row))
    return rows


def load_catalogs(root: Path) -> tuple[dict[str, bytes], set[str], list[str]]:
    """All catalog rows under a corpus root (deeper catalogs win), packed and keyed by the
    normalised absolute path of their file; the organisations and persons they name; and any
    catalog errors. Rows are packed as they are read: a corpus of 100,000 files is held once,
    compactly."""
    rows: dict[str, bytes] = {}
    names: set[str] = set()
    errors = []
    for cat in sorted(root.rglob(CATALOG_NAME), key=lambda p: len(p.parts)):
        try:
            found = _rows(cat)
        except (ExtractionError, csv.Error, OSError) as e:
            errors.append(f"{cat.relative_to(root)}: {e}")
            continue
        for key, row in found:
            rows[key] = packed(row)
            names.update(v for v in (row.get("org"),) if v)
            names.update(persons(row))
    return rows, names, errors


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
