"""Filters as plan nodes (clearance, facet choices, dates) and a cache of their document sets."""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

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


class FilterCache:
    """Document sets of filter nodes, kept while the index arrays stay the same."""

    def __init__(self, size: int = 64):
        self.size = size
        self._owner = None
        self._sets: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def docs(self, arrays, node, compute) -> np.ndarray | None:
        if node is None:
            return None
        with self._lock:
            if arrays is not self._owner:
                self._owner, self._sets = arrays, OrderedDict()
            found = self._sets.get(node)
            if found is not None:
                self._sets.move_to_end(node)
                return found
        found = compute(arrays, node)
        with self._lock:
            self._sets[node] = found
            if len(self._sets) > self.size:
                self._sets.popitem(last=False)
        return found
