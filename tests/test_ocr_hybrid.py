"""Tests for the hybrid engine (ocr.hybrid): Tesseract's lines, PP-OCR's recogniser on the
unsure ones; real Tesseract and the real PP-OCR models on a small rendered image."""
from __future__ import annotations

import pytest

import ocr_images
from ocr import OcrEngine, OcrSettings, ocr_page, ppocr
from ocr import hybrid
from ocr.errors import OcrTimeout
from ocr.hybrid import HybridEngine, better, compose, lines_of, line_sure

needs_font = pytest.mark.skipif(
    ocr_images.font_path() is None, reason="no CJK font installed (apt-get install fonts-noto-cjk)"
)
LINES = ["档案馆开放时间调整的通知", "请各单位于五月十二日前报送"]

# Tesseract's TSV columns: a sure line of two words, an unsure one, then a block of junk
DATA = {
    "level": [1, 5, 5, 5, 5, 5],
    "block_num": [0, 1, 1, 1, 2, 2],
    "par_num": [0, 1, 1, 1, 1, 1],
    "line_num": [0, 1, 1, 2, 1, 1],
    "text": ["", "新政发", "〔2019〕3号", "关干", "╬▓|~", " "],
    "conf": [-1, 96, 91, 42, 30, 95],
    "left": [0, 10, 80, 10, 10, 0],
    "top": [0, 10, 10, 50, 90, 0],
    "width": [0, 60, 90, 40, 70, 0],
    "height": [0, 30, 30, 30, 30, 0],
}


def test_words_become_lines_and_only_sure_lines_are_kept_as_read():
    lines = lines_of(DATA)
    assert [line.text for line in lines] == ["新政发 〔2019〕3号", "关干", "╬▓|~"]
    assert [line_sure(line) for line in lines] == [True, False, False]
    assert lines[0].rect() == (10, 10, 170, 40)
    assert lines[0].confidence == 93.5


def test_a_better_reading_replaces_the_line_and_junk_is_left_out():
    first, second, junk = lines_of(DATA)
    better(second, "关于", 99.0)
    assert (second.text, second.reread) == ("关于", True)
    better(first, "新", 99.0)  # less text, though surer: Tesseract's reading stays
    assert (first.text, first.reread) == ("新政发 〔2019〕3号", False)
    better(junk, "，，一、、，、", 90.0)  # what PP-OCR reads of a rule: punctuation
    noise = lines_of(DATA)[2]
    better(noise, "| ， > 1， AA rs", 40.0)  # Tesseract's junk kept, still junk: left out
    assert noise.text == ""
    page = compose([first, second, junk, noise])
    assert page.text == "新政发 〔2019〕3号\n关于"
    # word boxes for the line kept, one line box for the line re-read; offsets into the text
    assert [(b.start, b.end, b.left, b.width) for b in page.boxes] == [
        (0, 3, 10, 60), (4, 12, 80, 90), (13, 15, 10, 40)]
    assert [page.text[b.start:b.end] for b in page.boxes] == ["新政发", "〔2019〕3号", "关于"]


@needs_font
@pytest.mark.ocr
def test_unsure_lines_are_read_again_by_ppocr_with_line_boxes(monkeypatch):
    image = ocr_images.text_image(LINES, size=34, pad=30)
    engine = HybridEngine()
    assert isinstance(engine, OcrEngine)
    monkeypatch.setattr(hybrid, "WORD_SURE", 101)  # Tesseract is never sure: every line re-read
    page = engine.recognize(image, OcrSettings())
    assert page.text.split("\n") == LINES
    assert page.confidence > 90
    assert len(page.boxes) == 2
    for box, line in zip(page.boxes, LINES):
        assert page.text[box.start:box.end] == line
        assert 0 <= box.left and box.left + box.width <= image.width
    assert page.boxes[0].top + page.boxes[0].height <= page.boxes[1].top + 5


@needs_font
@pytest.mark.ocr
def test_a_page_through_the_pipeline_keeps_header_number_and_boxes():
    page = ocr_page(ocr_images.clean_page(), OcrSettings(), HybridEngine())
    assert page.text.startswith(ocr_images.HEADER)
    assert ocr_images.DOC_NUMBER in page.text and ocr_images.TITLE in page.text
    assert all(0 <= b.start < b.end <= len(page.text) for b in page.boxes)


