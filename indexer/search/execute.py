"""Runs an execution plan over IndexArrays: sets of docnums, BM25F ranking, date order, facets."""
from __future__ import annotations

import math
import weakref

import numpy as np
import numpy.ma  # noqa: F401 - np.unique loads it on first use (15 ms): here, not in a search

from ..analysis.grams import is_char_unit
from ..store.arrays import EMPTY, IndexArrays, pair_code
from ..store.sets import intersect, member
from .compile import COLUMN_FIELDS, AllOf, AnyOf, Everything, Grams, Plan, Range, Value, Without

K1, B = 1.2, 0.75
_SHIFT = 32  # key = docnum << _SHIFT + position - offset + _BIAS, to align occurrences
_BIAS = 4096  # > any offset inside a query (queries are at most 500 characters)
_LOW = (1 << _SHIFT) - 1
SMALL_ARCHIVE = 20_000  # up to this many records a phrase reads its grams' whole occurrence
# lists (cached: cheaper there); beyond, it probes from its rarest gram (measured: 3,000 records,
# variants' once-asked p95 29 -> 11 ms; 300,000 records, API p95 68 ms probing, 118 with lists)


def docs(arrays: IndexArrays, node, memo: dict | None = None,
         within: np.ndarray | None = None) -> np.ndarray:
    """Sorted unique docnums matching a plan node (deleted documents included).

    `memo` keeps n-gram results for the rest of one search (ranking reuses them). `within`
    (sorted docnums, the reader's visible records; None: all): phrases are aligned inside it
    only, so no position of a record above the reader's clearance is read. The result is then
    right for the documents in `within` only: the caller intersects it with `within`."""
    memo = {} if memo is None else memo
    if isinstance(node, Grams):
        return grams_docs(arrays, node, memo, within)[0]
    if isinstance(node, Value):
        return value_docs(arrays, node.field, node.value)
    if isinstance(node, Range):
        column = arrays.numbers(node.field)
        mask = np.ones(len(column), dtype=bool)
        if node.lo is not None:
            mask &= column >= node.lo
        if node.hi is not None:
            mask &= column <= node.hi
        return np.flatnonzero(mask).astype(np.int64)
    if isinstance(node, Everything):
        return arrays.live()
    if isinstance(node, AllOf):
        positives = [n for n in node.nodes if not isinstance(n, Without)]
        result = (intersect([docs(arrays, n, memo, within) for n in positives])
                  if positives else arrays.live())
        for n in node.nodes:
            if isinstance(n, Without) and len(result):
                result = result[~member(result, docs(arrays, n.node, memo, within))]
        return result
    if isinstance(node, AnyOf):
        return union([docs(arrays, n, memo, within) for n in node.nodes])
    if isinstance(node, Without):
        live = arrays.live()
        return live[~member(live, docs(arrays, node.node, memo, within))]
    raise TypeError(f"unknown plan node {node!r}")


def union(parts: list[np.ndarray]) -> np.ndarray:
    """The sorted distinct docnums of sorted docnum arrays: their runs merged (a stable sort
    of sorted runs is a merge), not hashed."""
    parts = [p for p in parts if len(p)]
    if len(parts) < 2:
        return parts[0] if parts else EMPTY
    merged = np.concatenate(parts)
    merged.sort(kind="stable")
    return _distinct_sorted(merged)


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Boolean mask of sorted `values`: True where a new value starts."""
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return keep


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    return values if len(values) < 2 else values[_run_starts(values)]


def value_docs(arrays: IndexArrays, field: str, value: str) -> np.ndarray:
    if field in COLUMN_FIELDS:
        codes, values = arrays.codes(field)
        if value not in values or not value:
            return EMPTY
        return np.flatnonzero(codes == values.index(value)).astype(np.int64)
    return arrays.postings(field, value)[0]


def grams_docs(arrays: IndexArrays, node: Grams, memo: dict,
               within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, occurrences per docnum) of an exact n-gram sequence, aligned in `within`
    only (see docs); one search passes the same `within` every time (memo)."""
    if len(node.grams) == 1 and node.grams[0][1] == 0:
        return arrays.postings(node.field, node.grams[0][0])
    if node not in memo:
        memo[node] = _aligned(arrays, node, within)
    return memo[node]


