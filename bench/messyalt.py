"""Entry point: `python -m bench.messyalt [--n N] [--seed S] [--per-kind Q]`.

A second, independently written messy-query set: its own names (多音字 and compound surnames),
organisations of other provinces and levels with their short forms, look-alike and homophone
tables, abbreviation pairs, 文号 forms, field aliases, number tails and dates. Generates the
corpus, indexes it with the real `dangan index`, searches through the library and prints per
kind recall, success@k, the exact-first check and slow queries. It reports; it never asserts.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from indexer.analysis.normalize import normalize_text
from indexer.config import SearchSettings
from indexer.fields import SECURITY_LEVELS
from indexer.search.archive import Archive, SearchRequest

from .corpus import CorpusInfo, read_paragraphs
from .messyalt_corpus import KINDS, Query, generate, make_queries
from .progress import say
from .provenance import code_version
from .report import aligned
from .systems.dangan import MAX_DEPTH, DanganSystem

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TARGET = 0.95
SLOW_MS = 100.0


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.messyalt", description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2000, help="records (default 2000)")
    p.add_argument("--seed", type=int, default=11, help="random seed (default 11)")
    p.add_argument("--per-kind", type=int, default=20, help="queries per kind (default 20)")
    p.add_argument("--out", type=Path, default=BENCH / "out", help="default bench/out")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts (relative to the repository root)")
    p.add_argument("--workers", type=int, default=None, help="passed to `dangan index`")
    p.add_argument("--reuse", action="store_true",
                   help="search the index already built for this N (same seed assumed)")
    return p.parse_args(argv)


def _request(text: str, size: int, full: bool) -> SearchRequest:
    return SearchRequest(q=text, size=size, facets=full, snippets=full,
                         clearance=SECURITY_LEVELS[-1])


def run_query(archive: Archive, q: Query) -> dict:
    """First page of 10 as the web page asks it (timed), then every hit in one page."""
    row = {"kind": q.kind, "typed": q.text, "meant": q.meant, "note": q.note, "k": q.k,
           "intended": sorted(q.intended)}
    try:
        started = time.perf_counter()
        first = archive.search(_request(q.text, 10, True))
        row["ms"] = round((time.perf_counter() - started) * 1000, 1)
        every = archive.search(_request(q.text, max(1, min(first.total, MAX_DEPTH)), False))
    except Exception as e:  # reported, not raised
        return row | {"error": f"{type(e).__name__}: {e}", "paths": [], "labels": [],
                      "ms": None, "total": 0, "top": []}
    row["paths"] = [h.fields["path"] for h in every.hits]
    row["labels"] = [h.match for h in every.hits]
    row["total"] = every.total
    row["top"] = [{"path": h.fields["path"], "match": h.match, "variants": list(h.variants)}
                  for h in first.hits[:5]]
    row["notices"] = [str(n) for n in getattr(first, "notices", []) or []][:3]
    row["suggestions"] = [str(s) for s in getattr(first, "suggestions", []) or []][:5]
    return row


def misordered(labels: list[str]) -> bool:
    return "approximate" in labels and "exact" in labels[labels.index("approximate"):]


def why_missed(path: str, q: Query, by_path) -> str:
    """Where the meant string stands in a missed record (a hint for grouping misses)."""
    r = by_path[path]
    where = []
    if r.damaged:
        where.append("damaged")
    if r.traditional:
        where.append("traditional")
    if r.catalog:
        where.append("in catalog")
    meant = [normalize_text(m) for m in re.split("[/=]", q.meant.split(":")[-1]) if m]
    if meant and not any(m in r.held_actual for m in meant):
        where.append("meant not in what the index holds")
    return ", ".join(where) or "plain record"


def ocr_pairs(queries: list[Query], rows: list[dict], by_path) -> dict:
    """For the `ocr` queries: each look-alike misreading (meant character → read character)
    of the records where the index holds only the misread form, with how many were found."""
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for q, row in zip(queries, rows):
        if q.kind != "ocr":
            continue
        missed = {m["path"] for m in row["missed"]}
        for p in q.intended:
            r = by_path[p]
            if normalize_text(q.meant) in r.held_actual:
                continue
            for bad in r.misread.get(q.meant, ()):
                for a, b in zip(q.meant, bad):
                    if a != b:
                        out[(a, b)][p in missed] += 1
    return out


def score(rows: list[dict], kinds) -> list[tuple]:
    table = [("kind", "n", "recall", "success@k", "exact-first viol.", "errors", ">100ms", "met")]
    for kind in kinds:
        rs = [r for r in rows if r["kind"] == kind]
        if not rs:
            table.append((kind, "0", "—", "—", "—", "—", "—", "—"))
            continue
        rec = sum(r["recall"] for r in rs) / len(rs)
        suc = sum(r["success"] for r in rs) / len(rs)
        viol = sum(r["misordered"] for r in rs)
        err = sum(bool(r.get("error")) for r in rs)
        slow = sum((r.get("ms") or 0) > SLOW_MS for r in rs)
        table.append((kind, str(len(rs)), f"{rec:.3f}", f"{suc:.3f} @{rs[0]['k']}", str(viol),
                      str(err), str(slow), "yes" if rec >= TARGET and suc >= TARGET else "no"))
    return table


def main(argv=None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    out = args.out / f"messyalt-{args.n}"
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    paragraphs = [p for p in read_paragraphs(sorted(seeds.glob("*.txt"))) if len(p) <= 400]
    say(f"generating {args.n} records (seed {args.seed}) from {len(paragraphs)} seed paragraphs")
    corpus = generate(out / "corpus", args.n, args.seed, paragraphs)
    queries = make_queries(corpus, args.per_kind, args.seed)
    by_path = {r.path: r for r in corpus.records}
    index = out / "work" / "index"
    seconds = 0.0
    if not (args.reuse and index.exists()):
        say(f"{len(queries)} queries; indexing")
        info = CorpusInfo(corpus.root, args.n, args.seed, "seeds",
                          tuple(r.path for r in corpus.records),
                          frozenset(r.path for r in corpus.records if r.traditional), ())
        build = DanganSystem(out / "work", args.workers)
        seconds = build.build(info).seconds
        build.close()
    say("searching")
    archive = Archive(index, replace(SearchSettings(), max_size=MAX_DEPTH, variants=True))
    try:
        archive.search(_request("档案", 10, True))  # the reader's lexicon, once per version
        rows = [run_query(archive, q) for q in queries]
    finally:
        archive.close()
    for q, row in zip(queries, rows):
        found = set(row["paths"])
        row["recall"] = len(q.intended & found) / len(q.intended)
        row["success"] = bool(q.intended & set(row["paths"][:q.k]))
        row["misordered"] = misordered(row["labels"])
        row["missed"] = [{"path": p, "why": why_missed(p, q, by_path)}
                         for p in sorted(q.intended - found)]
        row["n_intended"] = len(q.intended)
        row["n_exact"] = row["labels"].count("exact")
        del row["labels"]
        row["paths"] = row["paths"][:50]
    # ocr again over only the records where the index holds the name misread
    lost_rows = []
    for q, row in zip(queries, rows):
        if q.kind != "ocr":
            continue
        lost = {p for p in q.intended if "meant not in" in why_missed(p, q, by_path)}
        if lost:
            hit = lost - {m["path"] for m in row["missed"]}
            lost_rows.append({"kind": "ocr_damaged", "recall": len(hit) / len(lost),
                              "success": bool(hit), "misordered": False, "k": 10,
                              "ms": None})
    pairs = ocr_pairs(queries, rows, by_path)
    damaged = sum(r.damaged for r in corpus.records)
    trad = sum(r.traditional for r in corpus.records)
    cat = sum(bool(r.catalog) for r in corpus.records)
    print(f"dangan second messy set: {args.n} records ({damaged} damaged, {trad} traditional, "
          f"{cat} in catalog.csv), seed {args.seed}, {len(queries)} queries, index "
          f"{seconds:.0f}s, code {code_version(REPO)}\n")
    print("\n".join(aligned(score(rows + lost_rows, (*KINDS, "ocr_damaged")))))
    slow = sorted((r for r in rows if (r.get("ms") or 0) > SLOW_MS), key=lambda r: -r["ms"])
    if slow:
        print("\nslow first pages: " + ", ".join(f"{r['typed']!r} {r['ms']:.0f} ms"
                                                 for r in slow[:10]))
    errors = [r for r in rows if r.get("error")]
    for r in errors[:10]:
        print(f"error: [{r['kind']}] {r['typed']!r}: {r['error']}")
    table = score(rows + lost_rows, (*KINDS, "ocr_damaged"))
    weak = [t[0] for t in table[1:] if t[-1] == "no" and t[0] != "ocr_damaged"]
    if weak:
        print("\nrecall by how it was typed (kinds below target):")
        for kind in weak:
            forms = defaultdict(list)
            for r in rows:
                if r["kind"] == kind:
                    forms[r["note"]].append(r["recall"])
            print(f"  {kind}: " + "; ".join(
                f"{form} {sum(v) / len(v):.2f} ({len(v)})" for form, v in sorted(forms.items())))
    found_pairs = sum(v[0] for v in pairs.values())
    all_pairs = sum(v[0] + v[1] for v in pairs.values())
    if all_pairs:
        print(f"\nocr queries, misread records by the misreading (found/all): {found_pairs}/"
              f"{all_pairs}; missed: " + ", ".join(
                  f"{a}→{b} {f}/{f + m}" for (a, b), (f, m) in sorted(pairs.items()) if m)
              + "; all found: " + ", ".join(
                  f"{a}→{b} {f}" for (a, b), (f, m) in sorted(pairs.items()) if not m))
    print("\nmissed (first three per kind):")
    shown: dict[str, int] = {}
    for r in rows:
        if r["missed"] and shown.get(r["kind"], 0) < 3:
            shown[r["kind"]] = shown.get(r["kind"], 0) + 1
            print(f"  [{r['kind']}] {r['typed']!r} meant {r['meant']!r} ({r['note']}): "
                  f"{r['n_intended'] - len(r['missed'])}/{r['n_intended']} found, "
                  f"{r['total']} hits ({r['n_exact']} exact); top variants "
                  f"{sorted({v for t in r['top'] for v in t['variants']})[:4]}")
    (out / "results.json").write_text(json.dumps(
        {"n": args.n, "seed": args.seed, "per_kind": args.per_kind, "index_seconds": seconds,
         "queries": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"done in {time.perf_counter() - started:.0f}s; wrote {out / 'results.json'}")


if __name__ == "__main__":
    main()
