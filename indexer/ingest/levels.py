"""密级 as clerks write it: a written value read strictly, the highest of several, and the marks
a 公文 carries at the top of its first page (GB/T 9704: 密级和保密期限 top left, 绝密★启用前).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..analysis.normalize import FORMAT_CHARS, normalize_text
from ..errors import ExtractionError
from ..fields import DEFAULT_SECURITY, SECURITY_LEVELS

# bump when the marks read from a text could change: the next run reads every record's first
# page again from the index (a metadata update, no extraction), so none keeps a missed mark
MARKS_VERSION = b"marks 2"
_STAR = re.compile(r"[★☆].*", re.S)
_SPACE = re.compile(r"\s+")
SHOWN = 40  # characters of a bad value quoted in the message

# Marks in the first lines of the first page (matched on normalised lines: simplified, NFKC,
# spaces between Chinese characters gone). Only the levels above the default are marks: a
# text saying 公开 never lowers a record. The word 秘密 in prose (保守秘密, 国家秘密) is no mark;
# a mark is a level with a star, after 密级, in brackets, or alone on its line.
_WORD = "(绝密|机密|秘密)"
_OPEN = "[【\\[〔「『“《〈<\"'‘]"  # brackets and quotes a mark may stand in (NFKC: （ is ()
_CLOSE = "[】\\]〕」』”》〉>\"'’]"
_PERIOD = r"(?:\d+\s*年|启用前|长期)"  # 保密期限
_MARKS = (
    re.compile(_WORD + r"\s*[★☆*]"),                       # 绝密★启用前, 秘密★10年
    re.compile(r"[★☆]\s*" + _WORD),                          # ★绝密
    re.compile(r"^\s*" + _WORD + r"\s*[女大]\s*(?:\d|启用前|长期)"),  # OCR's misread ★
    re.compile(_WORD + r"\s*[·•・\-－—–.:：]?\s*" + _PERIOD),   # 绝密·启用前, 机密-10年
    re.compile(r"密级\s*[:：]?\s*(?:" + _OPEN + r"|[(])?\s*" + _WORD),  # 密级：绝密, 密级：「机密」
    re.compile(_OPEN + r"\s*" + _WORD + r"\s*" + _CLOSE),     # 【机密】, 〔秘密〕, 「机密」, “机密”
    re.compile(r"^\s*[(]\s*" + _WORD + r"\s*[)]"),             # (机密) at the start of a line
    re.compile(r"^\s*" + _WORD + r"(?:\s*" + _PERIOD + r")?\s*$"),  # 机密 on its own line
)
_LABELLED = re.compile(r"^\s*密\s*级\s*[:：]\s*(?P<value>.*?)\s*$")  # 密级：VALUE on its line
# what may stand around the level on such a line: brackets, a star and the 保密期限 after it
_AROUND = re.compile(_OPEN + "|" + _CLOSE + r"|[()\s]|[★☆*].*|[·•・\-－—–.]?" + _PERIOD + "$")
_BLANK = re.compile(r"^[\s_＿\-—－…·.。]*$")  # a form's field left empty
MARK_LINES = 10  # non-empty lines at the top of the first page where a mark is looked for
HEAD_CHARS = 4000  # at most this much of the first page is read for them


def parse_level(value: str | Iterable[str], where: str = "") -> str:
    """The level a written value (or several, from several catalogs) gives: the highest.
    Each is read after NFKC, traditional→simplified, removal of whitespace and of a ★ (or ☆)
    with what follows it; anything else raises ExtractionError naming the value."""
    values = [value] if isinstance(value, str) else list(value)
    return highest(_one(str(v), where) for v in values)


def _one(value: str, where: str) -> str:
    level = _STAR.sub("", _SPACE.sub("", normalize_text(value)))
    if level in SECURITY_LEVELS:
        return level
    shown = value if len(value) <= SHOWN else value[:SHOWN] + "…"
    source = f"（{where}）" if where else ""
    raise ExtractionError(f"密级 \"{shown}\"{source} 不是五个级别之一（{'、'.join(SECURITY_LEVELS)}）")


def highest(levels: Iterable[str | None]) -> str:
    """The highest of these levels (None and '' skipped); 内部 when there is none."""
    found = [SECURITY_LEVELS.index(level) for level in levels if level]
    return SECURITY_LEVELS[max(found)] if found else DEFAULT_SECURITY


def text_mark(lines: Iterable[str]) -> str:
    """The highest 密级 mark in these (normalised) lines of the first page, or ''."""
    found = []
    for line in lines:
        for pattern in _MARKS:
            found += [m.group(1) for m in pattern.finditer(line)]
    return highest(found) if found else ""


def unclear_mark(lines: Iterable[str]) -> str:
    """The value of a `密级：VALUE` line among these (normalised first-page lines) that is not
    one level (TOP SECRET, Secret, 无, 核心机密, 国家秘密: brackets, a star and a 保密期限 aside);
    '' when there is none. What it means cannot be told, so it may mean more than anything
    else says of the file."""
    for line in lines:
        m = _LABELLED.match(line)
        if m is None or _BLANK.match(m.group("value")):
            continue
        if _AROUND.sub("", m.group("value")) not in SECURITY_LEVELS:  # (核心机密, 国家秘密)
            return m.group("value")
    return ""


def first_page_lines(text: str, page_end: int | None = None,
                     limit: int = MARK_LINES) -> list[str]:
    """The first non-empty lines of the first page with text (a blank cover page before it
    is skipped), normalised."""
    found = _VISIBLE.search(text)
    if found is None:
        return []
    at = found.start()  # (a page, or lines, of nothing visible before it are skipped)
    start = max(text.rfind("\f", 0, at), text.rfind("\n", 0, at)) + 1
    page_end = None if page_end is not None and page_end <= start else page_end
    end = min(page_end or len(text), start + HEAD_CHARS)
    return _lines(text[start:end].split("\f", 1)[0], limit)


def _lines(head: str, limit: int) -> list[str]:
    out = []
    for line in head.splitlines():
        line = normalize_text(_UNSEEN.sub("", line))
        if line.strip():
            out.append(line)
            if len(out) >= limit:
                break
    return out


# characters that show nothing beyond the format characters normalisation drops: variation
# selectors, the combining grapheme joiner, Hangul fillers, Mongolian variation selectors (绝︀密
# is 绝密 to the eye, and a mark)
_UNSEEN_CHARS = "\u034f\u115f\u1160\u180b-\u180d\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef"
_UNSEEN = re.compile(f"[{_UNSEEN_CHARS}]+")
_VISIBLE = re.compile(f"[^\\s\\x00-\\x1f\\x7f{FORMAT_CHARS}{_UNSEEN_CHARS}]")
