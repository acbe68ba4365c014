"""A term's occurrences read for some documents only (indexer.store.probe through IndexArrays):
gathered and probed in place, they are exactly what the term's whole occurrence list says, for
segments read through their arrays and through Whoosh alike; phrases aligned from the rarest
gram (and the bigrams a query implies) find exactly the records holding the text."""
import random
import re

import numpy as np
import pytest
from test_mapped_postings import built

from indexer.analysis.normalize import normalize
from indexer.search.compile import Grams
from indexer.search.execute import grams_docs, implied
from indexer.store.arrays import IndexArrays

GRAMS = ("档案", "乡镇", "镇档", "王建", "政发", "保密", "70", "工作")


def _readers(ix):
    s = ix.searcher()
    mapped, plain = IndexArrays(s), IndexArrays(s)
    assert all(m is not None for m in mapped.maps)
    plain.maps = [None] * len(plain.maps)  # every segment through Whoosh's reader
    mixed = IndexArrays(s)
    mixed.maps = [m if i % 2 else None for i, m in enumerate(mixed.maps)]
    return s, (mapped, plain, mixed)


def test_occurrences_in_some_documents_are_the_whole_list_kept_there(tmp_path):
    ix, _records, _deleted = built(tmp_path, n=60)
    s, readers = _readers(ix)
    rng = np.random.default_rng(3)
    try:
        for gram in GRAMS + ("档*",):
            docs, pos = readers[0].positions("text_ng", gram)
            assert len(docs), gram
            for size in (1, 5, 30, s.doc_count_all()):
                within = np.unique(rng.integers(0, s.doc_count_all(), size)).astype(np.int64)
                keep = np.isin(docs, within)
                for arrays in readers:
                    got = arrays.occurrences_in("text_ng", gram, within)
                    assert got[0].tolist() == docs[keep].tolist(), (gram, size)
                    assert got[1].tolist() == pos[keep].tolist(), (gram, size)
            nowhere = arrays.occurrences_in("text_ng", "鬱鬱", np.arange(10, dtype=np.int64))
            assert len(nowhere[0]) == 0 and len(nowhere[1]) == 0
    finally:
        s.close()


def test_occurs_at_says_exactly_which_document_and_position_pairs_hold_the_term(tmp_path):
    ix, _records, _deleted = built(tmp_path, n=60)
    s, readers = _readers(ix)
    rng = np.random.default_rng(4)
    try:
        for gram in GRAMS:
            docs, pos = readers[0].positions("text_ng", gram)
            held = set(zip(docs.tolist(), pos.tolist()))
            # every true pair, its neighbours, and pairs in documents without the term
            probes = set(held)
            probes |= {(d, p + k) for d, p in held for k in (-2, -1, 1, 3)}
            probes |= {(int(d), int(p)) for d, p in zip(rng.integers(0, s.doc_count_all(), 80),
                                                        rng.integers(-3, 400, 80))}
            probes = sorted(probes)
            pd = np.array([d for d, _p in probes], dtype=np.int64)
            pp = np.array([p for _d, p in probes], dtype=np.int64)
            expected = [pair in held for pair in probes]
            for arrays in readers:
                assert arrays.occurs_at("text_ng", gram, pd, pp).tolist() == expected, gram
            assert not readers[0].occurs_at("text_ng", "鬱鬱", pd, pp).any()
    finally:
        s.close()


@pytest.mark.parametrize("small", [0, 10**9], ids=["probed", "whole lists"])
def test_a_phrase_is_found_exactly_where_its_text_is(tmp_path, monkeypatch, small):
    """Both ways of aligning a phrase (probing from its rarest gram; whole occurrence lists,
    taken in a small archive) find exactly the records holding it."""
    from indexer.search import execute

    monkeypatch.setattr(execute, "SMALL_ARCHIVE", small)
    ix, records, deleted = built(tmp_path, n=60)
    s, readers = _readers(ix)
    live = {f["id"] for f in records if f not in deleted}
    rng = random.Random(5)
    texts = [normalize(f["text"]).text for f in records if f["id"] in live]
    phrases = {"乡镇档案", "档案工作", "镇档案"}
    for text in rng.sample(texts, 15):
        k = rng.randrange(max(1, len(text) - 8))
        phrases.add(text[k:k + rng.randint(3, 8)])
    try:
        ids = {d: s.stored_fields(d)["id"] for d in range(s.doc_count_all())
               if not s.reader().is_deleted(d)}
        for phrase in sorted(phrases):
            from indexer.analysis.grams import ngram_terms
            grams = tuple(ngram_terms(phrase))
            if not grams or any(g.endswith("*") for g, _o in grams) or "。" in phrase:
                continue
            truth = {f["id"] for f in records if f["id"] in live
                     and phrase in normalize(f["text"]).text}
            for arrays in readers:
                found, counts = grams_docs(arrays, Grams("text_ng", grams), {})
                got = {ids[d] for d in found.tolist() if d in ids}
                assert got == truth, phrase
                assert all(c >= 1 for c in counts.tolist())
    finally:
        s.close()


def test_the_bigrams_a_query_implies_between_its_grams():
    assert implied((("乡镇", 0), ("档案", 2))) == [("乡镇", 0), ("档案", 2), ("镇档", 1)]
    # the last pair overlaps: nothing is missing between 2 and 3
    assert implied((("档案", 0), ("工作", 2), ("作为", 3))) == \
        [("档案", 0), ("工作", 2), ("作为", 3), ("案工", 1)]
    # a letter run is a unit of its own: nothing is implied across it
    assert implied((("abc 档", 0), ("案工", 2))) == [("abc 档", 0), ("案工", 2)]
    assert implied((("档案", 0),)) == [("档案", 0)]


