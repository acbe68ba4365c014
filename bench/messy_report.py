"""What `make bench-messy` prints: the per-kind table, the exact-set line, the latency line, a
few missed queries per kind, and the JSON of every query."""
from __future__ import annotations

import json
import math
from pathlib import Path

from .messy_measure import LATENCY_TARGET, ExactCheck, KindRow, Latency, Ranked, recall
from .report import aligned


def _f(value: float, digits: int = 3) -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


def kind_table(rows: list[KindRow]) -> list[str]:
    lines = [("kind", "queries", "recall", "success@k", "target met", "errors")]
    for r in rows:
        at_k = f"{_f(r.success)} @{r.k}" if r.k else "—"
        lines.append((r.kind, str(r.queries), _f(r.recall), at_k,
                      "yes" if r.met else "no", str(r.errors)))
    return aligned(lines)


def exact_line(check: ExactCheck) -> str:
    met = (check.recall == 1 and check.precision == 1 and not check.misordered
           and not check.errors)
    return (f"exact set ({check.queries} queries of the `make bench` mix): exact-hit recall "
            f"{_f(check.recall)}, precision {_f(check.precision)}, approximate above exact in "
            f"{check.misordered} queries, exact_total off in {check.exact_total_off}, errors "
            f"{check.errors} — target met: {'yes' if met else 'no'}")


def latency_line(lat: Latency, queries: str, repeated: bool = True) -> str:
    met = lat.ratio <= LATENCY_TARGET
    how = "median of 3 after a first ask, " if repeated else ""
    return (f"latency ({queries}, {how}first page of 10 with facets and snippets): "
            f"variants on p50 {_f(lat.on_p50, 2)} ms p95 {_f(lat.on_p95, 2)} ms; off p50 "
            f"{_f(lat.off_p50, 2)} ms p95 {_f(lat.off_p95, 2)} ms; p95 ratio {_f(lat.ratio, 2)}× "
            f"(target ≤ {LATENCY_TARGET}×) — target met: {'yes' if met else 'no'}")


def totals_line(rankings: list[Ranked]) -> str:
    good = sum(r.consistent() for r in rankings)
    return (f"totals: `total` = hits listed = 密级 facet counts, `exact_total` ≤ `total`, in "
            f"{good} of {len(rankings)} searches — target met: "
            f"{'yes' if good == len(rankings) else 'no'}")


def misses(queries, rankings: list[Ranked], per_kind: int = 2) -> list[str]:
    """The first few queries of each kind that missed an intended record."""
    out, shown = [], {}
    for q, r in zip(queries, rankings):
        if (recall(q.intended, r.paths) < 1 or r.error) and shown.get(q.kind, 0) < per_kind:
            shown[q.kind] = shown.get(q.kind, 0) + 1
            found = len(q.intended & set(r.paths))
            why = f" error: {r.error}" if r.error else ""
            out.append(f"  [{q.kind}] {q.text!r} meant {q.meant!r}: {found} of "
                       f"{len(q.intended)} intended found, {r.total} hits{why}")
    return out


def write_json(path: Path, header: dict, queries, rankings: list[Ranked]) -> None:
    rows = [{"kind": q.kind, "typed": q.text, "meant": q.meant, "intended": sorted(q.intended),
             "hits": r.total, "exact_total": r.exact_total,
             "recall": recall(q.intended, r.paths),
             "success": bool(q.intended & set(r.paths[:q.k])), "error": r.error}
            for q, r in zip(queries, rankings)]
    path.write_text(json.dumps(header | {"queries": rows}, ensure_ascii=False, indent=1),
                    encoding="utf-8")
