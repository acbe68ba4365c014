"""Digits follow the Ctrl+F rule (DESIGN.md decision 1): a digit string inside a longer number
matches too (97年度 finds 1997年度, 7083 finds 0717-7083261), ranked below a whole-number match;
文号 queries still work and Latin words are still matched whole."""
import pytest
from conftest import make_settings, top_request

from indexer.build.run import run_index
from indexer.search.archive import Archive

RECORDS = {
    "总结1997.txt": "某某县档案局1997年度工作总结。本局1997年度完成档案整理。",
    "总结97.txt": "某某县档案局97年度工作总结。",
    "电话.txt": "联系电话0717-7083261，传真0717-7083262。",
    "分机.txt": "值班室分机7083。",
    "文号甲.txt": "新政发〔2019〕3号\n关于道路交通安全工作的通知",
    "文号乙.txt": "新政发〔2019〕13号、新政发〔2019〕23号、新政发〔2019〕33号、新政发〔2019〕43号",
    "当档发.txt": "当档发〔2008〕7号\n关于档案保密工作的通知",
    "英文.txt": "Filesystem ABCD 档案 report2019",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("digits")
    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in RECORDS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = make_settings(root / "index", corpus)
    assert not run_index(settings, workers=1).failed
    a = Archive(settings.index.dir, settings.search)
    yield a
    a.close()


def ranked(archive, q):
    return [h.fields["path"] for h in archive.search(top_request(q=q, size=50)).hits]


def test_a_year_typed_short_finds_it_inside_the_full_year(archive):
    assert set(ranked(archive, "97年度")) == {"总结1997.txt", "总结97.txt"}


def test_the_end_of_a_phone_number_finds_it(archive):
    assert set(ranked(archive, "7083")) == {"电话.txt", "分机.txt"}
    assert set(ranked(archive, "708326")) == {"电话.txt"}


def test_a_year_finds_it_in_document_number_brackets(archive):
    assert ranked(archive, "2008") == ["当档发.txt"]


def test_a_whole_number_match_ranks_above_a_partial_one(archive):
    # 1997年度 occurs twice in its record, 97年度 once in the other: whole still first
    assert ranked(archive, "97年度") == ["总结97.txt", "总结1997.txt"]
    assert ranked(archive, "7083") == ["分机.txt", "电话.txt"]  # the phone record has it twice


def test_document_numbers_still_match_exactly_and_number_tails_rank_below(archive):
    assert ranked(archive, "〔2019〕3号") == ["文号甲.txt"]
    assert ranked(archive, "新政发〔2019〕3号") == ["文号甲.txt"]
    # 3号 is inside 13号, 23号 … too (Ctrl+F), but the whole 3号 comes first
    assert ranked(archive, "3号") == ["文号甲.txt", "文号乙.txt"]


def test_highlights_mark_a_number_inside_a_longer_one(archive):
    (hit,) = archive.search(top_request(q="7083261")).hits
    (snip,) = hit.snippets
    assert [snip.text[a:b] for a, b in snip.spans] == ["7083261"]
    hit = next(h for h in archive.search(top_request(q="7083")).hits
               if h.fields["path"] == "电话.txt")
    assert [snip.text[a:b] for snip in hit.snippets for a, b in snip.spans] == ["7083", "7083"]


def test_latin_words_are_still_matched_whole(archive):
    assert ranked(archive, "ABCD") == ["英文.txt"]
    assert ranked(archive, "ABC") == [] and ranked(archive, "files") == []
    assert ranked(archive, "report") == ["英文.txt"]  # a word before a number is whole
    assert set(ranked(archive, "2019")) == {"英文.txt", "文号甲.txt", "文号乙.txt"}
