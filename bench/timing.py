"""Entry point: `python -m bench.timing [--records 300] [--repeats 400]` — what timing tells an
anonymous reader about records above their clearance.

Against a real `dangan serve` (gunicorn) on 127.0.0.1, through the JSON API, with requests of
the two kinds interleaved after a warm-up: (a) a search for a phrase found only in a 绝密 record
against one for a phrase found nowhere; (b) GET of a large 绝密 record's id against an id that
does not exist. Both answers of a pair are the same to the reader (0 hits; the same 404): what
remains is the difference of the median times. It reports; it never asserts.
`timing_gap(...)` measures any running server (the security bench calls it).
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from indexer.fields import SECURITY_LEVELS
from indexer.ingest.textfile import decode
from indexer.search.archive import Archive, SearchRequest

from .progress import say
from .web import HOST, OUT, REPO, Server

# (only in the big 绝密 record, in no record): rare characters, and common words in an order
# no record has (their n-grams have long position lists, in the 绝密 record too)
PHRASES = {"rare": ("玄武镇守密档", "青龙卧波秘匣"), "common": ("档案工作管理档案", "工作档案管理工作")}
UNKNOWN_ID = "0123456789abcdef"  # an id no record has


def timing_gap(base: str, secret_phrase: str, absent_phrase: str, hidden_id: str | None,
               unknown_id: str = UNKNOWN_ID, repeats: int = 400, warmup: int = 20) -> dict:
    """Median wall times (ms, to the last byte) of anonymous requests to the server at `base`
    (http://127.0.0.1:PORT): {"search": searches for `secret_phrase` (only in records above
    the reader's clearance) and `absent_phrase`, "record": GETs of `hidden_id` and
    `unknown_id`} (no "record" when `hidden_id` is None); each pair interleaved, `repeats`
    times: hidden_ms, other_ms, gap_ms, and the statuses seen (which must match in a pair)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    pairs = {"search": (f"/api/search?q={quote(secret_phrase)}",
                        f"/api/search?q={quote(absent_phrase)}")}
    if hidden_id is not None:
        pairs["record"] = (f"/api/records/{hidden_id}", f"/api/records/{unknown_id}")
    out = {}
    try:
        for name, urls in pairs.items():
            times: tuple[list[float], list[float]] = ([], [])
            statuses: tuple[set, set] = (set(), set())
            took = False  # whether any answer told the reader how long it took
            for i in range(warmup + repeats):
                order = (0, 1) if i % 2 == 0 else (1, 0)  # neither always goes first
                for which in order:
                    seconds, status, body = _get(conn, urls[which])
                    statuses[which].add(status)
                    took = took or b'"took_ms"' in body
                    if i >= warmup:
                        times[which].append(seconds * 1000)
            hidden, other = statistics.median(times[0]), statistics.median(times[1])
            out[name] = {"hidden_ms": hidden, "other_ms": other, "gap_ms": hidden - other,
                         "statuses": (sorted(statuses[0]), sorted(statuses[1])),
                         "repeats": repeats, "took_ms": took}
    finally:
        conn.close()
    return out


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - started, response.status, body


