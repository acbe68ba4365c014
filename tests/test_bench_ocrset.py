"""The neutral OCR evaluation set (bench/ocrset) and the OCR bench's arithmetic."""
import io
import json
import math
import random

import numpy as np
import pytest
from PIL import Image

from bench.ocr import with_engine
from bench.ocr_recall import phrases
from bench.ocr_report import group_summary, targets
from bench.ocrset import pages
from bench.ocrset.build import GROUPS, encode, generate, make_item, plan
from bench.ocrset.gongwen import date_text
from indexer.ingest.pdffile import text_layers
from ocr.settings import OcrSettings


def item(name_start):
    return next(i for i in plan() if i.name.startswith(name_start))


def test_same_seed_same_files_other_seed_other_text():
    crop = item("c02")
    first, again = make_item(crop, 7), make_item(crop, 7)
    assert first == again  # image bytes, ground truth and expected metadata
    other = make_item(crop, 8)
    assert other[crop.name + ".gt.txt"] != first[crop.name + ".gt.txt"]


def test_every_group_has_several_files_with_unique_names():
    items = plan()
    assert len({i.name for i in items}) == len(items)
    for group in GROUPS:
        assert sum(i.group == group for i in items) >= 3, group
    kinds = {i.name.rsplit(".", 1)[1] for i in items}
    assert {"png", "jpg", "tif", "pdf"} <= kinds


def test_generated_files_have_ground_truth_and_expected_metadata(tmp_path):
    written = generate(tmp_path, seed=3, groups=["crop"], limit=2)
    assert [p.parent.name for p in written] == ["小图", "小图"]
    for path in written:
        truth = path.with_name(path.name + ".gt.txt").read_text(encoding="utf-8")
        expected = json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))
        assert truth.strip() and expected == {}
        image = Image.open(path)
        assert image.height < 80  # a small crop: one line at low resolution
    assert (tmp_path / "SEED").read_text().strip() == "3"


def test_table_ground_truth_reads_row_by_row():
    rows = [["村别", "水稻（亩）", "合计"], ["东坪村", "120", "150"], ["枣林村", "80", "95"]]
    im, gt, expected = pages.table_page("某表", rows, 40, "ming", "zenhei", random.Random(1))
    lines = gt.splitlines()
    assert lines[:4] == ["某表", "村别 水稻（亩） 合计", "东坪村 120 150", "枣林村 80 95"]
    assert lines[4].startswith("填表人：") and expected["title"] == "某表"
    assert lines[4].endswith("填报日期：" + date_text(expected["date"], chinese=False))


def test_vertical_ground_truth_is_columns_right_to_left():
    im, gt = pages.vertical_page(["一一一國國國"], 50, "ming", chars=3)
    assert gt.splitlines() == ["一一一", "國國國"]
    ink = 255 - np.asarray(im.convert("L"), np.int64)
    half = im.width // 2
    right, left = ink[:, half:].sum(), ink[:, :half].sum()
    assert right < left / 2  # the first column, 一一一 (little ink), is drawn on the right


def test_image_only_pdf_and_two_page_tiff():
    pages_ = [Image.new("RGB", (120, 160), "white"), Image.new("RGB", (120, 160), "gray")]
    pdf = encode("x.pdf", pages_, 100, 80)
    tif = encode("x.tif", pages_, 100, 80)
    assert Image.open(io.BytesIO(tif)).n_frames == 2
    assert pdf.startswith(b"%PDF") and b"/Font" not in pdf  # pages as images, no text


def test_image_only_pdf_has_no_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(encode("scan.pdf", [Image.new("RGB", (200, 280), "white")] * 2, 100, 80))
    layers = text_layers(path, 10)
    assert len(layers) == 2 and not any(str(x).strip() for x in layers)


def test_phrases_are_four_chinese_characters_within_one_line():
    truth = "青山镇人民政府\n序号 姓名 村别\n1 王小明 东坪村\n"
    got = phrases(truth, 50, random.Random(0))
    assert set(got) == {"青山镇人", "山镇人民", "镇人民政", "人民政府"}


ROWS = [
    {"group": "gongwen", "file": "a", "pages": 1, "cer": 0.02, "plain_cer": 0.10,
     "doc_number": True, "author": True, "date": False, "title": None, "found": 7, "tried": 8},
    {"group": "gongwen", "file": "b", "pages": 2, "cer": 0.06, "plain_cer": 0.20,
     "doc_number": False, "author": True, "date": True, "title": True, "found": 8, "tried": 8},
    {"group": "table", "file": "c", "pages": 1, "cer": 0.30, "plain_cer": float("nan"),
     "doc_number": None, "author": None, "date": True, "title": False, "found": 2, "tried": 4},
    {"group": "samples", "file": "d", "pages": 1, "cer": 0.50, "plain_cer": 0.50,
     "doc_number": False, "author": False, "date": False, "title": False, "found": 0,
     "tried": 4},
]


def test_group_summary_arithmetic():
    s = group_summary(ROWS)
    assert list(s) == ["gongwen", "table", "samples"]
    g = s["gongwen"]
    assert (g["files"], g["pages"]) == (2, 3)
    assert g["cer"] == pytest.approx(0.04) and g["plain_cer"] == pytest.approx(0.15)
    assert g["doc_number"] == [1, 2] and g["author"] == [2, 2] and g["title"] == [1, 1]
    assert g["recall"] == pytest.approx(15 / 16)
    t = s["table"]
    assert math.isnan(t["plain_cer"]) and t["doc_number"] == [0, 0] and t["recall"] == 0.5


def test_targets_leave_the_samples_out():
    got = {what: (measured, met) for what, measured, _t, met in
           targets(ROWS, {"ours": 0.9, "plain": 1.0})}
    assert got["mean CER, 公文 groups"] == ("4.00% (plain 15.00%)", False)
    assert got["mean CER, photos + tables"][1] is False  # the table's 30%
    assert got["文号 exact"] == ("1/2 (50%)", False)
    assert got["日期 exact"][0] == "2/3 (67%)"
    assert got["4-character phrase recall"] == ("17/20 (0.85)", False)
    assert got["throughput, pages/s (2 workers)"][1] is True
    assert "throughput by CPU s/page" not in got  # no CPU figures given
    by_cpu = {what: (measured, met) for what, measured, _t, met in
              targets(ROWS, {"ours": 0.9, "plain": 1.0, "ours_cpu": 4.0, "plain_cpu": 3.0})}
    assert by_cpu["throughput by CPU s/page"] == ("4.00 vs plain 3.00 (0.75×)", False)


def test_engine_option_is_passed_or_refused_clearly():
    assert with_engine(OcrSettings(), "ppocr").engine == "ppocr"
    with pytest.raises(SystemExit, match="--engine kraken"):
        with_engine(OcrSettings(), "kraken")
    assert with_engine(OcrSettings(), None) == OcrSettings()
