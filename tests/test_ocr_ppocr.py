"""Tests for the PP-OCR engine (ocr.ppocr, real models from the rapidocr-onnxruntime wheel),
the engine factory and [ocr] engine, plausibility, and auto's choice between engines."""
from __future__ import annotations

import sys

import pytest
from PIL import Image, ImageDraw

import ocr_images
from indexer.build.run import worker_setup
from indexer.config import load_settings
from indexer.errors import ConfigError, DependencyError, ExtractionError
from indexer.ingest.ocrcache import OcrRunner
from ocr import OcrEngine, OcrSettings, TesseractEngine, engine_for, ocr_page, ppocr
from ocr.auto import AutoEngine
from ocr.engine import check_available, engine_version
from ocr.errors import OcrError, OcrUnavailable
from ocr.plausible import plausibility
from ocr.ppocr import PpocrEngine
from ocr.result import PageText

needs_font = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)
LINE = "档案馆开放时间调整的通知"


def _line_image() -> Image.Image:
    return ocr_images.text_image(LINE, size=32, pad=20)


def _ruled_table() -> tuple[Image.Image, list[list[str]]]:
    """A ruled 3x4 table (Tesseract reads next to nothing of it)."""
    rows = [["姓名", "单位", "电话"], ["张三", "县档案局", "12345"], ["李四", "县财政局", "67890"],
            ["王五", "县教育局", "24680"]]
    page = Image.new("RGB", (900, 80 * len(rows) + 40), "white")
    draw = ImageDraw.Draw(page)
    xs = [20, 300, 600, 880]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            draw.text((xs[c] + 20, 40 + 80 * r), cell, font=ocr_images.font(32), fill="black")
    for r in range(len(rows) + 1):
        draw.line([(20, 20 + 80 * r), (880, 20 + 80 * r)], fill="black", width=2)
    for x in xs:
        draw.line([(x, 20), (x, 20 + 80 * len(rows))], fill="black", width=2)
    return page, rows


@needs_font
@pytest.mark.ocr
def test_ppocr_reads_a_rendered_line_with_boxes_over_it():
    image = _line_image()
    page = PpocrEngine().recognize(image, OcrSettings(engine="ppocr"))
    assert page.text == LINE
    assert page.confidence > 90
    assert page.boxes, "no boxes"
    for box in page.boxes:
        assert page.text[box.start:box.end]
        assert 0 <= box.left and box.left + box.width <= image.width
        assert 0 <= box.top and box.top + box.height <= image.height
    covered = {i for box in page.boxes for i in range(box.start, box.end)}
    assert covered == set(range(len(page.text)))
    # the box holds the ink: every dark pixel of the line lies inside a box
    ink = [(x, y) for x in range(image.width) for y in range(image.height)
           if image.getpixel((x, y))[0] < 100]
    inside = [p for p in ink if any(b.left - 2 <= p[0] <= b.left + b.width + 2
                                    and b.top - 2 <= p[1] <= b.top + b.height + 2
                                    for b in page.boxes)]
    assert len(inside) >= 0.98 * len(ink)


@needs_font
@pytest.mark.ocr
def test_ppocr_pipeline_keeps_the_red_header_first_and_the_doc_number():
    page = ocr_page(ocr_images.clean_page(), OcrSettings(engine="ppocr"))
    assert page.text.startswith(ocr_images.HEADER)
    assert ocr_images.DOC_NUMBER in page.text
    assert ocr_images.TITLE in page.text


def test_detection_runs_on_the_page_scaled_to_det_side_at_most():
    """rapidocr 1.4.4 replaces its own side limit by 2000 for an A4 scan: ours must hold."""
    import numpy as np

    detector = ppocr.load().text_det
    for longest, size in ((3508, (3508, 2480)), (1754, (1754, 1240))):
        batch = detector.get_preprocess(longest)(np.full((*size, 3), 255, np.uint8))
        assert max(batch.shape[2:]) <= ppocr.DET_SIDE + 16  # rounded to a multiple of 32


def test_engine_follows_the_protocol_and_names_itself_in_versions_and_keys():
    assert isinstance(PpocrEngine(), OcrEngine) and isinstance(engine_for(
        OcrSettings(engine="auto")), OcrEngine)
    assert type(engine_for(OcrSettings())) is TesseractEngine
    assert type(engine_for(OcrSettings(engine="ppocr"))) is PpocrEngine
    assert engine_version(OcrSettings(engine="ppocr")).startswith("ppocr rapidocr-onnxruntime 1.4.4")
    auto = engine_version(OcrSettings(engine="auto"))
    assert "ppocr" in auto and "tesseract" in auto
    keys = {OcrSettings(engine=e).key() for e in ("tesseract", "ppocr", "auto")}
    assert len(keys) == 3


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown OCR engine 'paddle'.*tesseract, ppocr, auto"):
        OcrSettings(engine="paddle")


