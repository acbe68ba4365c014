"""The corpus listing and the plan live in a scratch database, not in memory: where that file
goes (never into a corpus), that a run killed mid-plan leaves nothing that changes the next
plan, that nothing per file is held while planning, and that catalogs read that way still
apply, override and report errors as before."""
from __future__ import annotations

import csv
import gc
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_settings, write_corpus

import indexer.build.run
from indexer.build.corpus import discover
from indexer.build.plan import Job, make_plan
from indexer.build.run import run_index
from indexer.build.scratch import Scratch, scratch_path
from indexer.ingest.sourcefile import SourceFile
from indexer.store.manifest import Entry, Manifest


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_scratch_file_sits_beside_the_index_during_a_run_and_is_gone_after(tmp_path,
                                                                              monkeypatch):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    before = snapshot(corpus)
    seen = []
    write = indexer.build.run._write

    def spy(*args, **kwargs):
        seen.append((scratch_path(settings.index.dir).is_file(), snapshot(corpus)))
        return write(*args, **kwargs)

    monkeypatch.setattr(indexer.build.run, "_write", spy)
    assert run_index(settings, workers=1).added == 6
    assert seen == [(True, before)]  # mid-run: the listing is on disk, the corpus untouched
    assert scratch_path(settings.index.dir).parent == settings.index.dir.parent
    assert not scratch_path(settings.index.dir).exists()
    assert snapshot(corpus) == before
    assert not list((tmp_path / "d").rglob("*.plan.sqlite*"))
    run_index(settings, rebuild=True, workers=1)  # the rebuilt index has none either
    assert not list((tmp_path / "d").rglob("*.plan.sqlite*"))
    assert snapshot(corpus) == before


def test_a_dry_run_and_a_check_leave_no_scratch_file(tmp_path, cli_runner):
    from search_app.cli import main

    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings, workers=1)
    (corpus / "公安/2019/ocr.txt").unlink()
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[index]\ndir = "{settings.index.dir.as_posix()}"\n'
                   f'[corpus]\npaths = ["{corpus.as_posix()}"]\n', encoding="utf-8")
    before = snapshot(tmp_path)
    dry = cli_runner.invoke(main, ["index", "--config", str(cfg), "--dry-run"])
    assert dry.exit_code == 0 and "remove: c/公安/2019/ocr.txt" in dry.output, dry.output
    check = cli_runner.invoke(main, ["index", "--config", str(cfg), "--check"])
    assert "records whose file is gone: 1" in check.output, check.output
    assert snapshot(tmp_path) == before


KILL_MID_PLAN = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import indexer.build.plan
from conftest import make_settings
from indexer.build.run import run_index

flush = indexer.build.plan._Planner.flush

def flush_then_die(self):
    flush(self)
    if self.jobs == [] and {die!r}:
        os.kill(os.getpid(), signal.SIGKILL)

