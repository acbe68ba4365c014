"""Indexing: metadata merge, stable ids, incremental re-index, per-file failures, rebuild."""
import json
import os

from conftest import make_settings, top_request, write_corpus

from indexer.build.run import Plan, run_index
from indexer.search.archive import Archive


def all_records(settings):
    archive = Archive(settings.index.dir)
    try:
        result = archive.search(top_request(q="", size=1000, facets=False))
        return {h.fields["path"]: h.fields for h in result.hits}
    finally:
        archive.close()


def test_catalog_sidecar_and_extracted_metadata(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    (corpus / "文书/2019/zongjie.txt.json").write_text(
        json.dumps({"密级": "机密", "title": "旁注题名"}), encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    records = all_records(settings)
    assert records["文书/2019/zongjie.txt"]["security"] == "机密"  # sidecar wins
    assert records["文书/2019/zongjie.txt"]["title"] == "旁注题名"
    assert records["文书/2019/tongzhi.txt"]["date"] == "2019-05-12"  # catalog YYYYMMDD
    ocr = records["公安/2019/ocr.txt"]  # not in the catalog: extracted, default 密级
    assert ocr["security"] == "内部" and ocr["title"] == "乡镇档案管理工作计划"


def test_rerun_is_incremental_and_ids_are_stable(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    first = run_index(settings)
    assert first.added == 6 and not first.failed
    ids = {p: r["id"] for p, r in all_records(settings).items()}
    again = run_index(settings)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 6, 0)
    assert {p: r["id"] for p, r in all_records(settings).items()} == ids

    (corpus / "公安/2019/ocr.txt").write_text("新的内容：王大锤负责", encoding="utf-8")
    os.remove(corpus / "公安/2021/big5.txt")
    third = run_index(settings)
    assert (third.added, third.updated, third.unchanged, third.removed) == (0, 1, 4, 1)
    records = all_records(settings)
    assert "公安/2021/big5.txt" not in records and len(records) == 5
    archive = Archive(settings.index.dir)
    assert archive.search(top_request(q="王大锤")).total == 1
    assert archive.search(top_request(q="王小明")).total == 0


def test_catalog_edit_updates_metadata(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    catalog = (corpus / "catalog.csv").read_text(encoding="utf-8-sig")
    (corpus / "catalog.csv").write_text(catalog.replace("交警支队工作总结", "交警支队年度总结"),
                                        encoding="utf-8-sig")
    summary = run_index(settings)
    assert summary.updated == 1 and summary.unchanged == 5
    assert all_records(settings)["公安/2021/jiaojing.txt"]["title"] == "交警支队年度总结"


def test_bad_file_is_a_per_file_failure_and_retried(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    (corpus / "broken.txt").write_bytes(bytes(range(256)) * 8)
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert summary.added == 6
    assert [p for p, _r in summary.failed] == ["c/broken.txt"]
    again = run_index(settings)
    assert len(again.failed) == 1 and again.unchanged == 6  # failures are retried


def test_dry_run_changes_nothing(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    plan = run_index(settings, dry_run=True)
    assert isinstance(plan, Plan) and plan.count("new") == 6
    assert run_index(settings).added == 6


def test_rebuild_swaps_in_a_fresh_index(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    summary = run_index(settings, rebuild=True)
    assert summary.added == 6 and summary.unchanged == 0
    assert not (tmp_path / "d" / "index.new").exists()
    assert len(all_records(settings)) == 6


def test_corpus_files_are_never_modified(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in corpus.rglob("*") if p.is_file()}
    run_index(make_settings(tmp_path / "d" / "index", corpus))
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in corpus.rglob("*") if p.is_file()}
    assert before == after


def test_many_records_use_the_parallel_writer(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for n in range(260):
        (corpus / f"r{n:03d}.txt").write_text(f"第{n}号记录：档案编号{n}，经办人王建成{n % 7}",
                                               encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings, workers=2)
    assert summary.added == 260
    archive = Archive(settings.index.dir)
    assert archive.search(top_request(q="王建成3")).total == len(
        [n for n in range(260) if n % 7 == 3])


def test_paging_through_tied_scores_shows_each_record_once(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for n in range(150):  # same length and wording: every record scores the same
        (corpus / f"r{n:03d}.txt").write_text(f"档案工作记录{n:03d}号", encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    archive = Archive(settings.index.dir)
    seen = []
    for page in range(1, 23):
        result = archive.search(top_request(q="档案工作", size=7, page=page, facets=False))
        seen.extend(h.fields["path"] for h in result.hits)
    assert len(seen) == len(set(seen)) == 150


def test_an_open_archive_follows_commits_and_rebuilds(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    archive = Archive(settings.index.dir)
    assert archive.search(top_request(q="王大锤")).total == 0
    (corpus / "new.txt").write_text("王大锤负责档案室", encoding="utf-8")
    run_index(settings)  # an incremental commit
    assert archive.search(top_request(q="王大锤")).total == 1
    (corpus / "new.txt").unlink()
    (corpus / "other.txt").write_text("李小龙负责档案室", encoding="utf-8")
    run_index(settings, rebuild=True)  # a new directory swapped in
    assert archive.search(top_request(q="王大锤")).total == 0
    assert archive.search(top_request(q="李小龙")).total == 1


def test_kind_facet_from_catalog_or_title(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    (corpus / "公安/2021/jiaojing.txt.json").write_text(json.dumps({"文种": "报告"}),
                                                       encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    records = all_records(settings)
    assert records["文书/2019/tongzhi.txt"]["kind"] == "通知"   # 关于…的通知
    assert records["文书/2021/xiangzhen.txt"]["kind"] == "总结"  # 鄉鎮政府年終工作總結
    assert records["公安/2021/jiaojing.txt"]["kind"] == "报告"   # the sidecar wins
    archive = Archive(settings.index.dir)
    result = archive.search(top_request(q="", filters={"kind": ("总结",)}))
    assert sorted(h.fields["path"] for h in result.hits) == [
        "公安/2021/big5.txt", "文书/2019/zongjie.txt", "文书/2021/xiangzhen.txt"]
    assert archive.search(top_request(q="文种:通知")).total == 1
    kinds = {v.value: v.count for v in archive.search(top_request(q="")).facets["kind"]}
    assert kinds == {"总结": 3, "通知": 1, "报告": 1, "计划": 1}
