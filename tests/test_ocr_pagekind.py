"""Tests for ocr.pagekind: ruled tables and photos told from running text before any OCR."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

import ocr_images
from ocr.pagekind import PHOTO, STREAKED, TABLE, VERTICAL, page_kind

pytestmark = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


def _table() -> Image.Image:
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    for r in range(8):
        y = 200 + 90 * r
        draw.line([(100, y), (1140, y)], fill="black", width=3)
        draw.text((130, y + 25), f"第{r}行 县档案局 12345", font=ocr_images.font(36), fill="black")
    for x in (100, 500, 800, 1140):
        draw.line([(x, 200), (x, 830)], fill="black", width=3)
    return page


def test_a_ruled_table_is_a_table():
    assert page_kind(_table()) == TABLE


def test_running_text_with_a_rule_under_it_is_neither():
    page = ocr_images.clean_page()
    assert page_kind(page) is None
    framed = page.copy()  # a 版记's rules across the page, no rules down: not a table
    draw = ImageDraw.Draw(framed)
    for y in (framed.height - 200, framed.height - 120, framed.height - 40):
        draw.line([(40, y), (framed.width - 40, y)], fill="black", width=3)
    assert page_kind(framed) is None


def test_text_photographed_under_uneven_light_is_a_photo_and_evenly_shaded_paper_is_not():
    page = np.asarray(ocr_images.clean_page().convert("L"), dtype=np.float32)
    light = np.linspace(0.45, 1.0, page.shape[1])[None, :]  # darker towards the left
    photo = Image.fromarray((page * light).astype(np.uint8))
    assert page_kind(photo) == PHOTO
    shaded = Image.fromarray((page * 0.8).astype(np.uint8))  # grey paper, evenly
    assert page_kind(shaded) is None


def test_columns_of_characters_are_vertical_text_and_the_same_text_in_rows_is_not():
    text = "各乡镇人民政府县直各单位为做好档案工作现将有关事项通知如下请认真贯彻执行"
    vertical = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(vertical)
    for c in range(8):  # right to left, 16 characters per column
        for k, char in enumerate(text[(c * 16) % len(text):][:16]):
            draw.text((1060 - 120 * c, 200 + 64 * k), char, font=ocr_images.font(48), fill="black")
    assert page_kind(vertical) == VERTICAL
    rows = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(rows)
    for r in range(8):
        draw.text((100, 200 + 90 * r), text[r:r + 20], font=ocr_images.font(48), fill="black")
    assert page_kind(rows) is None


def test_a_crop_of_one_line_is_neither():
    line = ocr_images.text_image("档案馆开放时间调整的通知", size=32, pad=20)
    assert page_kind(line) is None


def test_a_page_of_text_crossed_by_a_streak_down_it_is_streaked_and_skew_does_not_hide_it():
    page = ocr_images.clean_page()
    assert page_kind(ocr_images.skewed(page, 2.0)) is None  # skewed text alone: nothing
    streaked = page.copy()  # a photocopy's toner streak: a thin grey line down the page
    draw = ImageDraw.Draw(streaked)
    draw.line([(520, 30), (520, streaked.height - 30)], fill=(90, 90, 90), width=4)
    assert page_kind(streaked) == STREAKED
    assert page_kind(ocr_images.skewed(streaked, 2.0)) == STREAKED


def test_a_skewed_table_is_still_a_table():
    table = _table()
    assert page_kind(table.rotate(1.5, resample=Image.BICUBIC, expand=True,
                                  fillcolor="white")) == TABLE
