"""Tesseract's layout and sure lines, PP-OCR's recogniser on the lines Tesseract is unsure of.

Tesseract finds the lines of a page and reads them; a line it is unsure of (a word below
WORD_SURE, or junk characters: ocr/plausible.py) is cut out of the same image and read again
by PP-OCR's recogniser alone (ocr/ppocr.recognize_lines: no detection, the expensive part of
PP-OCR), and the better of the two readings of that line is kept. Clean lines cost one
Tesseract pass; the misread ones get PP-OCR's quality.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from statistics import median

import numpy as np
from PIL import Image

from . import ppocr, script, tesseract
from .engine import GAPPED, engine_version, words_of
from .headerlines import merged_rows, restore_dropped
from .layout import gapped_layout
from .plausible import char_score, plausibility
from .result import Box, PageText
from .settings import OcrSettings

# a line with a word Tesseract is less sure of than this is read again by PP-OCR
WORD_SURE = 80
# a line cut out for PP-OCR gets this share of its height as margin above and below, and
# this many heights left and right (the recogniser wants some paper around the ink)
PAD_Y, PAD_X = 0.2, 1.0
# a word Tesseract gives less than LOST confidence is ink it could not read at all (rules of
# a table, photocopy grain, vertical text read across); a page with more than LOST_SHARE of
# its lines holding such a word was not found as lines: said in a warning, for auto
LOST, LOST_SHARE = 10, 0.25
LOST_LINES = "hybrid: lines Tesseract could not read (layout doubtful)"
# lines of three words or more following each other closer than this many character heights
# are not rows: vertical text read across (one character of each column per "row"). Measured
# between the lines' middles, in the median height of their words (a line's rectangle is not
# its height: Tesseract gives a Chinese word now and then a box twice the line's height):
# 1.20-1.30 on the neutral set's vertical pages (four seeds), 1.44-2.6 on its 公文 pages, where
# the rectangles' ratio overlapped (0.46-0.93 against 0.89-1.8) and a 1% change of scale
# flipped a page
MIN_PITCH = 1.37
PACKED = "hybrid: rows packed closer than their height (vertical text read across?)"
# an unsure line with fewer word characters (Han, digits) than this share of its characters
# (after PP-OCR's reading) is junk read from a rule or noise, left out
MIN_WORDY = 0.5
# a page whose script Tesseract's reading leaves undecided (ocr/script.py) has this many of
# its lines with the most characters of either script read by PP-OCR, which keeps the script
SCRIPT_SAMPLE = 4


@dataclass
class _Line:
    """One line of Tesseract's reading: its words (text, confidence, box), in order."""

    block: tuple
    words: list[tuple[str, float, int, int, int, int]]
    text: str = ""
    confidence: float = 0.0
    reread: bool = False

    def rect(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) around the line's words."""
        return (min(w[2] for w in self.words), min(w[3] for w in self.words),
                max(w[2] + w[4] for w in self.words), max(w[3] + w[5] for w in self.words))


class HybridEngine:
    """OcrEngine: Tesseract, then PP-OCR's recogniser on its unsure lines."""

    name = "hybrid"

    def version(self) -> str:
        return (f"hybrid {engine_version()} + {ppocr.PpocrEngine().version()} rec "
                f"(word<{WORD_SURE})")

    def recognize(self, image: Image.Image, settings: OcrSettings,
                  header: bool = False) -> PageText:
        """Tesseract's reading, its unsure lines (every line of a header, whose rows are
        also joined where Tesseract split them: headerlines.py) read again by PP-OCR's
        recogniser."""
        data = tesseract.image_to_data(image, lang=settings.languages, psm=settings.psm,
                                       timeout=settings.timeout)
        return self._read(image, data, settings, header)

    def recognize_with_header(self, image: Image.Image, header: Image.Image,
                              settings: OcrSettings) -> tuple[PageText, PageText]:
        """recognize(image) and recognize_header(header) from one Tesseract run over both
        (settings.psm for both): the language models loaded once per page."""
        body, top = tesseract.images_to_data([image, header], lang=settings.languages,
                                             psm=settings.psm, timeout=settings.timeout)
        return (self._read(image, body, settings, False),
                self._read(header, top, settings, True))

    def _read(self, image: Image.Image, data: dict, settings: OcrSettings,
              header: bool) -> PageText:
        """The page from Tesseract's word table `data` of `image`, unsure lines re-read."""
        lines = merged_rows(lines_of(data)) if header else lines_of(data)
        warnings = layout_trouble(data, lines)
        # a page whose layout Tesseract got wrong is not re-read line by line: its reading
        # is not kept anyway (auto asks PP-OCR for the whole page), so that would be wasted
        unsure = [] if warnings and not header else [
            line for line in lines if header or not line_sure(line)]
        if unsure:
            # a header of one row is cut out as wide as its ink (inked_across); the rows of a
            # joint header are not, the tall 文件 beside them would be read into the first
            crops = [crop_line(image, inked_across(image, line.rect()) if header
                               and len(lines) == 1 else line.rect()) for line in unsure]
            known = ppocr.charset()
            for line, (text, score) in zip(unsure, ppocr.recognize_lines(crops, settings)):
                text = restore_unknown(line.text, edges_trimmed(line.text, text.strip()), known)
                if header:
                    text = restore_dropped(line.text, text)
                better(line, text, 100 * score)
        if not header and not warnings:
            settle_script(image, lines, settings)
        page = compose(lines)
        return PageText(page.text, page.confidence, tuple(warnings), boxes=page.boxes)

    def recognize_header(self, image: Image.Image, settings: OcrSettings) -> PageText:
        """The red header crop (a line or two of large type, where a misread character makes
        a wrong 责任者): every line read by both engines."""
        return self.recognize(image, settings, header=True)

    def orientation(self, image: Image.Image, settings: OcrSettings) -> int:
        osd = tesseract.orientation(image, timeout=settings.timeout)
        return int(osd.get("rotate", 0)) % 360


