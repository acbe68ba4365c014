"""An Analyzer per index: two archives open in one process keep their own user words (names
the dictionary does not know), and a query is segmented for ranking with exactly the words
its index was built with."""
from conftest import make_settings, top_request

from indexer.analysis.words import analyzer_for
from indexer.build.run import run_index
from indexer.search.archive import Archive
from indexer.search.compile import compile_query
from indexer.search.querylang import parse

TEXT = "由卜剑平负责档案工作，王建成同志负责档案保密。"
QUERY = "由卜剑平负责档案工作"


def build(tmp_path, name: str, words: list[str]):
    corpus = tmp_path / name / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "记录.txt").write_text(TEXT, encoding="utf-8")
    settings = make_settings(tmp_path / name / "index", corpus,
                             analysis={"user_words": words})
    assert not run_index(settings, workers=1).failed
    return Archive(settings.index.dir, settings.search)


def rank_words(archive: Archive, query: str) -> list[str]:
    with archive.pinned():
        return compile_query(parse(query), archive.analyzer()).rank_words


def indexed_words(archive: Archive) -> set[str]:
    with archive.pinned() as (searcher, _arrays):
        return {t.decode() for t in searcher.reader().lexicon("text")}


def test_two_archives_in_one_process_segment_with_their_own_words(tmp_path):
    a = build(tmp_path, "甲", ["卜剑平"])
    b = build(tmp_path, "乙", ["剑平负责"])  # opened after a: nothing of it reaches a
    try:
        assert "卜剑平" in rank_words(a, QUERY) and "剑平负责" not in rank_words(a, QUERY)
        assert "剑平负责" in rank_words(b, QUERY) and "卜剑平" not in rank_words(b, QUERY)
        # the words each index was built with
        assert "卜剑平" in indexed_words(a) and "剑平负责" not in indexed_words(a)
        assert "剑平负责" in indexed_words(b) and "卜剑平" not in indexed_words(b)
        # a name as a query ranks through the index's own word for it
        hit = a.search(top_request(q="卜剑平")).hits[0]
        assert hit.score > b.search(top_request(q="卜剑平")).hits[0].score
    finally:
        a.close()
        b.close()


def test_query_time_ranking_words_equal_index_time_words(tmp_path):
    a = build(tmp_path, "甲", ["卜剑平", "档案保密"])
    try:
        assert set(rank_words(a, TEXT)) == indexed_words(a)
    finally:
        a.close()


def test_analyzers_are_shared_by_word_set_and_never_changed():
    one = analyzer_for(["卜剑平", "王建成"])
    assert analyzer_for(["王建成", "卜剑平", " "]) is one  # the same words: the same analyzer
    other = analyzer_for(["剑平负责"])
    assert other.segmenter() is not one.segmenter()
    assert "卜剑平" in one.word_terms(QUERY) and "卜剑平" not in other.word_terms(QUERY)
    base = analyzer_for()
    assert "卜剑平" not in base.word_terms(QUERY) and "剑平负责" not in base.word_terms(QUERY)
    assert base.segmenter().FREQ is not one.segmenter().FREQ  # jieba's own table untouched
