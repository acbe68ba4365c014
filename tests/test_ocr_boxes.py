"""Boxes of OCR'd pages: each says where a piece of the returned text is drawn on the page as
given. Checked step by step: the engine's word boxes, the offset map of the text repair, the
geometry of preparation taken back (turn, deskew, upscale, header crop), and real Tesseract on
small rendered pages with known word positions (upright, turned 90°, skewed)."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from ocr_images import font
from PIL import Image, ImageDraw
from test_ocr_engine import TWO_BLOCKS

from ocr import OcrSettings, ocr_page
from ocr.cleanup import repair_mapped, repair_text
from ocr.engine import page_from_data
from ocr.offsets import Mapped
from ocr.preprocess import prepare

# -- the engine's boxes: offsets into the text it builds --------------------------------------


def test_word_boxes_point_at_their_words_in_the_built_text():
    data = {
        **TWO_BLOCKS,
        "left": [0, 10, 200, 10, 10, 300],
        "top": [0, 5, 5, 60, 120, 120],
        "width": [500, 150, 160, 80, 200, 10],
        "height": [200, 40, 40, 40, 40, 40],
    }
    page = page_from_data(data)
    assert page.text == "新政发 〔2019〕3号\n关于\n\n二〇一九年"
    assert [page.text[b.start:b.end] for b in page.boxes] == ["新政发", "〔2019〕3号", "关于",
                                                              "二〇一九年"]
    assert [(b.left, b.top, b.width, b.height) for b in page.boxes][1] == (200, 5, 160, 40)


def test_a_word_box_reaching_over_the_next_word_ends_where_that_word_begins():
    """Tesseract sometimes gives a Chinese word a box across the rest of its line."""
    data = {"level": [5, 5], "block_num": [1, 1], "par_num": [1, 1], "line_num": [1, 1],
            "text": ["王建", "成"], "conf": [90, 90], "left": [61, 162], "top": [195, 193],
            "width": [358, 43], "height": [43, 60]}
    first, second = page_from_data(data).boxes
    assert (first.left, first.width) == (61, 101) and second.left == 162


# -- the offset map of the repair ---------------------------------------------------------------

HAN = "档案保密工作王建成新政发通知年月日号一二三九〇"


@given(st.lists(st.sampled_from(list(HAN) + [" ", " ", "\n", ",", ":", "0", "1", "[", "]",
                                             "(", ")", "O"]), max_size=60))
@hsettings(max_examples=300, deadline=None)
def test_repair_map_keeps_every_chinese_character_where_it_went(chars):
    source = "".join(chars)
    mapped = repair_mapped(Mapped.of(source))
    assert mapped.text == repair_text(source)
    assert mapped.origin == sorted(mapped.origin)  # never goes back: spans map by bisection
    for i, c in enumerate(source):
        if c in HAN:  # no repair changes a Chinese character: it is found as itself
            span = mapped.span(i, i + 1)
            assert span is not None and mapped.text[span[0]:span[1]] == c


@pytest.mark.parametrize("raw, word, repaired", [
    ("档 案 保 密 工 作", "保 密", "保密"),
    ("新政发[2019] 3号 关于", "[2019] 3号", "〔2019〕3号"),
    ("新政发(2O19)l2号", "(2O19)l2号", "〔2019〕12号"),
    ("二0一九年五月", "二0一九年", "二〇一九年"),
    ("王建成同志负责, 档案", "负责,", "负责，"),
    ("我镇辖区内机动车保有量大道路环境复杂存在很\n大的安全隐患", "大的", "大的"),
])
def test_a_word_read_by_the_engine_is_found_in_the_repaired_text(raw, word, repaired):
    mapped = repair_mapped(Mapped.of(raw))
    start = raw.index(word)
    a, b = mapped.span(start, start + len(word))
    assert mapped.text[a:b] == repaired


def test_text_the_repair_removed_has_no_place():
    mapped = repair_mapped(Mapped.of("档案 保密"))
    assert mapped.text == "档案保密" and mapped.span(2, 3) is None


# -- geometry: a rectangle on the prepared image taken back to the page as given --------------


def _ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The block's bounding box (rows and columns with a few ink pixels: not the odd pixel
    a rotation leaves at the page's edge)."""
    ink = np.asarray(image.convert("L")) < 128
    xs = np.nonzero(ink.sum(axis=0) >= 3)[0]
    ys = np.nonzero(ink.sum(axis=1) >= 3)[0]
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_a_rectangle_found_on_the_prepared_page_is_where_it_was_drawn(rotation):
    """A page with one block of text-like ink, skewed by 3°: turned, deskewed and upscaled,
    then the block's rectangle on the prepared image taken back lands on the drawing."""
    page = Image.new("L", (900, 640), 255)
    draw = ImageDraw.Draw(page)
    for row in range(5):  # lines of "characters", for deskew and the text size
        for col in range(12):
            x, y = 150 + col * 28, 200 + row * 40
            draw.rectangle((x, y, x + 20, y + 20), fill=0)
    skewed = page.rotate(3, expand=True, fillcolor=255, resample=Image.BICUBIC)
    given_page = skewed.rotate(-rotation, expand=True, fillcolor=255) if rotation else skewed
    prepared = prepare(given_page, OcrSettings(steps=("deskew", "upscale")), rotation=rotation)
    assert prepared.scale > 1 and abs(prepared.skew) > 2
    x0, y0, x1, y1 = _ink_box(prepared.image)
    left, top, width, height = prepared.to_source((x0, y0, x1, y1))
    expected = _ink_box(given_page)
    assert abs(left - expected[0]) <= 6 and abs(top - expected[1]) <= 6
    assert abs(left + width - expected[2]) <= 6 and abs(top + height - expected[3]) <= 6


