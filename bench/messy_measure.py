"""Runs query sets through the search library and scores them: recall and success@k per kind,
exact hits of the exact set, approximate-before-exact order, latency with variants on and off."""
from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, field, replace

from indexer.analysis.normalize import clear_caches
from indexer.fields import SECURITY_LEVELS
from indexer.search.archive import Archive, SearchRequest

from .measure import percentile
from .systems.dangan import MAX_DEPTH

TARGET = 0.95  # recall and success@k of every messy kind
LATENCY_TARGET = 1.5  # p95 with variants / p95 without


@dataclass(frozen=True)
class Ranked:
    """Every hit of one search, in rank order, with its match label."""
    paths: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    total: int = 0
    exact_total: int = 0
    facet_total: int = 0  # the 密级 facet's counts added up (every hit has one 密级)
    error: str = ""

    def consistent(self) -> bool:
        """`total` counts every hit listed, the facets count them too, `exact_total` ≤ total."""
        return (self.total == len(self.paths) == self.facet_total
                and self.exact_total <= self.total and not self.error)

    def exact(self) -> frozenset[str]:
        return frozenset(p for p, m in zip(self.paths, self.labels) if m == "exact")

    def misordered(self) -> bool:
        """An approximate hit ranked above an exact one."""
        labels = list(self.labels)
        return "approximate" in labels and "exact" in labels[labels.index("approximate"):]


def request(text: str, size: int, full_page: bool) -> SearchRequest:
    """A search as the web page asks it (facets and snippets) or a bare one for match sets."""
    return SearchRequest(q=text, size=size, facets=full_page, snippets=full_page,
                         clearance=SECURITY_LEVELS[-1])


def ranked(archive: Archive, text: str) -> Ranked:
    """All hits of `text` in one page as large as the total (untimed)."""
    try:
        first = archive.search(request(text, 1, True))
        result = archive.search(request(text, max(1, min(first.total, MAX_DEPTH)), False))
    except Exception as e:  # a benchmark reports failures, it does not stop on them
        return Ranked(error=f"{type(e).__name__}: {e}")
    exact_total = result.total if result.exact_total < 0 else result.exact_total
    return Ranked(tuple(h.fields["path"] for h in result.hits),
                  tuple(h.match for h in result.hits), result.total, exact_total,
                  sum(v.count for v in first.facets.get("security", ())))


def recall(intended: frozenset[str], found) -> float:
    return len(intended & set(found)) / len(intended) if intended else 1.0


@dataclass
class KindRow:
    kind: str
    k: int
    queries: int = 0
    recall: float = math.nan
    success: float = math.nan
    errors: int = 0

    @property
    def met(self) -> bool:
        return self.recall >= TARGET and (not self.k or self.success >= TARGET)


def score_kinds(kinds: tuple[str, ...], queries, rankings: list[Ranked]) -> list[KindRow]:
    """Per kind: mean recall (any match label) and share of queries with an intended record
    among the first k hits."""
    rows = []
    for kind in kinds:
        pairs = [(q, r) for q, r in zip(queries, rankings) if q.kind == kind]
        row = KindRow(kind, pairs[0][0].k if pairs else 10, len(pairs))
        if pairs:
            row.recall = sum(recall(q.intended, r.paths) for q, r in pairs) / len(pairs)
            if row.k:
                row.success = sum(bool(q.intended & set(r.paths[:q.k]))
                                  for q, r in pairs) / len(pairs)
            row.errors = sum(bool(r.error) for _q, r in pairs)
        rows.append(row)
    return rows


@dataclass
class ExactCheck:
    """The exact query set of `make bench`: its exact hits against its brute-force truth."""
    queries: int = 0
    recall: float = math.nan  # mean over queries, exact hits only
    precision: float = math.nan
    imperfect: list[str] = field(default_factory=list)  # queries with R or P below 1
    misordered: int = 0  # queries with an approximate hit above an exact one
    exact_total_off: int = 0  # queries whose exact_total is not the number of exact hits
    errors: int = 0


