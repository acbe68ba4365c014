"""Entry point: `python -m bench.auth [--n 2000] [--queries 200] [--rounds 3]` — what logins and
the 查阅登记 cost a search.

Over an index of the synthetic corpus (built with the real `dangan index`), in one process,
through Flask's test client (the server's own work, without the network), the same queries are
asked three ways, interleaved with the order rotated per query, after a warm-up pass:
  plain        — an anonymous reader who may see every 密级 ([auth] anonymous_clearance =
                 "绝密") and a register that drops its rows: the app as it was before accounts;
  audit        — the same reader, every search written to the register (SQLite, WAL);
  auth + audit — a logged-in 查阅人 at 绝密: the signed session cookie checked and the account
                 read from SQLite on every request, every search written to the register.
All three see the same records. Target: auth + audit p95 ≤ 1.1 × plain p95, for the JSON API
and for the HTML search page. Progress goes to stderr, the table to stdout. It never asserts.
"""
from __future__ import annotations

import argparse
import re
import time
from dataclasses import replace
from pathlib import Path

from indexer.analysis.normalize import normalize_text
from indexer.config import AuthSettings, load_settings

from .corpus import catalog_strings, ensure_corpus, read_record
from .progress import say
from .queries import make_queries
from .report import aligned
from .web import OUT, REPO, build_index, pct

TARGET = 1.1  # auth + audit p95 at most this many times the plain p95
MODES = ("plain", "audit", "auth + audit")
ENDPOINTS = {"json": ("JSON search", "/api/search"), "html": ("HTML search page", "/")}
READER, PASSWORD = "bench-reader", "bench password"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.auth", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2000, help="records in the corpus (default 2000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--queries", type=int, default=200, help="queries (default 200)")
    p.add_argument("--rounds", type=int, default=3, help="timed passes over them (default 3)")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    return p.parse_args(argv)


class _Dropped:
    """A register that keeps nothing: the `plain` mode."""

    def write(self, *args, **kwargs) -> None:
        pass


def make_app(config: Path):
    """The app over the bench index; a fresh register; the bench reader, logged in."""
    from search_app.app import create_app

    settings = load_settings(config)
    settings = replace(settings, auth=AuthSettings(anonymous_clearance="绝密"))
    for stale in settings.data_dir.glob("audit.sqlite*"):
        stale.unlink()  # the bench's own register: every run starts empty
    app = create_app(settings)
    accounts = app.extensions["dangan.accounts"]
    if accounts.get(READER) is None:
        accounts.add(READER, PASSWORD, "查阅人", "绝密")
    anonymous, reader = app.test_client(), app.test_client()
    page = reader.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = reader.post("/login", data={"name": READER, "password": PASSWORD,
                                         "csrf_token": token})
    if answer.status_code != 303:
        raise SystemExit(f"bench reader could not log in: HTTP {answer.status_code}")
    return app, {"plain": anonymous, "audit": anonymous, "auth + audit": reader}


def time_searches(app, clients: dict, queries: list[str], rounds: int) -> dict:
    """Seconds per request, by (endpoint, mode)."""
    register = app.extensions["dangan.audit"]
    dropped = _Dropped()

    def ask(mode: str, url: str, q: str) -> float:
        app.extensions["dangan.audit"] = dropped if mode == "plain" else register
        started = time.perf_counter()
        response = clients[mode].get(url, query_string={"q": q})
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{mode} {url}?q={q}: HTTP {response.status_code}")
        return elapsed

    for q in queries:  # warm-up: every query once on each endpoint
        for _label, url in ENDPOINTS.values():
            ask("plain", url, q)
    times = {(e, m): [] for e in ENDPOINTS for m in MODES}
    for r in range(rounds):
        say(f"round {r + 1}/{rounds}: {len(queries)} queries × {len(MODES)} modes × "
            f"{len(ENDPOINTS)} endpoints")
        for i, q in enumerate(queries):
            shift = (i + r) % len(MODES)
            for mode in MODES[shift:] + MODES[:shift]:
                for endpoint, (_label, url) in ENDPOINTS.items():
                    times[(endpoint, mode)].append(ask(mode, url, q))
    app.extensions["dangan.audit"] = register
    return times


def time_register(app, n: int = 2000) -> list[float]:
    """The INSERT of one search row alone."""
    register = app.extensions["dangan.audit"]
    out = []
    for i in range(n):
        started = time.perf_counter()
        register.write("bench-reader", "127.0.0.1", "search", query=f"查询{i}", clearance="绝密",
                       total=i, filters={"year": ["2019"]})
        out.append(time.perf_counter() - started)
    return out


def render(times: dict, inserts: list[float], rows_written: int) -> str:
    ms = 1000.0
    table = [("measure", "n", "p50 ms", "p95 ms", "p95 / plain", "target", "met")]
    for endpoint, (label, _url) in ENDPOINTS.items():
        plain95 = pct(times[(endpoint, "plain")], 95)
        for mode in MODES:
            v = times[(endpoint, mode)]
            ratio = pct(v, 95) / plain95
            judged = mode == "auth + audit"
            table.append((f"{label}, {mode}", str(len(v)), f"{pct(v, 50) * ms:.2f}",
                          f"{pct(v, 95) * ms:.2f}", f"{ratio:.2f}×",
                          f"≤ {TARGET}×" if judged else "",
                          ("yes" if ratio <= TARGET else "NO") if judged else ""))
    table.append(("register INSERT alone", str(len(inserts)), f"{pct(inserts, 50) * ms:.3f}",
                  f"{pct(inserts, 95) * ms:.3f}", "", "", ""))
    lines = aligned(table)
    lines.append(f"rows written to the register during the timed passes: {rows_written}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    corpus = ensure_corpus(OUT, args.n, args.seed, REPO, seeds)
    texts = {rel: normalize_text(read_record(corpus.root, rel)) for rel in corpus.paths}
    queries, _rejected = make_queries(corpus, texts, catalog_strings(corpus.root),
                                      args.queries, args.seed)
    config = build_index(OUT / f"auth-{args.n}", [corpus.root])
    app, clients = make_app(config)
    register = app.extensions["dangan.audit"]
    before = register.count()
    times = time_searches(app, clients, [q.text for q in queries], args.rounds)
    written = register.count() - before
    say("the register's INSERT alone")
    inserts = time_register(app)
    print(f"dangan auth bench: {args.n} synthetic records, {len(queries)} queries × "
          f"{args.rounds} rounds, Flask test client in one process, modes interleaved")
    print(render(times, inserts, written))


if __name__ == "__main__":
    main()