# -- real Tesseract on rendered pages -----------------------------------------------------------

LINES = ["档案保密工作通知", "王建成同志负责落实", "二〇一九年五月八日", "县人民政府办公室印发",
         "请各单位认真执行"]  # no character twice
SIZE, X, Y0, STEP = 40, 60, 60, 64


def _page() -> tuple[Image.Image, dict[str, tuple[float, float, float, float]]]:
    """A small page of three lines and where each character is drawn (x0, y0, x1, y1)."""
    f = font(SIZE)
    image = Image.new("RGB", (760, 400), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    where = {}
    for n, line in enumerate(LINES):
        y = Y0 + n * STEP
        draw.text((X, y), line, font=f, fill=(20, 20, 20))
        for k, c in enumerate(line):
            x0 = X + f.getlength(line[:k])
            bbox = f.getbbox(c)
            where.setdefault(c, (x0, y + bbox[1], X + f.getlength(line[:k + 1]), y + bbox[3]))
    return image, where


def _turned(points_box, size, angle):
    """Where a rectangle of a page of `size` lands after PIL's rotate(angle, expand=True)."""
    w, h = size
    a = math.radians(angle)
    corners = [(x, y) for x in (points_box[0], points_box[2]) for y in (points_box[1], points_box[3])]
    outer = [(x, y) for x in (0, w) for y in (0, h)]

    def turn(x, y):
        dx, dy = x - w / 2, y - h / 2
        return dx * math.cos(a) + dy * math.sin(a), -dx * math.sin(a) + dy * math.cos(a)

    ox = min(turn(x, y)[0] for x, y in outer)
    oy = min(turn(x, y)[1] for x, y in outer)
    moved = [turn(x, y) for x, y in corners]
    return (min(p[0] for p in moved) - ox, min(p[1] for p in moved) - oy,
            max(p[0] for p in moved) - ox, max(p[1] for p in moved) - oy)


def _rect(where, word, place, widen=0.0):
    drawn = [place((where[c][0] - widen, where[c][1], where[c][2] + widen, where[c][3]))
             for c in word]
    return (min(d[0] for d in drawn), min(d[1] for d in drawn),
            max(d[2] for d in drawn), max(d[3] for d in drawn))


def _overlap(a, b) -> float:
    return max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))


