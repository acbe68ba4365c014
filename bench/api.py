"""Entry point: `python -m bench.api [--n 10000[,100000]] [--queries 300] [--workers 2]` — cold
queries through the HTTP API, as a clerk waits for them, against SQLite FTS5 trigram behind an
equally thin server.

For each N: the synthetic corpus of `make bench` (bench/corpus.py); dangan built by the real
`dangan index --rebuild --workers 2` (its process tree's memory sampled) and served by
`dangan serve` (gunicorn, [server] workers); SQLite FTS5 trigram built over the same normalised
text and served by a small WSGI app under the same gunicorn settings. The OS page cache of
both indexes is dropped (posix_fadvise), both servers are started fresh, and every query of a
held-out mix (another seed than the in-process bench's, none of its queries) is asked once of
each, interleaved, each on a new connection, timed by the client to the last byte of the
answer. dangan answers through /api/search with an API token of a 绝密 reader (facets and
snippets on, as the web page asks; every search written to the 查阅登记); SQLite answers
the first ids with snippet() and a count per 密级, in SQL. Progress goes to stderr, the tables
to stdout, everything to bench/out/api-N.json. It reports; it never asserts.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from indexer.analysis.normalize import normalize_text

from .api_reuse import complete_build, earlier_builds
from .corpus import catalog_strings, ensure_corpus, read_record
from .progress import say
from .provenance import code_version
from .queries import KINDS, Query, make_queries
from .report import aligned
from .systems import dangan_http, sqlite_http
from .systems.http import Server, drop_page_cache, free_port, resident_bytes

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
MB = 1 << 20
RATIO_TARGET = 1.5  # dangan p95 / SQLite p95 at 10k and 100k
P95_TARGET_MS = 100.0  # dangan p95 at the largest N
RSS_TARGET_MB = 1024.0  # per worker at the largest N
INPROCESS_QUERIES = 200  # the in-process bench's default mix, kept out of the held-out one


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n")[0])
    p.add_argument("--n", default="10000",
                   help="records, or several comma-separated for a curve (default 10000)")
    p.add_argument("--queries", type=int, default=300, help="held-out queries (default 300)")
    p.add_argument("--workers", type=int, default=2,
                   help="gunicorn workers of both servers and `dangan index --workers` "
                        "(default 2)")
    p.add_argument("--size", type=int, default=10, help="hits per answer (default 10)")
    p.add_argument("--seed", type=int, default=1, help="corpus seed, as bench.run (default 1)")
    p.add_argument("--query-seed", type=int, default=None,
                   help="seed of the held-out mix (default: the corpus seed + 1000)")
    p.add_argument("--build-timeout", type=float, default=0,
                   help="stop the curve when a `dangan index` build takes longer than this "
                        "many seconds (default 0: no limit)")
    p.add_argument("--throughput", action="store_true",
                   help="also measure index throughput at the smallest N: the naive Whoosh "
                        "+ jieba setup, `dangan index` on a local Dask cluster of 2 workers, "
                        "and where the writer's time goes")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    p.add_argument("--out", type=Path, default=OUT, help="output folder (default bench/out)")
    p.add_argument("--reuse", action="store_true",
                   help="when --out already holds a complete build for an N (corpus, dangan "
                        "index, SQLite database), measure only the serving part")
    args = p.parse_args(argv)
    try:
        args.ns = [int(x.replace("_", "")) for x in args.n.split(",") if x.strip()]
    except ValueError:
        p.error(f"--n: comma-separated record counts, got {args.n!r}")
    if not args.ns or min(args.ns) < 10:
        p.error("--n: at least 10 records")
    if args.queries < 4 or args.workers < 1 or args.size < 1:
        p.error("--queries must be at least 4, --workers and --size at least 1")
    args.out = args.out.resolve()
    if args.query_seed is None:
        args.query_seed = args.seed + 1000
    if args.query_seed == args.seed:
        p.error("--query-seed must differ from --seed (the mix is held out)")
    return args


@dataclass
class Asked:
    kind: str
    text: str
    dangan_s: float
    sqlite_s: float
    dangan_status: int
    sqlite_status: int
    dangan_total: int | None
    sqlite_total: int | None
    dangan_took_ms: float | None  # the server's own time (told to 绝密 readers)


@dataclass
class Point:
    """One N of the curve."""
    n: int
    queries: int
    held_out_dropped: int
    dangan_build: dict
    sqlite_build: dict
    resident_before: dict  # bytes of each index in the page cache before the servers started
    resident_after: dict
    dangan_workers: list[dict]
    sqlite_workers: list[dict]
    asked: list[Asked] = field(default_factory=list)
    throughput: dict | None = None
    load_before: str = ""
    load_after: str = ""
    warm_seconds: float = 0.0  # server start until every dangan worker had warmed up


def pct(values: list[float], p: float) -> float:
    """The p-th percentile, nearest rank (as the other benches)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def held_out_mix(corpus, texts: dict[str, str], total: int, seed: int,
                 in_process_seed: int) -> tuple[list[Query], int]:
    """The held-out mix: drawn with `seed`, minus every query of the in-process mix."""
    catalog = catalog_strings(corpus.root)
    seen, _ = make_queries(corpus, texts, catalog, INPROCESS_QUERIES, in_process_seed)
    known = {q.text for q in seen}
    queries, _ = make_queries(corpus, texts, catalog, total, seed)
    kept = [q for q in queries if q.text not in known]
    return kept, len(queries) - len(kept)


