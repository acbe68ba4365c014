"""The known names' variants worked out when the index is written (indexer.search.vartable):
a search that reads them answers exactly as one that works them out — hits, variants,
suggestions, snippets — for every clearance; a table of another index version, a damaged one,
or one made before a 密级 was raised is not used, and nothing of a withheld record is in a
lower clearance's table."""
from __future__ import annotations

import gzip
import json
import shutil

import pytest
from conftest import make_settings
from test_forgiving import CATALOG, RECORDS
from test_forgiving_clearance import _seen

from indexer.build.run import run_index
from indexer.search.ahead import write_variant_table
from indexer.search.archive import Archive, SearchRequest
from indexer.search.vartable import TABLE_FILE
from indexer.store.corrections import Corrections, RaisedLevels

QUERIES = ["王建成", "王建城", "wangjiancheng", "wang jian cheng", "wjc", "卜剑平", "卜建平",
           "bujianping", "当阳市档案局", "当阳档案局", "半月镇人民政府", "半月镇政府",
           "新塘桥镇人民政府", "钱学明", "qianxueming", "交通安全管里", "档案保秘", "王建国",
           "档案移交", "档案执法检查", "计划生育"]


def _indexed(settings) -> None:
    """What `dangan index` does: the run, then the variant table."""
    assert not run_index(settings).failed
    assert write_variant_table(settings)[0] > 0


