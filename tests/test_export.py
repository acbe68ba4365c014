"""Taking results away: a whole result list as CSV or Excel (/api/export) and originals as one
zip (/api/download), each within the reader's clearance, limited, and in the 查阅登记."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from conftest import RECORDS, admin_client, app_over
from openpyxl import load_workbook


QUERY = "工作"  # every record of the test corpus has it (five are visible to 公开 + 内部 …)


@pytest.fixture()
def app(tmp_path, built_index):
    return app_for(tmp_path, built_index)


def app_for(tmp_path, built_index, **search):
    return app_over(tmp_path, built_index, **({"search": search} if search else {}))


def csv_rows(r) -> list[list[str]]:
    body = r.get_data(as_text=True)
    assert body.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_lists_every_hit_in_the_search_order_with_chinese_headers(app):
    c = admin_client(app)
    api = c.get("/api/search", query_string={"q": QUERY, "size": 100}).get_json()
    r = c.get("/api/export", query_string={"q": QUERY, "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "filename*=UTF-8''%E6%A3%80%E7%B4%A2%E7%BB%93%E6%9E%9C" in r.headers[
        "Content-Disposition"]  # 检索结果-…
    header, *rows = csv_rows(r)
    assert header[:5] == ["序号", "题名", "责任者", "文号", "日期"]
    assert {"档号", "密级", "人员", "匹配", "链接"} <= set(header)
    assert len(rows) == api["total"] > 3
    ids = [row[header.index("编号")] for row in rows]
    assert ids == [h["id"] for h in api["hits"]]
    first = dict(zip(header, rows[0]))
    assert first["题名"] == api["hits"][0]["title"] and first["匹配"] == "精确"
    assert first["链接"].endswith(f"/records/{ids[0]}")
    zongjie = next(dict(zip(header, row)) for row in rows if "2019年度档案" in row[1])
    assert zongjie["人员"] == "卜剑平；王建成" and zongjie["档号"] == "0123-WS·2019-Y-0001"
    (row,) = app.extensions["dangan.audit"].find(action="export")
    assert row.query == QUERY and json.loads(row.detail)["total"] == len(rows)
    assert json.loads(row.detail)["format"] == "csv"


def test_excel_export_opens_with_the_same_rows(app):
    c = admin_client(app)
    csv_r = csv_rows(c.get("/api/export", query_string={"q": "交通", "format": "csv"}))
    r = c.get("/api/export", query_string={"q": "交通", "format": "xlsx"})
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(r.data), read_only=True)
    sheet = [[("" if v is None else str(v)) for v in row] for row in book["检索结果"].values]
    assert sheet[0] == csv_r[0]
    assert [row[1] for row in sheet[1:]] == [row[1] for row in csv_r[1:]]
    assert len(sheet) == len(csv_r) >= 3


def test_export_keeps_to_the_clearance_and_filters(app):
    anonymous = app.test_client()
    header, *rows = csv_rows(anonymous.get("/api/export", query_string={"q": QUERY}))
    levels = {row[header.index("密级")] for row in rows}
    assert levels == {"公开"}  # 内部 and 秘密 records are not listed for an anonymous reader
    c = admin_client(app)
    header, *rows = csv_rows(c.get("/api/export", query_string={"q": QUERY, "category": "公安"}))
    assert {row[header.index("门类")] for row in rows} == {"公安"} and len(rows) == 2


def test_an_export_beyond_the_limit_asks_to_narrow_the_search(tmp_path, built_index):
    app = app_for(tmp_path, built_index, export_max=2)
    c = admin_client(app)
    r = c.get("/api/export", query_string={"q": QUERY})
    assert r.status_code == 400
    assert "超过一次最多导出的 2 条" in r.get_json()["error"]
    assert "筛选" in r.get_json()["error"]
    assert c.get("/api/export", query_string={"q": QUERY, "format": "pdf"}).status_code == 400
    assert not app.extensions["dangan.audit"].find(action="export")


def test_zip_of_chosen_records_holds_the_originals_and_a_manifest(app, built_index):
    c = admin_client(app)
    hits = c.get("/api/search", query_string={"q": "交通"}).get_json()["hits"]
    ids = [h["id"] for h in hits]
    r = c.get("/api/download", query_string={"ids": ",".join(ids)})
    assert r.status_code == 200 and r.mimetype == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.data))
    manifest = list(csv.reader(io.StringIO(z.read("清单.csv").decode("utf-8-sig"))))
    header, rows = manifest[0], manifest[1:]
    assert len(rows) == len(ids) and header[-2:] == ["压缩包内文件", "状态"]
    for hit, row in zip(hits, rows):
        entry = row[-2]
        assert row[-1] == "已打包"
        original = RECORDS[hit["path"]]
        assert z.read(entry) == original[0].encode(original[1])  # byte for byte
    names = z.namelist()
    assert any("0123-WS·2019-Y-0002" in n for n in names)  # 档号 in the file name, in Chinese
    assert all(info.flag_bits & 0x800 for info in z.infolist() if not info.filename.isascii())
    downloads = app.extensions["dangan.audit"].find(action="download")
    assert sorted(d.record for d in downloads) == sorted(ids)


def test_zip_download_refuses_records_above_clearance_and_too_many(tmp_path, built_index):
    app = app_for(tmp_path, built_index, download_max=2)
    c = admin_client(app)
    secret = c.get("/api/search", query_string={"q": "交警"}).get_json()["hits"][0]["id"]
    r = app.test_client().get("/api/download", query_string={"ids": secret})
    assert r.status_code == 404  # anonymous: as if it never existed
    r = c.get("/api/download", query_string={"q": QUERY})
    assert r.status_code == 400 and "一次最多打包下载 2 个原件" in r.get_json()["error"]
    r = c.get("/api/download", query_string={"ids": "a,b,c"})
    assert r.status_code == 400
    assert c.get("/api/download").status_code == 400  # nothing chosen, nothing searched
    r = c.get("/api/download", query_string={"q": "交警"})
    assert r.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(r.data)).namelist()) == 2  # the file and 清单.csv


def test_results_page_offers_export_and_download_with_the_search_state(app):
    c = admin_client(app)
    page = c.get("/", query_string={"q": QUERY, "category": "公安", "sort": "date"}).get_data(
        as_text=True)
    assert "导出全部 2 条" in page
    assert 'href="/api/export?q=%E5%B7%A5%E4%BD%9C&amp;sort=date&amp;category=' in page or \
        "/api/export?" in page and "category=%E5%85%AC%E5%AE%89" in page
    assert page.count('name="ids"') == 2 and 'form="pick"' in page
    assert "format=xlsx" in page and "打包下载全部原件" in page
    assert 'name="purpose"' not in page  # [auth] download_purpose is off
    empty = c.get("/", query_string={"q": "没有这种内容的检索"}).get_data(as_text=True)
    assert "导出全部" not in empty


def test_with_download_purpose_an_original_above_public_needs_a_stated_purpose(tmp_path,
                                                                              built_index):
    app = app_over(tmp_path, built_index, auth={"download_purpose": True})
    c = admin_client(app)
    hits = {h["security"]: h for h in c.get("/api/search", query_string={"q": QUERY, "size": 50})
            .get_json()["hits"]}
    internal, public = hits["内部"], hits["公开"]
    asked = c.get(f"/records/{internal['id']}/download")
    assert asked.status_code == 200 and asked.mimetype == "text/html"
    assert "请填写用途" in asked.get_data(as_text=True) and 'name="purpose"' in asked.get_data(
        as_text=True)
    assert not app.extensions["dangan.audit"].find(action="download")  # nothing handed out
    got = c.get(f"/records/{internal['id']}/download", query_string={"purpose": "核对 通知 原文"})
    assert got.status_code == 200 and got.mimetype == "text/plain"
    (row,) = app.extensions["dangan.audit"].find(action="download")
    assert json.loads(row.detail) == {"purpose": "核对 通知 原文"}
    assert c.get(f"/records/{public['id']}/download").mimetype == "text/plain"  # 公开: no need
    r = c.get("/api/download", query_string={"ids": internal["id"]})
    assert r.status_code == 400 and "用途" in r.get_json()["error"]
    r = c.get("/api/download", query_string={"ids": internal["id"], "purpose": "编研"})
    assert r.status_code == 200
    assert json.loads(app.extensions["dangan.audit"].find(action="download")[0].detail) == {
        "bulk": True, "purpose": "编研"}
    page = c.get("/", query_string={"q": QUERY}).get_data(as_text=True)
    assert '<input id="purpose" name="purpose"' in page


def test_zip_download_refuses_originals_over_the_size_limit_before_copying_any(tmp_path):
    """A zip is made on the server's temporary disk: originals over [search] download_max_mb
    in all (their indexed sizes) are refused with a 400 that says so, before any is copied."""
    from conftest import make_settings

    from indexer.build.run import run_index
    from search_app.app import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text("关于档案库房建设的报告\n" + "档案库房建设进展顺利。" * 60_000,
                                    encoding="utf-8")  # about 1.8 MB
    (corpus / "small.txt").write_text("关于档案库房建设的通知\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus,
                             search={"download_max_mb": 1}, auth={"anonymous_clearance": "内部"})
    assert not run_index(settings).failed
    c = create_app(settings).test_client()
    r = c.get("/api/download", query_string={"q": "档案库房建设"})
    assert r.status_code == 400 and "超过一次最多打包下载的 1 MB" in r.get_json()["error"]
    small = c.get("/api/search", query_string={"q": "建设的通知"}).get_json()["hits"][0]["id"]
    r = c.get("/api/download", query_string={"ids": small})
    assert r.status_code == 200 and len(zipfile.ZipFile(io.BytesIO(r.data)).namelist()) == 2