def ask_all(dangan: Server, sqlite: Server, queries: list[Query], size: int) -> list[Asked]:
    """Every query once of each server, the order alternating, each on a new connection."""
    asked = []
    for i, q in enumerate(queries):
        params = urlencode({"q": q.text, "size": size})
        d_path, s_path = f"/api/search?{params}", f"/search?{params}"
        if i % 2 == 0:
            d = dangan.get(d_path)
            s = sqlite.get(s_path)
        else:
            s = sqlite.get(s_path)
            d = dangan.get(d_path)
        dj, sj = _json(d[2]), _json(s[2])
        asked.append(Asked(q.kind, q.text, d[0], s[0], d[1], s[1], dj.get("exact_total"),
                           sj.get("total"), dj.get("took_ms")))
        if (i + 1) % 100 == 0:
            say(f"  {i + 1}/{len(queries)} queries asked")
    return asked


def _json(body: bytes) -> dict:
    try:
        return json.loads(body)
    except ValueError:
        return {}


def measure_point(n: int, args: argparse.Namespace) -> Point:
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    corpus_was_there = (args.out / f"corpus-{n}").is_dir()
    corpus = ensure_corpus(args.out, n, args.seed, REPO, seeds)
    say(f"N={n}: normalising every record for the query mix")
    texts = {rel: normalize_text(read_record(corpus.root, rel)) for rel in corpus.paths}
    queries, dropped = held_out_mix(corpus, texts, args.queries, args.query_seed, args.seed)
    del texts
    say(f"N={n}: {len(queries)} held-out queries ({dropped} dropped: in the in-process mix)")
    work = args.out / f"api-{n}"
    why_not = complete_build(work, n) if args.reuse and corpus_was_there else "not asked"
    if why_not:
        if args.reuse:
            say(f"N={n}: not reusing {work.name}: {why_not}")
        d_build, s_build = build_both(corpus, work, n, args)
    else:
        say(f"N={n}: reusing the builds in {work} (--reuse)")
        d_build, s_build = earlier_builds(args.out, n, work)
    token = dangan_http.token_for_reader(work / "dangan")
    d_server = dangan_http.server(work / "dangan", token)
    port = free_port()
    s_server = Server("sqlite", [str(Path(sys.executable).parent / "gunicorn"),
                                 "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                                 "--threads", "4", "--worker-class", "gthread", "--timeout",
                                 "60", "--access-logfile", "-", "--chdir", str(REPO),
                                 "bench.systems.sqlite_http:app"],
                      work / "sqlite", "/ready", port=port,
                      env={"BENCH_SQLITE_DB": str(work / "sqlite" / "fts.db")})
    indexes = {"dangan": work / "dangan" / "index", "sqlite": work / "sqlite" / "fts.db"}
    for path in indexes.values():
        drop_page_cache(path)
    before = {k: resident_bytes(p) for k, p in indexes.items()}
    say(f"N={n}: page cache dropped (resident now: "
        + ", ".join(f"{k} {_mb(v)}" for k, v in before.items()) + "); starting both servers")
    point = Point(n, len(queries), dropped, d_build, s_build, before, {}, [], [])
    point.load_before = loadavg()
    try:
        d_server.start(args.workers)
        s_server.start(args.workers)
        point.warm_seconds = d_server.warm_seconds
        say(f"N={n}: every dangan worker warmed up {d_server.warm_seconds:.1f}s after the "
            "start (the queries wait for it: a query is cold, not a worker's first)")
        say(f"N={n}: asking {len(queries)} queries once each, cold")
        point.asked = ask_all(d_server, s_server, queries, args.size)
    finally:
        d_server.stop()
        s_server.stop()
    point.load_after = loadavg()
    point.resident_after = {k: resident_bytes(p) for k, p in indexes.items()}
    point.dangan_workers = [asdict(w) for w in d_server.workers.values()]
    point.sqlite_workers = [asdict(w) for w in s_server.workers.values()]
    if args.throughput and n == min(args.ns):
        from .api_index import measure_throughput

        known = {k: d_build[k] for k in dangan_http.IndexBuild.__dataclass_fields__}
        point.throughput = measure_throughput(corpus, work, args.workers,
                                              dangan_http.IndexBuild(**known))
    return point


