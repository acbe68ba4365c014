"""Tests for the pre-processing steps: red layer, geometry, binarisation and the pipeline."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

import ocr_images
from ocr import OcrSettings
from ocr.binarize import otsu, otsu_threshold, sauvola
from ocr.geometry import (MIN_DOWNSCALE, char_height, downscale_factor, estimate_skew, rotate,
                          upscale_factor)
from ocr.preprocess import prepare
from ocr.redlayer import header_box, red_layer, suppress_red

pytestmark = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


def _seal_over_text() -> Image.Image:
    """Black text strokes with a semi-transparent red disc multiplied over half of them."""
    page = np.full((60, 120, 3), 250, dtype=np.float32)
    page[20:40, 10:110] = 20  # a black stroke
    red = np.array(ocr_images.RED, dtype=np.float32) / 255
    page[:, 60:] = page[:, 60:] * (0.2 + 0.8 * red)
    return Image.fromarray(page.astype(np.uint8))


def test_red_suppression_keeps_black_under_the_seal_and_drops_the_red():
    grey = np.asarray(suppress_red(_seal_over_text()))
    assert grey[30, 20] < 60 and grey[30, 90] < 60  # black stroke, bare and under the seal
    assert grey[5, 90] > 200  # red seal on paper becomes light
    assert grey[5, 20] > 200


def test_red_layer_shows_red_ink_only():
    layer = np.asarray(red_layer(_seal_over_text()))
    assert layer[5, 90] < 100  # red ink is dark in the red layer
    assert layer[5, 20] > 200  # paper
    assert layer[30, 20] > 200  # black ink is not red
    assert red_layer(Image.new("RGB", (50, 50), "white")) is None
    assert red_layer(Image.new("L", (50, 50), 255)) is None


def test_red_layer_is_the_ink_of_redness_pixel_for_pixel():
    """red_layer's 8-bit operations give what the formula over redness() gives."""
    from ocr.redlayer import redness

    page = ocr_images.clean_page()
    ink = np.clip((redness(page).astype(np.float32) - 30.0) * 2.5, 0, 255)
    assert np.array_equal(np.asarray(red_layer(page)), (255 - ink).astype(np.uint8))
    assert red_layer(page.convert("L")) is None


def test_header_box_is_the_red_text_above_the_red_rule():
    page = ocr_images.clean_page()
    box = header_box(red_layer(page))
    assert box is not None
    left, top, right, bottom = box
    assert 60 <= top <= 110 and 170 <= bottom <= 240  # the header line, not 文号 (y≈250)
    assert bottom < 322  # above the rule
    assert left > 200 and right < 1200


def test_no_header_box_without_red_text():
    assert header_box(Image.new("L", (400, 400), 255)) is None


def test_skew_is_estimated_within_a_few_tenths_of_a_degree():
    page = suppress_red(ocr_images.clean_page())
    assert abs(estimate_skew(page)) <= 0.2
    for degrees in (2.0, -1.5, 4.0):
        tilted = suppress_red(ocr_images.skewed(ocr_images.clean_page(), degrees))
        assert estimate_skew(tilted) == pytest.approx(-degrees, abs=0.3)


def test_rotation_fill_continues_shaded_paper():
    shaded = suppress_red(ocr_images.shadowed(ocr_images.clean_page()))
    turned = np.asarray(rotate(shaded, 3.0, fill=None))
    corner, nearby = turned[2, 2], turned[140, 40]
    assert abs(int(corner) - int(nearby)) < 40  # no white wedge against dark paper


def test_small_text_is_upscaled_large_text_is_not():
    page = suppress_red(ocr_images.clean_page())
    assert char_height(page) == pytest.approx(38, abs=5)
    assert upscale_factor(page, 250, 300) == 1.0
    low = suppress_red(ocr_images.low_dpi(ocr_images.clean_page(), 150))
    assert 2.0 <= upscale_factor(low, 250, 300) <= 3.0
    blank = Image.new("L", (100, 100), 255)
    blank.info["dpi"] = (150, 150)
    assert upscale_factor(blank, 250, 300) == 2.0  # no text to measure: the stated dpi


def test_large_text_is_scaled_down_but_not_below_half_nor_by_a_photos_shading():
    page = Image.new("L", (2480, 3508), 255)
    assert downscale_factor(page, 40.0) == 1.0  # about the size Tesseract reads best
    assert 0.55 <= downscale_factor(page, 64.0) <= 0.7  # 300 dpi, 16 pt
    assert downscale_factor(page, 150.0) == MIN_DOWNSCALE
    assert downscale_factor(page, 900.0) == 1.0  # no text is a quarter of the page high
    assert downscale_factor(page, None) == 1.0