def test_config_chooses_the_engine_for_the_indexer(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ocr]\nengine = "ppocr"\n', encoding="utf-8")
    setup = worker_setup(load_settings(cfg), [])
    assert setup.ocr.engine == "ppocr"
    assert isinstance(OcrRunner(setup.ocr, None).engine, PpocrEngine)
    cfg.write_text('[ocr]\nengine = "tesseract"\n', encoding="utf-8")
    assert isinstance(OcrRunner(worker_setup(load_settings(cfg), []).ocr, None).engine,
                      TesseractEngine)


def test_bad_engine_in_config_is_a_clear_error(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ocr]\nengine = "paddleocr"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[ocr\] engine must be one of tesseract, ppocr, "
                                          r"auto, got 'paddleocr'"):
        load_settings(cfg)


def test_missing_ppocr_package_is_reported_with_the_install_command(monkeypatch):
    monkeypatch.setattr(ppocr, "_model", None)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    for engine in ("ppocr", "auto"):
        with pytest.raises(OcrUnavailable, match="pip install rapidocr-onnxruntime==1.4.4.*libgl1"):
            check_available(OcrSettings(engine=engine))
    runner = OcrRunner(OcrSettings(engine="ppocr"), None)
    with pytest.raises(DependencyError, match="PP-OCR engine unavailable"):
        runner.check()


class _CrashingModel:
    def __call__(self, *args, **kwargs):
        raise RuntimeError("onnxruntime: bad allocation")


def test_a_crashing_model_fails_that_page_as_ocr_error(monkeypatch):
    monkeypatch.setattr(ppocr, "_model", _CrashingModel())
    image = Image.new("RGB", (200, 80), "white")
    with pytest.raises(OcrError, match="'ppocr' failed.*bad allocation"):
        ocr_page(image, OcrSettings(engine="ppocr"))
    runner = OcrRunner(OcrSettings(engine="ppocr"), None)
    runner._checked = True
    with pytest.raises(ExtractionError, match="OCR failed on page 1"):
        runner.page("d" * 64, 0, lambda: image)


def test_plausibility_prefers_text_to_junk_and_more_text_to_less():
    real = "关于做好档案保密工作的通知"
    assert plausibility(real) == len(real)
    assert plausibility("╬▓|~¥ ≈ §") < 0 < plausibility("FT")
    assert plausibility(real) > plausibility(real[:5]) > plausibility("")
    assert plausibility("半月鎮檔案工作報告") == 9  # traditional characters count as well
    assert plausibility("新政发〔2019〕3号") > plausibility("新政发【2019j 3号") - 1
    # a character repeated on and on (read from a patterned background) is junk
    assert plausibility("圖圖圖圖圖圖圖圖圖圖") < 0 < plausibility("谢谢") == 2
    assert plausibility("10000") == 5


class _Fixed:
    """A fake engine giving one fixed reading (or failing), to steer auto's choice."""

    def __init__(self, name, page=None, error=None):
        self.name, self.page, self.error, self.calls = name, page, error, 0

    def version(self):
        return f"{self.name} 0"

    def recognize(self, image, settings):
        self.calls += 1
        if self.error:
            raise self.error
        return self.page

    def orientation(self, image, settings):
        return 0


@needs_font
@pytest.mark.ocr
def test_auto_reads_a_ruled_table_with_ppocr_first_and_says_so():
    """A ruled table (Tesseract reads next to nothing of it) goes to PP-OCR first; its sure
    reading is kept without a Tesseract pass, with a warning saying why."""
    image, rows = _ruled_table()
    page = ocr_page(image, OcrSettings(engine="auto"))
    # one line per table row (text repair drops the spaces between Chinese cells)
    assert page.text.split("\n") == ["".join(row) for row in rows]
    assert "auto: read by PP-OCR first (the page looks like a ruled table)" in page.warnings
    hybrid = _Fixed("hybrid", PageText(text="姓名", confidence=99.0))
    whole = _Fixed("ppocr", PageText(text="姓名单位电话", confidence=99.0))
    auto = AutoEngine(engines={"hybrid": hybrid, "ppocr": whole, "tesseract": hybrid})
    assert ocr_page(image, OcrSettings(engine="auto"), auto).text == "姓名单位电话"
    assert (whole.calls, hybrid.calls) == (1, 0)


