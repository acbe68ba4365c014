"""Page images of the original: a scan page and a rendered PDF page, served by record id only,
from a thumbnail cache."""
import io
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from conftest import admin_client, make_settings
from pdfs import REPO

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
    url = record["page_list"][1]["image"].replace(".jpg", ".png")
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


def test_the_record_shows_jpeg_and_png_stays_served(client):
    c, settings = client
    record = record_of(c, "乡镇档案机构")
    url = record["page_list"][0]["image"]
    assert url.endswith("/pages/1.jpg")
    html = c.get(f"/records/{record['id']}").get_data(as_text=True)
    assert f'src="{url}?width=1000"' in html
    for ext, mimetype, magic in (("jpg", "image/jpeg", b"\xff\xd8"), ("png", "image/png", b"\x89PNG")):
        r = c.get(f"/api/records/{record['id']}/pages/1.{ext}", query_string={"width": 400})
        assert r.status_code == 200 and r.mimetype == mimetype and r.data.startswith(magic)
        assert Image.open(io.BytesIO(r.data)).width == 400
    assert c.get(f"/api/records/{record['id']}/pages/3.jpg").status_code == 404
    assert c.get(f"/api/records/{record['id']}/pages/1.gif").status_code == 404
    assert len(list((settings.data_dir / "thumbs").glob("*-1-400.*"))) == 2


def photo_scan(target: Path) -> None:
    """A phone-photo-like page (grey paper, noise, uneven light) with a few lines of text:
    a JPEG, as scans come, that PNG stores badly."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tools.scanlib import find_font

    rng = np.random.default_rng(7)
    light = np.linspace(150, 235, 1100)[:, None] * np.ones((1, 800))
    page = Image.fromarray(np.clip(light + rng.normal(0, 12, light.shape), 0, 255).astype("uint8"))
    file, index = find_font("Noto Serif CJK SC:style=Regular")
    font = ImageFont.truetype(file, 34, index=index)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(["青山镇人民政府文件", "关于做好防汛工作的通知", "各村委会：请做好准备。"]):
        draw.text((80, 120 + n * 70), line, fill=20, font=font)
    page.convert("RGB").save(target, "JPEG", quality=90, dpi=(150, 150))


@pytest.fixture(scope="module")
def prerendered(tmp_path_factory):
    """An index made with [index] page_images = true: a born-digital PDF (2 pages) and a
    photographed scan."""
    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copy(SCANS / "07-当阳市档案局乡镇档案机构报告-电子版.pdf", corpus / "report.pdf")
    photo_scan(corpus / "photo.jpg")
    (corpus / "catalog.csv").write_text("文件,密级\nreport.pdf,公开\nphoto.jpg,内部\n",
                                        encoding="utf-8")
    before = fingerprints(corpus)
    settings = make_settings(tmp_path_factory.mktemp("data") / "index", corpus,
                             index={"page_images": True})
    summary = run_index(settings)
    assert not summary.failed and summary.page_images == 3
    return admin_client(create_app(settings)), settings, corpus, before


def fingerprints(folder: Path) -> dict[str, tuple]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def thumbs(settings) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (settings.data_dir / "thumbs").iterdir()}


@pytest.mark.ocr
def test_pages_made_while_indexing_are_served_without_rendering(prerendered):
    c, settings, _corpus, _before = prerendered
    made = thumbs(settings)
    assert len([n for n in made if n.endswith("-1000.jpg")]) == 3 and len(made) == 3
    record = record_of(c, "乡镇档案机构")  # 公开: the cached image as it is
    for page in record["page_list"]:
        r = c.get(page["image"], query_string={"width": 1000})
        assert r.status_code == 200 and r.mimetype == "image/jpeg"
        cached = [n for n in made if n.endswith(f"-{page['page']}-1000.jpg")
                  and (settings.data_dir / "thumbs" / n).read_bytes() == r.data]
        assert len(cached) == 1
    assert thumbs(settings) == made  # nothing rendered, nothing rewritten


@pytest.mark.ocr
def test_a_page_above_public_is_served_with_the_readers_name_over_the_cached_image(prerendered):
    c, settings, _corpus, _before = prerendered
    made = thumbs(settings)
    record = record_of(c, "青山镇")  # 内部
    r = c.get(record["page_list"][0]["image"], query_string={"width": 1000})
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    served = np.asarray(Image.open(io.BytesIO(r.data)).convert("RGB")).astype(int)
    (cached,) = [settings.data_dir / "thumbs" / n for n in made  # the photo's: 800 px wide
                 if Image.open(settings.data_dir / "thumbs" / n).size == (800, 1100)]
    assert cached.read_bytes() != r.data
    plain = np.asarray(Image.open(cached).convert("RGB")).astype(int)
    assert served.shape == plain.shape
    changed = np.abs(served - plain).sum(axis=2) > 40
    assert 0.01 < changed.mean() < 0.2  # a watermark across the page, the page still there
    redder = (served[..., 0] - served[..., 2]) - (plain[..., 0] - plain[..., 2])
    assert redder[changed].mean() > 4  # the watermark ink is a dark red
    assert thumbs(settings) == made  # drawn when serving: the cache holds the plain image


@pytest.mark.ocr
def test_a_scan_is_served_as_a_jpeg_smaller_than_its_png(prerendered):
    c, _settings, corpus, _before = prerendered
    record = record_of(c, "青山镇")
    jpg = c.get(f"/api/records/{record['id']}/pages/1.jpg?width=1000").data
    png = c.get(f"/api/records/{record['id']}/pages/1.png?width=1000").data
    assert len(jpg) < (corpus / "photo.jpg").stat().st_size and len(jpg) * 3 < len(png)
    assert Image.open(io.BytesIO(jpg)).size == Image.open(io.BytesIO(png)).size == (800, 1100)


@pytest.mark.ocr
def test_making_page_images_leaves_the_corpus_unchanged(prerendered):
    _c, _settings, corpus, before = prerendered
    assert fingerprints(corpus) == before


def test_without_page_images_nothing_is_made_while_indexing(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SCANS / "07-当阳市档案局乡镇档案机构报告-电子版.pdf", corpus / "report.pdf")
    settings = make_settings(tmp_path / "data" / "index", corpus,
                             index={"page_images": False})
    summary = run_index(settings)
    assert summary.added == 1
    assert summary.page_images == 0 and not (settings.data_dir / "thumbs").exists()


def test_a_page_that_cannot_be_made_while_indexing_fails_alone(tmp_path, monkeypatch):
    from indexer.ingest import pageimages
    from indexer.ingest.pagerender import PageImageFailed

    real = pageimages.render_image

    def first_page_fails(file, kind, index, *args):  # an injected fault: page 1 is unreadable
        if index == 0:
            raise PageImageFailed("第1页的图像无法读取：测试")
        return real(file, kind, index, *args)

    monkeypatch.setattr(pageimages, "render_image", first_page_fails)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SCANS / "07-当阳市档案局乡镇档案机构报告-电子版.pdf", corpus / "report.pdf")
    settings = make_settings(tmp_path / "data" / "index", corpus, index={"page_images": True})
    summary = run_index(settings)
    assert not summary.failed and summary.added == 1 and summary.page_images == 1
    made = sorted(p.name.split("-", 1)[1] for p in (settings.data_dir / "thumbs").iterdir())
    assert made == ["1.failed", "2-1000.jpg"]  # no half-written file, page 2 made
    c = admin_client(create_app(settings))
    record = record_of(c, "乡镇档案机构")
    assert c.get(record["page_list"][0]["image"]).status_code == 404
    assert c.get(record["page_list"][1]["image"]).status_code == 200
