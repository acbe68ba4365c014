"""Fail closed on what a corpus holds: links are never followed, a 密级 written another way never
becomes 内部, an unreadable catalog or a row reaching another folder never lowers a level,
file names that are not UTF-8 are indexed, and catalog mistakes are reported."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import make_settings

from indexer.build.check import check_index
from indexer.build.corpus import discover
from indexer.build.plan import make_plan
from indexer.build.prepare import WorkerSetup, prepare
from indexer.build.run import run_index
from indexer.errors import ExtractionError
from indexer.ingest.levels import first_page_lines, parse_level, text_mark
from indexer.ingest.safeopen import open_under
from indexer.search.archive import Archive, SearchRequest
from indexer.store.manifest import Manifest
from search_app.cli import main

SECRET = "外面的口令文件内容"


def records(settings) -> dict[str, dict]:
    archive = Archive(settings.index.dir)
    try:
        result = archive.search(SearchRequest(q="", size=1000, facets=False, clearance="绝密"))
        return {h.fields["path"]: archive.record(h.fields["id"], "绝密") for h in result.hits}
    finally:
        archive.close()


def found(settings, query: str) -> int:
    archive = Archive(settings.index.dir)
    try:
        return archive.search(SearchRequest(q=query, clearance="绝密")).total
    finally:
        archive.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def failures(summary) -> dict[str, str]:
    return {path.split("/", 1)[1]: reason for path, reason in summary.failed}


# --- 1. links -------------------------------------------------------------------------------

def test_links_in_the_corpus_are_reported_and_never_indexed(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "passwd.txt", SECRET)
    write(outside / "folder/inner.txt", SECRET + "二")
    write(outside / "catalog.csv", "文件,题名,密级\nnormal.txt,被换掉的题名,公开\n")
    corpus = tmp_path / "c"
    write(corpus / "links/normal.txt", "普通的记录正文")
    write(corpus / "catalog.csv", "文件,密级\nlinks/passwd.txt,公开\nlinks/normal.txt,机密\n")
    os.symlink(outside / "passwd.txt", corpus / "links/passwd.txt")
    os.symlink(outside / "folder", corpus / "linked-folder")
    os.symlink(outside / "catalog.csv", corpus / "links/catalog.csv")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert not summary.failed and summary.added == 1
    assert set(records(settings)) == {"links/normal.txt"}
    assert found(settings, "口令") == 0
    rec = records(settings)["links/normal.txt"]
    assert rec["title"] != "被换掉的题名" and rec["security"] == "机密"
    warned = "\n".join(summary.warnings)
    for link in ("links/passwd.txt", "linked-folder", "links/catalog.csv"):
        assert sum(f"c/{link}: a symbolic link" in w for w in summary.warnings) == 1, warned


def test_a_named_pipe_called_like_a_record_is_reported_not_read(tmp_path):
    """A FIFO named x.txt would block a reader opening it: skipped with a warning (it was
    skipped in silence; tester's finding)."""
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "一份记录")
    os.mkfifo(corpus / "pipe.txt")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert not summary.failed and set(records(settings)) == {"a.txt"}
    assert any("c/pipe.txt: not a regular file" in w for w in summary.warnings), summary.warnings


def test_a_sidecar_that_is_a_link_fails_its_file(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "一份记录")
    write(tmp_path / "side.json", json.dumps({"密级": "公开"}))
    os.symlink(tmp_path / "side.json", corpus / "a.txt.json")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert "symbolic link" in failures(summary)["a.txt"]
    assert records(settings) == {}


@pytest.mark.parametrize("swap", ["file", "folder"])
def test_a_file_swapped_for_a_link_after_discovery_is_not_read(tmp_path, swap):
    corpus = tmp_path / "c"
    write(corpus / "sub/a.txt", "原来的记录")
    write(tmp_path / "outside/sub/a.txt", SECRET)
    plan = make_plan(discover([corpus]))
    (job,) = list(plan.jobs)
    if swap == "file":
        os.remove(corpus / "sub/a.txt")
        os.symlink(tmp_path / "outside/sub/a.txt", corpus / "sub/a.txt")
    else:
        os.rename(corpus / "sub", tmp_path / "old-sub")
        os.symlink(tmp_path / "outside/sub", corpus / "sub")
    out = prepare(job, WorkerSetup())
    assert out.error and "link" in out.error
    assert not out.fields