@needs_font
@pytest.mark.ocr
def test_auto_reads_two_columns_with_ppocr_when_tesseract_reads_across_them():
    left = ["我镇辖区内机动车保有量大道路", "环境复杂存在很大的安全隐患为", "了认真落实安全第一预防为主的",
            "方针结合我镇实际采取一系列措"]
    right = ["严格执行道路交通安全法律法规", "和各项制度把各项措施落实到单", "位落实到个人对辖区内的机动车",
             "明确了责任人进行规范化管理"]
    page = Image.new("RGB", (1060, 340), "white")
    draw = ImageDraw.Draw(page)
    for k in range(4):
        draw.text((30, 100 + 50 * k), left[k], font=ocr_images.font(30), fill="black")
        draw.text((560, 100 + 50 * k), right[k], font=ocr_images.font(30), fill="black")
    found = ocr_page(page, OcrSettings(engine="auto"))
    assert found.text.replace("\n", "") == "".join(left + right)
    assert any("kept the ppocr reading (hybrid (Tesseract + PP-OCR lines) saw columns" in w
               for w in found.warnings), found.warnings


@needs_font
@pytest.mark.ocr
def test_auto_tries_tesseract_with_and_without_preprocessing_when_the_first_is_unsure():
    junk = PageText(text="╬▓|~ 口 ≈", confidence=41.0)
    unsure = _Fixed("ppocr", junk)
    auto = AutoEngine(engines={"ppocr": unsure, "tesseract": TesseractEngine()},
                      order=("ppocr", "tesseract"))
    page = ocr_page(_line_image(), OcrSettings(engine="auto"), auto)
    assert page.text == LINE
    assert any("auto: kept the tesseract" in w and "confidence 41" in w for w in page.warnings)


def test_auto_keeps_a_sure_first_reading_without_running_the_other():
    sure = _Fixed("ppocr", PageText(text=LINE, confidence=99.0))
    other = _Fixed("tesseract", PageText(text="档案", confidence=99.0))
    auto = AutoEngine(engines={"ppocr": sure, "tesseract": other}, order=("ppocr", "tesseract"))
    page = ocr_page(Image.new("RGB", (300, 60), "white"), OcrSettings(engine="auto"), auto)
    assert page.text == LINE and page.warnings == ()
    assert (sure.calls, other.calls) == (1, 0)


def test_auto_survives_one_crashing_engine_and_fails_when_all_do():
    good = _Fixed("tesseract", PageText(text=LINE, confidence=90.0))
    crashing = _Fixed("ppocr", error=OcrError("PP-OCR failed"))
    auto = AutoEngine(engines={"ppocr": crashing, "tesseract": good}, order=("ppocr", "tesseract"))
    image = Image.new("RGB", (300, 60), "white")
    page = ocr_page(image, OcrSettings(engine="auto", preprocess=False), auto)
    assert page.text == LINE
    assert any("ppocr failed" in w for w in page.warnings)
    both = AutoEngine(engines={"ppocr": crashing,
                               "tesseract": _Fixed("tesseract", error=RuntimeError("boom"))},
                      order=("tesseract", "ppocr"))
    with pytest.raises(OcrError, match="'tesseract' failed: RuntimeError"):  # the first's error
        ocr_page(image, OcrSettings(engine="auto", preprocess=False), both)


def test_auto_keeps_a_sure_hybrid_reading_and_asks_ppocr_when_lines_were_lost():
    from dataclasses import replace

    from ocr.hybrid import LOST_LINES

    hybrid = _Fixed("hybrid", PageText(text=LINE, confidence=96.0))
    whole = _Fixed("ppocr", PageText(text="档案馆开放时间调整的通知。请各单位报送", confidence=99.0))
    last = _Fixed("tesseract", PageText(text="档案", confidence=90.0))
    auto = AutoEngine(engines={"hybrid": hybrid, "ppocr": whole, "tesseract": last})
    image = Image.new("RGB", (300, 60), "white")
    page = ocr_page(image, OcrSettings(engine="auto"), auto)
    assert page.text == LINE and (hybrid.calls, whole.calls, last.calls) == (1, 0, 0)
    # Tesseract could not read some lines at all: PP-OCR reads the whole page, and is kept
    hybrid.page = replace(hybrid.page, warnings=(LOST_LINES,))
    page = ocr_page(image, OcrSettings(engine="auto"), auto)
    assert page.text.startswith("档案馆开放时间调整的通知。请各单位") and whole.calls == 1
    assert any("kept the ppocr reading (hybrid (Tesseract + PP-OCR lines) could not read some "
               "lines)" in w for w in page.warnings), page.warnings
    assert last.calls == 0  # PP-OCR was sure: no third reading


def _columns_page() -> Image.Image:
    """Eight columns of characters, right to left (what ocr.pagekind calls vertical text)."""
    text = "各乡镇人民政府县直各单位为做好档案工作现将有关事项通知如下请认真贯彻执行"
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    for c in range(8):
        for k, char in enumerate(text[(c * 16) % len(text):][:16]):
            draw.text((1060 - 120 * c, 200 + 64 * k), char, font=ocr_images.font(48), fill="black")
    return page


