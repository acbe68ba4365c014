"""Collecting matches: filter sets (cached), one scored pass that also counts, column values."""
from __future__ import annotations

import bisect
import heapq
from collections import Counter, OrderedDict
from collections.abc import Iterable

from whoosh import collectors
from whoosh import query as wq

from .querylang import date_bound
from .schema import SECURITY_LEVELS


class CountingTopCollector(collectors.TopCollector):
    """The top N by score, plus the set of every matching document (no block skipping,
    no pruning of sub-queries that cannot reach the top N: every match is counted)."""

    def __init__(self, limit: int):
        super().__init__(limit=limit, usequality=False)
        self.replace = 0

    def _use_block_quality(self):
        return False

    def _collect(self, global_docnum, score):
        self.docset.add(global_docnum)
        return super()._collect(global_docnum, score)


def filter_query(clearance: str, filters: dict[str, tuple[str, ...]], date_from: str,
                 date_to: str, skip: str | None = None) -> wq.Query | None:
    """Facet choices (OR within, AND across), the date range and clearance; None = no limit."""
    parts: list[wq.Query] = []
    level = SECURITY_LEVELS.index(clearance)
    if level < len(SECURITY_LEVELS) - 1:
        parts.append(wq.NumericRange("security_level", 0, level))
    for name, values in sorted(filters.items()):
        if name != skip and values:
            parts.append(wq.Or([wq.Term(name, v) for v in values]))
    lo, hi = date_bound(date_from, upper=False), date_bound(date_to, upper=True)
    if lo or hi:
        parts.append(wq.NumericRange("date_num", lo or None, hi or None))
    return wq.And(parts) if parts else None


class FilterCache:
    """Document sets of filter queries, kept while the searcher stays the same."""

    def __init__(self, size: int = 64):
        self.size = size
        self._searcher = None
        self._sets: OrderedDict = OrderedDict()

    def docs(self, searcher, query: wq.Query | None) -> set[int] | None:
        if query is None:
            return None
        if searcher is not self._searcher:
            self._searcher, self._sets = searcher, OrderedDict()
        key = repr(query)
        found = self._sets.get(key)
        if found is None:
            found = set(searcher.docs_for_query(query))
            self._sets[key] = found
            if len(self._sets) > self.size:
                self._sets.popitem(last=False)
        else:
            self._sets.move_to_end(key)
        return found


def scored(searcher, query: wq.Query, allow: set[int] | None, limit: int):
    """One scored pass: (top [(score, docnum)], every matching docnum)."""
    top = CountingTopCollector(limit=limit)
    collector = collectors.FilterCollector(top, allow=allow) if allow is not None else top
    searcher.search_with_collector(query, collector)
    return [(hit.score, hit.docnum) for hit in collector.results()], top.docset


def matching(searcher, query: wq.Query, allow: set[int] | None) -> set[int]:
    if isinstance(query, wq.Every):
        docs = set(searcher.reader().all_doc_ids())
    else:
        docs = set(searcher.docs_for_query(query))
    return docs & allow if allow is not None else docs


def column_values(searcher, name: str, docnums: Iterable[int]) -> Iterable[tuple[int, object]]:
    """(docnum, value) of a column field, read per segment (Whoosh's multi-segment column
    reader mis-numbers documents when some segment lacks the column)."""
    leaves = searcher.reader().leaf_readers()  # [(reader, offset)] in docnum order
    offsets = [offset for _r, offset in leaves]
    columns = [r.column_reader(name) if r.has_column(name) else None for r, _o in leaves]
    for d in docnums:
        i = bisect.bisect_right(offsets, d) - 1
        column = columns[i]
        yield d, (column[d - offsets[i]] if column is not None else None)


def count_values(searcher, name: str, docnums: Iterable[int]) -> Counter:
    return Counter(v if v is not None else "" for _d, v in column_values(searcher, name, docnums))


def by_date(searcher, docnums: set[int], limit: int, newest_first: bool) -> list[tuple[float, int]]:
    """The first `limit` documents by date (undated last), ties by document order."""
    keyed = ((v or 0, d) for d, v in column_values(searcher, "date_num", docnums))
    if newest_first:
        top = heapq.nsmallest(limit, keyed, key=lambda kd: (-kd[0], kd[1]))
    else:
        top = heapq.nsmallest(limit, keyed, key=lambda kd: (kd[0] == 0, kd[0], kd[1]))
    return [(0.0, d) for _v, d in top]