def test_documents_holding_every_term_are_the_intersection_of_their_postings(tmp_path):
    ix, _records, _deleted = built(tmp_path, n=60)
    s, readers = _readers(ix)
    rng = np.random.default_rng(6)
    try:
        for terms in (["档案"], ["档案", "乡镇"], ["王建", "政发", "70"], ["档案", "鬱鬱"],
                      ["档*", "案工"], ["保密", "工作", "档案"]):
            sets = [set(readers[1].postings("text_ng", t)[0].tolist()) for t in terms]
            every = set.intersection(*sets)
            for within in (None, np.unique(rng.integers(0, s.doc_count_all(), 25))):
                expected = sorted(every if within is None else every & set(within.tolist()))
                for arrays in readers:
                    got = arrays.holding_all("text_ng", terms, within)
                    assert got.tolist() == expected, (terms, within is None)
        assert readers[0].holding_all("text_ng", []).tolist() == []
    finally:
        s.close()


def _near(texts: dict[int, str], term: str, places: tuple[int, ...]) -> dict[int, set]:
    """Documents whose text holds `term` with its characters at `places` replaced by anything
    else (another unit, or punctuation: None), one of them at least, with what stands at the
    first place, by brute force over the matching units."""
    from indexer.analysis.grams import units
    out = {}
    for doc, text in texts.items():
        at = {pos: u for u, _a, _b, pos in units(text)}
        for s in range(min(at, default=0) - 1, max(at, default=0) + 1):
            if all(at.get(s + k) == term[k] for k in range(len(term)) if k not in places) \
                    and any(at.get(s + i) != term[i] for i in places):
                out.setdefault(doc, set()).add(at.get(s + places[0]))
    return out


@pytest.mark.parametrize("small", [0, 10**9], ids=["probed", "whole lists"])
def test_a_term_changed_at_one_place_is_found_exactly_where_it_stands(tmp_path, monkeypatch,
                                                                      small):
    """All the places of a term looked for at once (one reading of its grams, each start given
    the set of grams found from it): each place's records are exactly those holding the term
    with that character replaced (brute force), and a variant counted from where the rest of
    the term stands is its exact count, the places next to an end included."""
    from indexer.analysis.confusions import lookalikes
    from indexer.search import approximate, execute
    from indexer.search.lexicon import build

    monkeypatch.setattr(execute, "SMALL_ARCHIVE", small)
    # probed: a change next to an end is never looked for (counted on its own instead)
    monkeypatch.setattr(approximate, "ONE_CHAR_PART", 2048 if small else 0)
    ix, records, deleted = built(tmp_path, n=60)
    s, readers = _readers(ix)
    rng = random.Random(8)
    try:
        live = set(s.reader().all_doc_ids())
        texts = {d: normalize(s.stored_fields(d)["text"]).text for d in live}
        terms = set()
        for text in rng.sample(sorted(set(texts.values())), 12):
            runs = [r for r in re.findall(r"[\u4e00-\u9fff]{4,}", text)]
            if runs:
                run = rng.choice(runs)
                k = rng.randrange(len(run) - 3)
                term = run[k:k + rng.randint(4, min(7, len(run) - k))]
                j = rng.randrange(len(term))
                terms.add(term)  # as it stands, and with one character changed
                terms.add(term[:j] + rng.choice("档镇政府人民工作") + term[j + 1:])
        assert len(terms) >= 10
        for arrays in readers:
            for term in sorted(terms):
                places = list(range(len(term)))
                sets = [(i,) for i in places] + [(i, j) for i in places
                                                 for j in range(i + 2, len(term))]
                found = execute.changed_starts(arrays, "text_ng", term, sets, None)
                for p in sets:
                    if {1, len(term) - 2} & set(p) or (len(p) == 2 and p[1] == p[0] + 2):
                        continue  # (a part of one character: only the rest looked for)
                    got = set(execute.docs_of(found.get(p, execute.EMPTY)).tolist())
                    assert got & live == set(_near(texts, term, p)), (term, p)
                gapped = approximate.Forgiving(arrays, None, {}, build([], [], []), 10, [],
                                               lookalikes)
                plain = approximate.Forgiving(arrays, None, {}, build([], [], []), 10, [],
                                              lookalikes)
                in_text = approximate.Forgiving(arrays, None, {}, build([], [], []), 10, [],
                                                lookalikes)  # (a term searched in one field)
                for i in places:
                    gapped.fits(term[:i], term[i + 1:], besides=term)
                    in_text.fits(term[:i], term[i + 1:], besides=term, field="text")
                for i in places:  # the characters found there, and one that is not
                    seen = {u for there in _near(texts, term, (i,)).values() for u in there
                            if u and len(u) == 1}
                    for text in texts.values():  # what follows the part before, precedes
                        seen |= {m.group(1) for m in re.finditer(  # the part after
                            f"{term[:i]}(.)" if i else f"(.){term[i + 1:]}", text)}
                    for x in sorted(seen | {"鬱", *"档镇政府"} - {term[i]}):
                        variant = term[:i] + x + term[i + 1:]
                        assert gapped.count(variant, "text") == plain.count(variant, "text") \
                            == in_text.count(variant, "text"), (term, variant)
    finally:
        s.close()