indexer.build.plan._Planner.flush = flush_then_die
indexer.build.plan.FLUSH = 1
run_index(make_settings(Path({index!r}), Path({corpus!r})), workers=1)
"""


def test_a_run_killed_mid_plan_leaves_nothing_that_changes_the_next_plan(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings, workers=1)
    (corpus / "公安/2020").mkdir()
    (corpus / "公安/2019/ocr.txt").rename(corpus / "公安/2020/ocr.txt")
    (corpus / "公安/2021/big5.txt").unlink()
    (corpus / "new.txt").write_text("新增的文件", encoding="utf-8")
    script = KILL_MID_PLAN.format(tests=str(Path(__file__).parent), die=True,
                                  index=str(settings.index.dir), corpus=str(corpus))
    killed = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert scratch_path(settings.index.dir).exists()  # left behind, half written
    summary = run_index(settings, workers=1)
    assert (summary.added, summary.moved, summary.removed, summary.unchanged) == (1, 1, 1, 4)
    assert not summary.failed and not scratch_path(settings.index.dir).exists()
    again = run_index(settings, workers=1)
    assert (again.added, again.moved, again.removed, again.unchanged) == (0, 0, 0, 6)


def test_a_stale_scratch_file_from_another_corpus_is_not_read(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    other = tmp_path / "other"
    other.mkdir()
    (other / "ghost.txt").write_text("不应出现", encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    settings.index.dir.parent.mkdir(parents=True)
    stale = Scratch(scratch_path(settings.index.dir))  # as a killed run would leave it
    make_plan(discover([other], stale))
    stale.db.close()
    summary = run_index(settings, workers=1)
    assert summary.added == 6 and summary.unchanged == 0 and not summary.failed


def live(*types) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, types))


def test_planning_holds_nothing_per_file(tmp_path):
    """A corpus of 400 files, planned fresh and against a manifest of 400 rows: no SourceFile,
    Job or Entry is alive once the plan is made (they are built as the plan is read)."""
    corpus = tmp_path / "c"
    for i in range(400):
        folder = corpus / f"{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"r{i:03d}.txt").write_text(f"第{i}号文件", encoding="utf-8")
    baseline = live(SourceFile, Job, Entry)
    plan = make_plan(discover([corpus]))
    assert live(SourceFile, Job, Entry) == baseline
    assert len(plan.jobs) == plan.count("new") == 400
    jobs = iter(plan.jobs)
    first = next(jobs)
    assert first.kind == "new" and first.file.rel == "00/r000.txt" and first.meta_sig
    assert live(SourceFile, Job, Entry) <= baseline + 600  # a fetch's worth at most
    del jobs, first

    index = tmp_path / "index"
    index.mkdir()
    manifest = Manifest(index)
    files = discover([corpus]).files
    manifest.save([Entry(f.source, f.rel, f.size, f.mtime_ns, "stale", "id", "ok", None, "d")
                   for f in files], [])
    (corpus / "00/r000.txt").write_text("改过的", encoding="utf-8")
    baseline = live(SourceFile, Job, Entry)
    plan = make_plan(discover([corpus]), manifest)
    assert live(SourceFile, Job, Entry) == baseline
    assert (plan.count("metadata"), plan.count("changed"), len(plan.unchanged)) == (399, 1, 0)
    manifest.close()


def test_a_catalog_that_fails_part_way_is_reported_and_left_out_whole(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    limit = csv.field_size_limit(1000)  # injected fault: csv.Error after the first row
    (corpus / "公安/catalog.csv").write_text(
        "文件,题名\n2019/ocr.txt,不应采用的题名\n"
        f'2021/big5.txt,"{"x" * 2000}"\n', encoding="utf-8")
    (corpus / "文书/catalog.csv").write_text("题名,日期\n甲,2019\n", encoding="utf-8")
    try:
        found = discover([corpus])
    finally:
        csv.field_size_limit(limit)
    warnings = list(found.warnings)
    assert len(warnings) == 2
    assert any(e.startswith("c/公安/catalog.csv") and "单元格过长" in e and "1,000" in e
               for e in warnings)
    assert any(e.startswith("c/文书/catalog.csv: ") and "文件/path" in e for e in warnings)
    meta = {f.rel: f.catalog for f in found.files}
    assert "title" not in meta["公安/2019/ocr.txt"]  # nothing of the failed catalog applies
    assert meta["公安/2021/big5.txt"]["title"] == "公安交通管理工作总结"  # the root catalog does
    errors = {f.rel: f.catalog_error for f in found.files}
    assert errors["公安/2019/ocr.txt"].startswith("c/公安/catalog.csv: ")  # its files fail
    assert errors["文书/2019/tongzhi.txt"].startswith("c/文书/catalog.csv: ")
    assert not any(errors[rel] for rel in errors if rel.startswith("交"))


def test_deeper_catalogs_win_and_rows_outside_the_root_match_nothing(tmp_path):
    corpus = write_corpus(tmp_path / "c")
    (corpus / "文书/2019/catalog.csv").write_bytes(  # GB18030, not UTF-8: read whole
        "文件,题名,责任者\ntongzhi.txt,更深一层的题名,深层机关\n../../../outside.txt,外面,外面机关\n"
        .encode("gb18030"))
    (tmp_path / "outside.txt").write_text("外面的文件", encoding="utf-8")
    found = discover([corpus])
    meta = {f.rel: f.catalog for f in found.files}
    assert list(found.warnings) == [
        "c/文书/2019/catalog.csv row 3: '../../../outside.txt' is not under the catalog's folder "
        "(a catalog describes only the files under its own folder): row ignored"]
    assert meta["文书/2019/tongzhi.txt"]["title"] == "更深一层的题名"
    assert meta["文书/2019/zongjie.txt"]["title"] == "新塘桥镇2019年度档案工作总结"
    assert meta["公安/2019/ocr.txt"] == {}
    assert {"深层机关", "新塘桥镇人民政府", "卜剑平"} <= found.names
    assert "外面机关" not in found.names  # an ignored row names nobody
    assert len(found.files) == 6 and found.files[0].rel == sorted(meta)[0]


def test_the_same_file_name_in_two_roots_is_two_files(tmp_path):
    a = write_corpus(tmp_path / "a" / "corpus")
    b = write_corpus(tmp_path / "b" / "corpus")
    (b / "catalog.csv").write_text("文件,题名\n公安/2019/ocr.txt,只在第二个根\n",
                                   encoding="utf-8")
    found = discover([a, b])
    assert set(found.sources) == {"corpus", "corpus-2"}
    meta = {f.key: f.catalog for f in found.files}
    assert len(meta) == 12
    assert meta[("corpus-2", "公安/2019/ocr.txt")] == {"title": "只在第二个根"}
    assert meta[("corpus", "公安/2019/ocr.txt")] == {}
    assert meta[("corpus-2", "文书/2019/zongjie.txt")] == {}


def test_a_corpus_folder_that_is_missing_creates_no_index(tmp_path):
    from indexer.errors import ConfigError

    settings = make_settings(tmp_path / "d" / "index", tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="corpus folder not found"):
        run_index(settings, workers=1)
    assert not (tmp_path / "d").exists()


def test_two_copies_moved_are_two_moves(tmp_path):
    corpus = tmp_path / "c"
    (corpus / "a").mkdir(parents=True)
    for name in ("x.txt", "y.txt"):
        (corpus / "a" / name).write_text("同一份文件的两个副本", encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    assert run_index(settings, workers=1).added == 2
    os.rename(corpus / "a", corpus / "b")
    summary = run_index(settings, workers=1)
    assert (summary.moved, summary.added, summary.removed) == (2, 0, 0)
