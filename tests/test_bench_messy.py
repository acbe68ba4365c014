"""The messy-query benchmark's generator and scorer on a tiny corpus: its ground truth holds."""
from __future__ import annotations

from pathlib import Path

import pytest

from bench import messy_pinyin as pinyin
from bench.corpus import CorpusInfo, paragraph_source, read_paragraphs, read_record
from bench.messy import exact_set
from bench.messy_corpus import generate
from bench.messy_measure import Ranked, check_exact, score_kinds
from bench.messy_queries import KINDS, containing, known_names, make_messy
from bench.messy_vocab import cn_date
from indexer.analysis.normalize import normalize_text

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    source, files = paragraph_source(REPO, REPO.parent / "shared" / "seeds")
    corpus = generate(tmp_path_factory.mktemp("messy") / "corpus", 200, 3,
                      read_paragraphs(files))
    return corpus, make_messy(corpus.records, 6, 3), source


def test_every_kind_has_queries_that_mean_something(messy):
    _corpus, queries, _source = messy
    assert {q.kind for q in queries} == set(KINDS)
    assert all(q.intended for q in queries)


def test_ocr_queries_mean_a_damaged_record(messy):
    corpus, queries, _source = messy
    actual = {r.path: r.actual for r in corpus.records}
    for q in (q for q in queries if q.kind == "ocr"):
        assert any(q.meant not in actual[p] for p in q.intended), q


def test_typos_are_one_character_off_and_found_nowhere(messy):
    corpus, queries, _source = messy
    for q in (q for q in queries if q.kind == "typo"):
        assert len(q.text) == len(q.meant) >= 3
        assert sum(a != b for a, b in zip(q.text, q.meant)) == 1
        assert not containing(corpus.records, q.text)
        assert q.intended == containing(corpus.records, q.meant)


def test_pinyin_queries_mean_known_names_that_sound_so(messy):
    corpus, queries, _source = messy
    known = known_names(corpus.records)
    spell = {"pinyin_full": pinyin.full, "pinyin_spaced": pinyin.spaced,
             "initials": pinyin.initials}
    for q in (q for q in queries if q.kind in spell):
        names = [x for x in known if spell[q.kind](x) == q.text]
        assert q.meant in names
        assert q.intended == frozenset().union(*(containing(corpus.records, x) for x in names))
    assert pinyin.full("王建成") == "wangjiancheng" and pinyin.initials("曾凯慧") == "zkh"


def test_loose_forms_include_what_a_plain_scan_finds(messy):
    corpus, queries, _source = messy
    for q in queries:
        if q.kind in ("org_short", "synonym", "number_tail", "date_numerals"):
            assert containing(corpus.records, q.text) <= q.intended, q
    assert cn_date(2016, 7, 2) == "二〇一六年七月二日"
    assert cn_date(2008, 12, 21) == "二〇〇八年十二月二十一日"


def test_exact_truth_is_a_plain_substring_scan(messy):
    corpus, _queries, source = messy
    records = corpus.records
    info = CorpusInfo(corpus.root, len(records), 3, source, tuple(r.path for r in records),
                      frozenset(r.path for r in records if r.traditional), corpus.names)
    exact, truth = exact_set(corpus, info, 12, 3)
    assert exact and any(truth)
    on_disk = {r.path: normalize_text(read_record(corpus.root, r.path)) for r in records}
    for q, t in zip(exact, truth):
        assert t == frozenset(p for p, text in on_disk.items() if all(x in text for x in q.terms))


def test_scorer_counts_recall_success_and_order():
    class Q:
        def __init__(self, kind, intended, k=10):
            self.kind, self.intended, self.k, self.text = kind, frozenset(intended), k, kind

    queries = [Q("typo", {"a", "b"}), Q("typo", {"c"}), Q("docnum_loose", {"d"}, k=3)]
    rankings = [Ranked(("a", "x"), ("exact", "approximate"), 2, 1),
                Ranked(), Ranked(("x", "y", "z", "d"), ("exact",) * 4, 4, 4)]
    rows = {r.kind: r for r in score_kinds(("typo", "docnum_loose"), queries, rankings)}
    assert rows["typo"].recall == 0.25 and rows["typo"].success == 0.5
    assert rows["docnum_loose"].recall == 1 and rows["docnum_loose"].success == 0
    check = check_exact(queries, [frozenset({"a"}), frozenset(), frozenset({"d"})],
                        [Ranked(("x", "a"), ("approximate", "exact"), 2, 1), Ranked(),
                         rankings[2]])
    assert check.misordered == 1 and check.recall == 1 and check.precision < 1