@needs_font
@pytest.mark.ocr
def test_short_lines_of_a_page_are_recognised_padded_to_their_own_width_not_to_320_px(
        monkeypatch):
    """rapidocr pads every batch of lines to at least 320 px (at 48 px high): a two-character
    table cell was read with five times its width of padding. On a whole page a batch is now
    padded to its widest line, and read as well; the lines the hybrid cuts out keep
    rapidocr's padding."""
    from ocr.ppocr import PpocrEngine

    image = ocr_images.text_image("档案", size=34, pad=30)
    model = ppocr.load()
    widths = []
    for recogniser in (model.text_rec, model.line_rec):
        session = recogniser.session
        monkeypatch.setattr(recogniser, "session", lambda batch, session=session:
                            widths.append(batch.shape[3]) or session(batch))
    assert PpocrEngine().recognize(image, OcrSettings()).text == "档案"
    assert widths and max(widths) < 200
    widths.clear()
    crop = hybrid.crop_line(image, (30, 30, image.width - 30, image.height - 30))
    assert [text for text, _score in ppocr.recognize_lines([crop], OcrSettings())] == ["档案"]
    assert widths == [320]


def test_ppocr_line_recognition_honours_the_timeout(monkeypatch):
    class Slow:
        def line_rec(self, crops):
            import time
            time.sleep(0.05)
            return [("档案", 0.99) for _ in crops], 0.05

    monkeypatch.setattr(ppocr, "load", lambda: Slow())
    monkeypatch.setattr(ppocr, "REC_BATCH", 1)
    crops = [None] * 5
    assert ppocr.recognize_lines(crops[:2], OcrSettings(timeout=0)) == [("档案", 0.99)] * 2
    with pytest.raises(OcrTimeout, match="PP-OCR took longer than 0.01 s"):
        ppocr.recognize_lines(crops, OcrSettings(timeout=0.01))


def test_rows_packed_closer_than_their_height_are_vertical_text_read_across():
    from ocr.hybrid import _Line, packed

    def rows(pitch, height=60, n=6, tall=()):
        """n lines of four 60 px words; the words numbered in `tall` get a box twice the
        line's height reaching up into the line above, as Tesseract gives some."""
        return [_Line((1, 1), [(c, 90, 100 + 80 * k,
                                100 + pitch * r - (height if k in tall else 0), 60,
                                2 * height if k in tall else height)
                               for k, c in enumerate("档案工作")]) for r in range(n)]

    assert not packed(rows(pitch=110))  # 公文 lines: 1.8 character heights apart
    assert packed(rows(pitch=72))       # one character of each column per "row"
    assert not packed(rows(pitch=72, n=3))  # too few lines to tell
    # a word's box twice the line's height: the rows are still 1.8 heights apart (the lines'
    # rectangles, 120 px high, said 0.9: packed)
    assert not packed(rows(pitch=110, tall=(1,)))
    assert not packed(rows(pitch=84))  # 1.4 heights: single-spaced rows


@pytest.mark.parametrize("tess, pp, want", [
    ("為切實做好安全生產大 檢查工作", "為切實做好安全生產大查工作", "為切實做好安全生產大檢查工作"),  # 檢 dropped
    ("請認真貫徹執行", "請真徹執行", "請認真貫徹執行"),
    ("中共長崗鎮委員會", "中共長岗鎮委員會", "中共長岗鎮委員會"),  # its simplified 岗: kept
    ("閉屏縣民政局又件", "南屏縣民政局文件", "南屏縣民政局文件"),  # Tesseract's misread 閉 is
    # outside the dictionary too: PP-OCR's reading stands
    ("關干進一步加強", "關於進一步加強", "關於進一步加強"),      # PP-OCR's own reading wins
    ("╬▓ 檢", "", ""),                                           # nothing read: nothing put back
])
def test_characters_ppocr_cannot_read_are_taken_from_tesseract(tess, pp, want):
    from ocr.hybrid import restore_unknown

    known = ppocr.charset()
    assert "檢" not in known and "認" not in known and "崗" not in known and "閉" not in known
    assert "於" in known
    assert restore_unknown(tess, pp, known) == want


def test_a_word_box_reaching_across_the_line_ends_where_the_next_word_begins():
    data = {"level": [5, 5], "block_num": [1, 1], "par_num": [1, 1], "line_num": [1, 1],
            "text": ["王建", "成"], "conf": [95, 95], "left": [62, 163], "top": [138, 138],
            "width": [356, 41], "height": [36, 36]}
    (line,) = lines_of(data)
    page = compose([line])
    assert [(b.left, b.width) for b in page.boxes] == [(62, 101), (163, 41)]
    assert line.rect() == (62, 138, 204, 174)


