"""The variants of the names an archive knows, worked out when the index is written, for the
records of each clearance, and read by the searches of that index version: the first clerk to
search a name after a re-index does not wait while its misreadings are looked for.

The table holds what a search would find itself — the same code, run ahead (`Forgiving`),
reading more of the records that hold a name changed (readback.AHEAD_RECORDS, not MAX_RECORDS):
for each known name of three or more Chinese characters, its variants as a term typed alone
(how loosely, which), how it is misread when a typo, pinyin or short form leads to it, and how
many of the clearance's records hold it and each of those misreadings. It belongs to one index
version (segments, deletions, the lexicon's inputs), one configuration of variants and one build
of this code: a search of any other finds it stale and works everything out as before."""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..analysis.normalize import is_cjk
from ..store.arrays import IndexArrays
from .querylang import Term
from .readback import AHEAD_RECORDS
from .variants import WEIGHTS, Variant

log = logging.getLogger("dangan.search")

TABLE_FILE = "variants.json.gz"  # beside the index it was made from
FORMAT = 1
MAX_FILE_BYTES = 256 * 2**20  # a larger file is not read (not one this code wrote)
MIN_CHARS = 3  # names shorter than this cost a search little: not kept
FREQUENT = 500  # the archive's commonest words worked out ahead too


@dataclass(frozen=True)
class Table:
    """One clearance's variants of the known names."""
    counts: dict[str, int]  # a name or misreading → the clearance's records holding it
    terms: dict[str, tuple[str, tuple[Variant, ...]]]  # a name typed alone → (how, variants)
    misread: dict[tuple[str, bool], dict[str, str]]  # (name, read back?) → misreading → kind


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """The build of the code that finds variants: its search and analysis modules and their
    tables (a table another build made may differ from what this one finds)."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in (here, here.parent / "analysis"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()
                           and p.suffix not in (".pyc",) and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(here.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def settings_stamp(threshold: int, synonyms: list[tuple[str, ...]]) -> str:
    return hashlib.sha256(json.dumps([threshold, synonyms], ensure_ascii=False)
                          .encode()).hexdigest()


def version_stamp(arrays: IndexArrays, segments: dict[str, tuple[int, int]],
                  inputs: tuple) -> str:
    """The index version: its segments, its live records and what its lexicon is made of."""
    digest = hashlib.sha256()
    digest.update(json.dumps(sorted(segments.items()), ensure_ascii=False).encode())
    digest.update(np.ascontiguousarray(arrays.live(), dtype=np.int64).tobytes())
    digest.update(json.dumps(inputs, ensure_ascii=False).encode())
    return digest.hexdigest()


def names_of(names) -> list[str]:
    """The names a table keeps, in a stable order."""
    return sorted(n for n in names if sum(map(is_cjk, n)) >= MIN_CHARS)


def frequent_words(reader, least: int, n: int = FREQUENT) -> list[str]:
    """The `n` words of three or more Chinese characters that most records hold (at least
    `least`), as the index's word field has them: what clerks type most (档案管理, 交通管理)."""
    words = []
    for term, info in reader.iter_field("text"):
        word = term.decode("utf-8") if isinstance(term, bytes) else term
        df = info.doc_frequency()
        if df >= least and sum(map(is_cjk, word)) >= MIN_CHARS:
            words.append((-df, word))
    return [w for _df, w in sorted(words)[:n]]


def work_out(levels, reader: Callable[[str], tuple], make: Callable[[str, object], object],
             deadline: float, max_lookups: int,
             frequent: list[str] = ()) -> tuple[dict, int, bool]:
    """The tables of the clearances `levels` (the most records first): `reader(level)` gives
    its records (None: all) and lexicon, `make(level, records)` a fresh `Forgiving`; the
    `frequent` words get their variants as terms too. A clearance with the same records as
    one before it refers to that one's table. (The tables, the names and words worked out for
    the first, whether all were before `deadline`.)"""
    parts: dict[str, dict] = {}
    seen: dict[bytes | None, str] = {}  # a clearance's records → the first that has them
    names, whole = 0, True
    for level in levels:
        visible, lexicon = reader(level)
        held = None if visible is None else visible.tobytes()
        if held in seen:
            parts[level] = {"same": seen[held]}
            continue
        seen[held] = level
        known = names_of(lexicon.names)
        forms = dict.fromkeys([*names_of(lexicon.short_forms), *frequent])
        parts[level], done = clearance_table(
            lambda: make(level, visible), known, deadline, max_lookups,
            [f for f in forms if f not in lexicon.names])
        names = max(names, len(parts[level]["terms"]))
        whole = whole and done
    return parts, names, whole


