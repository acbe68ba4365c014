"""Tests for ocr/dateline.py: the 成文日期 line read again where a page's reading of it is no
date — the date grammar (Chinese regression cases), the vote between readings, and real
Tesseract and PP-OCR on a rendered signature block with a grey seal over its date."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

import ocr_images
from ocr import OcrSettings, dateline
from ocr.errors import OcrError
from ocr.result import Box, PageText

needs_font = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


@pytest.mark.parametrize("text, date", [
    ("二〇二〇年四月二十七日", (2020, 4, 27)),
    ("二〇一九年十二月三十一日", (2019, 12, 31)),
    ("2023年3月20日", (2023, 3, 20)),
    ("2023 年 3 月 20 日", (2023, 3, 20)),            # Tesseract's spaces
    ("二O二O年四月二十七日", (2020, 4, 27)),          # 〇 read as O
    ("二 0 二 O 年 四 月 二 十 七 日", (2020, 4, 27)),
    ("〇二〇二〇年四月二十七日", (2020, 4, 27)),      # a seal's ring read as 〇 before it
    ("二〇二〇年四月二+七日", (2020, 4, 27)),         # 十 read as +
    ("=〇二〇年—月五日", (2020, 1, 5)),              # 二 as =, 一 as a dash
    ("、2023年3月20日.：：", (2023, 3, 20)),          # marks read from the paper around it
    ("二〇二〇年四月二十七日“", (2020, 4, 27)),
])
def test_a_date_line_as_read_is_a_date(text, date):
    assert dateline.date_of(text)[1] == date


@pytest.mark.parametrize("text", [
    "二〇二6年四月二十日",        # a numeral read as a digit inside Chinese numerals
    "二〇一九年二月三十日",        # not in the calendar
    "二〇二〇年四月二十十日",      # no numeral of that form
    "二〇二〇年十三月一日",
    "一〇二四年三月三日",          # no 公文 of 1024
    "今年四月二十日",
    "中共桃源镇委员会",
    "请于2023年3月20日前报送",     # a date inside a sentence is no date line
    "",
])
def test_what_is_no_date_line(text):
    assert dateline.date_of(text) is None


def test_lines_that_look_like_a_date_are_told_from_others():
    assert dateline.looks_like_date("二〇二6年四月二十日")
    assert dateline.looks_like_date("2O23午3月2O曰")
    assert not dateline.looks_like_date("三、落实工作责任。农业服务中心负责统筹协调，联系人：")
    assert not dateline.looks_like_date("安远县农业农村局")


def test_the_date_most_readings_agree_on_is_chosen():
    readings = [("二〇二〇年四月二十七日", 90.0), ("二〇二〇年四月二十日", 95.0),
                ("二 0 二 O 年 四 月 二 十 七 日", 70.0), ("了 =o As 四 月", 40.0)]
    assert dateline.chosen(readings) == "二〇二〇年四月二十七日"


def test_readings_one_character_off_a_date_and_the_page_own_reading_support_it():
    # a line under a seal: each reading misses another character
    readings = [("二〇二年年六月二十一日.", 76.0), ("二O二三年六月二十一日", 93.0), ("", 0.0),
                ("-O 二 三 年 六 月 二 上 -日", 76.0)]
    assert dateline.chosen(readings) is None  # a vote and a half: not enough
    assert dateline.chosen(readings, as_read="二〇二三年六月二十一白") == "二〇二三年六月二十一日"
    assert dateline.chosen(readings[1:], as_read="二〇二三年六月二十一白") is None
    assert dateline.within_one("二〇二三年六月二十一日", "二〇二三年六月二十日")
    assert not dateline.within_one("二〇二三年六月二十一日", "二〇二二年六月二十日")


def test_no_date_is_chosen_on_one_reading_or_a_tie():
    assert dateline.chosen([("二〇二〇年四月二十七日", 99.0), ("junk", 50.0)]) is None
    assert dateline.chosen([("二〇二〇年四月二十七日", 99.0), ("二〇二〇年四月二十七日", 99.0),
                            ("二〇二〇年四月二十日", 99.0), ("二〇二〇年四月二十日", 99.0)]) is None
    assert dateline.chosen([]) is None


OFFICE, DATE = "安远县农业农村局", "二〇二〇年四月二十七日"
SIZE = 40


def _signature_block(seal_grey: int = 150) -> tuple[Image.Image, Box, Box]:
    """Office and date lines under a round grey seal (as a photocopy prints a red one), and
    the boxes of the two lines."""
    fnt = ocr_images.font(SIZE)
    page = Image.new("RGB", (760, 330), (245, 245, 245))
    draw = ImageDraw.Draw(page)
    boxes = []
    for n, line in enumerate((OFFICE, DATE)):
        x, y = 120, 90 + 64 * n
        draw.text((x, y), line, font=fnt, fill=(25, 25, 25))
        left, top, right, bottom = draw.textbbox((x, y), line, font=fnt)
        boxes.append((left, top, right, bottom))
    ring = Image.new("L", page.size, 0)
    ImageDraw.Draw(ring).ellipse((230, 40, 500, 310), outline=255, width=10)
    grey = np.asarray(page, dtype=np.int16)
    mask = np.asarray(ring)[..., None] > 0
    # multiply blend: the seal darkens the paper to seal_grey and print stays near black
    out = np.where(mask, grey * seal_grey // 245, grey).astype(np.uint8)
    page = Image.fromarray(out, "RGB")
    office = Box(0, len(OFFICE), boxes[0][0], boxes[0][1], boxes[0][2] - boxes[0][0],
                 boxes[0][3] - boxes[0][1])
    date = Box(0, 0, boxes[1][0], boxes[1][1], boxes[1][2] - boxes[1][0],
               boxes[1][3] - boxes[1][1])
    return page, office, date


def _readers():
    settings = OcrSettings()
    return [dateline.ppocr_reader(settings), dateline.tesseract_reader(settings)]


@needs_font
@pytest.mark.ocr
def test_a_date_line_lost_under_a_seal_is_read_below_the_signature():
    image, office, _date = _signature_block()
    page = PageText(text=f"特此通知。\n{OFFICE}", confidence=95.0,
                    boxes=(Box(6, 6 + len(OFFICE), office.left, office.top, office.width,
                               office.height),))
    dated = dateline.reread_date(image, page, _readers())
    assert dated.text == f"特此通知。\n{OFFICE}\n{DATE}"
    assert any("date line read again below the signature" in w for w in dated.warnings)
    new = dated.boxes[-1]
    assert dated.text[new.start:new.end] == DATE
    assert new.top >= office.top + office.height - 2  # drawn where the date line is


@needs_font
@pytest.mark.ocr
def test_a_date_line_misread_under_a_seal_is_read_again_and_replaced():
    image, office, date = _signature_block()
    misread = "二〇二6年四月二十日"
    text = f"{OFFICE}\n{misread}\n"
    boxes = (Box(0, len(OFFICE), office.left, office.top, office.width, office.height),
             Box(len(OFFICE) + 1, len(OFFICE) + 1 + len(misread), date.left, date.top,
                 date.width, date.height))
    dated = dateline.reread_date(image, PageText(text, 90.0, boxes=boxes), _readers())
    assert dated.text == f"{OFFICE}\n{DATE}\n"
    assert any(misread in w and DATE in w for w in dated.warnings)
    assert [dated.text[b.start:b.end] for b in dated.boxes] == [OFFICE, DATE]


def _failing_reader(crops):
    raise AssertionError("read again where nothing needed it")


def test_a_page_whose_last_lines_hold_a_date_is_left_as_it_is():
    image = Image.new("RGB", (400, 300), "white")
    page = PageText(f"{OFFICE}\n{DATE}", 90.0,
                    boxes=(Box(0, 8, 10, 10, 300, 40), Box(9, 9 + len(DATE), 10, 60, 380, 40)))
    assert dateline.reread_date(image, page, [_failing_reader]) is page


@pytest.mark.parametrize("line", ["填报日期：2020年3月5日", f"{OFFICE} {DATE}"])
def test_a_page_whose_last_line_ends_with_a_date_is_left_as_it_is(line):
    image = Image.new("RGB", (600, 300), "white")
    page = PageText(line, 90.0, boxes=(Box(0, len(line), 10, 10, 500, 40),))
    assert dateline.ends_with_date(line)
    assert dateline.reread_date(image, page, [_failing_reader]) is page


def test_blank_paper_below_the_last_line_is_not_read():
    image = Image.new("RGB", (400, 300), "white")
    page = PageText(OFFICE, 90.0, boxes=(Box(0, 8, 10, 10, 300, 40),))
    assert dateline.reread_date(image, page, [_failing_reader]) is page


@needs_font
@pytest.mark.ocr
def test_print_below_the_last_line_that_is_no_date_changes_nothing():
    image = ocr_images.text_image([OFFICE, "联系人：胡明庆，联系电话：0769-65329366"], size=SIZE)
    page = PageText(OFFICE, 90.0, boxes=(Box(0, 8, 40, 40, 8 * SIZE, SIZE),))
    assert dateline.reread_date(image, page, _readers()) is page


def test_a_turned_page_is_left_as_it_is():
    image = Image.new("RGB", (400, 300), "white")
    page = PageText(OFFICE, 90.0, rotation=90, boxes=(Box(0, 8, 10, 10, 300, 40),))
    assert dateline.reread_date(image, page, [_failing_reader]) is page


def test_a_failing_second_look_keeps_the_page_with_a_warning(monkeypatch):
    import ocr

    def fail(image, page, readers):
        raise OcrError("tesseract failed")

    monkeypatch.setattr(dateline, "reread_date", fail)
    engine = type("E", (), {"name": "tesseract"})()
    page = PageText(OFFICE, 90.0)
    kept = ocr._dated(Image.new("RGB", (10, 10)), page, OcrSettings(), engine)
    assert kept.text == OFFICE and "date line not read again" in kept.warnings[-1]


def test_a_red_seal_vanishes_in_the_red_channel_cut_out():
    page = Image.new("RGB", (400, 120), (245, 245, 245))
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, 360, 70), fill=(25, 25, 25))          # print
    draw.ellipse((150, 5, 260, 115), outline=(214, 32, 38), width=8)  # a red seal's ring
    _box, crops = dateline.cutouts(page, (0, 0, 400, 120), 30)
    assert len(crops) == 3  # as it is, darkest ink, red channel
    red = np.asarray(crops[2])
    assert red[10, 205] > 200  # the ring's top: paper in the red channel
    assert red[55, 100] < 60   # print stays black


class _OneLineEngine:
    """An engine that reads a signature and no date (the date line lost under a seal)."""

    name = "tesseract"

    def version(self) -> str:
        return "one line 0"

    def recognize(self, image, settings):
        return PageText(OFFICE, 95.0, boxes=(Box(0, len(OFFICE), 10, 10, 300, 40),))

    def orientation(self, image, settings):
        return 0


def test_every_page_ocr_page_reads_gets_the_date_line_second_look(monkeypatch):
    import ocr

    seen = []

    def reread(image, page, readers):
        seen.append((page.text, len(readers)))
        return page

    monkeypatch.setattr(dateline, "reread_date", reread)
    ocr.ocr_page(Image.new("RGB", (400, 200), "white"),
                 OcrSettings(preprocess=False, red_header=False), _OneLineEngine())
    assert seen == [(OFFICE, 1)]  # Tesseract alone reads it again for engine "tesseract"
