"""The re-index plan and its summary, through run_index and `dangan index`: moves and metadata
edits without re-extraction, touched files, retried failures, --dry-run, --check and the
analysis-version guard."""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from dataclasses import replace

import pytest
from conftest import make_settings, top_request, write_corpus

import indexer.build.prepare
from indexer.errors import DependencyError
from indexer.build.run import run_index
from indexer.search.archive import Archive
from search_app.cli import main


@pytest.fixture()
def indexed(tmp_path):
    """The conftest corpus in tmp_path/c, indexed into tmp_path/d/index (text files only: no
    OCR cache, so workers forked from this process open no database)."""
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus, ocr={"enabled": False})
    summary = run_index(settings, workers=1)
    assert summary.added == 6 and not summary.failed
    return corpus, settings


@pytest.fixture()
def no_extraction(monkeypatch, forked_workers):
    """Files read during the run (each also fails its job: nothing may be read)."""
    read = []

    def refuse(job, ctx):
        read.append(job.file.rel)
        raise AssertionError(f"{job.file.rel} was read again")

    monkeypatch.setattr(indexer.build.prepare, "extract_record", refuse)
    return read


def config_file(settings) -> Path:
    """A config.toml for the CLI equivalent to `settings`."""
    cfg = settings.index.dir.parent / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    paths = ", ".join(f'"{p.as_posix()}"' for p in settings.corpus.paths)
    cfg.write_text(f'[index]\ndir = "{settings.index.dir.as_posix()}"\n'
                   f"[corpus]\npaths = [{paths}]\n", encoding="utf-8")
    return cfg


def dangan_index(cli_runner, settings, *args: str):
    return cli_runner.invoke(main, ["index", "--config", str(config_file(settings)), *args])


def records(settings) -> dict[str, dict]:
    archive = Archive(settings.index.dir)
    try:
        hits = archive.search(top_request(q="", size=1000, facets=False)).hits
    finally:
        archive.close()
    paths = [h.fields["path"] for h in hits]
    assert len(paths) == len(set(paths)), f"duplicate records: {sorted(paths)}"
    return {h.fields["path"]: h.fields for h in hits}


def text_of(settings, record_id: str) -> str:
    archive = Archive(settings.index.dir)
    try:
        return archive.record(record_id, "绝密")["text"]
    finally:
        archive.close()


def found(settings, q: str) -> list[str]:
    archive = Archive(settings.index.dir)
    try:
        return sorted(h.fields["path"] for h in archive.search(top_request(q=q)).hits)
    finally:
        archive.close()


def counts(summary) -> tuple[int, int, int, int, int]:
    return summary.added, summary.updated, summary.moved, summary.unchanged, summary.removed


def edit_catalog(corpus: Path, old: str, new: str) -> None:
    catalog = (corpus / "catalog.csv").read_text(encoding="utf-8-sig")
    assert old in catalog
    (corpus / "catalog.csv").write_text(catalog.replace(old, new), encoding="utf-8-sig")


def test_a_moved_file_keeps_its_record_and_is_not_read_again(indexed, no_extraction, tmp_path,
                                                             monkeypatch):
    corpus, settings = indexed
    before = records(settings)
    (corpus / "公安/2020").mkdir()
    (corpus / "公安/2019/ocr.txt").rename(corpus / "公安/2020/ocr.txt")  # not in the catalog
    (corpus / "文书/2020").mkdir()  # a catalogued file, its row following it
    (corpus / "文书/2019/tongzhi.txt").rename(corpus / "文书/2020/tongzhi.txt")
    edit_catalog(corpus, "文书/2019/tongzhi.txt,", "文书/2020/tongzhi.txt,")
    summary = run_index(settings, workers=1)
    assert no_extraction == [] and not summary.failed
    assert counts(summary) == (0, 0, 2, 4, 0)
    after = records(settings)
    assert "公安/2019/ocr.txt" not in after and "文书/2019/tongzhi.txt" not in after
    # ids follow content and place: a moved record gets the id a clean build gives it
    assert after["公安/2020/ocr.txt"]["id"] != before["公安/2019/ocr.txt"]["id"]
    assert "王 小 明" in text_of(settings, after["公安/2020/ocr.txt"]["id"])
    moved = after["文书/2020/tongzhi.txt"]
    assert moved["title"] == "关于做好道路交通安全工作的通知"
    assert moved["doc_number"] == "新政发〔2019〕3号"
    assert found(settings, "王小明") == ["公安/2020/ocr.txt"]
    assert found(settings, '"新政发〔2019〕3号"') == ["文书/2020/tongzhi.txt"]
    assert counts(run_index(settings, workers=1)) == (0, 0, 0, 6, 0)
    monkeypatch.undo()  # the clean build reads every file
    clean = make_settings(tmp_path / "clean" / "index", corpus)
    run_index(clean, workers=1)
    assert {p: r["id"] for p, r in records(clean).items()} == {
        p: r["id"] for p, r in after.items()}