# --- 2. 密级 written another way --------------------------------------------------------------

@pytest.mark.parametrize("written, level", [
    ("绝密★", "绝密"), ("機密", "机密"), ("绝 密", "绝密"), ("秘密★10年", "秘密"),
    ("绝密★启用前", "绝密"), ("ｌ", None), ("TOP SECRET", None), ("★", None), ("公开", "公开"),
    (" 內部 ", "内部"), ("機　密☆5年", "机密"),
])
def test_written_levels_are_read_strictly(written, level):
    if level is None:
        with pytest.raises(ExtractionError, match="不是五个级别之一"):
            parse_level(written)
    else:
        assert parse_level(written) == level


def test_the_highest_of_several_values_wins():
    assert parse_level(["公开", "機密", "秘密★1年"]) == "机密"
    with pytest.raises(ExtractionError, match='"TOP SECRET"'):
        parse_level(["绝密", "TOP SECRET"])


@pytest.mark.parametrize("text, mark", [
    ("绝密★启用前\n某某县人民政府文件\n关于某事的通知", "绝密"),
    ("000123\n机密★1年\n特急\n某某县人民政府文件", "机密"),
    ("密级：绝密\n关于某事的报告", "绝密"),
    ("密级:机密\n关于某事的报告", "机密"),
    ("【机密】关于某事的通报", "机密"),
    ("秘密★10年\n正文", "秘密"),
    ("★绝密\n正文", "绝密"),
    ("绝 密 ★ 启 用 前\n正文", "绝密"),           # OCR spacing
    ("機密★1年\n關於某事的通知", "机密"),             # traditional script
    ("机密\n关于某事的通知", "机密"),                 # alone on its line
    ("秘密女1年\n大树镇人民政府文件", "秘密"),         # OCR's misread ★
    ("要保守秘密，国家秘密不得外传。\n这个秘密大家都知道。", ""),  # prose is no mark
    ("关于加强保密工作的通知\n各单位要做好秘密文件的管理", ""),
    ("正文第一页\f绝密★启用前", ""),                 # only the first page counts
])
def test_marks_at_the_top_of_the_first_page(text, mark):
    assert text_mark(first_page_lines(text)) == mark


def test_odd_catalog_levels_are_read_or_fail_the_file(tmp_path):
    corpus = tmp_path / "c"
    rows = {"star.txt": "绝密★", "trad.txt": "機密", "space.txt": "绝 密",
            "years.txt": "秘密★10年", "english.txt": "TOP SECRET", "plain.txt": "公开"}
    for name in rows:
        write(corpus / name, f"{name} 的正文")
    write(corpus / "marked.txt", "绝密★启用前\n关于某事的通知\n正文")  # catalog says 公开
    write(corpus / "prose.txt", "关于保密工作的通知\n大家要保守秘密。")
    write(corpus / "sidecar.txt", "由旁注给出密级")
    write(corpus / "sidecar.txt.json", json.dumps({"密级": "公开"}))  # catalog says 绝密
    write(corpus / "catalog.csv", "文件,密级\n" + "".join(f"{n},{v}\n" for n, v in rows.items())
          + "marked.txt,公开\nsidecar.txt,绝密\n")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert failures(summary) == {
        "english.txt": '密级 "TOP SECRET"（目录） 不是五个级别之一（公开、内部、秘密、机密、绝密）'}
    levels = {path: rec["security"] for path, rec in records(settings).items()}
    assert levels == {"star.txt": "绝密", "trad.txt": "机密", "space.txt": "绝密",
                      "years.txt": "秘密", "plain.txt": "公开", "marked.txt": "绝密",
                      "prose.txt": "内部", "sidecar.txt": "绝密"}


