"""Hits on the page images: boxes kept per record by the indexer (an OCR'd scan, a born-digital
PDF's text layer) and GET /api/records/<id>/pages/<n>/hits on a real `dangan serve` over a real
index: where the query's hits are drawn, under the reader's clearance, registered."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import requests
from conftest import csrf_token, make_settings
from ocr_images import font
from pdfs import text_pdf
from PIL import Image, ImageDraw
from test_server import serving_corpus

from indexer.build.run import run_index
from indexer.ingest import pageboxes
from indexer.ingest.extracted import ExtractContext
from indexer.ingest.pageboxes import PageBoxes
from indexer.ingest.pdffile import PdfExtractor
from indexer.search.hitboxes import hit_rects
from search_app.audit import AuditLog

pytestmark = pytest.mark.ocr  # the index of the first tests OCRs a scan

NAME = "王建成"
SCAN_LINES = ["档案保密工作通知", "王建成同志负责落实", "二〇一九年五月八日"]
SCAN_SIZE, SCAN_X, SCAN_Y, SCAN_STEP = 40, 60, 60, 64
PDF_PAGES = [["关于档案查阅登记的说明", "王建成同志负责档案室", "档案员王建成整理登记表"],
             ["第二页由王建成核对"]]
CATALOG = ("文件,题名,密级\nscan.png,扫描的通知,公开\nborn.pdf,查阅登记说明,公开\n"
           "secret.pdf,秘密的说明,秘密\n")
ADMIN, PASSWORD = "位置管理员", "boxes password"


def scan_page() -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A small scan and where 王建成 is drawn on it (x0, y0, x1, y1 in pixels)."""
    f = font(SCAN_SIZE)
    image = Image.new("RGB", (760, 300), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(SCAN_LINES):
        draw.text((SCAN_X, SCAN_Y + n * SCAN_STEP), line, font=f, fill=(20, 20, 20))
    top = SCAN_Y + SCAN_STEP + f.getbbox("王")[1]
    return image, (SCAN_X, top, SCAN_X + f.getlength(NAME), top + SCAN_SIZE * 0.9)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hitboxes")
    corpus = root / "corpus"
    corpus.mkdir()
    scan_page()[0].save(corpus / "scan.png", dpi=(300, 300))
    text_pdf(PDF_PAGES, corpus / "born.pdf")
    shutil.copy(corpus / "born.pdf", corpus / "secret.pdf")
    (corpus / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    with serving_corpus(root, corpus, [(ADMIN, PASSWORD, "管理员", "绝密")]) as served:
        yield served


def record_id(base: str, title: str, session=requests) -> str:
    hits = session.get(f"{base}/api/search", params={"q": NAME}, timeout=10).json()["hits"]
    return next(h["id"] for h in hits if h["title"] == title)


def hits_of(base, rid, page, session=requests, **params):
    return session.get(f"{base}/api/records/{rid}/pages/{page}/hits",
                       params={"q": NAME, **params}, timeout=30)


@pytest.mark.server
def test_a_hit_on_an_ocr_scan_is_boxed_where_the_name_is_drawn(site):
    base, _settings = site
    image, (x0, y0, x1, y1) = scan_page()
    answer = hits_of(base, record_id(base, "扫描的通知"), 1)
    assert answer.status_code == 200
    data = answer.json()
    assert data["units"] == "fraction" and data["page_size"] == {"width": 760, "height": 300}
    (hit,) = data["hits"]
    assert hit["text"] == NAME and len(hit["boxes"]) == 1
    box = hit["boxes"][0]
    w, h = image.size
    # within about half a character of the drawing (Tesseract's placing of characters)
    slack = SCAN_SIZE * 0.6
    assert abs(box["left"] * w - x0) <= slack and abs((box["left"] + box["width"]) * w - x1) <= slack
    top, bottom = box["top"] * h, (box["top"] + box["height"]) * h
    assert abs(top - y0) <= 12 and y1 - 12 <= bottom <= y1 + 24  # its line, not the next
    wide = hits_of(base, record_id(base, "扫描的通知"), 1, width=1000).json()
    assert wide["units"] == "px" and wide["width"] == 1000 and wide["height"] == round(300 * 1000 / 760)
    assert abs(wide["hits"][0]["boxes"][0]["left"] - box["left"] * 1000) <= 0.1


@pytest.mark.server
def test_hits_in_a_born_digital_pdf_are_boxed_from_its_text_layer(site):
    """fpdf draws line n at 25 mm from the left, its baseline at 40 + 11n mm, in 15 pt
    characters (A4: 210 x 297 mm); 王建成 is three characters wide."""
    base, _settings = site
    rid = record_id(base, "查阅登记说明")
    data = hits_of(base, rid, 1).json()
    assert [h["text"] for h in data["hits"]] == [NAME, NAME] and data["page_size"]["width"] > 0
    char = 15 * 25.4 / 72  # mm
    first, second = (h["boxes"] for h in data["hits"])
    assert len(first) == 1 and len(second) == 1
    assert abs(first[0]["left"] * 210 - 25) < 1
    assert abs(first[0]["width"] * 210 - 3 * char) < 1
    assert abs((first[0]["top"] + first[0]["height"]) * 297 - 51) < 2  # around the baseline
    assert abs(second[0]["left"] * 210 - (25 + 3 * char)) < 1  # after 档案员
    assert abs(second[0]["top"] * 297 - first[0]["top"] * 297 - 11) < 0.5  # one line lower
    assert [h["index"] for h in data["hits"]] == [0, 1]
    page2 = hits_of(base, rid, 2).json()
    assert [h["index"] for h in page2["hits"]] == [2] and page2["hits"][0]["boxes"]


@pytest.mark.server
def test_above_the_readers_clearance_there_is_nothing_and_reads_are_registered(site):
    base, settings = site
    anonymous = hits_of(base, "0" * 16, 1)
    assert anonymous.status_code == 404
    admin = requests.Session()
    token = csrf_token(admin.get(f"{base}/login", timeout=10).text)
    assert admin.post(f"{base}/login", data={"name": ADMIN, "password": PASSWORD,
                                              "csrf_token": token}, timeout=10,
                      allow_redirects=False).status_code == 303
    secret = record_id(base, "秘密的说明", admin)
    assert hits_of(base, secret, 1, admin).json()["hits"][0]["boxes"]
    refused = hits_of(base, secret, 1)  # the same record, for an anonymous reader (公开)
    assert refused.status_code == 404 and refused.json()["ok"] is False
    assert hits_of(base, secret, 3, admin).status_code == 404  # no third page
    assert hits_of(base, secret, 1, admin, width="x").status_code == 400
    rows = AuditLog(settings.data_dir).find(user=ADMIN, action="hits", limit=10)
    assert rows and rows[0].record == secret and rows[0].query == NAME


@pytest.mark.server
def test_a_query_without_hits_on_the_page_gives_none(site):
    base, _settings = site
    rid = record_id(base, "查阅登记说明")
    data = requests.get(f"{base}/api/records/{rid}/pages/2/hits", params={"q": "档案室"},
                        timeout=10).json()
    assert data["ok"] and data["hits"] == []


def test_pdf_character_boxes_are_offsets_of_the_page_text_as_indexed(tmp_path):
    text_pdf([["  ", "关于档案查阅登记的说明", "王建成同志负责档案室"]], tmp_path / "a.pdf")
    extracted = PdfExtractor().extract(tmp_path / "a.pdf", ExtractContext())
    (boxes,) = extracted.boxes
    assert len(boxes) == len(extracted.text.replace("\n", "").replace(" ", ""))
    for start, end, *_ in boxes.rows:
        assert extracted.text[start:end].strip()
    at = extracted.text.index(NAME)
    row = boxes.rows[boxes.rows[:, 0] == at][0]
    assert abs(row[2] / boxes.width * 210 - 25) < 1  # 王 starts 25 mm from the left


def test_boxes_survive_the_blob_and_a_text_cut_short():
    page = PageBoxes.of(1000, 500, [(0, 2, 10, 10, 80, 40), (2, 3, 95, 10, 40, 40),
                                    (4, 6, 10, 60, 80, 40)])
    back = pageboxes.decode(pageboxes.encode([None, page]))
    assert back[0] is None and (back[1].width, back[1].height) == (1000, 500)
    assert np.array_equal(back[1].rows, page.rows)
    assert pageboxes.encode([None, None]) == b"" and pageboxes.decode(b"junk") == []
    assert len(page.cut(3)) == 2


def test_a_hit_inside_a_word_box_gets_its_share_and_lines_are_merged():
    """A word box of four characters: a hit on the last two gets the right half; a hit over
    a line break gets one rectangle per line."""
    page = PageBoxes.of(1000, 500, [(0, 4, 100, 10, 200, 50), (4, 6, 300, 12, 100, 48),
                                    (7, 9, 100, 80, 100, 50)])
    assert hit_rects(page, 2, 4) == [(200.0, 10, 300.0, 60)]
    assert hit_rects(page, 2, 6) == [(200.0, 10, 400.0, 60)]  # two boxes of one line
    assert hit_rects(page, 5, 8) == [(350.0, 12, 400.0, 60), (100, 80, 150.0, 130)]


def _boxes_of(settings):
    from conftest import top_request

    from indexer.search.archive import Archive

    archive = Archive(settings.index.dir, settings.search)
    try:
        (hit,) = archive.search(top_request(q=NAME)).hits
        record = archive.record(hit.fields["id"], "绝密", boxes=True)
        return hit.fields["id"], pageboxes.decode(record["boxes"])
    finally:
        archive.close()


def test_a_moved_file_keeps_its_boxes_and_an_index_made_before_boxes_gets_them(tmp_path):
    """A move is not read again (its record is rebuilt from the index): the boxes go with it.
    An index made before boxes were kept opens, and records read from then on have them."""
    from whoosh import index as whoosh_index

    from indexer.store.schema import build_schema, write_stamp

    corpus = tmp_path / "corpus"
    (corpus / "a").mkdir(parents=True)
    text_pdf(PDF_PAGES, corpus / "a" / "born.pdf")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    old = build_schema()
    old.remove("boxes")
    settings.index.dir.mkdir(parents=True)
    write_stamp(settings.index.dir)
    whoosh_index.create_in(settings.index.dir, old)
    assert not run_index(settings).failed
    first_id, pages = _boxes_of(settings)
    assert len(pages) == 2 and len(pages[0]) > 20
    (corpus / "b").mkdir()
    (corpus / "a" / "born.pdf").rename(corpus / "b" / "born.pdf")
    summary = run_index(settings)
    assert summary.moved == 1 and not summary.failed
    moved_id, moved = _boxes_of(settings)
    assert moved_id != first_id and np.array_equal(moved[0].rows, pages[0].rows)


def test_an_ocr_cache_made_before_boxes_is_upgraded_and_its_pages_read_again(tmp_path):
    import sqlite3

    from indexer.ingest.ocrcache import CACHE_FILE, OcrRunner
    from ocr.settings import OcrSettings

    db = sqlite3.connect(tmp_path / CACHE_FILE)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE pages (key TEXT PRIMARY KEY, text TEXT, confidence REAL, "
               "warnings TEXT, rotation INTEGER)")
    from ocr.engine import engine_version

    old_key = f"digest:0:{engine_version()}:{OcrSettings().key()}"  # the key before boxes
    db.execute("INSERT INTO pages VALUES (?, '旧的文字', 90, '[]', 0)", (old_key,))
    db.commit()
    db.close()
    runner = OcrRunner(OcrSettings(), tmp_path)
    image = scan_page()[0]
    page, boxes = runner.read("digest", 0, lambda: image)
    assert "王建成" in page.text and runner.misses == 1  # read again: the old row had no boxes
    again, cached = OcrRunner(OcrSettings(), tmp_path).read("digest", 0, lambda: 1 / 0)
    assert again.text == page.text and (cached.width, cached.height) == (760, 300)
    assert np.array_equal(cached.rows, boxes.rows) and len(cached) > 3
    runner.close()


@pytest.mark.parametrize("rotation", [0, 90, 180])
def test_pdf_character_boxes_lie_on_the_rendered_characters(tmp_path, rotation):
    """Each character box of a page (also one with /Rotate) holds ink of the page as rendered
    for OCR and for the browser."""
    import pypdfium2

    from indexer.ingest.pdffile import render_page

    text_pdf([["关于档案查阅登记的说明", "王建成同志负责档案室"]], tmp_path / "a.pdf")
    pdf = pypdfium2.PdfDocument(str(tmp_path / "a.pdf"))
    pdf[0].set_rotation(rotation)
    pdf.save(str(tmp_path / "b.pdf"))
    pdf.close()
    (boxes,) = PdfExtractor().extract(tmp_path / "b.pdf", ExtractContext()).boxes
    page = np.asarray(render_page(tmp_path / "b.pdf", 0).convert("L"))
    assert abs(page.shape[1] - boxes.width) <= 1 and abs(page.shape[0] - boxes.height) <= 1
    assert len(boxes) == 21
    for _start, _end, left, top, width, height in boxes.rows:
        inside = page[top:top + height, left:left + width] < 128
        assert inside.mean() > 0.05  # a character's strokes, not blank paper


def test_boxes_survive_the_merging_of_segments(tmp_path):
    """One commit per record: ten segments of one size are merged into one, boxes and all."""
    from whoosh import index as whoosh_index

    from conftest import top_request

    from indexer.config import settings_from_dict
    from indexer.search.archive import Archive

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text_pdf([["第一号说明", "王建成同志负责档案室"]], corpus / "0.pdf")
    for n in range(1, 12):  # copies in other places are records of their own
        shutil.copy(corpus / "0.pdf", corpus / f"{n}.pdf")
    settings = settings_from_dict({"index": {"dir": str(tmp_path / "index"), "commit_every": 1},
                                   "corpus": {"paths": [str(corpus)]}}, base=tmp_path)
    assert not run_index(settings).failed
    assert len(whoosh_index.open_dir(settings.index.dir)._segments()) < 12  # some merged
    archive = Archive(settings.index.dir, settings.search)
    try:
        hits = archive.search(top_request(q=NAME, size=20)).hits
        assert len(hits) == 12
        for hit in hits:
            (page,) = pageboxes.decode(archive.record(hit.fields["id"], "绝密", boxes=True)["boxes"])
            text = archive.record(hit.fields["id"], "绝密")["text"]
            at = text.index(NAME)
            assert len(page) == len(text.replace("\n", "")) and at in page.rows[:, 0]
    finally:
        archive.close()
