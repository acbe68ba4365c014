"""The result table (plain aligned text, readable in a CI log), the failure list and the JSON."""
from __future__ import annotations

import math
from dataclasses import dataclass

from .queries import KINDS, Query
from .measure import QueryOutcome, Summary
from .systems import BuildStats


@dataclass
class SystemRun:
    name: str
    build: BuildStats | None = None
    summary: Summary | None = None
    outcomes: list[QueryOutcome] | None = None
    error: str = ""

    @property
    def records_per_s(self) -> float:
        b = self.build
        return b.records / b.seconds if b and b.seconds else math.nan


def _fmt(value: float, digits: int) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(a: float, b: float) -> str:
    return "—" if math.isnan(a) or math.isnan(b) or not b else f"{a / b:.2f}×"


def table_rows(runs: list[SystemRun]) -> list[tuple[str, list[str]]]:
    """(label, one cell per system) for every line of the table."""
    def per(func) -> list[str]:
        return [func(r) if r.build and r.summary else ("failed" if r.error else "—")
                for r in runs]

    rows = [
        ("index time (s)", per(lambda r: _fmt(r.build.seconds, 1))),
        ("records/s", per(lambda r: _fmt(r.records_per_s, 0))),
        ("index size (MB)", per(lambda r: _fmt(r.build.size_bytes / 1e6, 1))),
        ("query p50 (ms)", per(lambda r: _fmt(r.summary.p50, 2))),
        ("query p95 (ms)", per(lambda r: _fmt(r.summary.p95, 2))),
        ("query p99 (ms)", per(lambda r: _fmt(r.summary.p99, 2))),
    ]
    for kind in KINDS:
        rows.append((f"  p95 {kind} (ms)",
                     per(lambda r, k=kind: _fmt(r.summary.kinds[k].p95, 2))))
    first = next((r for r in runs if r.summary), None)
    for kind in KINDS:
        count = first.summary.kinds[kind].queries if first else 0
        rows.append((f"recall {kind} ({count})",
                     per(lambda r, k=kind: _fmt(r.summary.kinds[k].recall, 3))))
        rows.append((f"precision {kind}",
                     per(lambda r, k=kind: _fmt(r.summary.kinds[k].precision, 3))))
    rows.append(("queries with R or P < 1",
                 per(lambda r: str(sum(s.imperfect for s in r.summary.kinds.values())))))
    rows.append(("query errors",
                 per(lambda r: str(sum(s.errors for s in r.summary.kinds.values())))))
    return rows


def length_p95(queries: list[Query], run: SystemRun, long: bool) -> float:
    """p95 over the queries whose terms all have 3+ characters (long) or not: SQLite's
    trigram index serves only the first group; shorter terms fall back to a LIKE scan."""
    if not run.outcomes:
        return math.nan
    ms = sorted(o.millis for q, o in zip(queries, run.outcomes)
                if all(len(t) >= 3 for t in q.terms) == long and not math.isnan(o.millis))
    return ms[min(len(ms) - 1, int(0.95 * len(ms)))] if ms else math.nan


def length_rows(queries: list[Query], runs: list[SystemRun]) -> list[tuple[str, list[str]]]:
    long = sum(all(len(t) >= 3 for t in q.terms) for q in queries)
    return [
        (f"  p95 terms of 3+ chars ({long}) (ms)",
         [_fmt(length_p95(queries, r, True), 2) for r in runs]),
        (f"  p95 a term of 2 chars ({len(queries) - long}) (ms)",
         [_fmt(length_p95(queries, r, False), 2) for r in runs]),
    ]


def render_table(title: str, runs: list[SystemRun], queries: list[Query] | None = None) -> str:
    rows = table_rows(runs)
    if queries:
        at = next(i for i, (label, _c) in enumerate(rows) if label.startswith("query p99"))
        rows[at + 1:at + 1] = length_rows(queries, runs)
    label_w = max(len(label) for label, _cells in rows)
    widths = [max(len(r.name), *(len(cells[i]) for _l, cells in rows)) for i, r in enumerate(runs)]
    lines = [title, ""]
    lines.append(" " * label_w + "  " + "  ".join(r.name.rjust(w) for r, w in zip(runs, widths)))
    lines.append("-" * (label_w + sum(w + 2 for w in widths)))
    for label, cells in rows:
        lines.append(label.ljust(label_w) + "  " + "  ".join(c.rjust(w)
                                                              for c, w in zip(cells, widths)))
    for r in runs:
        if r.error:
            lines.append(f"{r.name}: {r.error}")
        elif r.build and r.build.note:
            lines.append(f"{r.name}: {r.build.note}")
    return "\n".join(lines)


