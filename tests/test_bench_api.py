"""The API cold-query bench: its SQLite server's answers, the page-cache drop, and one tiny run
end to end (dangan index, dangan serve and the SQLite app under gunicorn, the table)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from bench.corpus import ensure_corpus
from bench.systems import dangan_http, sqlite_http
from bench.systems.http import drop_page_cache, resident_bytes

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def fts(tmp_path_factory):
    out = tmp_path_factory.mktemp("apibench")
    corpus = ensure_corpus(out, 60, 1, REPO, SEEDS)
    sqlite_http.build(corpus, out / "sqlite")
    db = sqlite3.connect(out / "sqlite" / "fts.db")
    yield corpus, db
    db.close()


def _texts(corpus, db) -> dict[str, str]:
    return dict(db.execute("SELECT path, body FROM t"))


def test_sqlite_answer_counts_every_record_holding_the_terms(fts):
    corpus, db = fts
    texts = _texts(corpus, db)
    word = next(t[i:i + 4] for t in texts.values() for i in range(len(t))
                if len(t[i:i + 4]) == 4 and all("\u4e00" <= c <= "\u9fff" for c in t[i:i + 4]))
    answer = sqlite_http.search(db, word, 5)
    holding = {p for p, t in texts.items() if word in t}
    assert answer["total"] == len(holding)
    assert {h["id"] for h in answer["hits"]} <= holding
    assert len(answer["hits"]) == min(5, len(holding))
    assert all("<em>" in h["snippet"] for h in answer["hits"])
    levels = sqlite_http.catalog_levels(corpus.root)
    by_level = {f["value"]: f["count"] for f in answer["facets"]["security"]}
    assert by_level == {lv: sum(levels[p] == lv for p in holding)
                        for lv in {levels[p] for p in holding}}


def test_sqlite_two_character_terms_and_traditional_queries_are_answered(fts):
    corpus, db = fts
    texts = _texts(corpus, db)
    answer = sqlite_http.search(db, "档案 國家", 10)  # 國家 is folded to 国家 like the text
    holding = {p for p, t in texts.items() if "档案" in t and "国家" in t}
    assert holding
    assert answer["total"] == len(holding)
    assert all(h["snippet"] for h in answer["hits"])
    assert sqlite_http.search(db, "  ", 10)["ok"] is False


def test_page_cache_of_an_index_is_dropped(tmp_path):
    if shutil.which("fincore") is None:
        pytest.skip("util-linux fincore is not installed")
    path = tmp_path / "index" / "seg.bin"
    path.parent.mkdir()
    path.write_bytes(os.urandom(4 << 20))
    path.read_bytes()
    assert resident_bytes(path.parent) > 0
    assert drop_page_cache(path.parent) == 1
    assert resident_bytes(path.parent) < 1 << 20


def test_a_build_past_the_time_limit_is_stopped_with_its_children(tmp_path):
    pid_file = tmp_path / "child.pid"
    script = ("import pathlib, subprocess, sys, time; child = subprocess.Popen(['sleep', '60']);"
              " pathlib.Path(sys.argv[1]).write_text(str(child.pid)); time.sleep(60)")
    started = time.monotonic()
    with pytest.raises(dangan_http.BuildTimeout):
        dangan_http.run_watched([sys.executable, "-c", script, str(pid_file)], tmp_path,
                                timeout=5.0)
    assert time.monotonic() - started < 20
    child = int(pid_file.read_text())
    for _ in range(50):  # the orphan is reaped by init
        if not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie":
            break
        time.sleep(0.1)
    else:
        pytest.fail("the build's child process outlived the stop")


@pytest.mark.server
@pytest.mark.slow
def test_api_bench_runs_end_to_end_and_prints_the_curve(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bench.api", "--n", "120", "--queries", "8",
                           "--workers", "1", "--out", str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "p95 ms (client, full answer)" in out and "dangan API curve" in out
    assert "worker peak RSS MB" in out and "target: p95 ≤ 100 ms at the largest N (120)" in out
    data = json.loads((tmp_path / "api-120.json").read_text(encoding="utf-8"))
    point = data["points"][0]
    assert point["dangan_build"]["records"] == 120 and point["queries"] >= 4
    assert len(point["asked"]) == point["queries"]
    assert all(a["dangan_status"] == 200 and a["sqlite_status"] == 200 for a in point["asked"])
    # the two servers agree on how many records hold each query (the truth is the same text)
    assert all(a["dangan_total"] == a["sqlite_total"] for a in point["asked"])
    assert point["dangan_workers"] and all(w["peak_rss"] > 0 for w in point["dangan_workers"])
    assert data["curve"][0]["records"] == "120"
    # --reuse: the same builds served again, nothing rebuilt, the build figures carried over
    toc = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "api-120" / "dangan" / "index")
           .iterdir()}
    again = subprocess.run([sys.executable, "-m", "bench.api", "--n", "120", "--queries", "8",
                            "--workers", "1", "--out", str(tmp_path), "--reuse"], cwd=REPO,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "reusing the builds" in again.stderr and "builds (--reuse)" in again.stdout
    assert toc == {p.name: p.stat().st_mtime_ns for p in (tmp_path / "api-120" / "dangan" /
                                                          "index").iterdir()}
    reused = json.loads((tmp_path / "api-120.json").read_text(encoding="utf-8"))["points"][0]
    assert reused["dangan_build"]["seconds"] == point["dangan_build"]["seconds"]
    assert reused["dangan_build"]["reused_from"] == "api-120.json"
    assert all(a["dangan_status"] == 200 for a in reused["asked"])


def test_reuse_refuses_an_incomplete_build(tmp_path):
    from bench.api_reuse import complete_build, earlier_builds

    work = tmp_path / "api-50"
    assert "config.toml" in complete_build(work, 50)
    (work / "dangan" / "index").mkdir(parents=True)
    dangan_http.write_config(work / "dangan", 1)
    assert "no committed index" in complete_build(work, 50)
    (work / "dangan" / "index" / "_MAIN_1.toc").write_bytes(b"")
    assert "fts.db" in complete_build(work, 50)
    (work / "sqlite").mkdir()
    db = sqlite3.connect(work / "sqlite" / "fts.db")
    db.execute("CREATE TABLE t (body)")
    db.executemany("INSERT INTO t VALUES (?)", [("x",)] * 49)
    db.commit()
    db.close()
    assert "holds 49 records, not 50" in complete_build(work, 50)
    assert complete_build(work, 49) == ""
    dangan, sqlite = earlier_builds(tmp_path, 49, work)  # no earlier JSON: marked reused
    assert dangan["summary"] == "reused" and dangan["records"] == 49
    assert dangan["seconds"] != dangan["seconds"]  # unknown (nan)