def _corpus(root, records=RECORDS):
    corpus = root / "corpus"
    for rel, text in records.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text(text, encoding="utf-8")
    (corpus / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The archive as `dangan index` leaves it (with its table), and a copy without the table."""
    root = tmp_path_factory.mktemp("vartable")
    settings = make_settings(root / "data" / "index", _corpus(root))
    _indexed(settings)
    assert (settings.index.dir / TABLE_FILE).exists()
    bare = root / "bare" / "index"
    shutil.copytree(settings.index.dir, bare)
    (bare / TABLE_FILE).unlink()
    with_table = Archive(settings.index.dir, settings.search)
    without = Archive(bare, settings.search)
    yield with_table, without
    with_table.close()
    without.close()


def _table(archive, clearance):
    with archive.pinned() as (_s, arrays):
        return archive._table(arrays, clearance, archive.visible(arrays, clearance))


def test_the_run_leaves_each_clearance_the_variants_of_its_names(pair):
    with_table, without = pair
    top = _table(with_table, "绝密")
    assert "ocr" in {v.kind for v in top.terms["王建成"][1]}  # 王建戍, as the scan reads it
    assert "王建戍" in {v.text for v in top.terms["王建成"][1]}
    assert top.counts["钱学明"] == 1
    public = _table(with_table, "公开")
    assert "钱学明" not in public.counts and "钱学明" not in public.terms  # (a 机密 record's)
    assert _table(without, "绝密") is None


@pytest.mark.parametrize("clearance", ["公开", "绝密"])
@pytest.mark.parametrize("q", QUERIES)
def test_a_search_reading_the_table_answers_as_one_working_it_out(pair, q, clearance):
    with_table, without = pair
    assert _seen(with_table, q, clearance) == _seen(without, q, clearance)


def test_a_table_of_another_version_or_a_damaged_one_is_not_used(tmp_path):
    settings = make_settings(tmp_path / "data" / "index", _corpus(tmp_path))
    _indexed(settings)
    table = settings.index.dir / TABLE_FILE
    old = table.read_bytes()
    # a new scan that misreads 王建成 once more: the run's own table has it
    (settings.corpus.paths[0] / "a" / "ocr2.txt").write_text(
        "档案借阅登记\n借阅人：王建戌\n", encoding="utf-8")
    _indexed(settings)
    assert table.read_bytes() != old

    def found() -> set[str]:
        archive = Archive(settings.index.dir, settings.search)
        try:
            return {h.fields["path"] for h in archive.search(
                SearchRequest(q="王建成", size=50, clearance="绝密")).hits}
        finally:
            archive.close()
    assert "a/ocr2.txt" in found()
    table.write_bytes(old)  # the last version's table: stale, worked out again per search
    assert "a/ocr2.txt" in found()
    for damaged in (b"not gzip", gzip.compress(b"{\"format\": 1"),
                    gzip.compress(json.dumps({"format": 1, "clearances": []}).encode())):
        table.write_bytes(damaged)
        assert "a/ocr2.txt" in found()


def test_a_level_raised_since_the_run_withholds_its_records_misreadings(tmp_path):
    """The scan that misreads 王建成 as 王建戍 raised to 机密 after the run (the index still
    holds 公开): a 公开 reader's search of 王建成 no longer offers 王建戍, though the table
    the run left counted it for 公开."""
    settings = make_settings(tmp_path / "data" / "index", _corpus(tmp_path))
    _indexed(settings)
    archive = Archive(settings.index.dir, settings.search)
    archive.raised = RaisedLevels(settings.data_dir, "")

    def offered() -> set[str]:
        result = archive.search(SearchRequest(q="王建成", size=50, clearance="公开"))
        return {v for h in result.hits for v in h.variants} | set(result.suggestions)
    assert "王建戍" in offered()
    rid = archive.search(SearchRequest(q="移交清单", clearance="绝密")).hits[0].fields["id"]
    store = Corrections(settings.data_dir, "")
    store.add("corpus", "a/ocr.txt", rid, "", "security", 0, "公开", "机密", "提高密级",
              "管理员丁", True)
    store.close()
    assert "王建戍" not in offered()
    archive.close()


@pytest.mark.parametrize("clearance", ["公开", "绝密"])
@pytest.mark.parametrize("typed", ["王", "王建", "wjc", "钱", "qian", "当阳", "半月镇", "当档发2008"])
def test_completions_reading_the_table_are_those_working_it_out(pair, typed, clearance):
    with_table, without = pair
    assert with_table.suggest(typed, clearance) == without.suggest(typed, clearance)


def test_the_commonest_words_are_worked_out_ahead_too(tmp_path):
    """交通安全 in twelve records and once as OCR read it (交逋安全): a word that many records
    hold is in the table with its misreading, and a search of it answers as without it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(12):
        (corpus / f"j{k:02d}.txt").write_text(f"第{k}期简报\n抓好交通安全工作。\n", encoding="utf-8")
    (corpus / "misread.txt").write_text("工作简报\n抓好交逋安全工作。\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    _indexed(settings)
    bare = tmp_path / "bare" / "index"
    shutil.copytree(settings.index.dir, bare)
    (bare / TABLE_FILE).unlink()
    with_table, without = Archive(settings.index.dir, settings.search), Archive(bare, settings.search)
    try:
        how, variants = _table(with_table, "绝密").terms["交通安全"]
        assert "交逋安全" in {v.text for v in variants}
        for clearance in ("公开", "绝密"):
            seen = _seen(with_table, "交通安全", clearance)
            assert seen == _seen(without, "交通安全", clearance)
        assert seen["hits"][-1][0] == "misread.txt" and seen["hits"][-1][2] == "approximate"
    finally:
        with_table.close()
        without.close()


def test_a_table_cut_short_by_its_time_is_finished_by_the_next_run(tmp_path):
    """A run's table may take as long as the run did (at least half a minute): one cut short
    is used for what it holds, and the next run, though nothing changed, finishes it."""
    from indexer.search.ahead import LEAST_SECONDS, SECONDS, budget
    assert budget(1.0) == LEAST_SECONDS and budget(10_000.0) == SECONDS and budget(90.0) == 90.0
    settings = make_settings(tmp_path / "data" / "index", _corpus(tmp_path))
    assert not run_index(settings).failed
    archive = Archive(settings.index.dir, settings.search)
    try:
        names, whole = archive.write_variant_table(0.0)
        assert not whole
        assert "王建成" not in _table(archive, "绝密").terms
        archive.close()
        archive = Archive(settings.index.dir, settings.search)
        names, whole = archive.write_variant_table(600.0)
        assert whole and "王建成" in _table(archive, "绝密").terms
    finally:
        archive.close()
