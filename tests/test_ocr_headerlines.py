"""The red header's lines read by both engines (ocr.headerlines): a row Tesseract split into
overlapping lines is read once, and a character PP-OCR's recogniser drops (鎮 of a traditional
header: 中共雙溪委員會 for 中共雙溪鎮委員會) is taken from Tesseract's reading."""
from __future__ import annotations

import subprocess

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import OcrSettings
from ocr.headerlines import merged_rows, restore_dropped
from ocr.hybrid import HybridEngine, _Line


@pytest.mark.parametrize("tess, pp, want", [
    ("中共龍泉鎮委員會文件", "中共龍泉委員會文件", "中共龍泉鎮委員會文件"),
    ("中 共 查 花 鎮 委 員 會 文 件", "中共杏花委員會文件", "中共杏花鎮委員會文件"),  # 查/杏 beside
    ("中共雙溪镇委员会文件", "中共雙溪委員會文件", "中共雙溪镇委員會文件"),  # scripts differ
    ("青山镇人民政府文件", "青山镇人民政府文件", "青山镇人民政府文件"),     # nothing dropped
    ("青山镇人民政府|文件", "青山镇人民政府文件", "青山镇人民政府文件"),    # junk is not put in
    ("青山镇人民人政府文件", "青山镇民政府文件", "青山镇人民政府文件"),      # one at most
    ("中其龙果盾委员合文件", "中共龍泉委員會文件", "中共龍泉委員會文件"),    # beside it
])
def test_a_character_ppocr_dropped_is_put_back_from_tesseract(tess, pp, want):
    assert restore_dropped(tess, pp) == want


def _line(words):
    line = _Line((1, 1), [(w, c, x, y, 150, h) for w, c, x, y, h in words])
    line.text = " ".join(w for w, *_ in words)
    return line


def test_a_row_tesseract_split_into_overlapping_lines_is_one_line_again():
    first = _line([("中", 92, 43, 42, 172), ("共", 91, 190, 42, 172), ("查", 63, 350, 42, 172),
                   ("花", 39, 500, 42, 172)])
    second = _line([("性", 36, 355, 43, 172), ("花", 81, 505, 43, 172),
                    ("鎮", 27, 660, 43, 172), ("委", 60, 815, 43, 172)])
    below = _line([("文", 90, 43, 300, 120), ("件", 90, 200, 300, 120)])  # another row
    rows = merged_rows([first, second, below])
    assert [r.text for r in rows] == ["中 共 查 花 鎮 委", "文 件"]
    # the rows of a joint header beside one tall 文件 stay apart
    tall = _line([("青山镇人民政府", 90, 40, 40, 100), ("文件", 90, 1200, 40, 240)])
    lower = _line([("青山镇财政所", 90, 40, 180, 100)])
    assert len(merged_rows([tall, lower])) == 2


def _ukai() -> str:
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", "AR PL UKai TW"],
                               capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""
    return found if "ukai" in found.lower() else ""


@pytest.mark.ocr
@pytest.mark.skipif(not _ukai(), reason="no AR PL UKai (apt-get install fonts-arphic-ukai)")
@pytest.mark.parametrize("header", ["中共雙溪鎮委員會文件", "中共杏花鎮委員會文件"])
def test_a_traditional_header_keeps_its_鎮(header):
    font = ImageFont.truetype(_ukai(), 120)
    image = Image.new("L", (int(font.getlength(header)) + 80, 200), 255)
    ImageDraw.Draw(image).text((40, 30), header, font=font, fill=0)
    image = image.resize((int(image.width * 0.78), image.height)).convert("RGB")  # condensed
    page = HybridEngine().recognize_header(image, OcrSettings(psm=6))
    assert page.text.replace("\n", "") == header
