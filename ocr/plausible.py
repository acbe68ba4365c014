"""How plausible a reading is as Chinese document text, on one scale for every engine.

Engines' own confidences are not comparable (PP-OCR's line scores run higher than
Tesseract's word confidences on the same page), so choosing between two readings of one
page needs a measure of the text itself. Each character scores by what it is: a common
ideograph (GB 2312 level 1 or Big5's frequent level, about 3,800 and 5,400 characters that
cover nearly all running text), a digit or document punctuation counts fully; a rarer
ideograph or Latin letter counts less; anything else (symbols, stray scripts: what
misreads of noise, rules and backgrounds look like) counts against.
"""
from __future__ import annotations

import unicodedata

PUNCTUATION = set("，。、；：？！“”‘’（）《》〔〕【】—…·「」『』")
PUNCTUATION |= set(",.;:?!()[]%-/+#~'\"<>=")
# points per character by kind
COMMON, RARE, LATIN, PUNCT, OTHER = 1.0, 0.5, 0.5, 0.5, -1.0


def char_score(char: str) -> float:
    if (char.isdigit() and char.isascii()) or char == "〇":  # 〇 of 二〇一九年: a numeral
        return COMMON
    if char in PUNCTUATION:
        return PUNCT
    if char.isascii() and char.isalpha():
        return LATIN
    if unicodedata.category(char) == "Lo" and "CJK UNIFIED" in unicodedata.name(char, ""):
        return COMMON if common_ideograph(char) else RARE
    return OTHER


def common_ideograph(char: str) -> bool:
    """In GB 2312 level 1 (rows 16-55) or Big5's frequent level (0xA440-0xC67E)."""
    try:
        gb = char.encode("gb2312")
        if 0xB0 <= gb[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        big5 = char.encode("big5")
        return len(big5) == 2 and 0xA440 <= (big5[0] << 8 | big5[1]) <= 0xC67E
    except UnicodeEncodeError:
        return False


# a character repeated more than this many times in a row is junk from the third on (圖圖圖圖
# read from a patterned background; running text repeats a character at most twice)
MAX_RUN = 2


def plausibility(text: str) -> float:
    """Sum of char_score over the text's non-space characters (after NFKC), repeats past
    MAX_RUN in a row counting as junk: grows with the amount of plausible text read, falls
    with junk."""
    total, previous, run = 0.0, "", 0
    for c in unicodedata.normalize("NFKC", text):
        if c.isspace():
            continue
        run = run + 1 if c == previous else 1
        previous = c
        total += OTHER if run > MAX_RUN and not c.isdigit() else char_score(c)
    return total