def ratios(runs: list[SystemRun], queries: list[Query] | None = None) -> dict[str, str]:
    by = {r.name: r for r in runs if r.summary}
    nan = math.nan

    def long_p95(name: str) -> float:
        return length_p95(queries, by[name], True) if name in by and queries else nan

    def p95(name: str) -> float:
        return by[name].summary.p95 if name in by else nan

    def rate(name: str) -> float:
        return by[name].records_per_s if name in by else nan

    return {
        "dangan p95 / sqlite p95": _ratio(p95("dangan"), p95("sqlite")),
        "dangan p95 / sqlite p95, terms of 3+ chars": _ratio(long_p95("dangan"),
                                                             long_p95("sqlite")),
        "naive p95 / sqlite p95": _ratio(p95("naive"), p95("sqlite")),
        "dangan records/s / naive records/s": _ratio(rate("dangan"), rate("naive")),
    }


def imperfect(queries: list[Query], truth: list[frozenset[str]], run: SystemRun) -> list[int]:
    """Indexes of the queries this system got wrong (recall or precision below 1, or error)."""
    return [i for i, (t, o) in enumerate(zip(truth, run.outcomes))
            if o.error or o.found != t]


def context(text: str, term: str, width: int = 12) -> str:
    at = text.find(term)
    if at < 0:
        return ""
    a, b = max(0, at - width), at + len(term) + width
    return (text[a:at] + "【" + term + "】" + text[at + len(term):b]).replace("\n", "⏎")


def render_failures(queries: list[Query], truth: list[frozenset[str]], run: SystemRun,
                    texts: dict[str, str], limit: int = 10) -> str:
    """The queries `run` got wrong, with missing and extra record paths and where they match."""
    bad = imperfect(queries, truth, run)
    odd = [q.text for q, o in zip(queries, run.outcomes) if not o.error and o.total != len(o.found)]
    lines = [f"{run.name}: the reported total differs from the matched set for {len(odd)} queries,"
             f" e.g. {odd[:5]}"] if odd else []
    if not bad:
        return "\n".join(lines + [f"{run.name}: recall and precision are 1.000 for every query."])
    lines.append(f"{run.name}: {len(bad)} of {len(queries)} queries with recall or precision below"
                 f" 1 (first {min(limit, len(bad))}):")
    for i in bad[:limit]:
        q, t, o = queries[i], truth[i], run.outcomes[i]
        note = f", {q.note}" if q.note else ""
        lines.append(f"  [{q.kind}] {q.text!r}{note} (from {q.origin}): expected {len(t)}, "
                     f"found {len(o.found)}, reported total {o.total}")
        if o.error:
            lines.append(f"      error: {o.error}")
        missing, extra = sorted(t - o.found), sorted(o.found - t)
        for rel in missing[:5]:
            where = "  ".join(context(texts[rel], term) for term in q.terms)
            lines.append(f"      missing {rel}: {where}")
        if len(missing) > 5:
            lines.append(f"      … and {len(missing) - 5} more missing")
        for rel in extra[:5]:
            lines.append(f"      extra   {rel}")
        if len(extra) > 5:
            lines.append(f"      … and {len(extra) - 5} more extra")
    return "\n".join(lines)


def render_paging(queries: list[Query], run: SystemRun, limit: int = 5) -> str:
    """Queries whose pages overlap (a record on two pages) or skip matches."""
    checked = [(q, o) for q, o in zip(queries, run.outcomes) if o.paging is not None]
    if not checked:
        return ""
    big = [(q, o) for q, o in checked if o.paging.twice_1000 or o.paging.never_1000]
    small = [(q, o) for q, o in checked if o.paging.twice_20]
    if not big and not small:
        return f"{run.name}: paging is consistent for all {len(checked)} queries."
    lines = [f"{run.name}: paging by 1000 through every page loses matches in {len(big)} of "
             f"{len(checked)} queries; paging by 20 shows a record twice within the first ten "
             f"pages in {len(small)} queries:"]
    for q, o in sorted(big, key=lambda qo: -qo[1].paging.never_1000)[:limit]:
        lines.append(f"  by 1000: {q.text!r}: {len(o.found)} matches, {o.paging.twice_1000} "
                     f"shown twice, {o.paging.never_1000} never shown")
    for q, o in sorted(small, key=lambda qo: -qo[1].paging.twice_20)[:limit]:
        lines.append(f"  by 20:   {q.text!r}: {len(o.found)} matches, {o.paging.twice_20} of the "
                     f"first {min(200, len(o.found))} shown twice")
    return "\n".join(lines)


def aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """A header row and body rows as text columns: the first left-aligned, the rest
    right-aligned, a rule under the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines
