"""Tests for ocr/headerread.py: the red header's line read again and one character of its
office put right where the readings agree — the per-place vote (Chinese regression cases) and
real Tesseract and PP-OCR on a rendered red header misread by the page."""
from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

import ocr_images
from ocr import OcrSettings, dateline, headerread
from ocr.result import Box, PageText

needs_font = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


def test_one_place_the_readings_agree_on_is_put_right():
    readings = ["安遠縣民政局文件", "安 遠 縣 民政 局 文 件", "安吉縣民政局文件", "祿捐縣民政局文件"]
    assert headerread.chosen(readings, "安速縣民政局文件") == "安遠縣民政局文件"


def test_places_vote_apart_so_readings_wrong_elsewhere_still_count():
    # each reading wrong somewhere else; at 巖's place three readings agree (紅嚴 read by the page)
    readings = ["紅巖鎮人民政府文件", "紅巖鎮人必政府文件", "紅巖鎮人必政府文件",
                "红最销人民政府文件", "红最销人民政府文件", "紅人民政府文件"]
    assert headerread.chosen(readings, "紅嚴鎮人民政府文件") == "紅巖鎮人民政府文件"


@pytest.mark.parametrize("readings, as_read", [
    (["安遠縣民政局文件"], "安速縣民政局文件"),                      # one reading: no vote
    (["安遠縣民政局文件", "安速縣民政局文件"], "安速縣民政局文件"),  # a tie with the page's
    (["安远县民政局文件", "安远县民政局文件"], "安遠縣民政局文件"),  # the other script only
    (["白远县民政局文件", "白远县民政局文件"], "安速县民政局文件"),  # two places: unsure
    (["安速县民政局又件", "安速县民政局又件"], "安速县民政局文件"),  # 文件 is not voted on
    (["桃源乡人民政府", "桃源乡人民政府"], "桃源乡人民政府文件"),    # other lengths do not vote
    (["关于做好防汛工作", "关于做好防汛工作"], "关于做好防汛工件"),  # no header line
])
def test_nothing_changes_without_a_clear_vote_on_one_place(readings, as_read):
    assert headerread.chosen(readings, as_read) is None


def test_a_page_without_a_header_line_is_not_read_again():
    page = PageText("关于做好防汛工作的通知\n各村委会：\n", 90.0,
                    boxes=(Box(0, 11, 10, 10, 300, 30),))

    def failing(crops):
        raise AssertionError("read again where no header is")
    assert headerread.reread_header(Image.new("RGB", (400, 200), "white"), page,
                                    failing, failing) is page


def _fixed(readings):
    return lambda crops: [(r, 90.0) for r in readings]


def _header_page(header: str, rest: str) -> tuple[Image.Image, PageText]:
    """A blank page whose reading is `header` (its box on the page) and `rest`."""
    image = Image.new("RGB", (900, 400), (250, 250, 250))
    ImageDraw.Draw(image).text((120, 60), header, font=ocr_images.font(SIZE), fill=(205, 30, 30))
    return image, PageText(f"{header}\n{rest}", 90.0,
                           boxes=(Box(0, len(header), 120, 60, 8 * SIZE, SIZE),))


@needs_font
def test_tesseract_alone_changes_a_header_only_to_an_office_the_page_prints_elsewhere():
    # Tesseract reads 新塘 as 新超 every time in some fonts: no change, the page has no 新超
    image, page = _header_page("新塘县人民政府文件", "关于做好防汛工作的通知\n特此通知。\n")
    says = _fixed(["新 超 縣 人 民政 府 文 件"] * 5 + ["新塘縣人民政府文件"])
    assert headerread.reread_header(image, page, None, says) is page
    # … its reading that the 落款 prints too is taken
    image, page = _header_page("紅嚴鎮人民政府文件", "特此通知。\n紅巖鎮人民政府\n二〇二四年四月一日\n")
    says = _fixed(["紅巖鎮人民政府文件", "紅 巖 鎮 人 必 政 府 文 件", "紅巖鎮人必政府文件"])
    assert headerread.reread_header(image, page, None, says).text.startswith("紅巖鎮人民政府文件\n")
    # PP-OCR's vote is enough (安速 printed in the 落款 too: the same misreading)
    image, page = _header_page("安速縣民政局文件", "特此報告。\n安速縣民政局\n")
    assert headerread.reread_header(image, page, _fixed(["安遠縣民政局文件"] * 3),
                                    None).text.startswith("安遠縣民政局文件\n")


HEADER = "安遠縣民政局文件"
SIZE = 64


@needs_font
@pytest.mark.ocr
def test_a_red_header_misread_by_the_page_is_read_again_and_put_right():
    fnt = ocr_images.font(SIZE)
    image = Image.new("RGB", (900, 260), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.text((120, 60), HEADER, font=fnt, fill=(205, 30, 30))
    left, top, right, bottom = draw.textbbox((120, 60), HEADER, font=fnt)
    misread = "安速縣民政局文件"
    body = "特此通知。"
    draw.text((120, 190), body, font=ocr_images.font(28), fill=(25, 25, 25))
    page = PageText(f"{misread}\n{body}\n", 90.0,
                    boxes=(Box(0, len(misread), left, top, right - left, bottom - top),
                           Box(len(misread) + 1, len(misread) + 1 + len(body), 120, 190, 140, 30)))
    settings = OcrSettings()
    read = headerread.reread_header(image, page, dateline.ppocr_reader(settings),
                                    dateline.tesseract_reader(settings))
    assert read.text == f"{HEADER}\n{body}\n"
    assert any(misread in w and HEADER in w for w in read.warnings)
    assert [read.text[b.start:b.end] for b in read.boxes] == [HEADER, body]


@needs_font
def test_the_doc_number_under_the_header_keeps_the_pages_character():
    image, page = _header_page("中共凤鸣镇委员会文件", "凤发〔2023〕79号\n中共风鸣镇委员会\n")
    says = _fixed(["中共风鸣镇委员会文件"] * 4)
    assert headerread.reread_header(image, page, says, None) is page
    image, page = _header_page("安速縣民政局文件", "安民發〔2016〕7號\n安速縣民政局\n")
    assert headerread.reread_header(image, page, _fixed(["安遠縣民政局文件"] * 3),
                                    None).text.startswith("安遠縣民政局文件\n")
