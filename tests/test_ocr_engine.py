"""Tests for ocr.engine and ocr.tesseract: the Tesseract chokepoint, its child's environment
and timeout, error mapping, availability, TSV and OSD parsing, fake engines."""
from __future__ import annotations

import os
import stat

import signal
from pathlib import Path

import pytest
from PIL import Image

import ocr_images
from ocr import OcrEngine, OcrSettings, TesseractEngine, ocr_file, ocr_page, tesseract
from ocr.engine import check_available, engine_version, text_from_data
from ocr.errors import ImageError, OcrError, OcrTimeout, OcrUnavailable, TesseractFailed
from ocr.result import PageText

needs_font = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


class CrashingEngine:
    """An engine that fails like a buggy OCR library."""

    name = "crashing"

    def version(self) -> str:
        return "crashing 0"

    def recognize(self, image: Image.Image, settings: OcrSettings) -> PageText:
        raise RuntimeError("segmentation fault in recognizer")

    def orientation(self, image: Image.Image, settings: OcrSettings) -> int:
        raise RuntimeError("segmentation fault in orientation")


class FailingEngine(CrashingEngine):
    """An engine that reports its own failure properly."""

    name = "failing"

    def recognize(self, image, settings):
        raise OcrTimeout("took too long")


def _fake_tesseract(tmp_path, body: str) -> str:
    """A stand-in tesseract program (a shell script) with the given body."""
    path = tmp_path / "tesseract"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def _small_page() -> Image.Image:
    return Image.new("L", (200, 80), 255)


# Tesseract's TSV columns for two blocks: a line of two words and a line of one, then one word
TWO_BLOCKS = {
    "level": [1, 5, 5, 5, 5, 5],
    "block_num": [0, 1, 1, 1, 2, 2],
    "par_num": [0, 1, 1, 1, 1, 1],
    "line_num": [0, 1, 1, 2, 1, 1],
    "text": ["", "新政发", "〔2019〕3号", "关于", "二〇一九年", " "],
    "conf": [-1, 90, 80, 70, 60, 95],
}


def test_data_output_becomes_lines_and_mean_confidence():
    text, confidence = text_from_data(TWO_BLOCKS)
    assert text == "新政发 〔2019〕3号\n关于\n\n二〇一九年"
    assert confidence == 75.0
    assert text_from_data({"text": [], "conf": []}) == ("", 0.0)


def test_tesseract_engine_follows_the_protocol():
    engine = TesseractEngine()
    assert isinstance(engine, OcrEngine)
    assert engine.version() == engine_version()
    assert engine_version().startswith("tesseract ")


def test_check_available_passes_for_installed_languages():
    check_available(OcrSettings())


def test_missing_language_is_named_with_the_install_command():
    with pytest.raises(OcrUnavailable) as caught:
        check_available(OcrSettings(languages="chi_sim+xyz_not_installed"))
    message = str(caught.value)
    assert "xyz_not_installed" in message and "chi_sim," not in message.split("(")[0]
    assert "apt-get install tesseract-ocr-xyz-not-installed" in message
    assert caught.value.exit_code == 2


def test_recognising_with_an_uninstalled_language_is_unavailable_not_a_crash():
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr-xyz-not-installed"):
        ocr_page(_small_page(), OcrSettings(languages="xyz_not_installed", preprocess=False))


def test_missing_tesseract_program_is_unavailable_with_install_hint(monkeypatch, tmp_path):
    monkeypatch.setattr(tesseract, "PROGRAM", str(tmp_path / "no-tesseract"))
    with pytest.raises(OcrUnavailable, match="apt-get install tesseract-ocr tesseract-ocr-chi-sim"):
        check_available(OcrSettings())
    with pytest.raises(OcrUnavailable):
        ocr_page(_small_page(), OcrSettings(preprocess=False))


def test_one_chokepoint_sets_language_psm_and_thread_limit(monkeypatch, tmp_path):
    record = tmp_path / "call.txt"
    fake = _fake_tesseract(tmp_path, f'echo "$OMP_THREAD_LIMIT $*" > {record}\nexit 1')
    monkeypatch.setattr(tesseract, "PROGRAM", fake)
    monkeypatch.setenv("OMP_THREAD_LIMIT", "8")
    with pytest.raises(OcrError):
        TesseractEngine().recognize(_small_page(), OcrSettings(languages="chi_sim", psm=6))
    call = record.read_text()
    assert call.startswith("1 ")
    assert "-l chi_sim" in call and "--psm 6" in call
    assert os.environ["OMP_THREAD_LIMIT"] == "8"  # the child's setting, never ours