def test_a_catalog_or_sidecar_edit_updates_metadata_without_reading_the_file(indexed,
                                                                            no_extraction):
    corpus, settings = indexed
    before = records(settings)
    edit_catalog(corpus, "交警支队工作总结,", "交警支队春运专项总结,")
    (corpus / "文书/2019/zongjie.txt.json").write_text(
        json.dumps({"title": "档案室搬迁记录", "密级": "秘密"}, ensure_ascii=False),
        encoding="utf-8")
    summary = run_index(settings, workers=1)
    assert no_extraction == [] and not summary.failed
    assert counts(summary) == (0, 2, 0, 4, 0)
    after = records(settings)
    assert {p: r["id"] for p, r in after.items()} == {p: r["id"] for p, r in before.items()}
    assert after["公安/2021/jiaojing.txt"]["title"] == "交警支队春运专项总结"
    assert after["文书/2019/zongjie.txt"]["title"] == "档案室搬迁记录"
    assert after["文书/2019/zongjie.txt"]["security"] == "秘密"
    assert "卜剑平负责档案室" in text_of(settings, after["文书/2019/zongjie.txt"]["id"])
    assert found(settings, "春运专项") == ["公安/2021/jiaojing.txt"]
    assert found(settings, "搬迁记录") == ["文书/2019/zongjie.txt"]
    (corpus / "文书/2019/zongjie.txt.json").unlink()  # the catalog's title again
    assert counts(run_index(settings, workers=1)) == (0, 1, 0, 5, 0)
    assert records(settings)["文书/2019/zongjie.txt"]["title"] == "新塘桥镇2019年度档案工作总结"
    assert found(settings, "搬迁记录") == []


def test_a_touched_file_is_unchanged(indexed, no_extraction, cli_runner):
    corpus, settings = indexed
    before = records(settings)
    for rel in ("文书/2019/zongjie.txt", "公安/2021/big5.txt"):
        st = (corpus / rel).stat()
        os.utime(corpus / rel, ns=(st.st_atime_ns, st.st_mtime_ns + 10**10))
    summary = run_index(settings, workers=1)
    assert no_extraction == [] and not summary.failed
    assert counts(summary) == (0, 0, 0, 6, 0)
    assert records(settings) == before
    check = dangan_index(cli_runner, settings, "--check")  # the new mtimes were recorded
    assert check.exit_code == 0 and "ok: the index matches" in check.output, check.output
    assert counts(run_index(settings, workers=1)) == (0, 0, 0, 6, 0)


def test_a_failed_file_is_retried_and_indexed_once_fixed(tmp_path, cli_runner):
    """A file that failed on its content is listed as failing on the next runs without being
    read again (it would fail the same way, at the same cost), read again when asked
    (--retry-failed), and indexed once it is fixed."""
    corpus = write_corpus(tmp_path / "c")
    (corpus / "broken.txt").write_bytes(bytes(range(256)) * 8)
    settings = make_settings(tmp_path / "d" / "index", corpus)
    first = dangan_index(cli_runner, settings)
    assert first.exit_code == 1 and "failed: c/broken.txt" in first.output, first.output
    assert "added 6, updated 0, moved 0, unchanged 0, removed 0, failed 1" in first.output
    assert "未重读" not in first.output
    again = dangan_index(cli_runner, settings)  # still broken, unchanged: not read again
    assert again.exit_code == 1 and "unchanged 6, removed 0, failed 1" in again.output
    reason = next(x for x in first.output.splitlines() if x.startswith("failed: c/broken.txt"))
    line = next(x for x in again.output.splitlines() if x.startswith("failed: c/broken.txt"))
    assert line.startswith(reason) and "未变，本次未重读" in line and "--retry-failed" in line
    assert "1/1 files" not in again.output  # nothing was read
    plan = dangan_index(cli_runner, settings, "--dry-run")
    assert "still failing, not read again: c/broken.txt" in plan.output
    assert "to extract 0," in plan.output and "still failing 1" in plan.output, plan.output
    retried = dangan_index(cli_runner, settings, "--retry-failed")  # read again: fails again
    assert retried.exit_code == 1 and "failed: c/broken.txt" in retried.output
    assert "未重读" not in retried.output and "1/1 files" in retried.output, retried.output
    (corpus / "broken.txt").write_text("修复后的档案：王铁柱负责归档。", encoding="utf-8")
    fixed = dangan_index(cli_runner, settings)
    assert fixed.exit_code == 0, fixed.output
    assert "added 1, updated 0, moved 0, unchanged 6, removed 0, failed 0" in fixed.output
    assert found(settings, "王铁柱") == ["broken.txt"]
    assert len(records(settings)) == 7
    check = dangan_index(cli_runner, settings, "--check")
    assert check.exit_code == 0 and "7 indexed, 0 failed" in check.output, check.output