def check_exact(queries, truth: list[frozenset[str]], rankings: list[Ranked]) -> ExactCheck:
    out = ExactCheck(len(queries))
    recalls, precisions = [], []
    for q, t, r in zip(queries, truth, rankings):
        found = r.exact()
        recalls.append(recall(t, found))
        precisions.append(len(found & t) / len(found) if found else 1.0)
        if recalls[-1] < 1 or precisions[-1] < 1 or r.error:
            out.imperfect.append(q.text)
        out.misordered += r.misordered()
        out.exact_total_off += r.exact_total != len(found)
        out.errors += bool(r.error)
    if queries:
        out.recall, out.precision = sum(recalls) / len(queries), sum(precisions) / len(queries)
    return out


@dataclass(frozen=True)
class Latency:
    on_p50: float
    on_p95: float
    off_p50: float
    off_p95: float

    @property
    def ratio(self) -> float:
        return self.on_p95 / self.off_p95 if self.off_p95 else math.nan


def _timed(archive: Archive, text: str) -> float:
    started = time.perf_counter()
    try:
        archive.search(request(text, 10, True))
    except Exception:  # an error is not a latency
        return math.nan
    return (time.perf_counter() - started) * 1000


def _settled() -> None:
    """What the benchmark holds so far (every ranking of every query) collected and set
    aside before timing: a server holds none of it, and the collector walking it would pause
    whichever search happened to be running (a served process freezes what it loaded the
    same way: search_app.server)."""
    gc.collect()
    gc.freeze()


def first_asked(index, settings, texts: list[str], passes: int = 3) -> Latency:
    """Every query asked once, on a freshly opened index each way (after one search that
    builds what a clearance needs once per index version; nothing of an earlier ask
    kept: not the variants a term was given, nor the postings a query read, nor the record
    texts the earlier passes normalised), the two ways alternating: what the first clerk to
    type a query waits for. `passes` such passes, each on indexes opened again; each query's
    fastest first ask kept (one pass alone moved the p95 ratio by ±0.3× run to run here:
    a pause of the machine lands on one query of one pass)."""
    ms: dict[bool, list[float]] = {True: [math.inf] * len(texts), False: [math.inf] * len(texts)}
    for n in range(passes):
        archives = {on: Archive(index, replace(settings, variants=on)) for on in (True, False)}
        try:
            for archive in archives.values():  # the reader's lexicon and visible set: once
                _timed(archive, "档案")  # per version
            clear_caches()  # (no record's text normalised by the passes before this one)
            _settled()
            for i, text in enumerate(texts):
                for on in ((True, False) if (i + n) % 2 == 0 else (False, True)):
                    ms[on][i] = min(ms[on][i], _timed(archives[on], text))
        finally:
            for archive in archives.values():
                archive.close()
            gc.unfreeze()
    return Latency(percentile(ms[True], 50), percentile(ms[True], 95),
                   percentile(ms[False], 50), percentile(ms[False], 95))


def latency(on: Archive, off: Archive, texts: list[str], repeats: int = 3) -> Latency:
    """First page of 10 with facets and snippets, variants on and off: after one untimed pass
    of each, every query `repeats` times each way, the order alternating, its median kept."""
    for text in texts:
        _timed(on, text), _timed(off, text)
    _settled()
    try:
        return _repeated(on, off, texts, repeats)
    finally:
        gc.unfreeze()


def _repeated(on: Archive, off: Archive, texts: list[str], repeats: int) -> Latency:
    ms_on, ms_off = [], []
    for i, text in enumerate(texts):
        times = {on: [], off: []}
        for j in range(repeats):
            for archive in ((on, off) if (i + j) % 2 == 0 else (off, on)):
                times[archive].append(_timed(archive, text))
        ms_on.append(percentile(times[on], 50))
        ms_off.append(percentile(times[off], 50))
    return Latency(percentile(ms_on, 50), percentile(ms_on, 95),
                   percentile(ms_off, 50), percentile(ms_off, 95))
