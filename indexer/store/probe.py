"""A term's occurrences in some documents only, read in place from one segment's posting arrays:
the positions in chosen documents (gathered), or whether the term occurs at given (document,
position) pairs (a binary search inside each document's positions). A phrase then reads what
its rarest gram leads it to, never every occurrence of a common gram (档案 occurs 5.5 million
times in 300,000 records: reading them all cost a cold search 150-300 ms per server worker).
"""
from __future__ import annotations

import numpy as np

from .mapped import SegmentMap

_I64 = np.int64


class TermArrays:
    """One term's postings in one segment: which posting holds a document, and where that
    posting's positions are."""

    def __init__(self, m: SegmentMap, span: tuple[int, int, int, int]):
        d0, d1, p0, _p1 = span
        self.m = m
        self.docs = m.docs[d0:d1]  # sorted local docnums (a view of the mapped file)
        self.counts = m.counts[d0:d1]
        self.first = np.empty(d1 - d0, dtype=_I64)  # each posting's first position
        self.first[:1] = p0
        np.cumsum(self.counts[:-1], dtype=_I64, out=self.first[1:])
        self.first[1:] += p0

    @property
    def nbytes(self) -> int:
        """What it costs kept in a cache (the rest are views of the mapped file)."""
        return self.first.nbytes + 64

    def postings_of(self, docs: np.ndarray) -> np.ndarray:
        """The posting of each of `docs` (sorted local docnums, repeats allowed), -1 where the
        document does not hold the term."""
        if not len(self.docs) or not len(docs):
            return np.full(len(docs), -1, dtype=_I64)
        top = int(self.docs[-1])
        if len(docs) * 8 >= len(self.docs):  # many: a table by docnum beats a binary search
            table = np.full(max(top, int(docs[-1])) + 1, -1, dtype=_I64)
            table[self.docs] = np.arange(len(self.docs))
            return table[docs]
        where = np.searchsorted(self.docs, docs.astype(self.docs.dtype))
        where[where >= len(self.docs)] = 0
        return np.where(self.docs[where] == docs, where, -1)

    def gather(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(local docnum per occurrence, position per occurrence) in the sorted distinct local
        `docs`, sorted."""
        which = self.postings_of(docs)
        held = which >= 0
        which, docs = which[held], docs[held]
        n = self.counts[which].astype(_I64)
        total = int(n.sum())
        if not total:
            return np.zeros(0, _I64), np.zeros(0, _I64)
        # the index of every wanted position: each posting's run of n, back to back
        runs = np.cumsum(n) - n
        at = np.arange(total, dtype=_I64) + np.repeat(self.first[which] - runs, n)
        return np.repeat(docs.astype(_I64), n), self.m.positions[at].astype(_I64)

    def occurs_at(self, docs: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Boolean mask: does the term occur in document docs[i] at positions[i] (`docs`
        sorted local docnums, repeats allowed)? A branch-free binary search of every target at
        once in its posting's sorted positions: the last position not above it."""
        which = self.postings_of(docs)
        probed = np.flatnonzero(which >= 0)
        found = np.zeros(len(docs), dtype=bool)
        if not len(probed):
            return found
        which = which[probed]
        base = self.first[which]  # the answer lies in [base, base + n)
        n = self.counts[which].astype(_I64)
        targets = positions[probed]
        values = self.m.positions
        open_ = np.arange(len(probed))  # searches not finished, and their state
        b, k, t = base, n, targets
        while len(open_):
            half = k >> 1
            mid = b + half
            b = np.where(values[mid] <= t, mid, b)
            k = k - half
            more = k > 1
            if not more.all():  # keep the searches still open
                base[open_] = b
                open_, b, k, t = open_[more], b[more], k[more], t[more]
        found[probed] = values[base] == targets
        return found
