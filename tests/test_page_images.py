"""Page images of the original: a scan page and a rendered PDF page, served by record id only,
from a thumbnail cache."""
import shutil
from pathlib import Path

import pytest
from conftest import admin_client, make_settings

from indexer.build.run import run_index
from search_app.app import create_app

SCANS = Path(__file__).parent.parent / "corpus" / "扫描件"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    for name in ("07-当阳市档案局乡镇档案机构报告-电子版.pdf", "10-半月鎮檔案工作報告-繁體.docx"):
        shutil.copy(SCANS / name, corpus / name)
    (corpus / "note.txt").write_text("王建成负责档案室", encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("data") / "index", corpus)
    assert not run_index(settings).failed
    app = create_app(settings)
    return admin_client(app), settings


def record_of(client, q):
    (hit,) = client.get("/api/search", query_string={"q": q}).get_json()["hits"]
    return client.get(f"/api/records/{hit['id']}").get_json()["record"]


def test_pdf_pages_are_listed_with_images_and_served_from_the_cache(client):
    c, settings = client
    record = record_of(c, "乡镇档案机构")
    assert [p["page"] for p in record["page_list"]] == [1, 2]
    url = record["page_list"][1]["image"]
    first = c.get(url, query_string={"width": 400})
    assert first.status_code == 200 and first.mimetype == "image/png"
    assert first.data.startswith(b"\x89PNG")
    cached = list((settings.data_dir / "thumbs").glob("*-2-400.png"))
    assert len(cached) == 1
    again = c.get(url, query_string={"width": 400})
    assert again.data == first.data


def test_record_page_shows_the_original_next_to_the_text(client):
    c, _settings = client
    record = record_of(c, "乡镇档案机构")
    html = c.get(f"/records/{record['id']}", query_string={"q": "乡镇档案机构"}).get_data(
        as_text=True)
    assert 'alt="第1页原件图像"' in html and 'alt="第2页原件图像"' in html


def test_no_image_for_text_records_or_missing_pages(client):
    c, _settings = client
    text = record_of(c, "王建成")
    assert "image" not in text["page_list"][0]
    assert c.get(f"/api/records/{text['id']}/pages/1.png").status_code == 404
    pdf = record_of(c, "乡镇档案机构")
    assert c.get(f"/api/records/{pdf['id']}/pages/3.png").status_code == 404
    assert c.get("/api/records/nope/pages/1.png").status_code == 404
    assert c.get(f"/api/records/{pdf['id']}/pages/1.png?width=x").status_code == 400


@pytest.mark.parametrize("path", ["/api/records/..%2F..%2Fetc%2Fpasswd/pages/1.png",
                                  "/api/records/../../etc/passwd/pages/1.png",
                                  "/records/..%2Fconfig.toml"])
def test_paths_from_clients_are_never_files(client, path):
    c, _settings = client
    assert c.get(path).status_code == 404
