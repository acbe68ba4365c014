"""The names a reader's records hold: the archive's lexicon of one index version (catalog
words, text names, organisations), narrowed to the names some record of a clearance holds, and
kept across versions where its records still stand."""
from __future__ import annotations

import bisect
from pathlib import Path

import numpy as np

from ..analysis.names import NAMES_FILE
from ..analysis.normalize import normalize
from ..store.arrays import IndexArrays
from ..store.schema import CATALOG_NAMES_FILE, USER_WORDS_FILE
from . import execute, lexicon
from .compile import ANYWHERE, AnyOf, Grams, match_node

# where a record gives a name the way the catalogs and 责任者 do (its 责任者, 人员 …)
CATALOG_NGRAMS = ("org_ng", "meta_ng")


def archive_lexicon(arrays: IndexArrays, index_dir: Path,
                    carried: dict | None = None) -> lexicon.Lexicon:
    """The lexicon of this index version (built once, kept with its arrays; from `carried`,
    kept across versions, when its catalog words, text names and organisations are the same
    as the last version's)."""
    def build():
        inputs = lexicon_inputs(arrays, index_dir)
        last = (carried or {}).get("archive")
        if last is not None and last[0] == inputs:
            return last[1]
        user_words, words, orgs, _catalogs = inputs
        built = lexicon.build(list(user_words), list(orgs), list(words))
        if carried is not None:
            carried["archive"] = (inputs, built)
        return built
    return arrays._cached(("lexicon",), build)


def lexicon_inputs(arrays: IndexArrays, index_dir: Path) -> tuple[tuple[str, ...], ...]:
    """What the lexicon of an index version is made of, read once per version: the user words
    (configured and the catalogs'), the text's names, the 责任者 values, and the catalogs'
    names alone (None for an index written before they were kept apart)."""
    def build():
        def lines(name: str) -> tuple[str, ...] | None:
            path = index_dir / name
            return tuple(path.read_text(encoding="utf-8").splitlines()) if path.exists() else None
        return (lines(USER_WORDS_FILE) or (), lines(NAMES_FILE) or (),
                tuple(arrays.codes("org")[1]), lines(CATALOG_NAMES_FILE))
    return arrays._cached(("lexicon inputs",), build)


def reader_lexicon(arrays: IndexArrays, index_dir: Path, clearance: str,
                   visible: np.ndarray | None, carried: dict | None = None) -> lexicon.Lexicon:
    """The names of the archive's lexicon that a record of this clearance's (`visible`)
    holds: the catalogs' and the text's names of withheld records are not known to its
    readers, not even as a reason to look for variants (built once per index version).

    `carried` (one dict per opened archive) keeps, across versions, a record holding each
    name: after a commit, a name whose record is still there is not looked up again, and one
    no record held is looked for in the new segments only."""
    def build():
        live = arrays.live() if visible is None else visible
        layout = segments(arrays)
        held = Holdings(arrays, live, layout, (carried or {}).get(("held", clearance)))
        full = archive_lexicon(arrays, index_dir, carried)
        given = catalog_given(arrays, index_dir)
        where = {name: CATALOG_NGRAMS if name in given else ANYWHERE for name in full.names}
        witnesses = {(name, where[name]): held.witness(name, where[name]) for name in full.names}
        if carried is not None:
            carried[("held", clearance)] = (layout, witnesses)
        arrays.pairs(ANYWHERE)  # (what a variant search looks its grams up in, each field's
        # too: made now)
        known = full.within(lambda name: witnesses[(name, where[name])] is not None)
        known.contracted("档案馆")  # (its organisations by first and last character: now)
        return known
    return arrays._cached(("lexicon", clearance), build)


def catalog_given(arrays: IndexArrays, index_dir: Path) -> frozenset[str]:
    """The names the archive knows only because a record's catalog row or 责任者 gives them
    (not the configuration, not a name the segmenter found in a text): a reader knows such a
    name only where a record they may see gives it so — a word of their records (档案馆) is no
    name to them because a 机密 record's 责任者 is that word. An index written before the
    catalogs' names were kept apart: every configured word counts as one (fail closed)."""
    def build():
        def normalised(values) -> set[str]:
            return {normalize(w).text.strip() for w in values if w.strip()}
        user_words, text_names, orgs, given = lexicon_inputs(arrays, index_dir)
        words = normalised(user_words)
        catalogs = words if given is None else normalised(given)
        return frozenset((catalogs | normalised(orgs)) - (words - catalogs)
                         - normalised(text_names))
    return arrays._cached(("catalog given",), build)


def segments(arrays: IndexArrays) -> dict[str, tuple[int, int]]:
    """Segment id → (first docnum, documents) of an index version's segments."""
    return {leaf.segment().segment_id(): (offset, leaf.doc_count_all())
            for leaf, offset in arrays.leaves}


class Holdings:
    """Which record holds a name (a witness: segment id, docnum in it) among `live`, found
    again from the last version's witnesses where they still stand."""

    def __init__(self, arrays: IndexArrays, live: np.ndarray,
                 layout: dict[str, tuple[int, int]], last: tuple | None):
        self.arrays, self.live, self.layout = arrays, live, layout
        self.last_layout, self.last = last if last is not None else ({}, {})
        new = [np.arange(first, first + n, dtype=np.int64)
               for segid, (first, n) in layout.items() if segid not in self.last_layout]
        added = np.concatenate(new) if new else execute.EMPTY
        self.added = live[execute.member(live, added)]  # the new segments' live documents
        self.starts = sorted((first, segid) for segid, (first, _n) in layout.items())

    def witness(self, name: str, fields: tuple[str, ...] = ANYWHERE) -> tuple[str, int] | None:
        """A live record holding `name` in one of the n-gram `fields`."""
        before = self.last.get((name, fields), _UNKNOWN)
        if before is None:  # no record held it: only one added since can
            return self._first(name, fields, self.added)
        if before is not _UNKNOWN and before[0] in self.layout:
            docnum = self.layout[before[0]][0] + before[1]
            if execute.member(np.array([docnum], dtype=np.int64), self.live)[0]:
                return before
        return self._first(name, fields, self.live)

    def _first(self, name: str, fields: tuple[str, ...],
               within: np.ndarray) -> tuple[str, int] | None:
        if not len(within):
            return None
        node = match_node(name)
        if fields != ANYWHERE:
            node = AnyOf(tuple(g for g in node.nodes if isinstance(g, Grams) and g.field in fields))
        ids = execute.docs(self.arrays, node, {}, within)
        ids = ids[execute.member(ids, within)]
        if not len(ids):
            return None
        docnum = int(ids[0])
        first, segid = self.starts[bisect.bisect_right(self.starts, (docnum, "\uffff")) - 1]
        return segid, docnum - first


_UNKNOWN = object()
