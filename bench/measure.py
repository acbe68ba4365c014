"""Runs the query mix against one built system: warm-up, timed pass, then recall and precision."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .queries import KINDS, Query
from .systems import System


@dataclass(frozen=True)
class PagingCheck:
    """What a reader paging through the results sees, against the full match set."""

    twice_1000: int  # records shown on two pages, paging by 1000 through every page
    never_1000: int  # matches never shown, paging by 1000 through every page
    twice_20: int  # records shown twice on the first 10 pages of 20 (the web page's size)


@dataclass
class QueryOutcome:
    millis: float  # the timed call (first 10 hits + total); NaN when it failed
    total: int  # the total the timed call reported
    found: frozenset[str]  # every record the system matched
    error: str = ""
    paging: PagingCheck | None = None

    def recall(self, truth: frozenset[str]) -> float:
        return len(self.found & truth) / len(truth) if truth else 1.0

    def precision(self, truth: frozenset[str]) -> float:
        return len(self.found & truth) / len(self.found) if self.found else 1.0


def _call(func, query: Query):
    try:
        return func(query), ""
    except Exception as e:  # a benchmark reports failures, it does not stop on them
        return None, f"{type(e).__name__}: {e}"


def run_queries(system: System, queries: list[Query]) -> list[QueryOutcome]:
    """Warm pass (untimed), timed pass, then the full match sets (untimed)."""
    for q in queries:
        _call(system.top, q)
    timings = []
    for q in queries:
        started = time.perf_counter()
        total, error = _call(system.top, q)
        timings.append(((time.perf_counter() - started) * 1000, total, error))
    outcomes = []
    for q, (millis, total, error) in zip(queries, timings):
        found, error2 = _call(system.matches, q)
        found = frozenset(found or ())
        paging = None
        if hasattr(system, "paged") and not error2:
            paging, error2 = _call(lambda query: check_paging(system, query, found), q)
        outcomes.append(QueryOutcome(math.nan if error else millis, total or 0, found,
                                     error or error2, paging))
    return outcomes


def check_paging(system, query: Query, found: frozenset[str]) -> PagingCheck:
    """Page through the results twice (by 1000, all pages; by 20, ten pages)."""
    big = system.paged(query, 1000, 100)
    small = system.paged(query, 20, 10)
    return PagingCheck(len(big) - len(set(big)), len(found - set(big)),
                       len(small) - len(set(small)))


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile (p in 0..100) of the finite values; NaN if none."""
    xs = sorted(v for v in values if not math.isnan(v))
    if not xs:
        return math.nan
    k = (len(xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass
class KindScore:
    queries: int = 0
    recall: float = math.nan  # mean over the queries of this kind
    precision: float = math.nan
    imperfect: int = 0  # queries with recall or precision below 1
    errors: int = 0
    p50: float = math.nan  # latency of this kind's timed calls, ms
    p95: float = math.nan


@dataclass
class Summary:
    p50: float
    p95: float
    p99: float
    kinds: dict[str, KindScore] = field(default_factory=dict)


def summarise(queries: list[Query], truth: list[frozenset[str]],
              outcomes: list[QueryOutcome]) -> Summary:
    millis = [o.millis for o in outcomes]
    summary = Summary(percentile(millis, 50), percentile(millis, 95), percentile(millis, 99))
    for kind in KINDS:
        rows = [(t, o) for q, t, o in zip(queries, truth, outcomes) if q.kind == kind]
        score = KindScore(queries=len(rows))
        if rows:
            recalls = [o.recall(t) for t, o in rows]
            precisions = [o.precision(t) for t, o in rows]
            score.recall = sum(recalls) / len(rows)
            score.precision = sum(precisions) / len(rows)
            score.imperfect = sum(1 for r, p in zip(recalls, precisions) if r < 1 or p < 1)
            score.errors = sum(1 for _t, o in rows if o.error)
            score.p50 = percentile([o.millis for _t, o in rows], 50)
            score.p95 = percentile([o.millis for _t, o in rows], 95)
        summary.kinds[kind] = score
    return summary
