"""An exact-string query over the n-gram fields: terms at fixed relative positions.

A query string becomes a few unigrams/bigrams that cover all of its units, each with its
position relative to the first unit; a record matches when all of them occur at those
offsets from one common start. This is Whoosh's Phrase without its general span machinery,
which is several times slower for this one case.
"""
from __future__ import annotations

from whoosh import matching
from whoosh import query as wq
from whoosh.matching.wrappers import WrappingMatcher


class NgramSequence(wq.Query):
    """Matches records where each (term, offset) occurs at start + offset, for some start."""

    def __init__(self, fieldname: str, grams: tuple[tuple[str, int], ...], boost: float = 1.0):
        self.fieldname = fieldname
        self.grams = tuple(grams)
        self.boost = boost

    def __eq__(self, other):
        return (type(other) is type(self) and self.fieldname == other.fieldname
                and self.grams == other.grams and self.boost == other.boost)

    def __hash__(self):
        return hash((self.fieldname, self.grams, self.boost))

    def __repr__(self):
        return f"NgramSequence({self.fieldname!r}, {self.grams!r}, boost={self.boost})"

    def field(self):
        return self.fieldname

    def has_terms(self):
        return True

    def terms(self, phrases=False):
        for text, _offset in self.grams:
            yield self.fieldname, text

    def estimate_size(self, ixreader):
        return min(ixreader.doc_frequency(self.fieldname, t) for t, _o in self.grams)

    def matcher(self, searcher, context=None):
        if self.fieldname not in searcher.schema:
            return matching.NullMatcher()
        reader = searcher.reader()
        weighting = context.weighting if context is not None else searcher.weighting
        leaves = []
        for text, _offset in self.grams:
            if (self.fieldname, text) not in reader:
                return matching.NullMatcher()
            leaves.append(searcher.postings(self.fieldname, text, weighting=weighting))
        offsets = [offset for _t, offset in self.grams]
        if len(leaves) == 1 and offsets == [0]:
            m = leaves[0]
            return WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m
        # intersect the rarest lists first
        order = sorted(range(len(leaves)), key=lambda i: reader.doc_frequency(
            self.fieldname, self.grams[i][0]))
        child = leaves[order[0]]
        for i in order[1:]:
            child = matching.IntersectionMatcher(child, leaves[i])
        return _SequenceMatcher(child, leaves, offsets, self.boost)


class _SequenceMatcher(WrappingMatcher):
    """Wraps the intersection of the term lists; keeps documents with aligned positions."""

    def __init__(self, child, leaves, offsets, boost=1.0):
        super().__init__(child, boost=boost)
        self.leaves = leaves
        self.offsets = offsets
        self._find_next()

    def copy(self):
        return self.__class__(self.child.copy(), self.leaves, self.offsets, self.boost)

    def _replacement(self, newchild):
        return self.__class__(newchild, self.leaves, self.offsets, self.boost)

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def _aligned(self) -> bool:
        starts = None
        for leaf, offset in zip(self.leaves, self.offsets):
            here = {p - offset for p in leaf.value_as("positions")}
            starts = here if starts is None else starts & here
            if not starts:
                return False
        return True

    def _find_next(self):
        child = self.child
        while child.is_active() and not self._aligned():
            child.next()

    def next(self):
        self.child.next()
        self._find_next()

    def skip_to(self, id):
        self.child.skip_to(id)
        self._find_next()

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def score(self):
        return self.child.score() * self.boost
