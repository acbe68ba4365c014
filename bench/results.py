"""The benchmark's results as JSON (the same data as the table, plus every query)."""
from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
from dataclasses import asdict
from pathlib import Path

from .corpus import CorpusInfo
from .queries import Query
from .report import SystemRun, ratios

_LIST_CAP = 50  # record paths listed per query and system


def _num(value: float | None, digits: int = 3):
    return None if value is None or math.isnan(value) else round(value, digits)


def system_json(run: SystemRun) -> dict:
    if run.error or not run.build:
        return {"error": run.error or "not run"}
    s = run.summary
    out = {
        "index_seconds": _num(run.build.seconds),
        "records": run.build.records,
        "records_per_s": _num(run.records_per_s, 1),
        "index_mb": _num(run.build.size_bytes / 1e6),
        "build_note": run.build.note,
        "p50_ms": _num(s.p50), "p95_ms": _num(s.p95), "p99_ms": _num(s.p99),
        "kinds": {k: {f: (_num(v) if isinstance(v, float) else v) for f, v in asdict(ks).items()}
                  for k, ks in s.kinds.items()},
    }
    checks = [o.paging for o in run.outcomes if o.paging is not None]
    if checks:
        out["paging"] = {
            "queries_checked": len(checks),
            "queries_losing_matches_by_1000": sum(1 for c in checks if c.never_1000),
            "matches_never_shown_by_1000": sum(c.never_1000 for c in checks),
            "queries_repeating_a_record_by_20": sum(1 for c in checks if c.twice_20),
        }
    return out


def query_json(i: int, q: Query, truth: frozenset[str], runs: list[SystemRun]) -> dict:
    out = {"kind": q.kind, "text": q.text, "terms": list(q.terms), "origin": q.origin,
           "note": q.note, "expected": len(truth), "systems": {}}
    for run in runs:
        if not run.outcomes:
            continue
        o = run.outcomes[i]
        out["systems"][run.name] = {
            "ms": _num(o.millis), "total": o.total, "found": len(o.found),
            "recall": _num(o.recall(truth)), "precision": _num(o.precision(truth)),
            "missing": sorted(truth - o.found)[:_LIST_CAP],
            "extra": sorted(o.found - truth)[:_LIST_CAP], "error": o.error,
        }
        if o.paging is not None:
            out["systems"][run.name]["paging"] = asdict(o.paging)
    return out


def write_results(path: Path, corpus: CorpusInfo, args: dict, queries: list[Query],
                  truth: list[frozenset[str]], runs: list[SystemRun], rejected: int) -> None:
    data = {
        "n": corpus.n, "seed": corpus.seed, "paragraph_source": corpus.source,
        "options": args,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "sqlite": sqlite3.sqlite_version},
        "corpus": {"records": len(corpus.paths), "traditional": len(corpus.traditional),
                   "names_injected": len(corpus.names)},
        "query_count": len(queries), "queries_rejected_for_catalog_overlap": rejected,
        "systems": {run.name: system_json(run) for run in runs},
        "ratios": ratios(runs, queries),
        "queries": [query_json(i, q, t, runs) for i, (q, t) in enumerate(zip(queries, truth))],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
