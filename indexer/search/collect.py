"""Filters as plan nodes (clearance, facet choices, dates); their document sets are cached
with the index version's arrays (IndexArrays.filtered)."""
from __future__ import annotations

from ..fields import SECURITY_LEVELS
from .compile import AllOf, AnyOf, Range, Value
from .querylang import date_bound


def filter_node(clearance: str, filters: dict[str, tuple[str, ...]], date_from: str,
                date_to: str, skip: str | None = None):
    """Facet choices (OR within, AND across), the date range and clearance; None = no limit."""
    parts = []
    level = SECURITY_LEVELS.index(clearance)
    if level < len(SECURITY_LEVELS) - 1:
        parts.append(Range("security_level", 0, level))
    for name, values in sorted(filters.items()):
        if name != skip and values:
            parts.append(AnyOf(tuple(Value(name, v) for v in values)))
    lo, hi = date_bound(date_from, upper=False), date_bound(date_to, upper=True)
    if lo or hi:
        parts.append(Range("date_num", lo or None, hi or None))
    return AllOf(tuple(parts)) if parts else None