def make_corpus(folder: Path, records: int, big_chars: int, seed: int = 1) -> None:
    """`records` 公开 text records of sample paragraphs, and one 绝密 record of `big_chars`
    characters holding SECRET_PHRASE in its middle; a catalog gives the levels."""
    rng = random.Random(seed)
    paragraphs = [line.strip() for path in sorted((REPO / "corpus").rglob("*.txt"))
                  if not path.name.endswith(".gt.txt")
                  for line in decode(path.read_bytes())[0].splitlines() if len(line.strip()) > 20]
    rows = ["文件,题名,密级"]
    (folder / "公开").mkdir(parents=True, exist_ok=True)
    for i in range(records):
        text = "\n".join(rng.sample(paragraphs, min(6, len(paragraphs))))
        (folder / "公开" / f"{i:04}.txt").write_text(text, encoding="utf-8")
        rows.append(f"公开/{i:04}.txt,公开记录{i},公开")
    (folder / "机要").mkdir(exist_ok=True)
    body = []
    while sum(map(len, body)) < big_chars:
        body.append(rng.choice(paragraphs))
    for secret, _absent in PHRASES.values():
        body.insert(rng.randrange(len(body)), f"本卷涉及{secret}事项。")
    (folder / "机要" / "big.txt").write_text("\n".join(body), encoding="utf-8")
    rows.append("机要/big.txt,绝密大卷,绝密")
    (folder / "catalog.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.timing", description=__doc__.split("\n")[0])
    p.add_argument("--records", type=int, default=300, help="公开 records (default 300)")
    p.add_argument("--big-chars", type=int, default=2_000_000,
                   help="characters of the 绝密 record (default 2,000,000)")
    p.add_argument("--repeats", type=int, default=400, help="requests of each kind (default 400)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    import subprocess

    from .systems.dangan import dangan_command

    args = parse_args(argv)
    work = OUT / f"timing-{args.records}-{args.big_chars}"
    if not (work / "corpus" / "catalog.csv").exists():
        make_corpus(work / "corpus", args.records, args.big_chars)
    config = work / "config.toml"
    config.write_text('[index]\ndir = "index"\n[corpus]\npaths = ["corpus"]\n', encoding="utf-8")
    say(f"dangan index → {work / 'index'}")
    done = subprocess.run(dangan_command() + ["index", "--config", str(config)], cwd=work,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"dangan index exited {done.returncode}: {done.stderr[-2000:]}")
    hidden_id = _check(work / "index")
    with Server(config) as server:
        say(f"server on {HOST}:{server.port}: {args.repeats} requests of each kind")
        base = f"http://{HOST}:{server.port}"
        gaps = timing_gap(base, *PHRASES["rare"], hidden_id, repeats=args.repeats)
        common = timing_gap(base, *PHRASES["common"], None, repeats=args.repeats)
        gaps["search (common words)"] = common["search"]
    print(f"dangan timing bench: {args.records} 公开 records + one 绝密 record of "
          f"{args.big_chars:,} characters, anonymous reader, gunicorn on {HOST}")
    print(render(gaps))
    (OUT / "timing.json").write_text(json.dumps(gaps, ensure_ascii=False, indent=1),
                                     encoding="utf-8")


def _check(index: Path) -> str:
    """The 绝密 record's id, after checking that each secret phrase is in it alone and each
    absent one nowhere (read at 绝密, in process)."""
    archive = Archive(index)
    try:
        def hits(q):
            return archive.search(SearchRequest(q=f'"{q}"', clearance=SECURITY_LEVELS[-1],
                                                facets=False, snippets=False)).hits
        ids = set()
        for secret, absent in PHRASES.values():
            found = hits(secret)
            if len(found) != 1 or found[0].fields["security"] != "绝密" or hits(absent):
                raise SystemExit(f"the corpus does not fit the bench: {secret} / {absent}")
            ids.add(found[0].fields["id"])
        (hidden_id,) = ids
        return hidden_id
    finally:
        archive.close()


def render(gap: dict) -> str:
    labels = {"search": ("search: rare phrase only in a 绝密 record",
                         "search: rare phrase in no record"),
              "search (common words)": ("search: common words only in a 绝密 record",
                                        "search: common words in no record"),
              "record": ("GET a 绝密 record's id (404)", "GET an unknown id (404)")}
    lines = [f"{'measure':44} {'median ms':>10} {'statuses':>10}"]
    for name, (hidden, other) in labels.items():
        g = gap[name]
        lines.append(f"{hidden:44} {g['hidden_ms']:10.2f} {str(g['statuses'][0]):>10}")
        lines.append(f"{other:44} {g['other_ms']:10.2f} {str(g['statuses'][1]):>10}")
        lines.append(f"{'  gap':44} {g['gap_ms']:+10.2f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