def clearance_table(make: Callable[[], object], names: list[str], deadline: float,
                    max_lookups: int, forms: list[str] = ()) -> tuple[dict, bool]:
    """The table of one clearance, as JSON-ready data: `make()` gives a fresh `Forgiving` for
    each search it stands for (the budgets of one search each), and an entry is kept only
    when worked out whole (its search's lookups did not run out). The names get their
    variants as terms and their misreadings; the organisations' short `forms` (当阳档案局,
    应城市委) their variants as terms. Also whether all were done before `deadline`."""
    counts: dict[str, int] = {}
    terms: dict[str, list] = {}
    misread: dict[str, dict[str, str]] = {}
    out = {"counts": counts, "terms": terms, "misread": misread}
    named = set(names)
    for name in (*names, *forms):  # (each name whole before the next: the most wanted first)
        if time.monotonic() > deadline:
            return out, False
        forgiving = make()
        forgiving.read_records = AHEAD_RECORDS  # (no one waits: more of its records read)
        (how, variants), whole = forgiving._variants(Term(name))
        if whole:
            terms[name] = [how, [[v.text, v.kind] for v in variants]]
        if name not in named:
            continue
        read = len(name) <= 4  # (as a name a term was read as, not a short form, reads it)
        forgiving = make()
        forgiving.read_records = AHEAD_RECORDS
        found: dict[str, str] = {}
        forgiving.finder("")._misread(name, found, read=read)
        held = {text: forgiving.count(text) for text in (name, *found)}
        if len(forgiving._counts) < max_lookups and forgiving.pairs_left():
            counts.update((t, n) for t, n in held.items() if n)
            misread[f"{int(read)}{name}"] = {t: k for t, k in found.items() if held[t]}
    return out, True


def complete(index_dir: Path, stamps: dict[str, str]) -> bool:
    """Whether the table beside the index is of this version, configuration and code, and
    was worked out whole (not cut short by its run's time)."""
    try:
        with gzip.open(Path(index_dir) / TABLE_FILE, "rt", encoding="utf-8") as f:
            data = json.load(f)
        return (isinstance(data, dict) and data.get("whole") is True
                and all(data.get(k) == v for k, v in stamps.items()))
    except (OSError, EOFError, ValueError):
        return False


def write(index_dir: Path, data: dict) -> None:
    """Write the table beside the index (whole or not at all)."""
    path = Path(index_dir) / TABLE_FILE
    tmp = path.with_name(f".{TABLE_FILE}.{os.getpid()}.tmp")
    try:
        with gzip.open(tmp, "wt", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # (a full disk: no half-written file left behind)


def read(index_dir: Path, stamps: dict[str, str]) -> dict[str, Table]:
    """The tables per clearance of the file beside the index, when it was made from this index
    version, configuration and code (`stamps`); else none (searches work variants out)."""
    path = Path(index_dir) / TABLE_FILE
    try:
        if not path.exists() or path.stat().st_size > MAX_FILE_BYTES:
            return {}
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict) or data.get("format") != FORMAT or any(
                data.get(k) != v for k, v in stamps.items()):
            return {}
        parts, shared = data["clearances"], {}
        return {level: _table(parts[part["same"]] if "same" in part else part, shared)
                for level, part in parts.items()}
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError) as e:
        log.warning("variant table %s not read (%s: %s); variants are worked out per search",
                    path, type(e).__name__, e)
        return {}


def _table(part: dict, shared: dict) -> Table:
    """One clearance's table; what it has in common with the others' held once (`shared`:
    most names have the same variants for every clearance)."""
    def one(value):
        return shared.setdefault(value, value)

    def variant(text, kind) -> Variant:
        if not isinstance(text, str) or kind not in WEIGHTS:
            raise ValueError(f"not a variant: {text!r} {kind!r}")
        return one(Variant(one(text), kind))
    counts = {one(str(t)): int(n) for t, n in part["counts"].items()}
    terms = {one(str(name)): one((str(how), tuple(variant(*v) for v in variants)))
             for name, (how, variants) in part["terms"].items()}
    misread = {}
    for key, found in part["misread"].items():
        kinds = tuple(sorted((variant(t, k).text, k) for t, k in found.items()))
        misread[(one(key[1:]), key[:1] == "1")] = shared.setdefault(("misread", kinds),
                                                                    dict(kinds))
    return Table(counts, terms, misread)
