"""Real Tesseract on generated 公文 scans: accuracy, 文号, date, red header, rotation, files."""
from __future__ import annotations

from functools import lru_cache

import pytest
from PIL import Image

import ocr_images
from ocr import OcrSettings, PageText, TesseractEngine, ocr_file, ocr_page
from ocr.evaluate import cer

pytestmark = [
    pytest.mark.ocr,
    pytest.mark.skipif(
        ocr_images.font_path() is None,
        reason="no CJK font installed (apt-get install fonts-noto-cjk)",
    ),
]

VARIANTS = ("clean", "skew2", "noise", "jpeg60", "dpi150")
PLAIN = OcrSettings(psm=3, preprocess=False)  # the baseline: Tesseract as it comes


@lru_cache(maxsize=None)
def pages() -> dict[str, Image.Image]:
    return ocr_images.variants()


@lru_cache(maxsize=None)
def pipeline_result(variant: str) -> PageText:
    return ocr_page(pages()[variant], OcrSettings())


def pipeline_text(variant: str) -> str:
    return pipeline_result(variant).text


@lru_cache(maxsize=None)
def plain_text(variant: str) -> str:
    return TesseractEngine().recognize(pages()[variant], PLAIN).text


@pytest.mark.parametrize("variant", VARIANTS)
def test_pipeline_reads_the_page(variant):
    text = pipeline_text(variant)
    assert cer(ocr_images.ground_truth(), text) <= 0.03, text
    lines = text.splitlines()
    assert ocr_images.DOC_NUMBER in lines, text  # 新政发〔2019〕3号, exactly
    assert ocr_images.DATE in lines, text  # the date line under the seal
    assert ocr_images.TITLE in lines, text
    assert lines[0].endswith("人民政府文件"), text  # the red header, first


def test_clean_page_error_rate_and_header():
    text = pipeline_text("clean")
    assert cer(ocr_images.ground_truth(), text) <= 0.03
    assert text.splitlines()[0] == ocr_images.HEADER


@pytest.mark.parametrize("variant", ("clean", "skew2"))
def test_pipeline_is_not_worse_than_plain_tesseract(variant):
    truth = ocr_images.ground_truth()
    assert cer(truth, pipeline_text(variant)) <= cer(truth, plain_text(variant))


def test_upside_down_page_is_turned():
    page = pages()["clean"].rotate(180)
    result = ocr_page(page, OcrSettings())
    assert result.rotation == 180
    assert cer(ocr_images.ground_truth(), result.text) <= 0.03
    assert result.confidence > 80


def test_confidence_and_no_warnings_on_a_good_page():
    result = pipeline_result("clean")
    assert 80 < result.confidence <= 100
    assert result.warnings == () and result.rotation == 0


def test_multi_page_tiff(tmp_path):
    lines = ["关于做好档案保密工作的通知", "各乡镇人民政府，县直各单位：", "二〇一九年五月十二日"]
    frames = [ocr_images.text_image(line) for line in lines]
    frames[0].save(tmp_path / "three.tif", save_all=True, append_images=frames[1:], dpi=(300, 300))
    results = ocr_file(tmp_path / "three.tif")
    assert [r.text for r in results] == lines


def test_exif_rotated_jpeg_is_read_upright(tmp_path):
    upright = ocr_images.text_image("关于做好档案保密工作的通知")
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned a quarter left; the viewer turns it right
    upright.rotate(90, expand=True).save(tmp_path / "phone.jpg", quality=92, exif=exif)
    [result] = ocr_file(tmp_path / "phone.jpg")
    assert result.text == "关于做好档案保密工作的通知"
    assert result.rotation == 0  # EXIF did it, no OSD needed


def test_page_without_text_gives_empty_text_and_a_warning():
    blank = Image.new("RGB", (600, 400), ocr_images.PAPER)
    result = ocr_page(blank, OcrSettings())
    assert result.text == ""
    assert result.confidence == 0.0
    assert any("orientation" in w for w in result.warnings)


def test_page_and_red_header_are_read_in_one_tesseract_run_with_the_same_result(monkeypatch):
    """The page and its red header crop go to one run of the program (its language models
    loaded once); the word tables, and so the page read, are those of a run per image."""
    from ocr import tesseract
    from ocr.hybrid import HybridEngine
    from ocr.preprocess import prepare

    page = pages()["clean"]
    prepared = prepare(page, OcrSettings())
    assert prepared.header is not None
    both = tesseract.images_to_data([prepared.image, prepared.header], lang="chi_sim+chi_tra",
                                    psm=6)
    alone = [tesseract.image_to_data(image, lang="chi_sim+chi_tra", psm=6)
             for image in (prepared.image, prepared.header)]
    assert both == alone
    assert "".join(alone[1]["text"]).startswith("新塘")  # the header crop's own table
    runs = []
    real_run = tesseract.run
    monkeypatch.setattr(tesseract, "run", lambda args, **kw: runs.append(args) or
                        real_run(args, **kw))
    for engine in (TesseractEngine(), HybridEngine()):
        runs.clear()
        once = ocr_page(page, OcrSettings(), engine)
        assert len(runs) == 1 and once.text.startswith(ocr_images.HEADER)
        monkeypatch.delattr(type(engine), "recognize_with_header")  # a run per image
        runs.clear()
        assert ocr_page(page, OcrSettings(), engine) == once and len(runs) == 2
