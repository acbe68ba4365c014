"""`bench.api --reuse`: the builds an earlier run left in the out folder, measured again without
rebuilding (their build figures taken from that run's JSON when it is there)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .progress import say
from .systems import dir_size

REUSED = "reused"  # the summary of a build whose figures are not known


def complete_build(work: Path, n: int) -> str:
    """Why the builds under `work` (api-N) cannot be reused for N records, or "" when they
    can: a dangan index with a committed table of contents, its config, and a SQLite FTS5
    database holding N rows."""
    dangan, db = work / "dangan", work / "sqlite" / "fts.db"
    if not (dangan / "config.toml").is_file():
        return f"no {dangan / 'config.toml'}"
    if not any((dangan / "index").glob("_*.toc")):
        return f"no committed index in {dangan / 'index'}"
    if not db.is_file():
        return f"no {db}"
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as e:
        return f"{db} unreadable ({e})"
    if rows != n:
        return f"{db} holds {rows} records, not {n}"
    return ""


def earlier_builds(out: Path, n: int, work: Path) -> tuple[dict, dict]:
    """(dangan build, SQLite build) as an earlier run's JSON in `out` recorded them for N (the
    newest such file first); else figures marked "reused": sizes measured now, times unknown."""
    for path in sorted(out.glob("api-*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            points = json.loads(path.read_text(encoding="utf-8")).get("points", [])
        except (OSError, ValueError):
            continue
        for point in points:
            if point.get("n") == n and point.get("dangan_build", {}).get("summary") != REUSED:
                say(f"N={n}: build figures from {path.name}")
                return ({**point["dangan_build"], "reused_from": path.name},
                        {**point["sqlite_build"], "reused_from": path.name})
    nan = float("nan")
    say(f"N={n}: no earlier figures for this build: marked {REUSED}")
    dangan = {"seconds": nan, "records": n, "size_bytes": dir_size(work / "dangan" / "index"),
              "writer_peak": 0, "tree_peak": 0, "summary": REUSED, "exit_code": 0,
              "reused_from": ""}
    sqlite = {"seconds": nan, "records": n, "size_bytes": dir_size(work / "sqlite" / "fts.db"),
              "reused_from": ""}
    return dangan, sqlite