def settle_script(image: Image.Image, lines: list[_Line], settings: OcrSettings) -> None:
    """Lines of a page read with both scripts, neither clearly more (script.undecided), put
    into the script PP-OCR reads a sample of them in (and the lines it read already): a
    traditional page in 明体 came out of chi_sim+chi_tra with 40 traditional-only and 24
    simplified-only characters, which ocr_page's unify_script would have folded to
    simplified. Lines stay as read where PP-OCR's sample does not decide either."""
    if not script.undecided(*script.script_counts("\n".join(line.text for line in lines))):
        return
    mixed = sorted((line for line in lines if line.text and not line.reread),
                   key=lambda line: -sum(script.script_counts(line.text)))[:SCRIPT_SAMPLE]
    mixed = [line for line in mixed if sum(script.script_counts(line.text))]
    read = ppocr.recognize_lines([crop_line(image, line.rect()) for line in mixed], settings)
    evidence = [text for text, _score in read] + [line.text for line in lines if line.reread]
    which = script.decided(*script.script_counts("\n".join(evidence)))
    if which:
        for line in lines:
            line.text = script.in_script(line.text, which)


def layout_trouble(data: dict, lines: list[_Line]) -> list[str]:
    """The warnings that say Tesseract did not find the page's lines (for auto): columns or a
    table read across, lines it could not read at all, vertical text read as rows."""
    warnings = []
    if gapped_layout(words_of(data)):
        warnings.append(GAPPED)
    if sum(min(w[1] for w in line.words) < LOST for line in lines) > LOST_SHARE * len(lines):
        warnings.append(LOST_LINES)
    if packed(lines):
        warnings.append(PACKED)
    return warnings


def lines_of(data: dict) -> list[_Line]:
    """Tesseract's words (image_to_data columns) grouped into lines, in its order; each
    line's text (words joined by a space) and mean word confidence."""
    lines: list[_Line] = []
    key = None
    for i, word in enumerate(data.get("text", [])):
        conf = float(data["conf"][i])
        word = str(word).strip()
        if conf < 0 or not word:
            continue
        line_key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if line_key != key:
            lines.append(_Line(line_key[:2], []))
            key = line_key
        lines[-1].words.append((word, conf, int(data["left"][i]), int(data["top"][i]),
                                int(data["width"][i]), int(data["height"][i])))
    for line in lines:
        words = line.words
        for k in range(len(words) - 1):  # a word ends where the next begins (Tesseract's
            word, conf, left, top, width, height = words[k]  # Chinese words sometimes reach
            after = words[k + 1][2]  # across the rest of the line; as engine.page_from_data)
            if left < after < left + width:
                words[k] = (word, conf, left, top, after - left, height)
        line.text = " ".join(w[0] for w in line.words)
        line.confidence = sum(w[1] for w in line.words) / len(line.words)
    return lines


def packed(lines: list[_Line]) -> bool:
    """Whether the lines (of 3+ words, 4 lines or more) follow each other closer than
    MIN_PITCH character heights: the columns of vertical text read across as rows."""
    rows = [line.words for line in lines if len(line.words) >= 3]
    if len(rows) < 4:
        return False
    height = median(median(w[5] for w in words) for words in rows)
    middles = [median(w[3] + w[5] / 2 for w in words) for words in rows]
    pitch = median(b - a for a, b in zip(middles, middles[1:]))
    return pitch < MIN_PITCH * height


def line_sure(line: _Line) -> bool:
    """Every word at least WORD_SURE and no junk character."""
    return (min(w[1] for w in line.words) >= WORD_SURE
            and all(char_score(c) > 0 for c in line.text if not c.isspace()))