def test_a_bad_sidecar_level_fails_the_file(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文")
    write(corpus / "a.txt.json", json.dumps({"security": "confidential"}))
    summary = run_index(make_settings(tmp_path / "d" / "index", corpus))
    assert '"confidential"（旁注文件 a.txt.json）' in failures(summary)["a.txt"]


# --- 3. a catalog that cannot be read --------------------------------------------------------

def test_an_unreadable_catalog_fails_its_files_until_fixed(tmp_path):
    """A catalog that cannot be read may give any of its folder's files a higher 密级 than
    anything else says (here 绝密 to a 题名 alone): its files fail — one whose sidecar gives 秘密
    too — except one whose sidecar gives 绝密, which nothing could raise."""
    corpus = tmp_path / "c"
    write(corpus / "top.txt", "上层的记录")
    write(corpus / "b/secret.txt", "绝密文件的正文")
    write(corpus / "b/deeper/other.txt", "更深一层的记录")
    write(corpus / "b/lower.txt", "旁注说是秘密的记录")
    write(corpus / "b/lower.txt.json", json.dumps({"密级": "秘密"}))
    write(corpus / "b/rescued.txt", "有旁注的记录")
    write(corpus / "b/rescued.txt.json", json.dumps({"密级": "绝密"}))
    broken = "题名,密级\n绝密文件,绝密\n"  # no 文件/path column
    write(corpus / "b/catalog.csv", broken)
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    failed = failures(summary)
    assert set(failed) == {"b/secret.txt", "b/deeper/other.txt", "b/lower.txt"}
    assert "c/b/catalog.csv" in failed["b/secret.txt"] and "文件/path" in failed["b/secret.txt"]
    assert "秘密不能代替目录" in failed["b/lower.txt"]
    recs = records(settings)
    assert set(recs) == {"top.txt", "b/rescued.txt"}
    assert recs["b/rescued.txt"]["security"] == "绝密"
    assert any("b/catalog.csv" in w for w in recs["b/rescued.txt"]["meta"]["warnings"])
    assert any("b/catalog.csv" in w for w in summary.warnings)

    write(corpus / "b/catalog.csv", "文件,题名,密级\nsecret.txt,绝密文件,绝密\n"
          "rescued.txt,有旁注,公开\nlower.txt,旁注秘密,内部\n")
    again = run_index(settings)
    assert not again.failed and again.added == 3 and again.updated == 1
    recs = records(settings)
    assert recs["b/secret.txt"]["security"] == "绝密"
    assert recs["b/rescued.txt"]["security"] == "绝密"  # the highest of catalog and sidecar
    assert recs["b/lower.txt"]["security"] == "秘密"
    assert not recs["b/rescued.txt"]["meta"].get("warnings")


def test_long_cells_are_kept_cut_not_an_error(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    write(corpus / "b.txt", "正文乙")
    write(corpus / "catalog.csv", f'文件,备注,密级\na.txt,"{"长" * 200_000}",公开\nb.txt,,绝密\n')
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert not summary.failed
    recs = records(settings)
    assert recs["b.txt"]["security"] == "绝密" and recs["a.txt"]["security"] == "公开"
    assert len(recs["a.txt"]["meta"]["notes"]) == 10_000
    assert any("c/catalog.csv row 2: notes holds 200,000 characters" in w
               for w in summary.warnings)


# --- 4. rows reaching another folder; several catalogs for one file ------------------------

def test_rows_reaching_out_of_their_folder_are_reported_and_ignored(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "b/top.txt", "绝密记录的正文")
    write(corpus / "b/catalog.csv", "文件,密级\ntop.txt,绝密\n")
    write(corpus / "a/deeper/x.txt", "普通记录")
    write(corpus / "a/deeper/catalog.csv",
          f"文件,密级\n../../b/top.txt,公开\n{corpus / 'b/top.txt'},公开\nx.txt,公开\n")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert records(settings)["b/top.txt"]["security"] == "绝密"
    reported = [w for w in summary.warnings if w.startswith("c/a/deeper/catalog.csv row")]
    assert len(reported) == 2 and "row 2: '../../b/top.txt'" in reported[0]


def test_the_nearest_catalog_wins_but_the_highest_level_applies(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "sub/a.txt", "正文")
    write(corpus / "catalog.csv", "文件,题名,责任者,密级\nsub/a.txt,上层题名,上层机关,绝密\n")
    write(corpus / "sub/catalog.csv", "文件,题名,密级\na.txt,下层题名,公开\n")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    rec = records(settings)["sub/a.txt"]
    assert (rec["title"], rec["org"], rec["security"]) == ("下层题名", "上层机关", "绝密")


# --- 8. names that are not UTF-8; exit codes -------------------------------------------------

def test_file_names_that_are_not_utf8_are_indexed(tmp_path, cli_runner):
    corpus = tmp_path / "c"
    write(corpus / "catalog.csv", "文件,密级\n旧档/报告.txt,机密\n")
    folder = os.fsencode(corpus) + b"/" + "旧档".encode("gbk")
    os.mkdir(folder)
    for name, text in (("报告.txt".encode("gbk"), "用GBK命名的报告"),
                       (b"\xff\xfe.txt", "名字解不开的文件")):
        fd = os.open(folder + b"/" + name, os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(fd, text.encode("utf-8"))
        os.close(fd)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[index]\ndir = "data/index"\n[corpus]\npaths = ["{corpus.as_posix()}"]\n')
    result = cli_runner.invoke(main, ["index", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "added 2" in result.output
    settings = make_settings(tmp_path / "data" / "index", corpus)
    recs = records(settings)
    assert recs["旧档/报告.txt"]["security"] == "机密"
    assert found(settings, "用GBK命名的报告") == 1 and found(settings, "名字解不开") == 1
    assert "旧档/\ufffd\ufffd.txt" in recs
    with os.fdopen(open_under(corpus, "旧档/报告.txt"), encoding="utf-8") as f:  # found again
        assert f.read() == "用GBK命名的报告"
    manifest = Manifest(settings.index.dir)
    try:
        assert {r[0] for r in manifest.db.execute("SELECT path FROM files")} == set(recs)
    finally:
        manifest.close()
    again = cli_runner.invoke(main, ["index", "--config", str(cfg)])
    assert again.exit_code == 0 and "unchanged 2" in again.output
    check = cli_runner.invoke(main, ["index", "--check", "--config", str(cfg)])
    assert check.exit_code == 0, check.output


def test_a_crash_of_the_run_exits_3(tmp_path, cli_runner, monkeypatch):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[index]\ndir = "data/index"\n[corpus]\npaths = ["{corpus.as_posix()}"]\n')

    def full_disk(*args, **kwargs):  # injected fault
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("indexer.build.run.make_plan", full_disk)
    result = cli_runner.invoke(main, ["index", "--config", str(cfg)])
    assert result.exit_code == 3
    assert "the run failed" in result.output and "No space left" in result.output


@pytest.mark.parametrize("code, goes_on", [(0, True), (1, True), (2, False), (3, False)])
def test_make_index_stops_on_2_and_3(tmp_path, code, goes_on):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dangan").write_text(f"#!/bin/sh\nexit {code}\n")
    (fake / "dangan").chmod(0o755)
    repo = Path(__file__).resolve().parent.parent
    result = subprocess.run(["make", "-s", "-o", "install", "index", f"BIN={fake}"], cwd=repo,
                            capture_output=True, text=True)
    assert (result.returncode == 0) == goes_on, result.stderr


# --- 11, 12. empty text files; catalog mistakes ----------------------------------------------

def test_empty_text_files_fail(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "empty.txt", "")
    write(corpus / "blank.txt", " \n\r\n\t\u3000\n")
    write(corpus / "bom.txt", "\ufeff")
    write(corpus / "ok.txt", "有内容")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    failed = failures(summary)
    assert failed["empty.txt"] == "the file is empty (0 bytes)"
    assert "no text" in failed["blank.txt"] and "no text" in failed["bom.txt"]
    assert set(records(settings)) == {"ok.txt"}


def test_catalog_rows_naming_missing_files_are_reported(tmp_path, cli_runner):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "甲")
    write(corpus / "sub/b.txt", "乙")
    write(corpus / "sub/catalog.csv", "文件,题名\nb.txt,乙\nnever.txt,从未有过\n")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    summary = run_index(settings)
    assert [w for w in summary.warnings if "not in the corpus" in w] == [
        "c/sub/catalog.csv: row names c/sub/never.txt, which is not in the corpus (no such file, "
        "a link, or a file dangan does not read)"]
    write(corpus / "sub/catalog.csv", "文件,题名\nb.txt,乙\n")
    run_index(settings)
    assert check_index(settings).healthy
    os.remove(corpus / "sub/b.txt")  # deleted, its record dropped, its row left in the catalog
    assert run_index(settings).removed == 1
    report = check_index(settings)
    assert not report.healthy
    assert ("  c/sub/catalog.csv: row names c/sub/b.txt, which is not in the corpus"
            in report.render()), report.render()
