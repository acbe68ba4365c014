"""indexer.analysis.confusions (the look-alike table made from our own OCR) and the tool
that makes it (tools/confusions.py)."""
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter

import ocr_images
from indexer.analysis.confusions import GLYPHS, TABLE, confusion_counts, lookalikes
from indexer.analysis.normalize import normalize_text
from ocr import OcrSettings, ocr_page

REPO = Path(__file__).resolve().parents[1]
needs_font = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)


def test_the_table_loads_and_is_symmetric():
    counts = confusion_counts()
    assert len(counts) >= 200
    for (a, b), n in counts.items():
        assert counts[(b, a)] == n and n >= 2
        assert len(a) == len(b) == 1 and a != b


def test_pairs_stay_distinct_after_normalisation():
    for a, b in confusion_counts():
        assert normalize_text(a) == a and normalize_text(b) == b


def test_lookalikes_are_ordered_by_count_and_read_in_both_directions():
    counts = confusion_counts()
    for ch in "宣千鸟日":
        found = lookalikes(ch)
        assert found, ch
        read = [b for b in found if (ch, b) in counts]
        assert found[:len(read)] == tuple(read)  # our OCR's misreads first, then the drawn
        assert [counts[(ch, b)] for b in read] == sorted(
            (counts[(ch, b)] for b in read), reverse=True)
        for b in found:
            assert ch in lookalikes(b)
    assert lookalikes("宣")[0] == "宜" and "宣" in lookalikes("宜")
    assert "干" in lookalikes("千") and "曰" in lookalikes("日")
    assert "戍" in lookalikes("成") and "末" in lookalikes("未")


def test_a_traditional_character_asks_for_its_simplified_forms_lookalikes():
    assert lookalikes("鳥") == lookalikes("鸟") != ()
    assert lookalikes("") == () and lookalikes("a") == ()


def _page(lines: list[str], size: int, blur: float) -> Image.Image:
    """Lines drawn as tools/confusions.py draws its pages (here without noise)."""
    pitch, margin = round(size * 1.9), 2 * size
    image = Image.new("L", (18 * size + 2 * margin, len(lines) * pitch + 2 * margin), 255)
    pen = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        pen.text((margin, margin + n * pitch), line, font=ocr_images.font(size), fill=20)
    return image.filter(ImageFilter.GaussianBlur(blur))


@pytest.mark.ocr
@needs_font
@pytest.mark.parametrize("lines, pair", [
    # the case: a record whose OCR read 王建戍 for 王建成 (and the reverse)
    (["王建成同志负责档案保密", "卫戍部队戍边王建戍", "青年教育己经已经末未", "乡镇填写清单管理里程"],
     ("戍", "成")),
    (["加强宣传工作宣布决定", "固定资产千万元鸟类"], ("鸟", "乌")),
])
def test_a_real_misread_of_a_rendered_line_is_in_the_table(lines, pair):
    """Tesseract (chi_sim) misreads these small, slightly blurred lines in place: a search
    for what was meant must be able to try what was read, and the reverse."""
    truth = "".join(lines)
    read = ocr_page(_page(lines, 28, 0.8), OcrSettings(languages="chi_sim")).text
    read = "".join(normalize_text(read).split())
    assert len(read) == len(truth) and read != truth, read  # a misread happens, in place
    misread = {(a, b) for a, b in zip(truth, read) if a != b}
    assert pair in misread
    a, b = pair
    assert b in lookalikes(a) and a in lookalikes(b)


@pytest.mark.ocr
@needs_font
def test_the_tool_writes_a_table_the_loader_format_expects(tmp_path):
    out = tmp_path / "confusions.tsv"
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "confusions.py"), "--chars", "40", "--rounds", "1",
         "--archive-lines", "4", "--fonts", "noto-serif", "--workers", "1", "--min-count", "1",
         "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "characters OCR'd" in done.stdout
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# tools/confusions.py:") and lines[1] == "char\tmisread_as\tcount"
    for row in lines[2:]:
        a, b, n = row.split("\t")
        assert len(a) == len(b) == 1 and int(n) >= 1
    assert TABLE.read_text(encoding="utf-8").splitlines()[1] == "char\tmisread_as\tcount"


def test_glyphs_sharing_most_of_their_ink_are_lookalikes_too():
    """Confusions a worn or blurred scan makes that Tesseract never made on clean rendered
    text (issue 13 names 青/育, 己/已, 未/末): the drawn table adds them, both ways, after
    the misreads our OCR made."""
    for a, b in ("青育", "己已", "未末", "大太", "王玉"):
        assert b in lookalikes(a) and a in lookalikes(b), (a, b)
    rows = GLYPHS.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("# tools/glyphs.py:") and rows[1] == "char\tlookalike\tshare"
    for row in rows[2:]:
        a, b, share = row.split("\t")
        assert len(a) == len(b) == 1 and a != b and 0.5 <= float(share) <= 1


@needs_font
def test_the_glyph_tool_keeps_the_closest_shapes(tmp_path):
    out = tmp_path / "glyphs.tsv"
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "glyphs.py"), "--chars", "300", "--fonts",
         "noto-sans", "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rows = [r.split("\t") for r in out.read_text(encoding="utf-8").splitlines()[2:]]
    assert ["大", "太"] in [r[:2] for r in rows]  # (two of the 300 commonest characters)
    assert all(float(r[2]) >= 0.6 for r in rows)