def test_dry_run_prints_the_plan_and_changes_nothing(indexed, cli_runner):
    corpus, settings = indexed
    (corpus / "公安/2020").mkdir()
    (corpus / "公安/2019/ocr.txt").rename(corpus / "公安/2020/ocr.txt")
    edit_catalog(corpus, "交警支队工作总结,", "交警支队春运专项总结,")
    (corpus / "公安/2021/big5.txt").unlink()
    data = settings.index.dir.parent

    def snapshot():
        return {p: (p.stat().st_mtime_ns, p.read_bytes())
                for p in sorted(data.rglob("*")) if p.is_file() and p.name != "config.toml"}

    config_file(settings)
    before, records_before = snapshot(), records(settings)
    result = dangan_index(cli_runner, settings, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "move: c/公安/2019/ocr.txt → c/公安/2020/ocr.txt" in lines
    assert "update metadata: c/公安/2021/jiaojing.txt" in lines
    assert "remove: c/公安/2021/big5.txt" in lines
    assert ("to extract 0, metadata only 1, moved 1, unchanged 3, to remove 1"
            in lines), result.output
    assert snapshot() == before and records(settings) == records_before
    summary = run_index(settings, workers=1)  # the plan it printed is what a run does
    assert counts(summary) == (0, 1, 1, 3, 1) and not summary.failed


def test_check_reports_unindexed_files_and_records_the_manifest_does_not_know(indexed,
                                                                             cli_runner):
    corpus, settings = indexed
    (corpus / "new.txt").write_text("新到的档案：赵大勇负责。", encoding="utf-8")
    check = dangan_index(cli_runner, settings, "--check")
    assert check.exit_code == 1, check.output
    assert "files not indexed yet: 1\n  c/new.txt\n" in check.output
    assert "run `dangan index`" in check.output and "--rebuild" not in check.output
    assert dangan_index(cli_runner, settings).exit_code == 0
    assert dangan_index(cli_runner, settings, "--check").exit_code == 0

    def forget(rel: str) -> None:  # as if a run died between the index commit and the manifest
        with sqlite3.connect(settings.index.dir / "manifest.sqlite") as db:
            assert db.execute("DELETE FROM files WHERE path = ?", (rel,)).rowcount == 1
        db.close()

    forget("文书/2019/zongjie.txt")
    check = dangan_index(cli_runner, settings, "--check")
    assert check.exit_code == 1, check.output
    assert "records the manifest does not know: 1\n  c/文书/2019/zongjie.txt\n" in check.output
    assert "run `dangan index`" in check.output  # a plain rerun repairs it
    repaired = dangan_index(cli_runner, settings)  # read again and replaced, not duplicated
    assert repaired.exit_code == 0 and "added 1, updated 0" in repaired.output, repaired.output
    assert len(records(settings)) == 7
    assert dangan_index(cli_runner, settings, "--check").exit_code == 0

    forget("公安/2021/big5.txt")
    assert dangan_index(cli_runner, settings, "--check").exit_code == 1
    rebuilt = dangan_index(cli_runner, settings, "--rebuild")
    assert rebuilt.exit_code == 0 and "added 7," in rebuilt.output, rebuilt.output
    check = dangan_index(cli_runner, settings, "--check")
    assert check.exit_code == 0 and "ok: the index matches" in check.output, check.output
    assert len(records(settings)) == 7


def test_an_index_of_another_analysis_version_asks_for_a_rebuild(indexed, cli_runner):
    corpus, settings = indexed
    stamp = settings.index.dir / "dangan.json"
    current = json.loads(stamp.read_text(encoding="utf-8"))["analysis_version"]
    stamp.write_text(json.dumps({"analysis_version": "0"}), encoding="utf-8")
    result = dangan_index(cli_runner, settings)
    assert result.exit_code == 2, result.output
    assert "analysis version 0" in result.output and "dangan index --rebuild" in result.output
    assert "Traceback" not in result.output
    check = dangan_index(cli_runner, settings, "--check")
    assert check.exit_code == 1 and "--rebuild" in check.output, check.output
    rebuilt = dangan_index(cli_runner, settings, "--rebuild")
    assert rebuilt.exit_code == 0 and "added 6," in rebuilt.output, rebuilt.output
    assert json.loads(stamp.read_text(encoding="utf-8"))["analysis_version"] == current
    assert not settings.index.dir.with_name("index.new").exists()
    assert not settings.index.dir.with_name("index.old").exists()
    again = dangan_index(cli_runner, settings)
    assert again.exit_code == 0 and "unchanged 6," in again.output, again.output
    assert len(records(settings)) == 6 and found(settings, "王小明") == ["公安/2019/ocr.txt"]


def test_a_rerun_repairs_missing_duplicated_and_orphan_records(indexed, cli_runner):
    """What --check finds, a plain `dangan index` repairs: a record lost from the index is
    read again, one indexed twice is replaced by one, one whose file and row are gone is
    dropped."""
    from whoosh import index as whoosh_index
    from whoosh.query import Term

    corpus, settings = indexed
    ix = whoosh_index.open_dir(settings.index.dir)
    with ix.searcher() as s:
        twice = s.document(path="公安/2021/big5.txt")
    with ix.writer() as w:
        w.delete_by_term("path", "文书/2019/zongjie.txt")  # lost from the index
        w.add_document(**{k: v for k, v in twice.items()})  # indexed twice
    with sqlite3.connect(settings.index.dir / "manifest.sqlite") as db:  # orphan: file, row gone
        db.execute("DELETE FROM files WHERE path = ?", ("公安/2019/ocr.txt",))
    db.close()
    os.remove(corpus / "公安/2019/ocr.txt")
    check = dangan_index(cli_runner, settings, "--check")
    assert check.exit_code == 1
    for problem in ("records missing from the index: 1", "duplicate records: 1",
                    "records the manifest does not know: 1"):
        assert problem in check.output, check.output
    repaired = dangan_index(cli_runner, settings)
    assert repaired.exit_code == 0, repaired.output
    assert "updated 2" in repaired.output, repaired.output
    assert sorted(records(settings)) == ["公安/2021/big5.txt", "公安/2021/jiaojing.txt",
                                         "文书/2019/tongzhi.txt", "文书/2019/zongjie.txt",
                                         "文书/2021/xiangzhen.txt"]
    with whoosh_index.open_dir(settings.index.dir).searcher() as s:
        assert len(list(s.documents(path="公安/2021/big5.txt"))) == 1
        assert s.search(Term("path", "公安/2019/ocr.txt")).scored_length() == 0
    assert dangan_index(cli_runner, settings, "--check").exit_code == 0


def test_a_failed_file_is_read_again_when_the_settings_it_was_read_under_change(
        tmp_path, cli_runner):
    """A file that took longer than [index] file_timeout is not read again while nothing
    changed; raising file_timeout (what the message advises) reads it again."""
    corpus = write_corpus(tmp_path / "c")
    (corpus / "broken.txt").write_bytes(bytes(range(256)) * 8)
    settings = make_settings(tmp_path / "d" / "index", corpus)
    assert run_index(settings, workers=1).failed
    unchanged = run_index(settings, workers=1)
    assert "未重读" in dict(unchanged.failed)["c/broken.txt"]
    changed = run_index(replace(settings, index=replace(settings.index, file_timeout=900.0)),
                        workers=1)
    assert "未重读" not in dict(changed.failed)["c/broken.txt"]  # read again


def test_a_failure_that_is_not_the_files_is_tried_again_on_the_next_run(
        tmp_path, monkeypatch, forked_workers):
    """A missing program (or an I/O error) says nothing of the file: the next run reads it
    again, and indexes it once the program is there."""
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus, ocr={"enabled": False})
    real = indexer.build.prepare.extract_record
    missing = {"on": True}

    def needs_a_program(job, ctx, path):
        if job.file.rel.endswith("big5.txt") and missing["on"]:
            raise DependencyError("找不到 tesseract：请先安装")
        return real(job, ctx, path)

    monkeypatch.setattr(indexer.build.prepare, "extract_record", needs_a_program)
    first = run_index(settings, workers=1)
    assert [p for p, _e in first.failed] == ["c/公安/2021/big5.txt"]
    again = run_index(settings, workers=1)
    assert dict(again.failed)["c/公安/2021/big5.txt"] == "找不到 tesseract：请先安装"  # read again
    missing["on"] = False
    fixed = run_index(settings, workers=1)
    assert not fixed.failed and fixed.added == 1
