"""Entry point: `python -m bench.web [--n 2000] [--queries 100]` — the web layer's own cost.

Against a real `dangan serve` (gunicorn) on 127.0.0.1 over an index of the synthetic corpus
(built with the real `dangan index`) plus the sample scans:
  (a) time to first byte of the HTML search page vs the JSON API, same queries, interleaved;
  (b) a page image's first request (rendered, cold thumbnail cache) vs the second (cached).
Progress goes to stderr, the table to stdout. It reports; it never asserts.
"""
from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

from indexer.analysis.normalize import normalize_text

from .corpus import catalog_strings, ensure_corpus, read_record
from .progress import say
from .queries import make_queries
from .report import aligned
from .systems.dangan import dangan_command

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
SCANS = REPO / "corpus" / "扫描件"
HOST = "127.0.0.1"
HTML_TARGET = 1.5  # HTML p95 at most this many times the JSON p95
CACHE_TARGET = 10.0  # the cached image at least this many times faster than the first


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2000, help="records in the corpus (default 2000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--queries", type=int, default=100, help="queries (default 100)")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    return p.parse_args(argv)


def build_index(work: Path, paths: list[Path]) -> Path:
    """An up-to-date index of `paths` in work/ (the real, incremental `dangan index`)."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "config.toml"
    config.write_text('[index]\ndir = "index"\n[corpus]\npaths = ' +
                      json.dumps([str(p) for p in paths], ensure_ascii=False) + "\n"
                      '[auth]\nanonymous_clearance = "绝密"\n',  # the bench reads everything
                      encoding="utf-8")
    say(f"dangan index → {work / 'index'} (the scans are OCR'd once, then cached)")
    started = time.perf_counter()
    done = subprocess.run(dangan_command() + ["index", "--config", str(config)], cwd=work,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"dangan index exited {done.returncode}: {done.stderr[-2000:]}")
    say(f"indexed in {time.perf_counter() - started:.1f}s: {done.stdout.strip()[:200]}")
    return config


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """`dangan serve` in the background, stopped on exit."""

    def __init__(self, config: Path):
        self.port = free_port()
        self.log = (config.parent / "serve.log").open("wb")
        self.proc = subprocess.Popen(
            dangan_command() + ["serve", "--config", str(config), "--host", HOST, "--port",
                                str(self.port)], stdout=self.log, stderr=subprocess.STDOUT,
            cwd=config.parent)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"dangan serve exited {self.proc.returncode}, see {self.log.name}")
            try:
                get(self.connect(), "/api/search?size=1")
                return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit("dangan serve did not answer within 60 s")

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=60)

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def get(conn: http.client.HTTPConnection, path: str) -> tuple[float, float, bytes]:
    """(seconds to the first byte, seconds to the last byte, body) of one GET."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()  # returns once the status line and headers arrived
    first = time.perf_counter() - started
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"GET {path}: HTTP {response.status}: {body[:300]!r}")
    return first, time.perf_counter() - started, body


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def time_search(server: Server, queries: list[str]) -> dict[str, list[float]]:
    """TTFB of the HTML page and the JSON API per query, interleaved, after one warm-up pass."""
    conn = server.connect()
    urls = {"html": "/?{}", "json": "/api/search?{}"}
    for q in queries:  # warm-up: both endpoints see every query once before timing
        for url in urls.values():
            get(conn, url.format(urlencode({"q": q})))
    times: dict[str, list[float]] = {"html": [], "json": []}
    for i, q in enumerate(queries):
        order = ("html", "json") if i % 2 == 0 else ("json", "html")
        for kind in order:
            times[kind].append(get(conn, urls[kind].format(urlencode({"q": q})))[0])
    conn.close()
    return times


def time_images(server: Server, thumbs: Path) -> dict[str, list[float]]:
    """Every page image of every scan/PDF record: first request (cold cache), then second."""
    conn = server.connect()
    found = json.loads(get(conn, "/api/search?" + urlencode(
        [("type", "image"), ("type", "pdf"), ("size", "100")]))[2])
    if thumbs.exists():
        shutil.rmtree(thumbs)  # cold: nothing rendered yet
    times: dict[str, list[float]] = {"cold": [], "warm": []}
    for hit in found["hits"]:
        for page in range(1, int(hit["pages"] or 1) + 1):
            url = f"/api/records/{hit['id']}/pages/{page}.png?width=1000"
            times["cold"].append(get(conn, url)[1])
            times["warm"].append(get(conn, url)[1])
    conn.close()
    return times


def render(search: dict[str, list[float]], images: dict[str, list[float]]) -> str:
    ms = 1000.0
    rows = [("measure", "n", "p50 ms", "p95 ms", "target", "met")]
    for kind, label in (("html", "search page (HTML), TTFB"), ("json", "JSON API, TTFB")):
        v = search[kind]
        rows.append((label, str(len(v)), f"{pct(v, 50) * ms:.1f}", f"{pct(v, 95) * ms:.1f}",
                     "", ""))
    ratio = pct(search["html"], 95) / pct(search["json"], 95)
    rows.append(("HTML p95 / JSON p95", "", "", f"{ratio:.2f}×", f"≤ {HTML_TARGET}×",
                 "yes" if ratio <= HTML_TARGET else "NO"))
    for kind, label in (("cold", "page image, 1st request (render)"),
                        ("warm", "page image, 2nd request (cache)")):
        v = images[kind]
        rows.append((label, str(len(v)), f"{pct(v, 50) * ms:.1f}", f"{pct(v, 95) * ms:.1f}",
                     "", ""))
    speedup = statistics.median(images["cold"]) / statistics.median(images["warm"])
    rows.append(("1st / 2nd (medians)", "", f"{speedup:.0f}×", "", f"≥ {CACHE_TARGET:.0f}×",
                 "yes" if speedup >= CACHE_TARGET else "NO"))
    lines = aligned(rows)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    corpus = ensure_corpus(OUT, args.n, args.seed, REPO, seeds)
    texts = {rel: normalize_text(read_record(corpus.root, rel)) for rel in corpus.paths}
    queries, _rejected = make_queries(corpus, texts, catalog_strings(corpus.root),
                                      args.queries, args.seed)
    work = OUT / f"web-{args.n}"
    config = build_index(work, [corpus.root, SCANS])
    with Server(config) as server:
        say(f"server on {HOST}:{server.port}; {len(queries)} queries, HTML and JSON")
        search = time_search(server, [q.text for q in queries])
        say("page images: first and second request of each page")
        images = time_images(server, work / "thumbs")
    print(f"dangan web bench: {args.n} synthetic records + {SCANS.name}/, "
          f"{len(queries)} queries, gunicorn on {HOST}")
    print(render(search, images))


if __name__ == "__main__":
    main()