@needs_font
def test_auto_keeps_ppocrs_reading_of_vertical_text_even_unsure_and_asks_tesseract_on_failure():
    """Tesseract reads rows across the columns of vertical text: neither of its readings is
    asked for when PP-OCR read the page, sure or not; only when PP-OCR fails."""
    image = _columns_page()
    unsure = _Fixed("ppocr", PageText(text="各乡镇人民政府县直各单位", confidence=90.0))
    hybrid = _Fixed("hybrid", PageText(text="各县为", confidence=99.0))
    last = _Fixed("tesseract", PageText(text="各县", confidence=99.0))
    auto = AutoEngine(engines={"hybrid": hybrid, "ppocr": unsure, "tesseract": last})
    page = ocr_page(image, OcrSettings(engine="auto"), auto)
    assert page.text == "各乡镇人民政府县直各单位"
    assert (unsure.calls, hybrid.calls, last.calls) == (1, 0, 0)
    assert "auto: read by PP-OCR first (the page looks like vertical text)" in page.warnings
    unsure.error = OcrError("PP-OCR failed")
    page = ocr_page(image, OcrSettings(engine="auto"), auto)
    assert page.text == "各县为" and hybrid.calls == 1 and last.calls == 0
    assert any("ppocr failed" in w for w in page.warnings), page.warnings


@needs_font
def test_auto_reads_a_streaked_photocopy_with_ppocr_first():
    page = ocr_images.clean_page().copy()
    ImageDraw.Draw(page).line([(520, 30), (520, page.height - 30)], fill=(90, 90, 90), width=4)
    hybrid = _Fixed("hybrid", PageText(text="新塘县", confidence=99.0))
    whole = _Fixed("ppocr", PageText(text="新塘县人民政府文件", confidence=99.0))
    raw = _Fixed("tesseract", PageText(text="新塘县人民", confidence=99.0))
    auto = AutoEngine(engines={"hybrid": hybrid, "ppocr": whole, "tesseract": raw})
    found = ocr_page(page, OcrSettings(engine="auto"), auto)
    assert found.text.startswith("新塘县人民政府文件")
    assert (whole.calls, hybrid.calls, raw.calls) == (1, 0, 0)
    assert any("looks like a page with rules down through its text" in w
               for w in found.warnings), found.warnings
    # both unsure: the best of the two, and no reading without the clean-up
    whole.page = PageText(text="新塘县人民政府文件", confidence=80.0)
    hybrid.page = PageText(text="新塘县", confidence=70.0)
    found = ocr_page(page, OcrSettings(engine="auto"), auto)
    assert found.text.startswith("新塘县人民政府文件")
    assert (whole.calls, hybrid.calls, raw.calls) == (2, 2, 0)  # the hybrid: page and header


def test_lines_of_a_tilted_photo_are_read_in_the_rows_they_were_printed_in():
    """A photo turned 3°: the signature on the right sits as high on the image as the last
    body line on the left, yet it is printed a row below it (and the date one more)."""
    from ocr.ppocr import page_from_lines

    slope = -0.05  # dy/dx of every printed row on the image: the right side higher

    def line(text, x0, y0, width, height=40):
        corners = [(x0, y0), (x0 + width, y0 + slope * width),
                   (x0 + width, y0 + slope * width + height), (x0, y0 + height)]
        return [[list(p) for p in corners], text, 0.99]

    found = [line("以上意见，请认真贯彻执行。", 100, 1000, 600),
             line("中共凤鸣镇委员会", 1100, 1000, 400),  # 60 px lower once level
             line("二〇一二年六月十五日", 1100, 1060, 400)]
    page = page_from_lines(found, (1700, 2400))
    assert page.text.split("\n") == ["以上意见，请认真贯彻执行。", "中共凤鸣镇委员会", "二〇一二年六月十五日"]


@needs_font
@pytest.mark.ocr
def test_a_whole_page_detection_is_stopped_when_the_timeout_is_up():
    # one onnxruntime run (detection of the whole page) used to run on past [ocr] timeout
    import time

    from ocr.errors import OcrTimeout

    page = ocr_images.clean_page()
    engine = PpocrEngine()
    started = time.monotonic()
    assert engine.recognize(page, OcrSettings(engine="ppocr", timeout=0)).text
    untimed = time.monotonic() - started
    started = time.monotonic()
    with pytest.raises(OcrTimeout, match="PP-OCR took longer than 0.05 s"):
        engine.recognize(page, OcrSettings(engine="ppocr", timeout=0.05))
    assert time.monotonic() - started < max(0.5, untimed / 2)
    # a limit not reached changes nothing; the model still reads afterwards
    assert engine.recognize(page, OcrSettings(engine="ppocr", timeout=120)).text
