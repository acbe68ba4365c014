"""Posting lists, field lengths and columns of an open index as numpy arrays, cached.

Whoosh evaluates queries one document at a time in Python; for exact-string matching over
thousands of records that is the bottleneck. This module reads what the query executor
needs straight from Whoosh's segment readers (block by block, pinned whoosh-reloaded
2.7.5 layout) into arrays once per searcher, so later queries are array operations.
"""
from __future__ import annotations

import threading
from typing import Any
import numpy as np
from cachetools import LRUCache
from whoosh.matching.wrappers import FilterMatcher
from whoosh.codec import whoosh3
from whoosh.util.numeric import byte_to_length

from ..analysis.analyzers import PREFIX
from .mapped import SegmentMap, positions_from_deltas
from .sets import intersect, member
from .probe import TermArrays
from .residency import index_maps

_LENGTH_TABLE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
EMPTY = np.zeros(0, dtype=np.int64)
_MISSING = object()
_FREQUENCIES = 65536  # terms whose document frequency an index version keeps (~10 MB)


def column_value(reader, schema, name: str, docnum: int):
    """A document's value of a column field (None when its segment has no such column).

    Read from the document's own segment: Whoosh's multi-segment column reader skips the
    segments written without the column (a commit of .txt records only) but keeps counting
    from the one before, so a document after such a gap read past that segment's end (an
    IndexError that failed the whole run) and one before every column read another's value."""
    if name not in schema:
        return None
    for leaf, offset in sorted(reader.leaf_readers(), key=lambda lo: lo[1], reverse=True):
        if docnum >= offset:
            return leaf.column_reader(name)[docnum - offset] if leaf.has_column(name) else None
    return None


def pair_code(gram: str) -> int | None:
    """A two-character term's code in `IndexArrays.pairs` (None: not such a term)."""
    if len(gram) != 2:
        return None
    a, b = ord(gram[0]), ord(gram[1])
    if not (0x800 <= a <= 0xFFFF and 0x800 <= b <= 0xFFFF) or any(
            0xD800 <= c <= 0xDFFF for c in (a, b)):
        return None
    return a << 16 | b


_Absent = object()  # a term a segment does not hold (cached too)


def _nbytes(value) -> int:
    """What a cached value costs: its arrays' bytes (64 for anything else)."""
    if isinstance(value, tuple):
        return sum(a.nbytes for a in value if isinstance(a, np.ndarray)) or 64
    return getattr(value, "nbytes", 64)


