"""SQLite FTS5 with the trigram tokenizer over the same normalised text (stdlib sqlite3)."""
from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from indexer.analysis.normalize import normalize_text

from ..corpus import CorpusInfo, read_record
from ..queries import Query
from . import BuildStats, dir_size


def where_clause(terms: tuple[str, ...]) -> tuple[str, list[str], bool]:
    """SQL condition for "contains every term": an FTS5 phrase per term of 3+ characters,
    `body LIKE` for shorter ones (a trigram index cannot match them). Returns
    (condition, parameters, whether MATCH is used so that `rank` exists)."""
    phrases = ['"' + t.replace('"', '""') + '"' for t in terms if len(t) >= 3]
    short = [t for t in terms if len(t) < 3]
    parts, params = [], []
    if phrases:
        parts.append("t MATCH ?")
        params.append(" AND ".join(phrases))
    for t in short:
        parts.append("body LIKE ? ESCAPE '\\'")
        params.append("%" + t.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    return " AND ".join(parts), params, bool(phrases)


class SqliteSystem:
    name = "sqlite"

    def __init__(self, work: Path):
        self.work = work
        self.db: sqlite3.Connection | None = None

    def build(self, corpus: CorpusInfo) -> BuildStats:
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        path = self.work / "fts.db"
        started = time.perf_counter()
        db = sqlite3.connect(path)
        db.execute("CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, body, tokenize='trigram')")
        with db:
            db.executemany("INSERT INTO t(path, body) VALUES (?, ?)",
                           ((rel, normalize_text(read_record(corpus.root, rel)))
                            for rel in corpus.paths))
        seconds = time.perf_counter() - started
        self.db = db
        count = db.execute("SELECT count(*) FROM t").fetchone()[0]
        return BuildStats(seconds, count, dir_size(path))

    def top(self, query: Query) -> int:
        cond, params, ranked = where_clause(query.terms)
        order = " ORDER BY rank" if ranked else ""
        self.db.execute(f"SELECT path FROM t WHERE {cond}{order} LIMIT 10", params).fetchall()
        return self.db.execute(f"SELECT count(*) FROM t WHERE {cond}", params).fetchone()[0]

    def matches(self, query: Query) -> set[str]:
        cond, params, _ranked = where_clause(query.terms)
        return {row[0] for row in self.db.execute(f"SELECT path FROM t WHERE {cond}", params)}

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