def better(line: _Line, text: str, confidence: float) -> None:
    """Take PP-OCR's reading of the line when it is the more plausible one, weighted by
    each engine's confidence."""
    if text and plausibility(text) * confidence >= plausibility(line.text) * line.confidence:
        line.text, line.confidence, line.reread = text, confidence, True
    chars = [c for c in line.text if not c.isspace()]
    if len(chars) >= 4 and sum(_wordy(c) for c in chars) < MIN_WORDY * len(chars):
        line.text = ""  # junk: compose() leaves it out


def _wordy(char: str) -> bool:
    """A Han character or a digit (what a Chinese document's line is mostly made of)."""
    return char.isdigit() or (char.isalpha() and not char.isascii())


# what PP-OCR's recogniser reads into the paper around a line now and then (〇二〇一九年一月
# 二十三日〇 for a clean 二〇一九年一月二十三日): a round mark at either end
_EDGE_MARKS = "〇OoＯ0。."


def edges_trimmed(tesseract_text: str, text: str) -> str:
    """PP-OCR's reading of a line without the round marks it added at its ends: those that
    Tesseract's reading does not have there either."""
    theirs = "".join(tesseract_text.split())
    while text and text[0] in _EDGE_MARKS and not theirs.startswith(text[0]):
        text = text[1:]
    while text and text[-1] in _EDGE_MARKS and not theirs.endswith(text[-1]) and not (
            text[-1] in "。." and theirs[-1:] in "。."):
        text = text[:-1]
    return text


def restore_unknown(tesseract_text: str, text: str, known: frozenset[str]) -> str:
    """PP-OCR's reading of a line with the characters it cannot read put back from
    Tesseract's: where Tesseract read characters outside PP-OCR's dictionary (檢 認 貫 of
    traditional text) and PP-OCR has nothing there, Tesseract's are put in. Where PP-OCR
    read something else, its reading stands (Tesseract's may be a misread, 閉 for 南; PP-OCR
    reads 崗 as its simplified 岗); letters and symbols are not put back (junk)."""
    theirs = "".join(tesseract_text.split())
    if not text:
        return text
    out = []
    matcher = difflib.SequenceMatcher(None, theirs, text, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        mine = theirs[a0:a1]
        if op == "delete" and all(_wordy(c) and c not in known for c in mine):
            out.append(mine)
        else:
            out.append(text[b0:b1])
    return "".join(out)


def inked_across(image: Image.Image, rect: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The rectangle widened to the ink left and right of it within its rows: Tesseract's
    words of a header line it could not read (large 楷体 read as 芷 台 小 館) cover only part of
    it, and PP-OCR, given that part, left out the characters beyond (中共白沙委員會文 for
    中共白沙鎮委員會文件; the whole row read 中共白沙委員會文件)."""
    left, top, right, bottom = rect
    ink = np.flatnonzero((np.asarray(image.convert("L"))[top:bottom] < DARK).any(axis=0))
    if not len(ink):
        return rect
    return min(left, int(ink[0])), top, max(right, int(ink[-1]) + 1), bottom


# darker than this (0-255) is ink on a header crop (the red layer drawn black on white)
DARK = 128


def crop_line(image: Image.Image, rect: tuple[int, int, int, int]) -> np.ndarray:
    """The line's rectangle with a margin, as the BGR array PP-OCR reads."""
    left, top, right, bottom = rect
    height = max(1, bottom - top)
    box = (max(0, round(left - PAD_X * height)), max(0, round(top - PAD_Y * height)),
           min(image.width, round(right + PAD_X * height)),
           min(image.height, round(bottom + PAD_Y * height)))
    return np.ascontiguousarray(np.asarray(image.crop(box).convert("RGB"))[:, :, ::-1])


def compose(lines: list[_Line]) -> PageText:
    """Text (lines; a blank line between Tesseract's blocks and paragraphs), the mean
    confidence per character, and boxes: a word's for lines as Tesseract read them, the
    line's for those re-read."""
    parts: list[str] = []
    boxes: list[Box] = []
    at, weight, total = 0, 0, 0.0
    previous = None
    for line in lines:
        if not line.text:
            continue
        if previous is not None:
            sep = "\n\n" if line.block != previous else "\n"
            parts.append(sep)
            at += len(sep)
        previous = line.block
        if line.reread:
            left, top, right, bottom = line.rect()
            boxes.append(Box(at, at + len(line.text), left, top, right - left, bottom - top))
        else:
            offset = at
            for k, (word, _conf, left, top, width, height) in enumerate(line.words):
                boxes.append(Box(offset, offset + len(word), left, top, width, height))
                offset += len(word) + 1
        parts.append(line.text)
        at += len(line.text)
        n = sum(not c.isspace() for c in line.text)
        weight += n
        total += n * line.confidence
    return PageText(text="".join(parts), confidence=round(total / weight, 2) if weight else 0.0,
                    boxes=tuple(boxes))