def _summed(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of several segments as one sorted array, their counts added."""
    codes = np.concatenate([c for c, _n in parts] or [np.zeros(0, np.uint32)])
    counts = np.concatenate([n for _c, n in parts] or [np.zeros(0, np.int64)])
    unique, inverse = np.unique(codes, return_inverse=True)
    return unique, np.bincount(inverse, weights=counts, minlength=len(unique)).astype(np.int32)


def _most_per_code(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of several fields as one sorted array, each with its largest count."""
    if not parts:
        return np.zeros(0, np.uint32), np.zeros(0, np.int32)
    codes = np.concatenate([c for c, _n in parts])
    counts = np.concatenate([n for _c, n in parts])
    order = np.lexsort((counts, codes))  # by code, the largest count last
    codes, counts = codes[order], counts[order]
    last = np.ones(len(codes), dtype=bool)
    last[:-1] = codes[1:] != codes[:-1]
    return codes[last], counts[last]


class IndexArrays:
    """Array views of one searcher's segments; thread-safe, with a byte-bounded LRU cache."""

    def __init__(self, searcher, cache_bytes: int = 128 * 2**20, bound=None):
        self.searcher = searcher
        self.leaves = searcher.reader().leaf_readers()  # [(segment reader, docnum offset)]
        self.maps = [SegmentMap.open(reader) for reader, _offset in self.leaves]
        self.max_doc = searcher.doc_count_all()
        self.cache_bytes = cache_bytes
        self._cache = LRUCache(maxsize=cache_bytes, getsizeof=_nbytes)
        self._frequencies: dict[tuple[str, str], int] = {}  # doc_frequency's, at most _FREQUENCIES
        self._pairs: dict[tuple, Any] = {}  # see pairs() and pair_counts()
        self._lock = threading.Lock()
        # Whoosh's readers seek and read shared file objects: one thread at a time reads disk
        self.io = threading.RLock()
        self._mapped: list | None = None
        self.bound = bound  # a residency.MappedBound, checked after each read from disk

    def mapped_files(self) -> list:
        """The memory maps this index version reads through (indexer.store.residency)."""
        if self._mapped is None:
            self._mapped = index_maps(self.leaves, self.maps)
        return self._mapped

    def bounded(self) -> None:
        """Let go of the index's mapped pages if this process holds more than its bound (after
        a read, so that one long call, such as a worker's warm-up, stays within it too)."""
        if self.bound is not None:
            self.bound.check(self.mapped_files())

    def _cached(self, key, build):
        """The value cached under `key`, built (reading disk, one thread at a time) and kept
        in the byte-bounded LRU cache if it is not there."""
        with self._lock:
            value = self._cache.get(key, _MISSING)
        if value is not _MISSING:
            return value
        with self.io:
            value = build()
        with self._lock:
            if key not in self._cache and _nbytes(value) <= self._cache.maxsize:
                self._cache[key] = value
        self.bounded()
        return value

    def remembered(self, key, compute):
        """The value kept under `key`, else `compute()` → (value, keep): a result worked out
        from the cached arrays (no disk read of its own, so built without holding `io`),
        kept in the same bounded cache when `keep`."""
        with self._lock:
            value = self._cache.get(key, _MISSING)
        if value is not _MISSING:
            return value
        value, keep = compute()
        if keep:
            with self._lock:
                self._cache[key] = value
        return value

    def filtered(self, node, compute) -> np.ndarray | None:
        """The documents of a filter node (facet choices, dates, clearance), kept as long as
        this index version: `compute(arrays, node)` once per node."""
        if node is None:
            return None
        return self._cached(("filter", node), lambda: compute(self, node))

    # documents

    def stored_fields(self, docnum: int) -> dict:
        with self.io:
            return self.searcher.stored_fields(docnum)

    def column_value(self, name: str, docnum: int):
        """A document's value of a column-only field (None: the index has no such column)."""
        with self.io:
            return column_value(self.searcher.reader(), self.searcher.schema, name, docnum)

    def live(self) -> np.ndarray:
        """Docnums of documents that are not deleted."""
        return self._cached(("live",), lambda: np.fromiter(
            self.searcher.reader().all_doc_ids(), dtype=np.int64))

    # postings

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of a term; weights are term frequencies for text fields.

        A term ending in PREFIX stands for all terms starting with what precedes it."""
        if text.endswith(PREFIX):
            return self._cached(("p", field, text), lambda: self._prefix(field, text, False))
        return self._cached(("p", field, text), lambda: self._read(field, text, False)[:2])

    def positions(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnum per occurrence, position per occurrence) of a term, sorted."""
        if text.endswith(PREFIX):
            return self._cached(("pos", field, text), lambda: self._prefix(field, text, True))
        return self._cached(("pos", field, text), lambda: self._read(field, text, True)[2:])

    def _prefix(self, field: str, text: str, with_positions: bool):
        terms = self.expand_prefix(field, text[: -len(PREFIX)])
        parts = [self._read(field, t, with_positions) for t in terms]
        if with_positions:
            docs = np.concatenate([p[2] for p in parts] or [EMPTY])
            pos = np.concatenate([p[3] for p in parts] or [EMPTY])
            order = np.lexsort((pos, docs))
            return docs[order], pos[order]
        docs = np.concatenate([p[0] for p in parts] or [EMPTY])
        weights = np.concatenate([p[1] for p in parts] or [np.zeros(0, np.float32)])
        found, inverse = np.unique(docs, return_inverse=True)
        return found, np.bincount(inverse, weights=weights, minlength=len(found)).astype(
            np.float32)

    def _read(self, field: str, text: str, with_positions: bool):
        """(docnums, weights, docnum per occurrence, position per occurrence) of a term over
        every segment (deleted documents included: they are dropped with live())."""
        btext = self.searcher.schema[field].to_bytes(text)
        parts = []
        for (reader, offset), mapped in zip(self.leaves, self.maps):
            if mapped is not None and (not with_positions or mapped.positional(field)):
                found = mapped.occurrences(field, btext) if with_positions else \
                    mapped.postings(field, btext)
                if found is not None:
                    parts.append((found[0].astype(np.int64) + offset, found[1],
                                  *((found[2].astype(np.int64) + offset,
                                     found[3].astype(np.int64)) if with_positions else ())))
            elif (field, btext) in reader:
                parts.append(_whoosh_read(reader, field, btext, offset, with_positions))
        if not parts:
            return EMPTY, np.zeros(0, np.float32), EMPTY, EMPTY
        if len(parts) == 1:
            docs, weights, *occ = parts[0]
        else:
            docs = np.concatenate([p[0] for p in parts])
            weights = np.concatenate([p[1] for p in parts])
            occ = [np.concatenate([p[2] for p in parts]),
                   np.concatenate([p[3] for p in parts])] if with_positions else []
        return (docs, weights, *occ) if with_positions else (docs, weights, EMPTY, EMPTY)

    def holding_all(self, field: str, texts, within: np.ndarray | None = None) -> np.ndarray:
        """Sorted docnums (deleted ones included) holding every one of the terms `texts`, and
        in the sorted `within` when given: intersected in each segment's arrays in place, so no
        posting list is copied or kept (a prefix term, or a segment without arrays: through
        postings())."""
        texts = list(texts)
        if not texts:
            return EMPTY
        if any(t.endswith(PREFIX) for t in texts) or any(m is None for m in self.maps):
            sets = [self.postings(field, t)[0] for t in texts]
            return intersect(sets + ([within] if within is not None else []))
        schema = self.searcher.schema[field]
        btexts = [schema.to_bytes(t) for t in texts]
        ends = [offset for _r, offset in self.leaves[1:]] + [self.max_doc]
        parts = []
        for (_reader, offset), end, mapped in zip(self.leaves, ends, self.maps):
            spans = [mapped.span(field, b) for b in btexts]
            if any(span is None for span in spans):
                continue
            sets = [mapped.docs[d0:d1] for d0, d1, _p0, _p1 in spans]
            if within is not None:
                lo, hi = np.searchsorted(within, [offset, end]).tolist()
                sets.append(within[lo:hi] - offset)
            found = intersect(sets)
            if len(found):
                parts.append(found.astype(np.int64) + offset)
        self.bounded()
        return np.concatenate(parts) if parts else EMPTY

    def occurrences_in(self, field: str, text: str,
                       docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(docnum per occurrence, position per occurrence) of a term in the sorted distinct
        docnums `docs` only, sorted: gathered in place from each segment's arrays, no other
        occurrence read (a prefix term, or a segment without arrays: its whole list, kept)."""
        parts = []
        for lo, hi, offset, terms, whole in self._by_segment(field, text, docs):
            if terms is not None:
                d, p = terms.gather(docs[lo:hi] - offset)
                parts.append((d + offset, p))
            elif whole is not None:
                keep = member(whole[0], docs[lo:hi])
                parts.append((whole[0][keep], whole[1][keep]))
        self.bounded()
        if not parts:
            return EMPTY, EMPTY
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def occurs_at(self, field: str, text: str, docs: np.ndarray,
                  positions: np.ndarray) -> np.ndarray:
        """Boolean mask: does the term occur in document docs[i] at positions[i]? (`docs`
        sorted, repeats allowed.) Probed in each document's positions, in place."""
        found = np.zeros(len(docs), dtype=bool)
        for lo, hi, offset, terms, whole in self._by_segment(field, text, docs):
            if terms is not None:
                found[lo:hi] = terms.occurs_at(docs[lo:hi] - offset, positions[lo:hi])
            elif whole is not None:
                wanted = positions[lo:hi]
                ok = (wanted >= 0) & (wanted < 1 << 32)
                keys = (docs[lo:hi] << 32) + np.where(ok, wanted, 0)
                found[lo:hi] = ok & member(keys, (whole[0] << 32) + whole[1])
        self.bounded()
        return found

    def _term_arrays(self, i: int, mapped: SegmentMap, field: str,
                     btext: bytes) -> TermArrays | None:
        """A term's TermArrays in segment i (None: not there), kept in the cache: a search for
        variants probes the same grams again and again (its lookup and the running sum of its
        postings' counts cost more than the probe on a small archive)."""
        def build():
            span = mapped.span(field, btext)
            return _Absent if span is None else TermArrays(mapped, span)
        found = self._cached(("terms", i, field, btext), build)
        return None if found is _Absent else found

    def _by_segment(self, field: str, text: str, docs: np.ndarray):
        """Per segment holding some of the sorted docnums `docs`: (where they start and end in
        `docs`, the segment's docnum offset, the term's TermArrays there, or else None and the
        term's whole (docnums, positions) there, or None and None: not in that segment)."""
        prefix = text.endswith(PREFIX)
        btext = None if prefix else self.searcher.schema[field].to_bytes(text)
        offsets = [offset for _r, offset in self.leaves] + [self.max_doc]
        cuts = np.searchsorted(docs, offsets).tolist()
        for i, ((reader, offset), mapped) in enumerate(zip(self.leaves, self.maps)):
            lo, hi = cuts[i], cuts[i + 1]
            if lo == hi:
                continue
            if not prefix and mapped is not None and mapped.positional(field):
                yield lo, hi, offset, self._term_arrays(i, mapped, field, btext), None
            elif prefix:
                whole = self.positions(field, text)
                a, b = np.searchsorted(whole[0], [offset, offsets[i + 1]]).tolist()
                yield lo, hi, offset, None, (whole[0][a:b], whole[1][a:b])
            elif (field, btext) in reader:
                yield lo, hi, offset, None, self._cached(
                    ("segpos", i, field, text),
                    lambda: _whoosh_read(reader, field, btext, offset, True)[2:])

    def doc_frequency(self, field: str, text: str) -> int:
        """Documents holding a term (deleted ones included), from the term tables: no
        posting is read; kept for the index version (a phrase orders its grams by it, and a
        search for variants asks again for the grams they share)."""
        n = self._frequencies.get((field, text))
        if n is None:
            n = self._frequency(field, text)
            if len(self._frequencies) >= _FREQUENCIES:
                self._frequencies.clear()  # (a dict: threads may race to fill it, not corrupt it)
            self._frequencies[field, text] = n
        return n

    def _frequency(self, field: str, text: str) -> int:
        btext = self.searcher.schema[field].to_bytes(text)
        n = 0
        for (reader, _offset), mapped in zip(self.leaves, self.maps):
            if mapped is not None:
                n += mapped.doc_frequency(field, btext)
            else:
                with self.io:
                    n += reader.doc_frequency(field, btext)
        return n

    def pairs(self, fields: tuple[str, ...]) -> np.ndarray | None:
        """Every two-character term of `fields` (see `pair_code`) in any segment, deleted
        documents included, sorted: one lookup says a gram is in none of them. None when a
        segment has no posting arrays (its terms are then looked up one by one)."""
        counted = self.pair_counts(fields)
        return None if counted is None else counted[0]

    def pair_counts(self, fields: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
        """`pairs(fields)` and, for each, the documents holding it in the field of `fields`
        that holds it most (deleted ones included: the term tables' counts, no posting read;
        the followers of a character, commonest first, without reading its terms). Kept with
        the version, out of the LRU: a rebuild in a clerk's search would cost seconds on a
        large archive. None when a segment has no posting arrays."""
        if fields not in self._pairs:
            with self.io:
                if fields not in self._pairs and any(m is None for m in self.maps):
                    self._pairs[fields] = None
                elif fields not in self._pairs and len(fields) > 1:  # (each field's kept too)
                    self._pairs[fields] = _most_per_code([self.pair_counts((f,)) for f in fields])
                elif fields not in self._pairs:
                    self._pairs[fields] = _summed([m.pair_frequencies(f) for m in self.maps
                                                   for f in fields])
        return self._pairs[fields]

    def prefix_frequencies(self, field: str, prefix: str) -> dict[str, int]:
        """The terms of a field that start with `prefix`, in order, with the documents
        holding each (deleted ones included): the term tables' counts, no posting read."""
        bprefix = prefix.encode("utf-8")
        found: dict[bytes, int] = {}
        for (reader, _offset), mapped in zip(self.leaves, self.maps):
            if mapped is not None:
                terms, counts = mapped.prefix_frequencies(field, bprefix)
                pairs = zip(terms, counts.tolist())
            else:
                with self.io:
                    pairs = [(t, reader.doc_frequency(field, t))
                             for t in reader.expand_prefix(field, bprefix)]
            for t, n in pairs:
                found[t] = found.get(t, 0) + n
        return {t.decode("utf-8"): found[t] for t in sorted(found)}

    def expand_prefix(self, field: str, prefix: str) -> list[str]:
        """The terms of a field that start with `prefix`, in order."""
        bprefix = prefix.encode("utf-8")
        found: set[bytes] = set()
        for (reader, _offset), mapped in zip(self.leaves, self.maps):
            if mapped is not None:
                found.update(mapped.expand_prefix(field, bprefix))
            else:
                with self.io:
                    found.update(reader.expand_prefix(field, bprefix))
        return [t.decode("utf-8") for t in sorted(found)]

    # per-document values

    def lengths(self, field: str) -> np.ndarray:
        """Field length (in tokens, Whoosh's byte approximation) per docnum."""
        def build():
            out = np.zeros(self.max_doc, dtype=np.float32)
            for reader, offset in self.leaves:
                perdoc = reader._perdoc
                column = perdoc._cached_reader(whoosh3._lenfield(field), whoosh3.LENGTHS_COLUMN)
                if column is None:
                    continue
                raw = np.fromiter(iter(column), dtype=np.uint8, count=len(column))
                out[offset:offset + len(raw)] = _LENGTH_TABLE[raw]
            return out
        return self._cached(("len", field), build)

    def codes(self, field: str) -> tuple[np.ndarray, list[str]]:
        """A column field as (code per docnum, values); code 0 means empty/missing."""
        def build():
            values: dict[str, int] = {"": 0}
            out = np.zeros(self.max_doc, dtype=np.int32)
            for reader, offset in self.leaves:
                if not reader.has_column(field):
                    continue
                column = reader.column_reader(field)
                codes = [values.setdefault(v or "", len(values)) for v in column]
                out[offset:offset + len(codes)] = codes
            return out, list(values)
        return self._cached(("codes", field), build)

    def numbers(self, field: str) -> np.ndarray:
        """A numeric column field per docnum (0 when missing)."""
        def build():
            out = np.zeros(self.max_doc, dtype=np.int64)
            for reader, offset in self.leaves:
                if reader.has_column(field):
                    column = list(reader.column_reader(field))
                    out[offset:offset + len(column)] = column
            return out
        return self._cached(("num", field), build)


def _whoosh_read(reader, field: str, btext: bytes, offset: int, with_positions: bool):
    """A term's postings in one segment through Whoosh's block reader (a segment written
    without posting arrays): (docnums, weights[, docnum per occurrence, position per
    occurrence])."""
    ids, weights, deltas, counts = [], [], [], []
    m = reader.postings(field, btext)
    if isinstance(m, FilterMatcher):  # a segment with deletions: read the raw list,
        m = m.child                   # deleted documents are dropped with live()
    while m.is_active():
        m._read_ids()
        m._read_weights()
        ids.append(np.asarray(m._ids, dtype=np.int64) + offset)
        weights.append(np.asarray(m._weights, dtype=np.float32))
        if with_positions:  # uint32 position deltas (analysis.NgramFormat)
            m._read_values()
            deltas.append(b"".join(m._values))
            counts.extend(len(v) // 4 for v in m._values)
        m._next_block()
    docs = np.concatenate(ids) if ids else EMPTY
    weights = np.concatenate(weights) if weights else np.zeros(0, np.float32)
    if not with_positions:
        return docs, weights
    counts = np.asarray(counts, dtype=np.int64)
    return docs, weights, np.repeat(docs, counts), positions_from_deltas(b"".join(deltas),
                                                                         counts)
