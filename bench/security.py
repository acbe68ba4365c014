"""Entry point: `python -m bench.security` (`make bench-security`) — the fail-closed targets.

(a) The hostile corpus of tests/hostile.py through the real `dangan index`: exit code, failed
    files and the peak memory (RSS) of every process of the run, sampled every 50 ms (target:
    none over 2 GB); then each bomb beside a few ordinary files, since a run that stops at
    discovery shows nothing of them. A process over --ceiling-mb is killed by the bench.
(b) 5xx under load: searches from several threads against `dangan serve` while `dangan index`
    commits every 20 records on updated files, then while `dangan index --rebuild` swaps.
(c) What a reader below 绝密 can learn from timing (issue 11 item 5): an anonymous search for
    a phrase only in a 绝密 record vs an absent phrase, and a large hidden record's id vs an
    unknown one, through HTTP.
Progress goes to stderr, the table to stdout, the data to bench/out/security/results.json.
It reports; it never asserts.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from .corpus import ensure_corpus
from .loadtest import (ABSENT_PHRASE, HIDDEN_PHRASE, add_hidden_record, concurrent_load, dangan,
                       hidden_id, write_config)
from .procwatch import IndexRun, watch_index
from .progress import say
from .provenance import code_version
from .report import aligned
from .systems.dangan import dangan_command
from .timing import timing_gap
from .web import HOST, Server

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out" / "security"
MEMORY_TARGET_MB = 2048
SHOWN_MB = 256  # processes below this peak are counted on one line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.security", description=__doc__.split("\n")[0])
    p.add_argument("--parts", default="memory,load,timing",
                   help="what to run, comma-separated (default memory,load,timing)")
    p.add_argument("--workers", type=int, default=2,
                   help="dangan index --workers (default 2: a worker pool, even for one file)")
    p.add_argument("--ceiling-mb", type=int, default=5000,
                   help="kill a process of the run above this RSS (default 5000)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per index run (600)")
    p.add_argument("--n", type=int, default=3000, help="records of the load corpus (3000)")
    p.add_argument("--update", type=int, default=1500, help="files updated under load (1500)")
    p.add_argument("--threads", type=int, default=4, help="searching threads (default 4)")
    p.add_argument("--repeat", type=int, default=300, help="requests per timing case (300)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the load corpus (1)")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    return p.parse_args(argv)


def memory_runs(args, work: Path) -> list[IndexRun]:
    """The hostile corpus, then each of its bombs with a few ordinary files (a run that stops
    at discovery shows nothing of the bombs, and a pool whose worker dies fails the files
    beside it), each into a fresh index."""
    sys.path.insert(0, str(REPO / "tests"))
    from hostile import PARTS, build_hostile_corpus

    whole = build_hostile_corpus(work / "hostile", work / "secret", PARTS)
    runs = [index_run("hostile corpus", whole.root, work / "data", args.workers, args)]
    for bomb in sorted((whole.root / "炸弹").iterdir()):
        if bomb.name == "catalog.csv":
            continue
        alone = work / bomb.stem / "hostile"
        alone.mkdir(parents=True)
        shutil.copy(bomb, alone / bomb.name)
        for i in range(2 * args.workers):  # enough files that dangan starts its worker pool
            (alone / f"companion-{i}.txt").write_text(f"同批次的普通文件{i}号。\n", encoding="utf-8")
        runs.append(index_run(f"{bomb.name} + {2 * args.workers} files", alone, work / bomb.stem / "data",
                              args.workers, args))
    return runs


def index_run(label: str, corpus: Path, data: Path, workers: int, args) -> IndexRun:
    data.mkdir(parents=True)
    config = data / "config.toml"
    config.write_text('[index]\ndir = "index"\n', encoding="utf-8")
    say(f"{label}: dangan index --workers {workers}")
    cmd = dangan_command() + ["index", str(corpus), "--config", str(config), "--workers",
                              str(workers)]
    run = watch_index(label, cmd, data, corpus, args.ceiling_mb, args.timeout)
    say(f"{label}: exit {run.exit_code} in {run.seconds:.1f}s, {len(run.failed)} failed, "
        f"{len(run.processes)} processes")
    return run


def memory_table(runs: list[IndexRun], ceiling_mb: int) -> list[str]:
    rows = [("run", "exit", "s", "failed", "process", "pid", "peak MB", "file at peak",
             "over 2 GB")]
    for run in runs:
        end = ("timed out" if run.timed_out else
               f"killed ({run.exit_code})" if (run.exit_code or 0) < 0 else str(run.exit_code))
        shown = [p for p in run.processes if p.role == "writer" or p.peak_mb >= SHOWN_MB]
        rest = [p for p in run.processes if p not in shown]
        for i, proc in enumerate(sorted(shown, key=lambda p: -p.peak_mb)):
            over = "KILLED" if proc.killed else ("YES" if proc.peak_mb > MEMORY_TARGET_MB else "")
            head = (run.label, end, f"{run.seconds:.1f}", str(len(run.failed))) if i == 0 \
                else ("", "", "", "")
            rows.append((*head, proc.role, str(proc.pid),
                         f"{proc.peak_mb:.0f}" + ("+" if proc.killed else ""),
                         proc.file[-40:] or "—", over))
        if rest:
            rows.append(("", "", "", "", f"{len(rest)} others", "",
                         f"≤ {max(p.peak_mb for p in rest):.0f}", "", ""))
    lines = aligned(rows)
    worst = max((p.peak_mb for r in runs for p in r.processes), default=0)
    killed = sum(p.killed for r in runs for p in r.processes)
    met = "yes" if worst <= MEMORY_TARGET_MB and not killed else "NO"
    lines.append(f"largest peak {worst:.0f} MB (target: none over {MEMORY_TARGET_MB} MB): {met}"
                 + (f"; {killed} killed by the bench above {ceiling_mb} MB" if killed else ""))
    for run in runs:
        if run.crash:
            lines.append(f"{run.label}: the run crashed: {run.crash}")
        for path, reason in run.failed:
            lines.append(f"{run.label}: failed: {path}: {reason[:110]}")
    return lines


def load_and_timing(args, parts: set[str], work: Path) -> tuple[dict | None, dict | None]:
    """A copy of the generated corpus plus one large 绝密 record, indexed and served; the
    timing cases on the quiet server, then the load."""
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    corpus = ensure_corpus(BENCH / "out", args.n, args.seed, REPO, seeds)
    copy = work / "corpus"
    shutil.copytree(corpus.root, copy)  # files are updated under load: never the shared copy
    add_hidden_record(copy)
    config = write_config(work, copy)
    say(f"dangan index of {args.n} records + 机要/large.txt")
    done = dangan(config, "index")
    if done.returncode not in (0, 1):
        raise SystemExit(f"dangan index exited {done.returncode}: {done.stderr[-2000:]}")
    queries = [name.text for name in corpus.names[:60]] + ["档案", "工作", "管理", "保密"]
    load = gap = None
    with Server(config) as server:
        if "timing" in parts:
            say(f"timing: {args.repeat} requests per case")
            gap = timing_gap(f"http://{HOST}:{server.port}", HIDDEN_PHRASE, ABSENT_PHRASE,
                             hidden_id(config), repeats=args.repeat)
        if "load" in parts:
            say(f"load: {args.threads} threads; {args.update} files updated, then --rebuild")
            load = concurrent_load(server, config, copy, queries, args.threads, args.update)
    return load, gap


def load_table(load: dict) -> list[str]:
    rows = [("phase", "seconds", "requests", "5xx", "other errors", "error kinds (server log)")]
    for phase in load["phases"]:
        kinds = ", ".join(f"{k} ×{n}" for k, n in phase["kinds"].items()) or "—"
        rows.append((phase["name"], f"{phase['seconds']:.1f}", str(phase["requests"]),
                     str(phase["5xx"]), str(phase["other"]), kinds))
    total = sum(p["5xx"] for p in load["phases"])
    lines = aligned(rows)
    lines.append(f"5xx in all: {total} of {sum(p['requests'] for p in load['phases'])} "
                 f"(target: 0): {'yes' if total == 0 else 'NO'}")
    lines += [f"  {name}: exit {code}" for name, code in load["index_exits"].items()]
    return lines


def timing_table(gap: dict) -> list[str]:
    names = {"search": ("search: phrase only in a 绝密 record", "search: absent phrase"),
             "record": ("GET /api/records/<large hidden id>", "GET /api/records/<unknown id>")}
    rows = [("measure (anonymous reader)", "n", "status", "median ms", "gap ms",
             "took_ms in answer")]
    for kind, pair in gap.items():
        for which, name in enumerate(names[kind]):
            rows.append((name, str(pair["repeats"]), "/".join(map(str, pair["statuses"][which])),
                         f"{pair['hidden_ms'] if which == 0 else pair['other_ms']:.2f}",
                         f"{pair['gap_ms']:+.2f}" if which == 0 else "",
                         ("yes" if pair["took_ms"] else "no") if which == 0 else ""))
    return aligned(rows)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    parts = set(args.parts.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict = {"options": {k: str(v) for k, v in vars(args).items()},
                     "code": code_version(REPO), "cpus": os.cpu_count()}
    out: list[str] = [f"dangan security bench: {results['code']}, {results['cpus']} CPUs"]
    with tempfile.TemporaryDirectory(prefix="bench-security-") as tmp:
        work = Path(tmp)
        if "memory" in parts:
            runs = memory_runs(args, work / "memory")
            results["memory"] = [asdict(r) for r in runs]
            out += ["", "(a) `dangan index` of the hostile corpus: peak RSS of every process",
                    *memory_table(runs, args.ceiling_mb)]
        if parts & {"load", "timing"}:
            load, gap = load_and_timing(args, parts, work / "load")
            if gap:
                results["timing"] = gap
                out += ["", f"(c) timing (issue 11 item 5): {args.repeat} requests per case, "
                        "interleaved, through HTTP; gap = median − median of the line below",
                        *timing_table(gap)]
            if load:
                results["load"] = load
                out += ["", f"(b) searches from {args.threads} threads while `dangan index` "
                        f"commits every 20 records ({args.update} files updated), then "
                        "`--rebuild`", *load_table(load)]
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                      encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
