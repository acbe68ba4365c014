"""Entry point: `python -m bench.run [--n N] [--seed S] [--queries Q] [--systems ...]`.

Generates (or reuses) a synthetic corpus, computes the true answer of every query by brute
force over the normalised texts, builds and queries each system, prints a table to stdout and
writes bench/out/results-N.json. It reports; it never asserts.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from indexer.analysis.normalize import normalize_text

from .corpus import catalog_strings, ensure_corpus, read_record
from .measure import run_queries, summarise
from .progress import say
from .provenance import code_version
from .queries import ground_truth, make_queries
from .report import SystemRun, ratios, render_failures, render_paging, render_table
from .results import write_results
from .systems import SYSTEMS, BuildError, make_system

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=10_000, help="records in the corpus (default 10000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--queries", type=int, default=200, help="queries in the mix (default 200)")
    p.add_argument("--systems", default=",".join(SYSTEMS),
                   help="comma-separated, from dangan,sqlite,naive (default all)")
    p.add_argument("--workers", type=int, default=None,
                   help="passed to `dangan index --workers` (default: dangan's own)")
    p.add_argument("--no-snippets", action="store_true",
                   help="time dangan's search without snippets (first 10 ids + total, like the "
                        "SQLite query) instead of as the web page asks")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    args = p.parse_args(argv)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.systems) - set(SYSTEMS)
    if unknown or not args.systems:
        p.error(f"--systems: choose from {','.join(SYSTEMS)}")
    if args.n < 1 or args.queries < 4:
        p.error("--n must be at least 1 and --queries at least 4")
    return args


def run_system(name: str, corpus, queries, truth, work: Path, workers) -> SystemRun:
    run = SystemRun(name)
    system = make_system(name, work, workers)
    try:
        say(f"{name}: building the index")
        run.build = system.build(corpus)
        say(f"{name}: {run.build.records} records in {run.build.seconds:.1f}s; querying")
        run.outcomes = run_queries(system, queries)
        run.summary = summarise(queries, truth, run.outcomes)
    except BuildError as e:
        run.error = str(e)
        say(f"{name}: {e}")
    finally:
        system.close()
    return run


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    version = code_version(REPO)
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    corpus = ensure_corpus(OUT, args.n, args.seed, REPO, seeds)
    say("normalising every record for the ground truth")
    texts = {rel: normalize_text(read_record(corpus.root, rel)) for rel in corpus.paths}
    queries, rejected = make_queries(corpus, texts, catalog_strings(corpus.root), args.queries,
                                     args.seed)
    say(f"{len(queries)} queries ({rejected} candidates rejected: they occur in catalog fields);"
        " computing the ground truth")
    truth = ground_truth(queries, texts)
    work = OUT / f"work-{args.n}"
    if args.no_snippets:
        from .systems import dangan as dangan_system

        dangan_system.TIMED_SNIPPETS = False
    runs = [run_system(name, corpus, queries, truth, work, args.workers)
            for name in args.systems]
    after = code_version(REPO)
    versions = version if after == version else f"{version}, then {after} (changed during the run)"
    snippets = "dangan timed without snippets, " if args.no_snippets else ""
    title = (f"dangan benchmark: {snippets}{corpus.n:,} records ({len(corpus.traditional):,} traditional), "
             f"seed {corpus.seed}, {len(queries)} queries, paragraphs from {corpus.source}, "
             f"code {versions}")
    print(render_table(title, runs, queries))
    print()
    for label, value in ratios(runs, queries).items():
        print(f"{label}: {value}")
    for run in runs:
        if run.name == "dangan" and run.outcomes:
            print()
            print(render_failures(queries, truth, run, texts))
            print(render_paging(queries, run))
    out = OUT / f"results-{args.n}.json"
    options = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    options["code_version"] = versions
    write_results(out, corpus, options, queries, truth, runs, rejected)
    say(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
