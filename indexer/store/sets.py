"""Sets of docnums (or occurrence keys) as sorted distinct numpy arrays: membership and
intersection, shared by the index's arrays and the query executor."""
from __future__ import annotations

import numpy as np

_DENSE = 1 << 26  # below this, membership is a lookup in a table of booleans


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Boolean mask: which of `values` are in the sorted array `sorted_set`."""
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    top = int(sorted_set[-1])
    if len(values) > 64 and 0 <= int(values.min()) and top < _DENSE and \
            int(values.max()) < _DENSE:
        present = np.zeros(max(top, int(values.max())) + 1, dtype=bool)
        present[sorted_set] = True  # docnums: a dense table beats a binary search
        return present[values]
    where = np.searchsorted(sorted_set, values)
    where[where >= len(sorted_set)] = 0
    return sorted_set[where] == values


def intersect(sets: list[np.ndarray]) -> np.ndarray:
    """The values in every one of the sorted distinct arrays `sets` (smallest first)."""
    sets = sorted(sets, key=len)
    result = sets[0]
    for other in sets[1:]:
        if not len(result):
            break
        result = result[member(result, other)]
    return result
