"""Tests for ocr.evaluate: edit distance, character error rate, the step table."""
from __future__ import annotations

from PIL import Image

from ocr.evaluate import RAW, cer, comparable, format_table, levenshtein, measure, step_configs
from ocr.result import PageText
from ocr.settings import ALL_STEPS, OcrSettings


def test_levenshtein():
    assert levenshtein("", "") == 0
    assert levenshtein("新政发", "") == 3
    assert levenshtein("新塘县", "新超县") == 1
    assert levenshtein("〔2019〕3号", "[2019]125") == 5
    assert levenshtein("abc", "cab") == 2


def test_cer_ignores_whitespace_and_width():
    assert comparable("新 政\n发，（2019）") == "新政发,(2019)"
    assert cer("新政发〔2019〕3号", "新 政 发 〔2019〕 3 号") == 0.0
    assert cer("各单位：", "各单位:") == 0.0
    assert cer("新塘县人民政府", "新超县人民政府") == 1 / 7
    assert cer("", "") == 0.0 and cer("", "x") == 1.0


def test_step_configs_cover_plain_each_step_and_ablations():
    configs = step_configs()
    assert f"{RAW}plain psm3" in configs and configs[f"{RAW}plain psm3"].psm == 3
    assert "pipeline" in configs
    for step in OcrSettings().steps:
        assert f"pipeline-{step}" in configs
    assert all(set(c.steps) <= set(ALL_STEPS) for c in configs.values())


class EchoEngine:
    """Returns a fixed text: exercises measure() without Tesseract."""

    name = "echo"

    def version(self):
        return "echo 1"

    def recognize(self, image, settings):
        return PageText("新塘县 人民政府", 90.0)

    def orientation(self, image, settings):
        return 0


def test_measure_and_table():
    page = Image.new("RGB", (80, 60), "white")
    configs = {f"{RAW}raw": OcrSettings(psm=3), "piped": OcrSettings()}
    results = measure({"p1": page}, "新塘县人民政府", configs, engine=EchoEngine())
    assert results[f"{RAW}raw"]["p1"][0] == 0.0
    assert results["piped"]["p1"][0] == 0.0  # repair removed the space
    table = format_table(results)
    assert table.splitlines()[0] == "| config | p1 | mean CER | s/page |"
    assert "| raw | 0.0 | 0.0 |" in table
