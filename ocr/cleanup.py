"""Repair of raw OCR text: spaces between CJK characters, broken lines, 文号 brackets."""
from __future__ import annotations

import re

from .offsets import Mapped

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0003134f"
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
DIGITS = "0-9\uff10-\uff19"
_CJK = f"[{HAN}{CJK_PUNCT}]"
_CJK_OR_DIGIT = f"[{HAN}{CJK_PUNCT}{DIGITS}]"

# horizontal whitespace between two CJK characters, or between CJK and a digit
_SPACE_CJK = re.compile(
    f"(?<={_CJK})[ \\t\u3000]+(?={_CJK_OR_DIGIT})|(?<=[{DIGITS}])[ \\t\u3000]+(?={_CJK})"
)

# a line ending like a 公文 heading (header, title, 文号) is a line of its own
_HEADING_END = re.compile(r"(文件|通知|通报|决定|报告|请示|批复|意见|函|纪要|办法|规定|方案|总结|[号號])$")
# a sentence ends with one of these (optionally followed by a closing quote or bracket)
SENTENCE_END = "。！？；：…!?;:"
_CLOSERS = "”’」』）》〕】)]"

# 文号: opening bracket, year 19xx/20xx, closing bracket, number, 号 (with OCR confusions)
_OPEN = "\\[\\(（【〔［〖{｛<〈「"
_CLOSE = "\\]\\)）】〕］〗}｝>〉」"
_DIGITISH = "0-9OoIlSZ"
_DOC_NUMBER = re.compile(
    f"[ \\t]*[{_OPEN}]\\s*((?:19|20)[{_DIGITISH}]{{2}}|[12][{_DIGITISH}]{{3}})\\s*[{_CLOSE}]\\s*"
    f"([{_DIGITISH}]{{1,4}})\\s*(号|號)"
)
# ASCII punctuation read after a Chinese character is the fullwidth mark of Chinese text
_ASCII_PUNCT = re.compile(f"(?<=[{HAN}])[ \\t]*([,:;!?])[ \\t]*")
_FULLWIDTH = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
# 〇 read as 0, O or 口 between Chinese numerals (二0一九年 -> 二〇一九年)
_NUMERALS = "一二三四五六七八九十〇零"
_LING = re.compile(f"(?<=[{_NUMERALS}])[0OoD口]+(?=[{_NUMERALS}年月日])")
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "S": "5", "Z": "2"})


# marks both engines read for Chinese punctuation: the radical 丶 (U+4E36) for 、 after a
# character or a numeral (一丶提高思想认识), and a degree sign for a 。 set high, as
# traditional fonts centre it (…明顯提高°), after a Chinese character only (5° stays)
_MARK_LOOKALIKES = re.compile(f"(?<=[{HAN}{DIGITS}])丶|(?<=[{HAN}])°")
_MARKS = {"丶": "、", "°": "。"}


def fix_lookalike_marks(text: str) -> str:
    """、 for 丶 and 。 for ° where they stand for those marks (see _MARK_LOOKALIKES)."""
    return _fix_lookalike_marks(Mapped.of(text)).text


def _fix_lookalike_marks(text: Mapped) -> Mapped:
    return text.sub(_MARK_LOOKALIKES, lambda m: _MARKS[m.group(0)])


def remove_cjk_spaces(text: str) -> str:
    """Drop spaces Tesseract puts between Chinese characters (and between them and digits)."""
    return _SPACE_CJK.sub("", text)


def fix_punctuation(text: str) -> str:
    """Fullwidth ，：；！？ for ASCII marks after a Chinese character, spaces around them gone."""
    return _fix_punctuation(Mapped.of(text)).text


def _fix_punctuation(text: Mapped) -> Mapped:
    return text.sub(_ASCII_PUNCT, lambda m: _FULLWIDTH[m.group(1)])


def fix_chinese_zero(text: str) -> str:
    """〇 for a 0 / O / 口 misread inside a Chinese-numeral date or number (二0一九年)."""
    return _fix_chinese_zero(Mapped.of(text)).text


def _fix_chinese_zero(text: Mapped) -> Mapped:
    return text.sub(_LING, lambda m: "〇" * len(m.group(0)))


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip(_CLOSERS)
    return not stripped or stripped[-1] in SENTENCE_END


def join_broken_lines(text: str) -> str:
    """Join a line to the next when the break falls inside a Chinese sentence.

    Conservative: the line must be a full line (at least 80% of the longest line, 12+
    characters), end in a CJK character or non-final punctuation but not like a heading
    (…文件, …通知, …号), and the next line must start with a CJK character or digit.
    Titles, signatures, dates and paragraph breaks (blank lines) stay.
    """
    return _join_broken_lines(Mapped.of(text)).text


def _join_broken_lines(text: Mapped) -> Mapped:
    lines, pos = [], 0
    for piece in text.text.split("\n"):
        lines.append(text[pos:pos + len(piece.rstrip())])
        pos += len(piece) + 1
    full = max(12.0, 0.8 * max((len(line.text.strip()) for line in lines), default=0))
    out: list[Mapped] = []
    previous = ""  # the last physical line, before any joining
    for line in lines:
        raw = line.text
        if (
            out
            and previous
            and raw.strip()
            and len(previous.strip()) >= full
            and re.match(_CJK, previous[-1])
            and not _ends_sentence(previous)
            and not _HEADING_END.search(previous)
            and re.match(_CJK_OR_DIGIT, raw.lstrip()[0])
        ):
            out[-1] = out[-1] + line.strip()
        else:
            out.append(line)
        previous = raw
    joined = out[0] if out else Mapped("", [])
    for line in out[1:]:
        joined = joined + Mapped("\n", [joined._at(len(joined))]) + line
    return joined


def fix_doc_numbers(text: str) -> str:
    """Normalise 文号 like 新政发[2019] 3号 / (2019) / 【2019】 to 新政发〔2019〕3号."""
    return _fix_doc_numbers(Mapped.of(text)).text


def _fix_doc_numbers(text: Mapped) -> Mapped:
    def repl(match: re.Match) -> str:
        year = match.group(1).translate(_DIGIT_FIXES)
        number = match.group(2).translate(_DIGIT_FIXES)
        if not (year.startswith("19") or year.startswith("20")):
            return match.group(0)
        return f"〔{year}〕{number}{match.group(3)}"

    return text.sub(_DOC_NUMBER, repl)


def repair_text(text: str) -> str:
    """All repairs, in order: CJK spacing, punctuation (丶 and ° for 、 and 。 too), 〇, 文号
    brackets, broken lines."""
    return repair_mapped(Mapped.of(text)).text


def repair_mapped(text: Mapped) -> Mapped:
    """repair_text, remembering where each character of the result came from."""
    text = text.sub(_SPACE_CJK, "")
    text = _fix_lookalike_marks(_fix_punctuation(text))
    text = _fix_chinese_zero(text)
    text = _fix_doc_numbers(text).sub(_SPACE_CJK, "")
    return _join_broken_lines(text)
