"""SQLite FTS5 trigram behind a thin HTTP server: the API bench's comparison.

`build` writes fts.db (path, 密级 and the normalised text of every record); `app` is a plain
WSGI application served by the same gunicorn as `dangan serve` (gthread, same worker count).
`GET /search?q=...&size=10` answers JSON: the total, the first `size` ids (ranked when FTS5
MATCH is used) each with a snippet, and the count per 密级 — all done in SQL, the work a
search page with one facet needs. The database is named by $BENCH_SQLITE_DB.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

from indexer.analysis.normalize import normalize_text

from ..corpus import CorpusInfo, read_record
from . import BuildStats, dir_size
from .sqlite import where_clause

SNIPPET_TOKENS = 40  # trigram tokens (about characters) per snippet
SNIPPET_CHARS = 80  # characters around the first hit when the query has no FTS5 phrase


def catalog_levels(root: Path) -> dict[str, str]:
    """密级 of each record path, from the generated catalog."""
    with (root / "catalog.csv").open(encoding="utf-8", newline="") as f:
        return {row["文件"]: row["密级"] for row in csv.DictReader(f)}


def build(corpus: CorpusInfo, work: Path) -> BuildStats:
    """A fresh fts.db in `work` (reading and normalising every record is in the time)."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    path = work / "fts.db"
    started = time.perf_counter()
    levels = catalog_levels(corpus.root)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, security UNINDEXED, body, "
               "tokenize='trigram')")
    with db:
        db.executemany("INSERT INTO t(path, security, body) VALUES (?, ?, ?)",
                       ((rel, levels.get(rel, "内部"),
                         normalize_text(read_record(corpus.root, rel))) for rel in corpus.paths))
    count = db.execute("SELECT count(*) FROM t").fetchone()[0]
    db.close()
    return BuildStats(time.perf_counter() - started, count, dir_size(path))


def search(db: sqlite3.Connection, q: str, size: int) -> dict:
    """The answer to one query: total, first `size` hits with snippets, counts per 密级."""
    terms = tuple(t for t in (normalize_text(p) for p in q.split()) if t)
    if not terms:
        return {"ok": False, "error": "empty query"}
    cond, params, ranked = where_clause(terms)
    if ranked:
        snippet, snippet_params = f"snippet(t, 2, '<em>', '</em>', '…', {SNIPPET_TOKENS})", []
        order = " ORDER BY rank"
    else:  # no FTS5 phrase, so no snippet(): the text around the first hit of the first term
        snippet = f"substr(body, max(1, instr(body, ?) - {SNIPPET_CHARS // 2}), {SNIPPET_CHARS})"
        snippet_params, order = [terms[0]], ""
    hits = db.execute(f"SELECT path, {snippet} FROM t WHERE {cond}{order} LIMIT ?",
                      snippet_params + params + [size]).fetchall()
    facet = db.execute(f"SELECT security, count(*) FROM t WHERE {cond} GROUP BY security "
                       "ORDER BY count(*) DESC", params).fetchall()
    return {"ok": True, "query": q, "total": sum(c for _v, c in facet),
            "hits": [{"id": p, "snippet": s} for p, s in hits],
            "facets": {"security": [{"value": v, "count": c} for v, c in facet]}}


_local = threading.local()  # one connection per gunicorn thread


def _db() -> sqlite3.Connection:
    db = getattr(_local, "db", None)
    if db is None:
        db = _local.db = sqlite3.connect(f"file:{os.environ['BENCH_SQLITE_DB']}?mode=ro",
                                         uri=True, check_same_thread=False)
    return db


def app(environ, start_response):
    """The WSGI application: /search answers JSON, anything else 404."""
    if environ.get("PATH_INFO") != "/search":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    args = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        size = int(args.get("size", ["10"])[0])
    except ValueError:
        size = 10
    answer = search(_db(), args.get("q", [""])[0], size)
    body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    status = "200 OK" if answer["ok"] else "400 Bad Request"
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(body)))])
    return [body]
