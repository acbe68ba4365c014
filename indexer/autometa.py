"""Metadata found in a record's own text when the catalog gives none (title, 文号, date, 密级)."""
from __future__ import annotations

import re

from .normalize import collapse_cjk_spaces

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS.update({"零": 0, "O": 0, "o": 0, "０": 0})
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d{1,4}\s*号")
_DATE_DIGITS = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_CN = re.compile(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_SECURITY = re.compile(r"(绝密|机密|秘密)\s*★")
_ORG_HEADER = re.compile(r"^\s*([\u4e00-\u9fff]{2,30}?)(?:文件|文件\s*$)", re.M)
_TITLE_LINE = re.compile(r"^\s*(关于.{2,60}?的(?:通知|决定|报告|请示|批复|意见|函|通报|纪要|总结|计划|规定|办法))\s*$", re.M)


def _cn_number(s: str) -> int:
    """一 … 三十一 → int."""
    if "十" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def extract_date(text: str) -> str:
    """The last full date in the text (the 成文日期 sits at the end), as YYYY-MM-DD."""
    found = ""
    for m in _DATE_DIGITS.finditer(text):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            found = f"{y:04d}-{mo:02d}-{d:02d}"
    for m in _DATE_CN.finditer(text):
        try:
            y = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
            mo, d = _cn_number(m.group(2)), _cn_number(m.group(3))
        except (KeyError, ValueError):
            continue
        if 1 <= mo <= 12 and 1 <= d <= 31:
            found = f"{y:04d}-{mo:02d}-{d:02d}"
    return found


def extract_doc_number(text: str) -> str:
    m = _DOC_NUMBER.search(text[:2000])
    if not m:
        return ""
    value = re.sub(r"\s+", "", m.group())
    return re.sub(r"[\[【(（](\d{4})[\]】)）]", r"〔\1〕", value)


def extract_title(text: str) -> str:
    m = _TITLE_LINE.search(text[:3000])
    if m:
        return m.group(1)
    for line in text.splitlines():
        line = collapse_cjk_spaces(line.strip())
        if line:
            return line[:80]
    return ""


def extract_metadata(text: str) -> dict[str, str]:
    """Whatever of title, 文号, date, 密级 and issuing office the text itself shows."""
    meta = {
        "title": extract_title(text),
        "doc_number": extract_doc_number(text),
        "date": extract_date(text),
    }
    m = _SECURITY.search(text[:1000])
    if m:
        meta["security"] = m.group(1)
    m = _ORG_HEADER.search(text[:500])
    if m:
        meta["org"] = m.group(1)
    return {k: v for k, v in meta.items() if v}