def _aligned(arrays: IndexArrays, node: Grams, within: np.ndarray | None):
    """`_align`, kept with the index version for the same `within` (a reader's visible
    records: one array object while the version keeps it), so that a query asked again — the
    next page, a facet chosen — or sharing a phrase with an earlier one reads no position
    again."""
    def compute():
        docs, counts = _align(arrays, node, within)
        return (docs, counts, None if within is None else weakref.ref(within)), True
    docs, counts, ref = arrays.remembered(("aligned", node, id(within)), compute)
    if (None if ref is None else ref()) is not within:  # (another array under a reused id)
        return _align(arrays, node, within)
    return docs, counts


def _align(arrays: IndexArrays, node: Grams, within: np.ndarray | None):
    return occurrences(aligned_starts(arrays, node.field, node.grams, within))


def occurrences(starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, occurrences per docnum) of sorted start keys."""
    if not len(starts):
        return EMPTY, np.zeros(0, np.float32)
    docs = starts >> _SHIFT  # sorted (so are the keys): the first of each run, no sort
    first_of = np.flatnonzero(_run_starts(docs))
    counts = np.diff(np.append(first_of, len(starts)))
    return docs[first_of], counts.astype(np.float32)


def aligned_starts(arrays: IndexArrays, field: str, grams, within: np.ndarray | None
                   ) -> np.ndarray:
    """Where the grams occur at their offsets from one start, as sorted start keys: the
    documents holding them all first (no position read), then the rarest gram's occurrences
    in those documents only, each start then probed in the other grams' positions (binary
    search inside the document's positions, in place): a common gram's other occurrences are
    never read."""
    grams = tuple(grams)
    candidates = holding(arrays, field, [g for g, _o in grams], within)
    if not len(candidates):
        return EMPTY
    if arrays.max_doc <= SMALL_ARCHIVE:
        return _from_whole_lists(arrays, field, grams, candidates)
    order = sorted(implied(grams), key=lambda g: arrays.doc_frequency(field, g[0]))
    (rarest, first), rest = order[0], order[1:]
    occ_docs, occ_pos = arrays.occurrences_in(field, rarest, candidates)
    starts = (occ_docs << _SHIFT) + (occ_pos + (_BIAS - first))  # sorted, distinct
    for gram, offset in rest:
        if not len(starts):
            return EMPTY
        starts = starts[occurs(arrays, field, gram, starts, offset)]
    return starts


def _from_whole_lists(arrays: IndexArrays, field: str, grams, candidates: np.ndarray
                      ) -> np.ndarray:
    """`aligned_starts` from each gram's whole occurrence list (kept in the cache), in a small
    archive: cheaper there than probing position by position."""
    keyed = []
    for gram, offset in grams:
        occ_docs, occ_pos = arrays.positions(field, gram)
        keep = member(occ_docs, candidates)
        keyed.append(((occ_docs[keep] << _SHIFT) + (occ_pos[keep] + _BIAS), offset))
    return starts_of(keyed)


def changed_starts(arrays: IndexArrays, field: str, term: str, places: list[tuple[int, ...]],
                   within: np.ndarray | None, optional=frozenset(),
                   most: int = 0) -> dict[tuple[int, ...], np.ndarray | None]:
    """For each set of places of `places` (one place, or two), where `term` (Chinese
    characters only) occurs in `field` with its characters there replaced by others (sorted
    start keys, in the records `within` holding every two-character gram of the term that
    touches none of them): each gram's occurrences in those records read once, and each start
    key given the set of grams found from it (a bit per gram), instead of the parts between
    the places aligned for each set. The term itself is no change of it. A set of `optional`
    held by more than `most` records, or with no gram left, is left out (None: not known)."""
    grams = [term[k:k + 2] for k in range(len(term) - 1)]
    need = {p: [k for k in range(len(grams)) if not any(k in (i - 1, i) for i in p)]
            for p in places}
    frequency = [arrays.doc_frequency(field, g) if held else 0
                 for g, held in zip(grams, _indexed(arrays, field, grams))]
    unknown = {p: None for p, ks in need.items() if not ks or (  # (an optional set whose
        p in optional and min(frequency[k] for k in ks) > 8 * most)}  # grams are all common:
    held = {p: holding(arrays, field, {grams[k] for k in ks}, within)  # not intersected)
            for p, ks in need.items()
            if p not in unknown and all(frequency[k] for k in ks)}  # (a gram in no record)
    need = {p: ks for p, ks in need.items() if p in held or p in unknown}
    unknown.update({p: None for p in optional if p in held and len(held[p]) > most})
    for p in unknown:
        need.pop(p), held.pop(p, None)
    candidates = union(list(held.values()))
    if not len(candidates):
        return unknown
    keyed, bits = [], []
    for k, gram in enumerate(grams):
        if arrays.max_doc <= SMALL_ARCHIVE:
            occ_docs, occ_pos = arrays.positions(field, gram)
            keep = member(occ_docs, candidates)
            occ_docs, occ_pos = occ_docs[keep], occ_pos[keep]
        else:
            occ_docs, occ_pos = arrays.occurrences_in(field, gram, candidates)
        keyed.append((occ_docs << _SHIFT) + (occ_pos + (_BIAS - k)))
        bits.append(np.full(len(occ_docs), 1 << k, dtype=np.int64))
    keys = np.concatenate(keyed)
    order = np.argsort(keys, kind="stable")
    keys, flags = keys[order], np.concatenate(bits)[order]
    first = np.flatnonzero(_run_starts(keys))
    keys, flags = keys[first], np.bitwise_or.reduceat(flags, first)
    whole = (1 << len(grams)) - 1
    out: dict[tuple[int, ...], np.ndarray | None] = unknown
    for p, ks in need.items():
        wanted = sum(1 << k for k in ks)
        at = keys[((flags & wanted) == wanted) & (flags != whole)]
        if len(at):
            at = at[member(at >> _SHIFT, held[p])]
        if len(at):
            out[p] = at
    return out


def _indexed(arrays: IndexArrays, field: str, grams: list[str]) -> list[bool]:
    """Per two-character gram, whether `field` indexes it at all (one lookup of them all in
    the field's sorted pairs; True when that cannot be told so)."""
    known = arrays.pairs((field,))
    codes = [pair_code(g) for g in grams]
    if known is None or None in codes:
        return [True] * len(grams)
    return member(np.array(codes, dtype=np.uint32), known).tolist()


def occurs(arrays: IndexArrays, field: str, gram: str, starts: np.ndarray,
           offset: int) -> np.ndarray:
    """Boolean mask: does `gram` occur `offset` units after each start key? (In a small
    archive: looked up in the gram's whole occurrence list, kept; beyond, probed.)"""
    if arrays.max_doc <= SMALL_ARCHIVE:
        at = (starts & _LOW) + (offset - _BIAS)
        return (at >= 0) & member((starts >> _SHIFT << _SHIFT) + np.maximum(at, 0),
                                  _occurrence_keys(arrays, field, gram))
    return arrays.occurs_at(field, gram, starts >> _SHIFT, (starts & _LOW) + (offset - _BIAS))


def _occurrence_keys(arrays: IndexArrays, field: str, gram: str) -> np.ndarray:
    """A gram's occurrences as sorted keys docnum << _SHIFT + position (kept in the cache)."""
    def build():
        occ_docs, occ_pos = arrays.positions(field, gram)
        return (occ_docs << _SHIFT) + occ_pos
    return arrays._cached(("occurrence keys", field, gram), build)


def implied(grams: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """The grams of a sequence plus the bigrams it implies between two of them: a query
    covers 乡镇档案 with 乡镇 at 0 and 档案 at 2, so 镇档 is at 1 wherever both are (units at
    consecutive positions always form a bigram), and it may be far rarer than either."""
    out = list(grams)
    at = dict((o, g) for g, o in grams)
    for gram, offset in grams:
        after = at.get(offset + 2)
        if (after is not None and offset + 1 not in at and _two_chars(gram)
                and _two_chars(after)):
            out.append((gram[1] + after[0], offset + 1))
    return out


def _two_chars(gram: str) -> bool:
    return len(gram) == 2 and is_char_unit(gram[0]) and is_char_unit(gram[1])


def holding(arrays: IndexArrays, field: str, grams, within: np.ndarray | None) -> np.ndarray:
    """The documents `within` (None: all) whose postings hold every one of `grams` (no
    position read: a sequence only withheld records hold costs what an absent one costs); in
    a small archive from the grams' whole posting lists (kept), beyond in each segment."""
    grams = list(grams)
    if arrays.max_doc > SMALL_ARCHIVE or not grams:
        return arrays.holding_all(field, grams, within)
    sets = [arrays.postings(field, g)[0] for g in grams]
    return intersect(sets + ([within] if within is not None else []))


def starts_of(keyed: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Where a sequence of parts occurs, from each part's start keys (`aligned_starts`) and its
    offset in the sequence: the start keys, sorted (the rarest part's, narrowed by the
    others')."""
    if not keyed:
        return EMPTY
    keyed = sorted(keyed, key=lambda ko: len(ko[0]))
    starts = keyed[0][0] - keyed[0][1]
    for keys, offset in keyed[1:]:
        if not len(starts):
            break
        starts = starts[member(starts + offset, keys)]
    return starts


def docs_of(starts: np.ndarray) -> np.ndarray:
    """The distinct docnums of occurrence keys."""
    return _distinct_sorted(starts >> _SHIFT)


def starts_in(starts: np.ndarray, doc: int) -> np.ndarray:
    """The unit positions where the occurrences keyed by `starts` begin in one document."""
    return (starts[(starts >> _SHIFT) == doc] & _LOW) - _BIAS


def in_docs(starts: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The occurrence keys that fall in the sorted docnums `docs`."""
    return starts[member(starts >> _SHIFT, docs)]


def scores(arrays: IndexArrays, plan: Plan, candidates: np.ndarray, title_boost: float,
           memo: dict, visible: np.ndarray | None = None) -> np.ndarray:
    """BM25F over the ranking words (title weighted) plus a bonus per exact occurrence.

    `visible` (sorted docnums) is what the reader may see: document frequencies and average
    lengths are counted over it, so no score depends on records above the reader's clearance.
    None: every document. Nothing is computed when there is no candidate (then a phrase only
    in records above clearance costs what an absent phrase costs)."""
    total = np.zeros(len(candidates), dtype=np.float64)
    if not len(candidates):
        return total
    n = max(1, arrays.max_doc if visible is None else len(visible))
    for field, boost in (("text", 1.0), ("title", title_boost)):
        lengths = arrays.lengths(field)[candidates]
        counted = arrays.live() if visible is None else visible
        average = float(arrays.lengths(field)[counted].mean()) if len(counted) else 1.0
        norm = K1 * ((1 - B) + B * lengths / max(average, 1e-9))
        for word in plan.rank_words:
            ids, tf = arrays.postings(field, word)
            if not len(ids):
                continue
            df = len(ids) if visible is None else int(np.count_nonzero(member(ids, visible)))
            idf = math.log(n / (df + 1)) + 1
            where = np.searchsorted(ids, candidates)
            where[where >= len(ids)] = 0
            hit = ids[where] == candidates
            f = np.where(hit, tf[where], 0.0)
            total += boost * idf * f * (K1 + 1) / (f + norm)
    for node in plan.exact:
        ids, occurrences = grams_docs(arrays, node, memo, visible)
        if len(ids):
            where = np.searchsorted(ids, candidates)
            where[where >= len(ids)] = 0
            occ = np.where(ids[where] == candidates, occurrences[where], 0.0)
            total += occ / (occ + K1)
    if plan.whole:  # a tier per term matched with its number whole, above every other score
        tier = np.zeros(len(candidates), dtype=np.float64)
        for node in plan.whole:
            tier += member(candidates, grams_docs(arrays, node, memo, visible)[0])
        total += tier * (float(total.max()) + 1.0)
    return total


def top_by_score(score: np.ndarray, candidates: np.ndarray, limit: int):
    """The first `limit` by (score descending, docnum): the same order on every page."""
    if len(candidates) > limit:
        threshold = np.partition(score, len(score) - limit)[len(score) - limit]
        chosen = np.flatnonzero(score >= threshold)  # ties at the threshold all compete
    else:
        chosen = np.arange(len(candidates))
    order = chosen[np.lexsort((candidates[chosen], -score[chosen]))][:limit]
    return [(float(score[i]), int(candidates[i])) for i in order]


def top_by_date(arrays: IndexArrays, candidates: np.ndarray, limit: int, newest_first: bool):
    dates = arrays.numbers("date_num")[candidates]
    if newest_first:
        order = np.lexsort((candidates, -dates))
    else:  # oldest first, undated last
        order = np.lexsort((candidates, dates, dates == 0))
    return [(0.0, int(candidates[i])) for i in order[:limit]]


def facet_counts(arrays: IndexArrays, field: str, candidates: np.ndarray) -> dict[str, int]:
    codes, values = arrays.codes(field)
    counts = np.bincount(codes[candidates], minlength=len(values))
    return {values[i]: int(c) for i, c in enumerate(counts) if c and i}
