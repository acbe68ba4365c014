"""The posting arrays written beside Whoosh's files (indexer.store.mapped) against Whoosh's own
reader: every term of every segment has the same documents, weights and positions; a query
reads the same through either; a segment whose arrays are missing or damaged is read through
Whoosh and answers the same."""
import random

import numpy as np
from test_segments_whoosh import make_fields, ours

from indexer.analysis.analyzers import NgramFormat
from indexer.search.archive import Archive, SearchRequest
from indexer.store.arrays import IndexArrays, pair_code
from indexer.store.mapped import SegmentMap
from indexer.store.schema import write_stamp


def built(tmp_path, n=40, seed=7):
    rng = random.Random(seed)
    records = [make_fields(k, rng) for k in range(n)]
    deleted = rng.sample(records, 6)
    return ours(tmp_path, records, deleted), records, deleted


def test_every_term_of_every_segment_reads_as_whoosh_reads_it(tmp_path):
    ix, _records, _deleted = built(tmp_path)
    assert len(ix._segments()) > 1 and any(s.has_deletions() for s in ix._segments())
    terms = 0
    with ix.reader() as r:
        for leaf, _offset in r.leaf_readers():
            mapped = SegmentMap.open(leaf)
            assert mapped is not None, "our writer writes the arrays of every segment"
            for field, btext in leaf.all_terms():
                m = leaf.postings(field, btext)  # deleted documents left out
                ids, weights, positions = [], [], []
                while m.is_active():
                    ids.append(m.id())
                    weights.append(m.weight())
                    if isinstance(ix.schema[field].format, NgramFormat):
                        positions += [(m.id(), p) for p in m.value_as("positions")]
                    m.next()
                docs, ws = mapped.postings(field, btext)  # deleted ones too (as Whoosh's
                live = [not leaf.is_deleted(d) for d in docs.tolist()]  # doc_frequency)
                assert docs[live].tolist() == ids, (field, btext.decode())
                assert np.allclose(ws[live], weights), (field, btext.decode())
                assert mapped.doc_frequency(field, btext) == leaf.doc_frequency(field, btext)
                after = btext + b"\x01"  # between this term and the next: in no segment
                assert mapped.doc_frequency(field, after) == leaf.doc_frequency(field, after)
                if positions:
                    _d, _w, occ_docs, occ_pos = mapped.occurrences(field, btext)
                    got = [(d, p) for d, p in zip(occ_docs.tolist(), occ_pos.tolist())
                           if not leaf.is_deleted(d)]
                    assert got == positions, (field, btext.decode())
                terms += 1
            # a term the segment does not hold, and a prefix of terms
            assert mapped.postings("text_ng", "鬱鬱".encode()) is None
            assert mapped.doc_frequency("no_such_field", b"x") == 0
            expected = sorted(t for f, t in leaf.all_terms()
                              if f == "text_ng" and t.startswith("档".encode()))
            assert mapped.expand_prefix("text_ng", "档".encode()) == expected
    assert terms > 1000


def _same_arrays(ix, terms):
    """Postings, positions and frequencies of `terms` through the arrays and through
    Whoosh alone (every segment's arrays set aside)."""
    with ix.searcher() as s:
        mapped, plain = IndexArrays(s), IndexArrays(s)
        assert all(m is not None for m in mapped.maps)
        plain.maps = [None] * len(plain.maps)
        live = set(mapped.live().tolist())  # deleted documents are dropped by the executor

        def kept(docs, other):
            keep = [d in live for d in docs.tolist()]
            return docs[keep].tolist(), other[keep].tolist()

        for field, text in terms:
            a, b = kept(*mapped.postings(field, text)), kept(*plain.postings(field, text))
            assert a[0] == b[0] and np.allclose(a[1], b[1]), text
            assert a[0], text
            a, b = kept(*mapped.positions(field, text)), kept(*plain.positions(field, text))
            assert a == b, text
            assert mapped.doc_frequency(field, text) == plain.doc_frequency(field, text)
            assert mapped.expand_prefix(field, text[:1]) == plain.expand_prefix(field, text[:1])
            assert mapped.prefix_frequencies(field, text[:1]) == \
                plain.prefix_frequencies(field, text[:1]) == {
                    t: plain.doc_frequency(field, t) for t in plain.expand_prefix(field, text[:1])}


def test_index_arrays_read_the_same_with_and_without_the_mapped_files(tmp_path):
    ix, _r, _d = built(tmp_path)
    _same_arrays(ix, [("text_ng", g) for g in ("档案", "王建", "政发", "镇档", "乡镇", "保密", "70")] +
                 [("text", "档案"), ("doc_number_ng", "20"), ("meta_ng", "卜剑")])