def _check(result, where, place):
    """Every box: its text is what was drawn there (characters of the lines), and its
    rectangle is on the drawing of its characters (Tesseract places a character up to about
    half a character along its line); most fit it closely."""
    assert re.sub(r"\s", "", result.text) == "".join(LINES)
    close = 0
    for box in result.boxes:
        word = result.text[box.start:box.end]
        assert word.strip() and all(c in where for c in word), word
        got = (box.left, box.top, box.left + box.width, box.top + box.height)
        near = _rect(where, word, place, widen=SIZE * 0.6)
        centre = ((got[0] + got[2]) / 2, (got[1] + got[3]) / 2)
        assert near[0] <= centre[0] <= near[2] and near[1] <= centre[1] <= near[3], (
            word, got, near)
        drawn = _rect(where, word, place)
        union = ((got[2] - got[0]) * (got[3] - got[1])
                 + (drawn[2] - drawn[0]) * (drawn[3] - drawn[1]) - _overlap(got, drawn))
        close += _overlap(got, drawn) / union > 0.4
    assert result.boxes and close >= 0.7 * len(result.boxes)


@pytest.mark.ocr
def test_tesseract_boxes_sit_on_the_words_of_an_upright_page():
    image, where = _page()
    _check(ocr_page(image), where, lambda r: r)


@pytest.mark.ocr
def test_tesseract_boxes_of_a_page_scanned_sideways_are_on_the_page_as_given():
    image, where = _page()
    turned = image.rotate(90, expand=True, fillcolor=(255, 255, 255))
    result = ocr_page(turned)
    assert result.rotation == 90
    _check(result, where, lambda r: _turned(r, image.size, 90))


@pytest.mark.ocr
def test_tesseract_boxes_of_a_skewed_page_are_on_the_page_as_given():
    image, where = _page()
    skewed = image.rotate(2.5, expand=True, fillcolor=(255, 255, 255), resample=Image.BICUBIC)
    _check(ocr_page(skewed), where, lambda r: _turned(r, image.size, 2.5))


@pytest.mark.ocr
def test_the_red_header_read_from_its_crop_has_boxes_on_the_page_too():
    image, where = _page()
    page = Image.new("RGB", (760, 520), (255, 255, 255))
    page.paste(image, (0, 120))
    draw = ImageDraw.Draw(page)
    header = "新塘县人民政府文件"
    f = font(44)
    draw.text((80, 30), header, font=f, fill=(214, 32, 38))
    draw.rectangle((40, 100, 720, 105), fill=(214, 32, 38))
    result = ocr_page(page)
    assert result.text.startswith(header + "\n")
    first = next(b for b in result.boxes if b.start == 0)
    assert result.text[first.start:first.end].startswith("新")
    assert 60 <= first.left <= 100 and 20 <= first.top <= 60  # on the header, not the body
    body = [b for b in result.boxes if result.text[b.start:b.end].startswith("档案")]
    assert body and 170 <= body[0].top <= 200  # the body moved down by 120 with the page


@pytest.mark.ocr
def test_tesseract_boxes_of_large_type_read_scaled_down_are_on_the_page_as_given():
    """Text twice as large as Tesseract needs is read on the page scaled down
    (geometry.downscale_factor); the boxes are still on the page as given."""
    image, where = _page()
    large = Image.new("RGB", (2 * image.width, 2000), (255, 255, 255))
    large.paste(image.resize((2 * image.width, 2 * image.height), Image.LANCZOS), (0, 0))
    settings = OcrSettings()
    assert prepare(large, settings).scale < 0.75
    _check(ocr_page(large, settings), where, lambda r: tuple(2 * v for v in r))
