"""Entry point: `python -m bench.messy [--n N] [--seed S] [--per-kind Q]` (`make bench-messy`).

Generates a messy corpus, indexes it with the real `dangan index`, and runs queries typed the
way clerks type (typos, OCR misreads, pinyin, short forms, loose 文号 …) through the search
library, scored against what each query meant. It reports; it never asserts.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from indexer.analysis.normalize import normalize_text
from indexer.config import SearchSettings
from indexer.search.archive import Archive

from .corpus import CorpusInfo, paragraph_source, read_paragraphs
from .messy_corpus import MessyCorpus, generate
from .messy_measure import check_exact, latency, ranked, score_kinds
from .messy_queries import KINDS, make_messy
from .messy_report import damaged_line, exact_line, kind_table, latency_line, misses, write_json
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
    p.add_argument("--out", type=Path, default=BENCH / "out",
                   help="where the corpus, index and results go (default bench/out)")
    args = p.parse_args(argv)
    if args.n < 20 or args.per_kind < 1 or args.exact < 4:
        p.error("--n must be at least 20, --per-kind at least 1 and --exact at least 4")
    return args


def exact_set(corpus: MessyCorpus, info: CorpusInfo, count: int, seed: int):
    """The `make bench` query mix over this corpus, with its brute-force truth over the text."""
    texts = {r.path: r.actual for r in corpus.records}
    catalog = [v for r in corpus.records if r.catalog for k, v in r.catalog.items()
               if k not in ("文件", "日期", "密级")]
    catalog += [p for r in corpus.records for p in r.persons]
    queries, _rejected = make_queries(info, texts, catalog, count, seed)
    return queries, ground_truth(queries, texts)


def damaged_records(corpus: MessyCorpus, queries) -> list[frozenset[str]]:
    """Per query, the intended records whose text no longer holds what was meant."""
    actual = {r.path: r.actual for r in corpus.records}
    return [frozenset(p for p in q.intended if normalize_text(q.meant) not in actual[p])
            for q in queries]


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
    build = DanganSystem(out / "work", args.workers)
    stats = build.build(info)
    build.close()
    say(f"dangan index: {stats.records} records in {stats.seconds:.1f}s; searching")
    index = out / "work" / "index"
    on = Archive(index, replace(SearchSettings(), max_size=MAX_DEPTH, variants=True))
    off = Archive(index, replace(SearchSettings(), max_size=MAX_DEPTH, variants=False))
    try:
        rankings = [ranked(on, q.text) for q in queries]
        exact = check_exact(exact_queries, truth, [ranked(on, q.text) for q in exact_queries])
        say("timing with variants on and off")
        lat = latency(on, off, [q.text for q in queries])
    finally:
        on.close()
        off.close()
    damaged = sum(bool(r.damaged) for r in records)
    title = (f"dangan messy-query benchmark: {args.n:,} records ({damaged} OCR-damaged, "
             f"{len(info.traditional)} traditional, {sum(bool(r.catalog) for r in records)} "
             f"in catalog.csv), seed {args.seed}, {len(queries)} queries, code {version}")
    rows = score_kinds(KINDS, queries, rankings)
    print("\n".join([title, "", *kind_table(rows), "",
                     damaged_line(queries, rankings, damaged_records(corpus, queries)),
                     exact_line(exact), latency_line(lat, len(queries))]))
    missed = misses(queries, rankings)
    if missed:
        print("\nmissed (first two per kind):\n" + "\n".join(missed))
    if exact.imperfect:
        print(f"exact set, queries with R or P < 1: {exact.imperfect[:10]}")
    write_json(out / "results.json", {"n": args.n, "seed": args.seed, "code_version": version,
                                      "index_seconds": stats.seconds}, queries, rankings)
    say(f"done in {time.perf_counter() - started:.0f}s; wrote {(out / 'results.json')}")


if __name__ == "__main__":
    main()