def test_the_pairs_of_characters_are_every_two_character_term_whoosh_holds(tmp_path):
    """A variant search asks whether 档案 or 档桉 is indexed anywhere with one lookup in the
    version's sorted pairs: they must be exactly the two-character Chinese terms of the
    fields, over every segment (deleted documents included, as doc_frequency counts)."""
    ix, _r, _d = built(tmp_path)
    fields = ("text_ng", "title_ng", "meta_ng")
    with ix.searcher() as s:
        arrays = IndexArrays(s)
        expected = set()
        for leaf, _offset in s.reader().leaf_readers():
            for field, btext in leaf.all_terms():
                if field in fields and pair_code(btext.decode("utf-8")) is not None:
                    expected.add(pair_code(btext.decode("utf-8")))
        got = arrays.pairs(fields)
        assert got.tolist() == sorted(expected) and len(expected) > 20
        assert pair_code("档案") in expected and pair_code("鬱鬱") not in expected
        assert pair_code("档") is None and pair_code("ab") is None and pair_code("档a") is None
        arrays.maps = [None] * len(arrays.maps)  # a segment without arrays: not told so
        arrays._pairs.clear()
        assert arrays.pairs(fields) is None


def test_each_pair_is_counted_in_the_field_that_holds_it_most(tmp_path):
    """A variant search tries the commonest characters after 档 first, read off the version's
    pair counts instead of each field's terms: each pair's count must be the documents
    holding it (summed over segments, deleted ones included) in the field holding it most."""
    ix, _r, _d = built(tmp_path)
    fields = ("text_ng", "title_ng", "meta_ng")
    with ix.searcher() as s:
        arrays = IndexArrays(s)
        expected: dict[int, int] = {}
        for field in fields:
            per_field: dict[int, int] = {}
            for leaf, _offset in s.reader().leaf_readers():
                for f, btext in leaf.all_terms():
                    code = pair_code(btext.decode("utf-8")) if f == field else None
                    if code is not None:
                        per_field[code] = per_field.get(code, 0) + leaf.doc_frequency(f, btext)
            for code, n in per_field.items():
                expected[code] = max(expected.get(code, 0), n)
        codes, counts = arrays.pair_counts(fields)
        assert dict(zip(codes.tolist(), counts.tolist())) == expected
        assert len(s.reader().leaf_readers()) > 1 and max(expected.values()) > 1
        assert codes.tolist() == arrays.pairs(fields).tolist()


def test_search_answers_the_same_when_a_segments_arrays_are_damaged(tmp_path):
    """A damaged or missing array file is no wrong answer: the segment is read through
    Whoosh (the store of record), the others through their arrays."""
    ix, records, deleted = built(tmp_path)
    write_stamp(tmp_path)
    queries = ["王建成", "档案保密", "新政发〔2019〕3号", "乡镇档案", "0717", "卜剑平"]

    def answers():
        archive = Archive(tmp_path, None)
        out = {}
        for q in queries:
            result = archive.search(SearchRequest(q=q, clearance="绝密", size=50))
            out[q] = sorted(h.fields["id"] for h in result.hits)
        return out

    before = answers()
    kept = {f["id"] for f in records if f not in deleted}
    assert before["王建成"] and set(before["王建成"]) <= kept
    expected = {f["id"] for f in records if f not in deleted and "王建成" in f["text"]}
    assert expected <= set(before["王建成"])
    # damage the arrays of the largest segment: its description claims more postings
    segment = max(ix._segments(), key=lambda s: s.doc_count_all())
    storage = ix.storage
    if segment.is_compound():
        with ix.reader() as r:
            leaf = next(leaf for leaf, _o in r.leaf_readers()
                        if leaf._segment.segment_id() == segment.segment_id())
            assert SegmentMap.open(leaf) is not None
    name = segment.make_filename(".dgm")
    damaged = 0
    for path in tmp_path.glob(segment.segment_id() + ".*"):
        data = path.read_bytes()
        marker = b'"postings": '
        if path.name == name or marker in data and path.suffix == ".seg":
            at = data.index(marker) + len(marker)
            digit = b"8" if data[at:at + 1] == b"9" else b"9"
            path.write_bytes(data[:at] + digit + data[at + 1:])
            damaged += 1
    assert damaged == 1
    with ix.reader() as r:
        leaf = next(leaf for leaf, _o in r.leaf_readers()
                    if leaf._segment.segment_id() == segment.segment_id())
        assert SegmentMap.open(leaf) is None
    assert answers() == before
    del storage