@pytest.mark.ocr
@needs_font
def test_recognising_a_page_leaves_this_process_environment_alone(monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    before = dict(os.environ)
    found = TesseractEngine().recognize(ocr_images.clean_page(), OcrSettings(preprocess=False))
    assert found.text
    assert dict(os.environ) == before


def test_crashing_tesseract_process_is_an_ocr_error(monkeypatch, tmp_path):
    fake = _fake_tesseract(tmp_path, "kill -SEGV $$")
    monkeypatch.setattr(tesseract, "PROGRAM", fake)
    with pytest.raises(OcrError) as caught:
        ocr_page(_small_page(), OcrSettings(preprocess=False))
    assert isinstance(caught.value, TesseractFailed)
    assert caught.value.status == -signal.SIGSEGV
    assert "killed by signal SIGSEGV" in str(caught.value)


def test_failing_tesseract_says_what_it_printed(monkeypatch, tmp_path):
    fake = _fake_tesseract(tmp_path, "echo 'Error: image too small to scale!!' >&2\nexit 3")
    monkeypatch.setattr(tesseract, "PROGRAM", fake)
    with pytest.raises(TesseractFailed, match=r"status 3\): Error: image too small") as caught:
        tesseract.image_to_data(_small_page(), lang="chi_sim", psm=6)
    assert caught.value.status == 3 and caught.value.exit_code == 1


def test_hanging_tesseract_process_is_killed_at_the_timeout(monkeypatch, tmp_path):
    pid_file = tmp_path / "pid"
    fake = _fake_tesseract(tmp_path, f"echo $$ > {pid_file}\nexec sleep 600")
    monkeypatch.setattr(tesseract, "PROGRAM", fake)
    with pytest.raises(OcrTimeout, match="longer than 0.5 s"):
        tesseract.image_to_data(_small_page(), lang="chi_sim", psm=6, timeout=0.5)
    assert not Path(f"/proc/{pid_file.read_text().strip()}").exists()  # killed and reaped


def test_tsv_becomes_columns_with_whole_number_confidences():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight"
        "\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t200\t80\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.537231\t新政\"发\n"
        "5\t1\t1\t1\t1\t2\t70\t10\t50\t20\t30.1\t\n"
    )
    data = tesseract.read_tsv(tsv)
    assert data["conf"] == [-1, 96, 30]
    assert data["text"] == ["", '新政"发', ""]
    assert data["left"] == [0, 10, 70] and data["block_num"] == [0, 1, 1]
    assert tesseract.read_tsv("") == {}


def test_osd_output_becomes_a_dict():
    osd = ("Page number: 0\nOrientation in degrees: 270\nRotate: 90\n"
           "Orientation confidence: 4.51\nScript: Han\nScript confidence: 2.00\n")
    assert tesseract.read_osd(osd) == {
        "page_num": 0, "orientation": 270, "rotate": 90, "orientation_conf": 4.51,
        "script": "Han", "script_conf": 2.0}
    assert tesseract.read_osd("Rotate: x\nnoise") == {}


def test_crashing_engine_is_reported_as_ocr_error():
    with pytest.raises(OcrError, match="crashing") as caught:
        ocr_page(_small_page(), OcrSettings(), engine=CrashingEngine())
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_engine_errors_pass_through_unchanged(tmp_path):
    with pytest.raises(OcrTimeout):
        ocr_page(_small_page(), OcrSettings(), engine=FailingEngine())
    _small_page().save(tmp_path / "page.png")
    with pytest.raises(OcrTimeout):
        ocr_file(tmp_path / "page.png", OcrSettings(), engine=FailingEngine())


def test_ocr_file_reports_bad_images_before_calling_the_engine(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageError):
        ocr_file(tmp_path / "empty.png", engine=CrashingEngine())


@pytest.mark.ocr
@needs_font
def test_real_timeout_on_a_real_page():
    page = ocr_images.clean_page()
    before = os.environ.get("OMP_THREAD_LIMIT")
    with pytest.raises(OcrTimeout):
        ocr_page(page, OcrSettings(timeout=0.05, preprocess=False))
    assert os.environ.get("OMP_THREAD_LIMIT") == before