@pytest.mark.parametrize("tess, pp, want", [
    ("二 0 一 九 年 一 月 二 十 二 日", "〇二〇一九年一月二十三日〇", "二〇一九年一月二十三日"),
    ("〇 一 二 号", "〇一二号", "〇一二号"),                  # Tesseract read it there too
    ("特此通知。", "特此通知。", "特此通知。"),               # a full stop stays
    ("档 案 馆", "O档案馆o", "档案馆"),
])
def test_round_marks_ppocr_reads_into_the_paper_at_a_lines_ends_are_dropped(tess, pp, want):
    from ocr.hybrid import edges_trimmed

    assert edges_trimmed(tess, pp) == want


def test_a_date_in_chinese_numerals_is_as_plausible_as_its_misreading():
    from ocr.plausible import plausibility

    # 〇 is a numeral, not junk: the right reading of a 成文日期 is not outscored by
    # Tesseract's 0 for 〇 (and 二 for 三)
    assert plausibility("二〇一九年一月二十三日") == plausibility("二 0 一 九 年 一 月 二 十 二 日")


def test_a_page_read_in_both_scripts_takes_the_script_ppocr_reads_a_sample_in(monkeypatch):
    from PIL import Image

    from ocr.hybrid import _Line, settle_script

    def line(text, row):
        return _Line((1, 1), [(text, 95, 10, 10 + 50 * row, 40 * len(text), 40)], text=text)

    # Tesseract's reading of a traditional page in 明体: lines in either script
    read = ["為切實做好防汛抗旱工作，根據上級有關文件精神", "结合我镇实际，现将有关事项明确如下",
            "請各單位於九月二十二日前將工作情況報送財政所", "涉及黄土岭村等十六个行政村"]
    asked = []

    def ppocr_reads(crops, settings):
        asked.extend(crops)
        return [("結合我鎮實際，現將有關事項明確如下", 0.99), ("涉及黃土嶺村等十六個行政村", 0.98)]

    monkeypatch.setattr(ppocr, "recognize_lines", ppocr_reads)
    lines = [line(text, k) for k, text in enumerate(read)]
    settle_script(Image.new("L", (2000, 400), 255), lines, OcrSettings())
    assert [x.text for x in lines] == [
        "為切實做好防汛抗旱工作，根據上級有關文件精神", "結合我鎮實際，現將有關事項明確如下",
        "請各單位於九月二十二日前將工作情況報送財政所", "涉及黃土嶺村等十六個行政村"]
    assert len(asked) == 4  # the lines with characters of one script only
    # a page whose reading tells its script is not asked about
    asked.clear()
    lines = [line("结合我镇实际，现将有关事项明确如下", 0), line("請各單位", 1)]
    settle_script(Image.new("L", (2000, 400), 255), lines, OcrSettings())
    assert not asked and lines[1].text == "請各單位"


UMING = "/usr/share/fonts/truetype/arphic/uming.ttc"


@pytest.mark.skipif(not __import__("os").path.exists(UMING),
                    reason="no AR PL UMing (apt-get install fonts-arphic-uming)")
@pytest.mark.ocr
def test_a_traditional_page_in_ming_type_stays_traditional():
    """Tesseract (chi_sim+chi_tra) reads these lines in AR PL UMing half in simplified
    characters: 20 traditional-only against 12 simplified-only, which the page's script
    unification used to fold to simplified."""
    from PIL import Image, ImageDraw, ImageFont

    from ocr.script import script_counts

    lines = ["為切實做好防汛抗旱工作，根據上級有關文件精神，結合", "我鎮實際，現將有關事項明確如下。",
             "二、明確工作任務。全鎮計劃完成防汛抗旱任務四十項，",
             "涉及黃土嶺村、棗林村等十六個行政村，共一千餘戶。",
             "請各單位於九月二十二日前將工作情況報送財政所。"]
    font = ImageFont.truetype(UMING, 44)
    page = Image.new("RGB", (1300, 60 + 80 * len(lines)), "white")
    draw = ImageDraw.Draw(page)
    for k, text in enumerate(lines):
        draw.text((40, 30 + 80 * k), text, font=font, fill=(20, 20, 20))
    text = ocr_page(page, OcrSettings(), HybridEngine()).text
    assert "結合我鎮實際，現將有關事項明確如下" in text
    assert script_counts(text)[1] == 0


def test_a_header_line_is_cut_out_for_ppocr_as_wide_as_its_ink():
    from PIL import Image, ImageDraw

    from ocr.hybrid import inked_across

    header = Image.new("L", (1500, 260), 255)
    ImageDraw.Draw(header).rectangle((40, 60, 1460, 200), fill=0)  # the row's ink
    # Tesseract's words of a header it could not read cover the middle of the row only
    assert inked_across(header, (176, 43, 1263, 158)) == (40, 43, 1461, 158)
    assert inked_across(Image.new("L", (300, 100), 255), (10, 10, 50, 50)) == (10, 10, 50, 50)