def build_both(corpus, work: Path, n: int, args: argparse.Namespace) -> tuple[dict, dict]:
    say(f"N={n}: dangan index --rebuild --workers {args.workers}")
    d_build = dangan_http.build(corpus, work / "dangan", args.workers, args.workers,
                               timeout=args.build_timeout or None)
    say(f"N={n}: {d_build.summary} (wall {d_build.seconds:.1f}s, writer peak "
        f"{d_build.writer_peak / MB:.0f} MB, tree peak {d_build.tree_peak / MB:.0f} MB)")
    say(f"N={n}: SQLite FTS5 trigram build")
    s_build = sqlite_http.build(corpus, work / "sqlite")
    say(f"N={n}: SQLite {s_build.records} records in {s_build.seconds:.1f}s")
    return asdict(d_build), asdict(s_build)


def _mb(value: int | None) -> str:
    return "?" if value is None else f"{value / MB:.1f} MB"


def times(point: Point, system: str, kind: str | None = None) -> list[float]:
    return [getattr(a, f"{system}_s") * 1000 for a in point.asked
            if (kind is None or a.kind == kind) and getattr(a, f"{system}_status") == 200]


def worker_mb(workers: list[dict], key: str = "peak_rss") -> float:
    return max((w.get(key, 0) for w in workers), default=0) / MB


def render_point(point: Point) -> str:
    rows = [("", "dangan API", "SQLite FTS5 trigram API", "ratio")]

    def line(label, d, s, ratio=True):
        r = f"{d / s:.2f}×" if ratio and s and d == d and s == s else ""
        rows.append((label, f"{d:,.1f}", f"{s:,.1f}", r))

    for p in (50, 95, 99):
        line(f"p{p} ms (client, full answer)", pct(times(point, "dangan"), p),
             pct(times(point, "sqlite"), p))
    line("max ms", max(times(point, "dangan"), default=float("nan")),
         max(times(point, "sqlite"), default=float("nan")))
    for kind in KINDS:
        d, s = times(point, "dangan", kind), times(point, "sqlite", kind)
        if d:
            line(f"  p95 ms, {kind} ({len(d)})", pct(d, 95), pct(s, 95))
    took = [a.dangan_took_ms for a in point.asked if a.dangan_took_ms is not None]
    if took:
        rows.append(("dangan took_ms p50 / p95 (server's own)",
                     f"{pct(took, 50):.1f} / {pct(took, 95):.1f}", "", ""))
    line("worker peak RSS MB (max, VmHWM)", worker_mb(point.dangan_workers),
         worker_mb(point.sqlite_workers), ratio=False)
    line("worker private MB (max RssAnon seen)",
         worker_mb(point.dangan_workers, "sampled_anon"), worker_mb(point.sqlite_workers, "sampled_anon"), ratio=False)
    line("worker PSS MB at the end (max)", worker_mb(point.dangan_workers, "pss"),
         worker_mb(point.sqlite_workers, "pss"), ratio=False)
    if point.warm_seconds:
        rows.append(("worker warm-up s (start → all ready)", f"{point.warm_seconds:.1f}", "",
                     ""))
    d, s = point.dangan_build, point.sqlite_build
    if "reused_from" in d:
        rows.append(("builds (--reuse)", f"figures of {d['reused_from'] or 'no earlier run'}",
                     "", ""))
    line("build s", d["seconds"], s["seconds"])
    line("records/s", d["records"] / d["seconds"], s["records"] / s["seconds"])
    line("index MB", d["size_bytes"] / MB, s["size_bytes"] / MB)
    rows.append(("writer peak MB (own / process tree)",
                 f"{d['writer_peak'] / MB:.0f} / {d['tree_peak'] / MB:.0f}", "", ""))
    errors = [sum(getattr(a, f"{k}_status") != 200 for a in point.asked)
              for k in ("dangan", "sqlite")]
    rows.append(("answers not 200", str(errors[0]), str(errors[1]), ""))
    differ = sum(a.dangan_total != a.sqlite_total for a in point.asked
                 if a.dangan_status == 200 and a.sqlite_status == 200)
    rows.append(("queries whose totals differ", str(differ), "", ""))
    rb, ra = point.resident_before, point.resident_after
    rows.append(("index in page cache MB, start → end",
                 f"{_mb(rb.get('dangan'))} → {_mb(ra.get('dangan'))}",
                 f"{_mb(rb.get('sqlite'))} → {_mb(ra.get('sqlite'))}", ""))
    return "\n".join(aligned(rows))


