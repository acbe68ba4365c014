"""Entry point: `python -m bench.messy [--n N] [--seed S] [--per-kind Q]` (`make bench-messy`).

Generates a messy corpus, indexes it with the real `dangan index`, and runs queries typed the
way clerks type (typos, OCR misreads, pinyin, short forms, loose 文号 …) through the search
library, scored against what each query meant. It reports; it never asserts.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

from indexer.analysis.normalize import normalize_text
from indexer.config import SearchSettings
from indexer.search.archive import Archive

from .corpus import CorpusInfo, paragraph_source, read_paragraphs
from .messy_corpus import MessyCorpus, generate
from .messy_measure import Ranked, check_exact, first_asked, latency, ranked, score_kinds
from .messy_queries import KINDS, make_messy
from .messy_report import (exact_line, kind_table, latency_line, misses, totals_line,
                           write_json)
from .progress import say
from .provenance import code_version
from .queries import ground_truth, make_queries
from .systems.dangan import MAX_DEPTH, DanganSystem

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.messy", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=3000, help="records in the corpus (default 3000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--per-kind", type=int, default=25, help="queries per kind (default 25)")
    p.add_argument("--exact", type=int, default=200,
                   help="queries in the exact `make bench` mix (default 200)")
    p.add_argument("--workers", type=int, default=None, help="passed to `dangan index --workers`")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    p.add_argument("--reuse", action="store_true",
                   help="search the index an earlier run built for this N and seed (no build)")
    p.add_argument("--out", type=Path, default=BENCH / "out",
                   help="where the corpus, index and results go (default bench/out)")
    args = p.parse_args(argv)
    if args.n < 20 or args.per_kind < 1 or args.exact < 4:
        p.error("--n must be at least 20, --per-kind at least 1 and --exact at least 4")
    return args


def exact_set(corpus: MessyCorpus, info: CorpusInfo, count: int, seed: int):
    """The `make bench` query mix over this corpus, with its brute-force truth over the text."""
    texts = {r.path: r.actual for r in corpus.records}
    catalog = [r.catalog_text for r in corpus.records if r.catalog]
    queries, _rejected = make_queries(info, texts, catalog, count, seed)
    return queries, ground_truth(queries, texts)


def damaged_only(corpus: MessyCorpus, queries, rankings: list[Ranked]):
    """The `ocr` queries (and their hits) again, meaning only the records where nothing the
    index holds has the name as meant (its text was misread, and no catalog value gives it)."""
    held = {r.path: r.actual + "\n" + r.catalog_text for r in corpus.records}
    out = []
    for q, r in zip(queries, rankings):
        lost = frozenset(p for p in q.intended if normalize_text(q.meant) not in held[p])
        if q.kind == "ocr" and lost:
            out.append((replace(q, kind="ocr_damaged", intended=lost), r))
    return [q for q, _r in out], [r for _q, r in out]


def search_all(index: Path, queries, exact_queries, truth):
    """Every hit of every query (variants on), the exact-set check and the latency pairs."""
    on = Archive(index, replace(SearchSettings(), max_size=MAX_DEPTH, variants=True))
    off = Archive(index, replace(SearchSettings(), max_size=MAX_DEPTH, variants=False))
    try:
        rankings = [ranked(on, q.text) for q in queries]
        exact = check_exact(exact_queries, truth, [ranked(on, q.text) for q in exact_queries])
        say("timing with variants on and off")
        settings = replace(SearchSettings(), max_size=MAX_DEPTH)
        first = first_asked(index, settings, [q.text for q in queries])
        return rankings, exact, (latency(on, off, [q.text for q in queries]),
                                 latency(on, off, [q.text for q in exact_queries]), first)
    finally:
        on.close()
        off.close()


def _reused(out: Path, seed: int, records: int) -> SimpleNamespace | None:
    """The build of an earlier run for this N and seed (its index seconds from its
    results.json), or None when there is none to reuse (then the corpus is built again)."""
    try:
        prior = json.loads((out / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if prior.get("seed") != seed or not (out / "work" / "index").is_dir():
        return None
    say(f"reusing the index built for seed {seed} in {out / 'work'}")
    return SimpleNamespace(records=records, seconds=float(prior.get("index_seconds", 0.0)))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    version = code_version(REPO)
    out = args.out / f"messy-{args.n}"
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    source, files = paragraph_source(REPO, seeds)
    say(f"generating {args.n} messy records from {source}")
    corpus = generate(out / "corpus", args.n, args.seed, read_paragraphs(files))
    records = corpus.records
    queries = make_messy(records, args.per_kind, args.seed)
    info = CorpusInfo(corpus.root, args.n, args.seed, source, tuple(r.path for r in records),
                      frozenset(r.path for r in records if r.traditional), corpus.names)
    exact_queries, truth = exact_set(corpus, info, args.exact, args.seed)
    say(f"{len(queries)} messy queries, {len(exact_queries)} exact; indexing")
    stats = _reused(out, args.seed, len(records)) if args.reuse else None
    if stats is None:
        build = DanganSystem(out / "work", args.workers)
        stats = build.build(info)
        build.close()
    say(f"dangan index: {stats.records} records in {stats.seconds:.1f}s; searching")
    rankings, exact, (lat, exact_lat, first) = search_all(out / "work" / "index", queries,
                                                         exact_queries, truth)
    lost, lost_rankings = damaged_only(corpus, queries, rankings)
    rows = score_kinds((*KINDS, "ocr_damaged"), queries + lost, rankings + lost_rankings)
    title = (f"dangan messy-query benchmark: {args.n:,} records "
             f"({sum(bool(r.damaged) for r in records)} OCR-damaged, {len(info.traditional)} "
             f"traditional, {sum(bool(r.catalog) for r in records)} in catalog.csv), seed "
             f"{args.seed}, {len(queries)} queries, index built in {stats.seconds:.0f}s, code "
             f"{version}")
    print("\n".join([title, "", *kind_table(rows), "", exact_line(exact),
                     latency_line(lat, f"{len(queries)} messy queries"),
                     latency_line(exact_lat, f"{len(exact_queries)} exact-set queries"),
                     latency_line(first, f"{len(queries)} messy queries, each asked once "
                                  "on a freshly opened index, fastest of 3 such passes",
                                  repeated=False),
                     totals_line(rankings)]))
    missed = misses(queries, rankings)
    if missed:
        print("\nmissed (first two per kind):\n" + "\n".join(missed))
    if exact.imperfect:
        print(f"exact set, queries with R or P < 1: {exact.imperfect[:10]}")
    write_json(out / "results.json", {"n": args.n, "seed": args.seed, "code_version": version,
                                      "index_seconds": stats.seconds}, queries, rankings)
    say(f"done in {time.perf_counter() - started:.0f}s; wrote {out / 'results.json'}")


if __name__ == "__main__":
    main()