def test_a_page_of_large_type_is_scaled_down_but_its_red_header_is_not():
    page = ocr_images.clean_page()
    large = page.resize((page.width * 2, page.height * 2), Image.LANCZOS)
    prepared = prepare(large, OcrSettings())
    assert 0.5 <= prepared.scale < 0.75
    assert prepared.image.width == round(large.width * prepared.scale)
    left, top, right, bottom = prepared.header_box
    assert prepared.header.size == (right - left, bottom - top)  # as on the page


def test_photocopy_grain_between_the_lines_is_not_taken_for_the_text_height():
    page = np.asarray(suppress_red(ocr_images.clean_page())).copy()
    text = char_height(Image.fromarray(page))
    rng = np.random.default_rng(3)
    rows = np.flatnonzero(page.min(axis=1) > 200)  # blank rows between the lines
    for y in rng.choice(rows[(rows > 8) & (rows < page.shape[0] - 8)], 60):
        xs = rng.integers(0, page.shape[1] - 30, 40)  # a band of specks a few rows high
        for x in xs:
            page[y - 3:y + 3, x:x + 3] = 30
    assert char_height(Image.fromarray(page)) == pytest.approx(text, abs=4)


def test_binarisation_is_black_and_white_and_survives_uneven_light():
    shaded = suppress_red(ocr_images.shadowed(ocr_images.clean_page()))
    local = np.asarray(sauvola(shaded, 81))
    assert set(np.unique(local)) <= {0, 255}
    assert local[:, :60].mean() > 240  # the dark left margin stays paper
    assert 0.02 < (local == 0).mean() < 0.2
    assert otsu_threshold(np.array([[0, 0, 255, 255]], dtype=np.uint8)) in range(1, 256)
    assert set(np.unique(np.asarray(otsu(shaded)))) <= {0, 255}


def test_pipeline_output_and_steps():
    page = ocr_images.skewed(ocr_images.clean_page(), 2.0)
    prepared = prepare(page, OcrSettings())
    assert prepared.image.mode == "L"
    assert prepared.skew == pytest.approx(-2.0, abs=0.3)
    assert prepared.header is not None and prepared.header.height < 200
    assert set(np.unique(np.asarray(prepared.image))) <= {0, 255}
    untouched = prepare(page, OcrSettings(preprocess=False))
    assert untouched.skew == 0 and untouched.header is None and untouched.image.size == page.size
    inline = prepare(page, OcrSettings(header_inline=True))
    assert inline.header is None


def test_for_ppocr_a_seal_below_the_header_goes_and_the_header_stays():
    from ocr.redlayer import without_seals

    page = np.full((400, 300, 3), 250, dtype=np.uint8)
    page[20:60, 40:260] = ocr_images.RED      # a red header line of text
    page[70:74, 10:290] = ocr_images.RED      # the red rule
    page[300:310, 20:280] = 20                # the date line, black
    page[280:330, 100:200] = ocr_images.RED   # a seal over part of it …
    page[300:310, 100:200] = 20               # … the black strokes printed under it
    image = Image.fromarray(page)
    settings = OcrSettings(engine="ppocr")
    assert "seal" in settings.active_steps() and "red" not in settings.active_steps()
    grey = np.asarray(prepare(image, settings).image)
    assert grey[40, 150] < 128                # the header is still ink for PP-OCR
    assert grey[290, 150] > 200               # the seal is paper
    assert grey[305, 150] < 60 and grey[305, 50] < 60  # the date stays black
    plain = np.asarray(without_seals(image.convert("L"), image.convert("L")))
    assert (plain == np.asarray(image.convert("L"))).all()  # a grey page: nothing to take


def test_a_red_header_leaves_no_specks_in_the_binarised_body():
    """Printed red is still a shade darker than the paper in the red channel (200 against
    250): binarising a noisy page turned the header into specks read as a line of junk."""
    page = Image.new("RGB", (1200, 700), (250, 250, 250))
    draw = ImageDraw.Draw(page)
    draw.text((120, 60), "南屏县农业农村局文件", font=ocr_images.font(96, "Bold"), fill=(200, 30, 40))
    draw.text((120, 400), "各村（居）委会，各有关单位：", font=ocr_images.font(40), fill=(20, 20, 20))
    noisy = ocr_images.noisy(page, sigma=14.0)
    prepared = prepare(noisy, OcrSettings())
    scale = prepared.scale
    body = np.asarray(prepared.image)
    header = body[: round(250 * scale)]
    assert (header < 128).sum() < 0.0005 * header.size  # was 0.4% of its pixels
    text = body[round(390 * scale): round(460 * scale)]
    assert (text < 128).sum() > 0.03 * text.size  # the black line is still there
