"""Fail closed on what an intruder with write access to one corpus folder can put there: huge
sparse sidecars and catalogs, catalog headers written twice or invisibly, catalogs that are
not regular files, huge files the planner would hash, files of NUL bytes, reserved metadata
keys, hidden 密级 marks and hard links."""
import json
import re
import os
import unicodedata

import pytest
from conftest import make_settings
from test_failclosed_corpus import failures, found, records, write

from indexer.analysis.normalize import normalize
from indexer.build.run import run_index
from indexer.fields import field_named

HARD_LINK = "硬链接：与其他文件共用同一份内容，出于安全不予索引；请复制为独立文件"


def index(tmp_path, corpus):
    settings = make_settings(tmp_path / "d" / "index", corpus)
    return settings, run_index(settings)


# --- 1. size limits on catalogs and sidecars ---------------------------------------------------

def test_a_sidecar_over_1_mb_fails_its_file_without_being_read(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    write(corpus / "a.txt.json", json.dumps({"备注": "长" * 600_000, "密级": "公开"}))
    write(corpus / "b.txt", "正文乙")
    (corpus / "b.txt.json").touch()
    os.truncate(corpus / "b.txt.json", 3 * 2**30)  # sparse: 3 GB of NUL bytes
    settings, summary = index(tmp_path, corpus)
    failed = failures(summary)
    assert set(failed) == {"a.txt", "b.txt"}
    assert all("旁注文件过大（超过 1 MB）" in reason for reason in failed.values()), failed
    assert records(settings) == {}


def test_a_catalog_line_over_the_limit_makes_the_catalog_unreadable(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    write(corpus / "catalog.csv", f"文件,备注,密级\na.txt,{'长' * 5_000_000},公开\n")
    settings, summary = index(tmp_path, corpus)
    reason = failures(summary)["a.txt"]
    assert "目录无法读取" in reason and "行过长" in reason and "4,194,304" in reason


def test_a_catalog_of_nul_bytes_fails_its_files(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    (corpus / "catalog.csv").touch()
    os.truncate(corpus / "catalog.csv", 64 * 2**20)  # one 64 MB "line" of valid UTF-8
    settings, summary = index(tmp_path, corpus)
    assert "行过长" in failures(summary)["a.txt"]


def test_a_catalog_over_256_mb_is_unreadable(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    write(corpus / "catalog.csv", "文件,密级\na.txt,公开\n")
    os.truncate(corpus / "catalog.csv", 300 * 2**20)
    settings, summary = index(tmp_path, corpus)
    reason = failures(summary)["a.txt"]
    assert "目录文件过大" in reason and "256 MB" in reason


def test_a_gb18030_catalog_is_still_read(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    rows = "".join(f"x{n}.txt,题名{n},公开\n" for n in range(60_000))  # over the 1 MB detected
    write(corpus / "catalog.csv", f"文件,题名,密级\n{rows}a.txt,甲的题名,绝密\n", "gb18030")
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed
    rec = records(settings)["a.txt"]
    assert rec["title"] == "甲的题名" and rec["security"] == "绝密"


# --- 2. catalog headers and catalog files ------------------------------------------------------

@pytest.mark.parametrize("header, row", [
    ("文件,密级,密級", "a.txt,绝密,公开"),
    ("文件,密级,security", "a.txt,绝密,公开"),
    ("文件,security,密级", "a.txt,绝密,公开"),
    ("文件,path,密级", "a.txt,b.txt,绝密"),
    ("文件,密级,密\u200b级", "a.txt,绝密,公开"),
])
def test_a_field_named_twice_makes_the_catalog_unreadable(tmp_path, header, row):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    write(corpus / "b.txt", "正文乙")
    write(corpus / "catalog.csv", f"{header}\n{row}\n")
    settings, summary = index(tmp_path, corpus)
    failed = failures(summary)
    assert set(failed) == {"a.txt", "b.txt"}
    assert "出现了不止一次" in failed["a.txt"]


@pytest.mark.parametrize("header", ["密\u200b级", "ｓｅｃｕｒｉｔｙ", "密 级", "SECURITY",
                                    "\ufeff密级\u2060", "密級"])
def test_headers_written_oddly_are_recognised(tmp_path, header):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    write(corpus / "catalog.csv", f"文　件,{header}\na.txt,绝密\n")
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed
    assert records(settings)["a.txt"]["security"] == "绝密"
    assert field_named(header).name == "security"


@pytest.mark.parametrize("name", ["Catalog.csv", "CATALOG.CSV", "catalog.CSV"])
def test_a_catalog_in_another_case_is_a_catalog(tmp_path, name):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "正文甲")
    write(corpus / name, "文件,密级\na.txt,绝密\n")
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed
    assert records(settings)["a.txt"]["security"] == "绝密"


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_catalog_that_is_not_a_regular_file_fails_its_folder(tmp_path, kind):
    corpus = tmp_path / "c"
    write(corpus / "top.txt", "上层的记录")
    write(corpus / "b/a.txt", "正文甲")
    write(corpus / "b/deeper/c.txt", "正文丙")
    if kind == "fifo":
        os.mkfifo(corpus / "b/catalog.csv")
    else:
        write(corpus / "b/catalog.csv/inner.txt", "目录名的文件夹里的记录")
    settings, summary = index(tmp_path, corpus)
    failed = failures(summary)
    expected = {"b/a.txt", "b/deeper/c.txt"} | ({"b/catalog.csv/inner.txt"}
                                                if kind == "folder" else set())
    assert set(failed) == expected
    assert all("目录无法读取" in r and "not a regular file" in r for r in failed.values())
    assert set(records(settings)) == {"top.txt"}


# --- 3. the planner's hashing; files of NUL bytes -----------------------------------------------

def test_the_planner_does_not_hash_a_file_over_512_mb(tmp_path, monkeypatch):
    """The planner hashes a file only up to PLAN_HASH_MAX (its worker hashes a bigger one, under
    [index] file_timeout): a big file renamed is recognised as moved by its size and
    modification time instead, a small one by its hash."""
    from indexer.build import plan

    monkeypatch.setattr(plan, "PLAN_HASH_MAX", 64)  # (these bytes stand for 512 MB)
    hashed = []
    digest = plan.file_digest
    monkeypatch.setattr(plan, "file_digest",
                        lambda path: hashed.append(os.stat(path).st_size) or digest(path))
    corpus = tmp_path / "c"
    big = write(corpus / "a/big.txt", "大文件的正文。" * 20)
    write(corpus / "a/small.txt", "小文件")
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed and summary.added == 2
    (corpus / "b").mkdir()
    os.rename(big, corpus / "b/big.txt")
    os.rename(corpus / "a/small.txt", corpus / "b/small.txt")
    again = run_index(settings)
    assert not again.failed and again.moved == 2 and again.added == again.removed == 0
    assert set(records(settings)) == {"b/big.txt", "b/small.txt"}
    assert hashed and max(hashed) <= 64  # (the small file only)


@pytest.mark.parametrize("data", [b"\0" * 4096, b"\0\x01\x1f\r\n\t \x7f", "\u200b\n".encode()])
def test_a_text_file_of_control_characters_fails_like_an_empty_one(tmp_path, data):
    corpus = tmp_path / "c"
    (corpus).mkdir()
    (corpus / "a.txt").write_bytes(data)
    settings, summary = index(tmp_path, corpus)
    assert "no text" in failures(summary)["a.txt"]


# --- 4. reserved metadata keys ------------------------------------------------------------------

def test_reserved_keys_from_catalogs_and_sidecars_are_dropped_with_a_warning(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "b/a.txt", "绝密★启用前\n关于档案保密的通知")
    write(corpus / "b/a.txt.json", json.dumps(
        {"密级": "秘密", "warnings": [], "extracted": "forged", "encoding": "forged"}))
    write(corpus / "b/catalog.csv", "题名,密级\n没有文件列,公开\n")  # unreadable
    write(corpus / "c.txt", "正文丙")
    write(corpus / "catalog.csv", "文件,warnings,encoding\nc.txt,假的警告,假的编码\n")
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed
    recs = records(settings)
    a, c = recs["b/a.txt"]["meta"], recs["c.txt"]["meta"]
    assert a["encoding"] == "utf-8" and c["encoding"] == "utf-8"
    assert isinstance(a["extracted"], dict) and a["extracted"].get("security") == "绝密"
    assert any("目录无法读取" in w for w in a["warnings"])
    for meta, keys in ((a, ("warnings", "extracted", "encoding")), (c, ("warnings", "encoding"))):
        for key in keys:
            assert any(f"“{key}”是索引程序自用的名称" in w for w in meta["warnings"]), meta
    assert "假的警告" not in c["warnings"]
    # a later metadata edit rebuilds the record from the index: no "unexpected ValueError"
    write(corpus / "catalog.csv", "文件,题名,warnings\nc.txt,新题名,假的警告\n")
    again = run_index(settings)
    assert not again.failed and again.updated == 1
    assert records(settings)["c.txt"]["title"] == "新题名"


# --- 5. hidden 密级 marks; the normaliser ---------------------------------------------------------

@pytest.mark.parametrize("text", ["绝\u200b密★启用前\n关于某事的通知", "\f绝密★启用前\n关于某事的通知",
                                  "\n\u200b\n\f\n绝密★启用前\n关于某事的通知",
                                  "机\u2060密\u200d★1年\n关于某事的通知"])
def test_hidden_marks_are_found(tmp_path, text):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", text)
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed
    assert records(settings)["a.txt"]["security"] in ("绝密", "机密")
    assert records(settings)["a.txt"]["security"] == ("机密" if "机" in text else "绝密")


@pytest.mark.parametrize("text, level", [
    ("密级：「机密」\n关于某事的通知", "机密"), ("“机密”\n关于某事的通知", "机密"),
    ("《机密》\n关于某事的通知", "机密"), ("〈机密〉\n关于某事的通知", "机密"),
    ("绝\U000e0100密★启用前\n关于某事的通知", "绝密"), ("绝\ufe00密★启用前\n关于某事的通知", "绝密"),
    ("机\u034f密\u3164★1年\n关于某事的通知", "机密"), ("绝密·启用前\n关于某事的通知", "绝密"),
    ("绝密-启用前\n关于某事的通知", "绝密"), ("\n" * 4000 + "机密★启用前\n关于某事的通知", "机密"),
    ("\U000e0100\f机密★启用前\n关于某事的通知", "机密")])
def test_marks_in_brackets_quotes_or_behind_unseen_characters_are_found(tmp_path, text, level):
    """Marks an intruder wrote so that they were missed, each given 公开 by a catalog row: the
    mark is read (the higher level wins), as the plain 机密★启用前 is."""
    corpus = tmp_path / "c"
    write(corpus / "a.txt", text)
    write(corpus / "catalog.csv", "文件,密级\na.txt,公开\n")
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed
    assert records(settings)["a.txt"]["security"] == level


def test_format_characters_are_invisible_to_search(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "会议由王\u200b建成主持，讨论档\u00ad案保密工作。")
    settings, summary = index(tmp_path, corpus)
    assert not summary.failed
    assert found(settings, "王建成") == 1 and found(settings, "档案保密") == 1
    assert found(settings, "王\u200b建成") == 1


def test_the_normaliser_drops_every_format_character_and_keeps_offsets():
    from indexer.analysis.normalize import FORMAT_CHARS
    every = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert all(re.fullmatch(f"[{FORMAT_CHARS}]", c) for c in every)
    original = "王\u200b建成在絕\u200d密會議上"
    n = normalize(original)
    assert n.text == "王建成在绝密会议上"
    start, end = n.span(0, 3)
    assert original[start:end] == "王\u200b建成"
    start, end = n.span(4, 6)
    assert original[start:end] == "絕\u200d密"


# --- 6. hard links ------------------------------------------------------------------------------

def test_hard_links_fail_closed(tmp_path):
    outside = write(tmp_path / "outside/secret.txt", "外面的口令文件内容")
    corpus = tmp_path / "c"
    write(corpus / "secret/top.txt", "绝密的正文内容")
    write(corpus / "secret/catalog.csv", "文件,密级\ntop.txt,绝密\n")
    write(corpus / "inbox/normal.txt", "普通的记录正文")
    write(corpus / "inbox/with-sidecar.txt", "有旁注的记录")
    write(tmp_path / "outside/meta.json", json.dumps({"密级": "公开"}))
    os.link(outside, corpus / "inbox/passwd.txt")
    os.link(corpus / "secret/top.txt", corpus / "inbox/copy.txt")
    os.link(tmp_path / "outside/meta.json", corpus / "inbox/with-sidecar.txt.json")
    settings, summary = index(tmp_path, corpus)
    failed = failures(summary)
    assert set(failed) == {"inbox/passwd.txt", "inbox/copy.txt", "secret/top.txt",
                           "inbox/with-sidecar.txt"}
    assert all(HARD_LINK in reason for reason in failed.values()), failed
    assert set(records(settings)) == {"inbox/normal.txt"}
    assert found(settings, "口令") == 0 and found(settings, "绝密的正文") == 0


def test_a_first_page_mark_that_names_no_level_fails_its_file(tmp_path):
    """密级：TOP SECRET or 密级：Secret on the first page may mean more than anything else says:
    the file fails (saying why) unless its catalog row or sidecar gives 绝密; a form's blank
    密级 field and a real level are read as before."""
    corpus = tmp_path / "c"
    write(corpus / "english.txt", "密级：TOP SECRET\n关于白桦计划的报告\n")
    write(corpus / "mixed.txt", "密 级：Secret\n关于白桦计划的说明\n")
    write(corpus / "rescued.txt", "密级：TOP SECRET\n关于白桦计划的附件\n")
    write(corpus / "blank.txt", "密级：______\n关于白桦计划的通知\n")
    write(corpus / "real.txt", "密级：机密★10年\n关于白桦计划的批复\n")
    write(corpus / "core.txt", "密级：核心机密\n关于白桦计划的请示\n")  # a level and more
    write(corpus / "state.txt", "密级：国家秘密\n关于白桦计划的报告\n")
    write(corpus / "catalog.csv", "文件,密级\nrescued.txt,绝密\nmixed.txt,秘密\n"
          "core.txt,公开\nstate.txt,公开\n")
    summary = run_index(make_settings(tmp_path / "d" / "index", corpus))
    failed = failures(summary)
    assert set(failed) == {"english.txt", "mixed.txt", "core.txt", "state.txt"}
    assert "密级：TOP SECRET" in failed["english.txt"] and "不是五个级别之一" in failed["english.txt"]
    recs = records(make_settings(tmp_path / "d" / "index", corpus))
    assert {k: v["security"] for k, v in recs.items()} == {
        "rescued.txt": "绝密", "blank.txt": "内部", "real.txt": "机密"}


def test_a_catalog_row_naming_a_file_with_full_width_or_invisible_characters_describes_it(
        tmp_path):
    """ｔ15.txt (a full-width letter) or t16.txt followed by a zero-width space in the catalog, and
    a file named ｔ17.txt under a row for t17.txt: the row is the file's (its 机密 stands, with a
    warning), not ignored, which left the file at the default 内部."""
    corpus = tmp_path / "c"
    for name in ("t15.txt", "t16.txt", "ｔ17.txt", "t18.txt"):
        write(corpus / name, f"关于云杉计划的报告（{name}）\n")
    write(corpus / "catalog.csv", "文件,题名,密级\nｔ15.txt,第十五号,机密\n\"t16.txt\u200b\",第十六号,机密\n"
          "t17.txt,第十七号,秘密\nt18.txt,第十八号,公开\nＴ18.txt,第十八号,机密\n")
    summary = run_index(make_settings(tmp_path / "d" / "index", corpus))
    assert not summary.failed
    recs = records(make_settings(tmp_path / "d" / "index", corpus))
    assert {k: (v["security"], v["title"]) for k, v in recs.items()} == {
        "t15.txt": ("机密", "第十五号"), "t16.txt": ("机密", "第十六号"),
        "ｔ17.txt": ("秘密", "第十七号"), "t18.txt": ("公开", "第十八号")}
    assert sum("full-width letters or invisible characters" in w for w in summary.warnings) == 3


def test_new_mark_rules_read_every_record_again_without_extracting(tmp_path, monkeypatch):
    """When the rules for marks change (MARKS_VERSION), the next run reads each record's first
    page again from the index, so a mark the old rules missed is not kept missed until the
    file changes: every file is a metadata update, none is extracted again."""
    from indexer.ingest import sourcefile

    corpus = tmp_path / "c"
    write(corpus / "a.txt", "关于某事的通知\n正文")
    write(corpus / "b.txt", "另一份通知\n正文")
    settings, first = index(tmp_path, corpus)
    assert first.added == 2
    settings, again = index(tmp_path, corpus)
    assert again.unchanged == 2 and again.updated == 0
    monkeypatch.setattr(sourcefile, "MARKS_VERSION", b"marks next")
    settings, bumped = index(tmp_path, corpus)
    assert bumped.updated == 2 and bumped.added == 0 and not bumped.failed


@pytest.mark.parametrize("sidecar", ['{"密级": "机密", "security": "公开"}',
                                     '{"密级": "机密", "密级": "公开"}',
                                     '{"密级": ["机密"], "security": []}'])
def test_a_sidecar_naming_a_field_twice_fails_its_file(tmp_path, sidecar):
    """JSON keeps the last of two keys: a sidecar giving 密级 twice (or as 密级 and security)
    was read as the lower one. It fails its file, as a catalog naming a field twice does."""
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "关于某事的通知\n正文")
    write(corpus / "a.txt.json", sidecar)
    write(corpus / "b.txt", "另一份通知\n正文")
    settings, summary = index(tmp_path, corpus)
    failed = failures(summary)
    assert set(failed) == {"a.txt"} and "同一字段" in failed["a.txt"]
    assert set(records(settings)) == {"b.txt"}


def test_a_big_sparse_file_fails_at_once_without_being_read(tmp_path):
    """A 200 MB "PDF" that is one written block and holes (no disk taken) held a worker until
    [index] file_timeout; it fails at once, saying why, and the batch goes on."""
    corpus = tmp_path / "c"
    write(corpus / "a.txt", "关于某事的通知\n正文")
    sparse = corpus / "big.pdf"
    with open(sparse, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(200 * 2**20)
    if os.stat(sparse).st_blocks * 512 > 2**20:
        pytest.skip("this file system writes no sparse files")
    settings, summary = index(tmp_path, corpus)
    failed = failures(summary)
    assert set(failed) == {"big.pdf"} and "稀疏文件" in failed["big.pdf"]
    assert set(records(settings)) == {"a.txt"}


def test_holes_are_told_from_data_not_from_blocks(tmp_path):
    """What counts as sparse is holes (SEEK_HOLE), not few blocks: a compressing file system
    reports few blocks for a dense file, which must not be refused."""
    from indexer.ingest.extract import _written

    dense, holes = tmp_path / "dense.bin", tmp_path / "holes.bin"
    dense.write_bytes(b"x" * 2**20)
    with open(holes, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(64 * 2**20)
    for path, least, most in ((dense, 2**20, 2**20), (holes, 1, 2**20)):
        fd = os.open(path, os.O_RDONLY)
        try:
            assert least <= _written(fd, os.fstat(fd).st_size) <= most, path.name
        finally:
            os.close(fd)
