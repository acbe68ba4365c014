"""Index throughput for `python -m bench.api --throughput` (issue 16, item 4): records/s through
`dangan index` with local workers and on a local Dask cluster of 2 workers + the writer, against
the naive Whoosh + jieba setup; where the writer's time goes; what analysis costs a record.

`python -m bench.api_index profile CORPUS WORK WORKERS` is the writer profile's own process:
`run_index` (what `dangan index --rebuild` runs) with timers around the writer's steps, each
timer counting its own time only (a timed step called inside another is not counted twice),
per thread (the main thread receives and buffers; commits run in a background thread). It
prints one JSON object.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from .corpus import CorpusInfo, read_record
from .progress import say
from .report import aligned
from .systems import dangan_http
from .systems.naive import NaiveSystem

ANALYSIS_SAMPLE = 500  # records whose analysis is timed step by step
DASK_WORKERS = 2


def measure_throughput(corpus: CorpusInfo, work: Path, workers: int,
                       local: dangan_http.IndexBuild) -> dict:
    """Every throughput figure at one N; `local` is the `dangan index --workers` build."""
    out = {"records": local.records,
           "local": {"workers": workers, "seconds": local.seconds,
                     "records_per_s": local.records / local.seconds}}
    say("throughput: the naive Whoosh + jieba setup")
    naive = NaiveSystem(work / "naive")
    try:
        stats = naive.build(corpus)
    finally:
        naive.close()
    out["naive"] = {"seconds": stats.seconds, "records_per_s": stats.records / stats.seconds,
                    "size_bytes": stats.size_bytes}
    say(f"throughput: naive {stats.records / stats.seconds:.0f} records/s; now `dangan index "
        f"--scheduler` on a local Dask cluster of {DASK_WORKERS} workers")
    out["dask"] = dask_build(corpus, work / "dangan-dask")
    say("throughput: the writer's time, step by step")
    out["writer"] = writer_profile(corpus, work / "dangan-profile", workers)
    say("throughput: analysis of one record, step by step")
    out["analysis"] = analysis_costs(corpus)
    return out


def dask_build(corpus: CorpusInfo, work: Path) -> dict:
    from distributed import LocalCluster

    with LocalCluster(n_workers=DASK_WORKERS, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        build = dangan_http.build(corpus, work, 1, index_workers=None,
                                  scheduler=cluster.scheduler_address)
    return {"workers": DASK_WORKERS, "seconds": build.seconds,
            "records_per_s": build.records / build.seconds,
            "writer_peak": build.writer_peak, "summary": build.summary}


def writer_profile(corpus: CorpusInfo, work: Path, workers: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.api_index", "profile",
                           str(corpus.root), str(work), str(workers)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                          text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def analysis_costs(corpus: CorpusInfo) -> dict:
    """Seconds per record of each analysis step a worker does, on the first records."""
    from indexer.analysis.normalize import normalize_text
    from indexer.analysis.postings import ngram_postings, word_postings
    from indexer.analysis.words import base_analyzer
    from indexer.ingest.autometa import extract_metadata

    analyzer = base_analyzer()
    word_postings("预热分词器", analyzer)  # jieba's dictionary loads once per worker
    sample = corpus.paths[:ANALYSIS_SAMPLE]
    spent: dict[str, float] = defaultdict(float)
    for rel in sample:
        t0 = time.perf_counter()
        text = read_record(corpus.root, rel)
        t1 = time.perf_counter()
        normalize_text(text)  # once: the analysers below reuse it, as in a worker
        t2 = time.perf_counter()
        extract_metadata(text, None)
        t3 = time.perf_counter()
        word_postings(text, analyzer)
        t4 = time.perf_counter()
        ngram_postings(text)
        t5 = time.perf_counter()
        for step, seconds in (("read + decode", t1 - t0), ("normalise", t2 - t1),
                              ("metadata from the text", t3 - t2),
                              ("jieba words (word_postings)", t4 - t3),
                              ("n-grams (ngram_postings)", t5 - t4)):
            spent[step] += seconds
    return {"records": len(sample), "ms_per_record": {k: v / len(sample) * 1000
                                                      for k, v in spent.items()}}


def render_throughput(t: dict) -> str:
    rows = [("index throughput", "records/s", "s", "vs naive")]
    naive = t["naive"]["records_per_s"]
    for label, key in ((f"dangan index --workers {t['local']['workers']}", "local"),
                       (f"dangan index --scheduler (Dask, {t['dask'].get('workers')} workers)",
                        "dask"),
                       ("naive Whoosh + jieba (in process)", "naive")):
        v = t[key]
        rows.append((label, f"{v['records_per_s']:.0f}", f"{v['seconds']:.1f}",
                     f"{v['records_per_s'] / naive:.2f}×"))
    lines = aligned(rows)
    w = t.get("writer", {})
    if "error" in w:
        lines += ["", f"writer profile failed: {w['error']}"]
    elif w:
        lines += ["", f"where the writer's time goes (run_index, --workers {w['workers']}, "
                      f"{w['records']} records in {w['wall']:.1f}s = "
                      f"{w['records'] / w['wall']:.0f} records/s with timers):"]
        rows = [("step", "thread", "s", "share of wall")]
        for step, thread, seconds in w["steps"]:
            if seconds < 0.01:
                continue  # steps that did not happen (no merge in this build, …)
            rows.append((step, thread, f"{seconds:.2f}", f"{seconds / w['wall']:.0%}"))
        lines += aligned(rows)
    a = t.get("analysis")
    if a:
        lines += ["", f"analysis in an extraction worker, ms per record (first {a['records']} "
                      "records, one process):"]
        rows = [("step", "ms")] + [(k, f"{v:.2f}") for k, v in a["ms_per_record"].items()]
        lines += aligned(rows)
    return "\n".join(lines)


# --- the profile process -------------------------------------------------------------------

class Timers:
    """Exclusive seconds per (step, thread kind)."""

    def __init__(self):
        self.spent: dict[tuple[str, str], float] = defaultdict(float)
        self.local = threading.local()
        self.lock = threading.Lock()

    def wrap(self, step: str, fn):
        timers = self

        def timed(*args, **kwargs):
            stack = timers.local.__dict__.setdefault("stack", [])
            stack.append(0.0)  # time spent in timed steps called from this one
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                total = time.perf_counter() - started
                inner = stack.pop()
                if stack:
                    stack[-1] += total
                thread = "main" if threading.current_thread() is threading.main_thread() \
                    else "commit"
                with timers.lock:
                    timers.spent[(step, thread)] += total - inner
        return timed

    def wrap_iter(self, step: str, iterator):
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                with self.lock:
                    self.spent[(step, "main")] += time.perf_counter() - started
            yield item


def profile_main(root: Path, work: Path, workers: int) -> None:
    import shutil

    from whoosh.writing import SegmentWriter

    import indexer.build.run as run
    import indexer.store.writer as writer
    from indexer.config import load_settings
    from indexer.store.manifest import Manifest
    from indexer.store.postings import PostingBuffer

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    settings = load_settings(dangan_http.write_config(work, 1))
    t = Timers()
    writer.add_postings = t.wrap("buffer postings (add_postings)", writer.add_postings)
    writer.add_per_doc = t.wrap("stored fields, columns (add_per_doc)", writer.add_per_doc)
    writer.name_like = t.wrap("name-like words (name_like)", writer.name_like)
    writer.write_segment = t.wrap("segment: other (merge set-up, readers)",
                                  writer.write_segment)
    PostingBuffer.write = t.wrap("segment: sort + write postings (merged ones too)",
                                 PostingBuffer.write)
    SegmentWriter.write_per_doc = t.wrap("segment: merges, copy stored docs",
                                         SegmentWriter.write_per_doc)
    SegmentWriter.commit = t.wrap("segment: whoosh commit (files, TOC)", SegmentWriter.commit)
    writer.BatchWriter._settle = t.wrap("wait for the background commit",
                                        writer.BatchWriter._settle)
    Manifest.save = t.wrap("manifest rows (SQLite)", Manifest.save)
    run.discover = t.wrap("discover the corpus", run.discover)
    run.make_plan = t.wrap("plan", run.make_plan)
    run.settle_orgs = t.wrap("settle 责任者 (archive-wide)", run.settle_orgs)
    make_executor = run.make_executor

    def executor(*args, **kwargs):
        ex = t.wrap("start extraction workers", make_executor)(*args, **kwargs)
        original = ex.map_unordered
        ex.map_unordered = lambda tasks: t.wrap_iter("wait for extraction workers",
                                                     original(tasks))
        return ex
    run.make_executor = executor

    started = time.perf_counter()
    summary = run.run_index(settings, [root], rebuild=True, workers=workers)
    wall = time.perf_counter() - started
    steps = sorted(((s, th, v) for (s, th), v in t.spent.items()), key=lambda x: -x[2])
    main_sum = sum(v for _s, th, v in steps if th == "main")
    steps.append(("other (the loop, unpickling results, swap)", "main", wall - main_sum))
    print(json.dumps({"workers": workers, "records": summary.added, "wall": wall,
                      "commits": summary.commits, "steps": steps}, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "profile":
        profile_main(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("usage: python -m bench.api_index profile CORPUS WORK WORKERS")