def curve_rows(points: list[Point]) -> list[tuple[str, ...]]:
    rows = [("records", "build s", "records/s", "index MB", "writer peak MB", "p50 ms",
             "p95 ms", "p99 ms", "worker RSS (private) MB", "SQLite p95 ms",
             "ratio p95")]
    for pt in points:
        d = pt.dangan_build
        dp95, sp95 = pct(times(pt, "dangan"), 95), pct(times(pt, "sqlite"), 95)
        rows.append((f"{pt.n:,}", f"{d['seconds']:.1f}", f"{d['records'] / d['seconds']:.0f}",
                     f"{d['size_bytes'] / MB:.1f}",
                     f"{d['writer_peak'] / MB:.0f} ({d['tree_peak'] / MB:.0f})",
                     f"{pct(times(pt, 'dangan'), 50):.1f}", f"{dp95:.1f}",
                     f"{pct(times(pt, 'dangan'), 99):.1f}",
                     f"{worker_mb(pt.dangan_workers):.0f} "
                     f"({worker_mb(pt.dangan_workers, 'sampled_anon'):.0f})",
                     f"{sp95:.1f}",
                     f"{dp95 / sp95:.2f}×" if sp95 else "—"))
    return rows


def targets(points: list[Point]) -> list[str]:
    out = []
    for pt in points:
        if pt.n in (10_000, 100_000):
            ratio = pct(times(pt, "dangan"), 95) / pct(times(pt, "sqlite"), 95)
            out.append(f"target: p95 ≤ {RATIO_TARGET}× SQLite's at {pt.n:,}: {ratio:.2f}× — "
                       f"{'met' if ratio <= RATIO_TARGET else 'NOT met'}")
    top = max(points, key=lambda p: p.n)
    p95, p99 = pct(times(top, "dangan"), 95), pct(times(top, "dangan"), 99)
    out.append(f"target: p95 ≤ {P95_TARGET_MS:.0f} ms at the largest N ({top.n:,}): "
               f"{p95:.1f} ms (p99 {p99:.1f} ms) — {'met' if p95 <= P95_TARGET_MS else 'NOT met'}")
    rss = worker_mb(top.dangan_workers)
    out.append(f"target: worker RSS ≤ {RSS_TARGET_MB:.0f} MB at the largest N: {rss:.0f} MB — "
               f"{'met' if rss <= RSS_TARGET_MB else 'NOT met'}")
    return out


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    version = code_version(REPO)
    args.out.mkdir(parents=True, exist_ok=True)
    points, stopped = [], ""
    name = "api-" + "-".join(str(n) for n in args.ns) + ".json"
    for n in args.ns:
        try:
            point = measure_point(n, args)
        except dangan_http.BuildTimeout as e:
            stopped = f"stopped at N={n:,}: {e}"
            say(stopped)
            break
        points.append(point)
        print(f"dangan API bench, {n:,} records: {point.queries} held-out queries asked once "
              f"each, cold, size {args.size}, {args.workers} gunicorn workers each; "
              f"load {point.load_before} → {point.load_after}")
        print(render_point(point))
        if point.throughput:
            from .api_index import render_throughput

            print()
            print(render_throughput(point.throughput))
        print()
        write_json(args.out / name, args, version, points, stopped)
    if not points:
        raise SystemExit(stopped or "nothing measured")
    print(f"dangan API curve: code {version}, {os.cpu_count()} CPUs, query seed "
          f"{args.query_seed}, writer peak = `dangan index` process (its tree's sum)")
    print("\n".join(aligned(curve_rows(points))))
    for line in targets(points):
        print(line)
    if stopped:
        print(stopped)
    write_json(args.out / name, args, version, points, stopped)
    say(f"wrote {args.out / name}")


def write_json(path: Path, args: argparse.Namespace, version: str, points: list[Point],
               stopped: str) -> None:
    options = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    data = {"options": options, "code_version": version, "cpus": os.cpu_count(),
            "machine": platform.platform(), "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "curve": [dict(zip(curve_rows(points)[0], row)) for row in curve_rows(points)[1:]],
            "targets": targets(points), "stopped": stopped,
            "points": [asdict(p) for p in points]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
