"""`python -m bench.reindex` (`make bench-reindex`): the three targets of batch re-indexing.

1. a no-op re-index against the full build of the same N records (target ≤ 3%);
2. OCR-heavy throughput with 2 workers against 1, on freshly drawn scans (target ≥ 1.7×);
3. the writer's peak memory from the smallest to the largest N (target within 1.5×).

Every number comes from the real `dangan index` console script run as a subprocess, each
build in its own fresh work folder under bench/out/reindex/. It reports; it never asserts.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .corpus import ensure_corpus
from .progress import say
from .provenance import code_version
from .scans import ensure_scans
from .systems.dangan import dangan_command

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
WORK = OUT / "reindex"
PEAK = re.compile(r"writer peak memory ([\d.]+) MB")
ADDED = re.compile(r"added (\d+)")


@dataclass(frozen=True)
class IndexRun:
    seconds: float  # wall clock, process start included
    exit_code: int
    summary: str  # the "added …, updated …, unchanged …" line
    added: int
    peak_mb: float | None  # the writer's peak memory, when dangan prints it


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target, or no number to judge


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.reindex", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=10_000, help="records for the no-op re-index (10000)")
    p.add_argument("--scans", type=int, default=16, help="scans for the OCR throughput (16)")
    p.add_argument("--memory-ns", default="1000,10000",
                   help="comma-separated record counts for the peak-memory builds (1000,10000)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the text corpus (1)")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: --n 1000 --scans 4 --memory-ns 200,1000")
    args = p.parse_args(argv)
    if args.quick:
        args.n, args.scans, args.memory_ns = 1000, 4, "200,1000"
    try:
        args.memory_ns = sorted({int(x) for x in args.memory_ns.split(",") if x.strip()})
    except ValueError:
        p.error("--memory-ns: comma-separated whole numbers, e.g. 1000,10000")
    if args.n < 1 or args.scans < 1 or not args.memory_ns or min(args.memory_ns) < 1:
        p.error("--n, --scans and every --memory-ns value must be at least 1")
    if not args.seeds.is_absolute():
        args.seeds = (REPO / args.seeds).resolve()
    return args


def dangan_index(source: Path, work: Path, workers: int | None = None,
                 fresh: bool = True) -> IndexRun:
    """`dangan index SOURCE --config WORK/config.toml`, timed; a fresh work folder means an
    empty index and a cold OCR cache (the cache lives beside the index)."""
    if fresh:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "config.toml").write_text('[index]\ndir = "index"\n\n[ocr]\nenabled = true\n',
                                          encoding="utf-8")
    cmd = dangan_command() + ["index", str(source), "--config", str(work / "config.toml")]
    if workers:
        cmd += ["--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    summary = next((line for line in done.stdout.splitlines() if line.startswith("added ")), "")
    if done.returncode not in (0, 1) or not summary:  # a traceback also exits 1
        raise SystemExit(f"bench.reindex: dangan index exited {done.returncode}"
                         f"{' without its summary line' if done.returncode in (0, 1) else ''} "
                         f"({' '.join(cmd)}):\n{(done.stderr or done.stdout).strip()[-2000:]}")
    added = ADDED.match(summary)
    peak = PEAK.search(done.stdout + "\n" + done.stderr)
    run = IndexRun(seconds, done.returncode, summary, int(added.group(1)) if added else 0,
                   float(peak.group(1)) if peak else None)
    say(f"dangan index {source.name}: {summary} ({seconds:.1f}s wall"
        + (f", writer peak {run.peak_mb:.0f} MB)" if run.peak_mb is not None else ")"))
    return run


def text_build(n: int, args: argparse.Namespace) -> IndexRun:
    """A full build of the synthetic corpus of n records (bench/out/corpus-N, shared with
    `make bench`) in a fresh work folder."""
    corpus = ensure_corpus(OUT, n, args.seed, REPO, args.seeds)
    say(f"full build of {n:,} records")
    return dangan_index(corpus.root, WORK / f"build-{n}")


def noop_reindex(args: argparse.Namespace) -> tuple[IndexRun, IndexRun]:
    """(full build, the same command again with nothing changed) at N = --n."""
    corpus = ensure_corpus(OUT, args.n, args.seed, REPO, args.seeds)
    work = WORK / f"build-{args.n}"
    say(f"full build of {args.n:,} records")
    full = dangan_index(corpus.root, work)
    say("the same command again, nothing changed")
    return full, dangan_index(corpus.root, work, fresh=False)


def ocr_throughput(args: argparse.Namespace) -> dict[int, IndexRun]:
    """Records/s over the scans with 1 and 2 workers, each with a cold OCR cache."""
    folder = WORK / "scans"
    ensure_scans(folder, args.scans, args.seeds)
    runs = {}
    for workers in (1, 2):
        say(f"OCR: {args.scans} scans, {workers} worker{'s' if workers > 1 else ''}")
        runs[workers] = dangan_index(folder, WORK / f"scans-w{workers}", workers=workers)
    return runs


def memory_builds(args: argparse.Namespace, reuse: IndexRun) -> dict[int, IndexRun]:
    return {n: reuse if n == args.n else text_build(n, args) for n in args.memory_ns}


def _rate(run: IndexRun) -> float:
    return run.added / run.seconds if run.seconds else 0.0


def ratios(full: IndexRun, again: IndexRun, ocr: dict[int, IndexRun],
           memory: dict[int, IndexRun]) -> dict[str, float | None]:
    """The three numbers that have a target (None when they cannot be computed)."""
    low, high = memory[min(memory)].peak_mb, memory[max(memory)].peak_mb
    return {"noop_share": again.seconds / full.seconds if full.seconds else None,
            "ocr_speedup": _rate(ocr[2]) / _rate(ocr[1]) if _rate(ocr[1]) else None,
            "memory_growth": high / low if low and high and len(memory) > 1 else None}


def rows_for(args, full: IndexRun, again: IndexRun, ocr: dict[int, IndexRun],
             memory: dict[int, IndexRun], got: dict[str, float | None]) -> list[Row]:
    def judged(label: str, value: float | None, fmt: str, target: str, limit: float,
               at_most: bool) -> Row:
        if value is None:
            return Row(label, "—", target, None)
        return Row(label, fmt.format(value), target, value <= limit if at_most else value >= limit)

    rows = [
        Row(f"full build, {args.n:,} records (s)", f"{full.seconds:.1f}"),
        Row("no-op re-index (s)", f"{again.seconds:.2f}"),
        judged("no-op / full build", got["noop_share"], "{:.1%}", "≤ 3%", 0.03, True),
        Row(f"OCR {args.scans} scans, 1 worker (records/s)", f"{_rate(ocr[1]):.2f}"),
        Row(f"OCR {args.scans} scans, 2 workers (records/s)", f"{_rate(ocr[2]):.2f}"),
        judged("2 workers / 1 worker", got["ocr_speedup"], "{:.2f}×", "≥ 1.7×", 1.7, False),
    ]
    for n, run in memory.items():
        value = "—" if run.peak_mb is None else f"{run.peak_mb:,.0f}"
        rows.append(Row(f"writer peak memory, {n:,} records (MB)", value))
    rows.append(judged(f"peak memory {max(memory):,} / {min(memory):,} records",
                       got["memory_growth"], "{:.2f}×", "≤ 1.5×", 1.5, True))
    return rows


def render(title: str, rows: list[Row]) -> str:
    """Aligned plain text, like bench/report.py's table."""
    cells = [(r.label, r.value, r.target, {True: "yes", False: "no", None: "—"}[r.met]
              if r.target else "") for r in rows]
    head = ("", "value", "target", "met")
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(4)]

    def line(c: tuple[str, ...]) -> str:
        padded = [c[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(c[1:], widths[1:])]
        return "  ".join(padded).rstrip()

    return "\n".join([title, "", line(head), "-" * (sum(widths) + 6), *map(line, cells)])


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    version = code_version(REPO)
    WORK.mkdir(parents=True, exist_ok=True)
    full, again = noop_reindex(args)
    ocr = ocr_throughput(args)
    memory = memory_builds(args, full)
    after = code_version(REPO)
    versions = version if after == version else f"{version}, then {after} (changed during the run)"
    got = ratios(full, again, ocr, memory)
    rows = rows_for(args, full, again, ocr, memory, got)
    title = f"dangan re-index benchmark: code {versions}, {os.cpu_count()} CPUs"
    print(render(title, rows))
    print()
    print(f"no-op re-index said: {again.summary}")
    runs = {"full build": full, "no-op re-index": again,
            **{f"OCR, {w} worker(s)": r for w, r in ocr.items()},
            **{f"memory build, {n:,} records": r for n, r in memory.items()}}
    for label, run in runs.items():
        if run.exit_code:
            print(f"{label}: some files failed (exit {run.exit_code}): {run.summary}")
    data = {"code_version": versions,
            "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "machine": {"python": platform.python_version(), "platform": platform.platform(),
                        "cpus": os.cpu_count()},
            "ratios": {k: None if v is None else round(v, 4) for k, v in got.items()},
            "rows": [asdict(r) for r in rows],
            "runs": {label: asdict(run) for label, run in runs.items()}}
    out = WORK / "results.json"
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
