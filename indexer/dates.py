"""Dates as archives write them: 2019, 2019-05, 2019-05-12, 20190512, 2019年5月12日,
二〇一九年五月十二日 and mixed forms (二〇〇八年七月2日), each checked against the calendar.

One module for catalogs, sidecars, extraction from the text, the query language and search
filters; a value is kept as ISO text of the precision it was written with (YYYY, YYYY-MM or
YYYY-MM-DD), and an impossible date (2019-02-31) is refused, never guessed.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
_CN_NUMBER = "〇零○一二三四五六七八九十"
_YEAR = rf"(?:[12]\d{{3}}|[一二][{_CN_NUMBER[:-1]}]{{3}})"
_SMALL = rf"(?:\d{{1,2}}|[{_CN_NUMBER}]{{1,3}})"
# 2019年5月12日 / 二〇一九年五月十二日 / 二〇〇八年七月2日; 年 alone, or 年+月
_WRITTEN = re.compile(rf"({_YEAR})\s*年(?:\s*({_SMALL})\s*月(?:\s*({_SMALL})\s*[日号])?)?")
# 2019-05-12, 2019/5/12, 2019.05.12, 2019-05, 2019
_NUMERIC = re.compile(r"([12]\d{3})(?:([-/.])(\d{1,2})(?:\2(\d{1,2}))?)?")
_COMPACT = re.compile(r"([12]\d{3})(\d{2})(\d{2})?")
# a date typed with separators inside a query: 2016-07-02, 2016/7/2, 2016.7.2, 2016-07, 2016/7
# (not 2016.7 alone: a number; not inside a longer number, nor a 文号 such as 2016-7号)
_TYPED = re.compile(r"(?<![\d.\-/])([12]\d{3})(?:([-/.])(\d{1,2})\2(\d{1,2})|([-/])(\d{1,2}))"
                    r"(?![\d\-/]|\.\d|\s*号)")


class DateError(ValueError):
    """A written date that is not a date (unknown form, or not in the calendar)."""


@dataclass(frozen=True)
class Date:
    """A date of year, month or day precision."""

    year: int
    month: int = 0
    day: int = 0

    def __post_init__(self):
        try:
            datetime.date(self.year, self.month or 1, self.day or 1)
        except ValueError as e:
            raise DateError(f"{self.iso} 不是一个存在的日期") from e
        if self.day and not self.month:
            raise DateError("有日无月的日期")

    @property
    def iso(self) -> str:
        return "-".join([f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p])

    @property
    def number(self) -> int:
        """YYYYMMDD with missing parts as 01 (what the index sorts and filters by)."""
        return self.year * 10000 + (self.month or 1) * 100 + (self.day or 1)

    def last_day(self) -> int:
        """YYYYMMDD of the last day this date covers (an upper bound of a range)."""
        month = self.month or 12
        if self.day:
            day = self.day
        else:
            after = datetime.date(self.year + (month == 12), month % 12 + 1, 1)
            day = (after - datetime.timedelta(days=1)).day
        return self.year * 10000 + month * 100 + day

    def chinese(self) -> str:
        """二〇一九年五月十二日: the form 公文 write their 成文日期 in."""
        out = "".join("〇一二三四五六七八九"[int(c)] for c in f"{self.year:04d}") + "年"
        if self.month:
            out += chinese_small(self.month) + "月"
            if self.day:
                out += chinese_small(self.day) + "日"
        return out

    def digits(self) -> str:
        """2019年5月12日."""
        out = f"{self.year}年"
        if self.month:
            out += f"{self.month}月" + (f"{self.day}日" if self.day else "")
        return out


def chinese_small(n: int) -> str:
    """1 … 31 → 一 … 三十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else "〇一二三四五六七八九"[tens] + "十")
    return head + ("〇一二三四五六七八九"[ones] if ones or not tens else "")


def _small(value: str) -> int:
    """5, 05, 五, 十二, 二十, 三十一 → int."""
    if value.isdigit():
        return int(value)
    if "十" in value:
        tens, _, ones = value.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            raise DateError(f"无法识别的数字 {value}")
        return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)
    if len(value) == 1:
        return CN_DIGITS[value]
    raise DateError(f"无法识别的数字 {value}")


def _year(value: str) -> int:
    if value.isdigit():
        return int(value)
    return int("".join(str(CN_DIGITS[c]) for c in value))


def parse(value: str) -> Date:
    """One written date, the whole value (raises DateError)."""
    text = re.sub(r"\s+", "", str(value or ""))
    if not text:
        raise DateError("空的日期")
    m = _WRITTEN.fullmatch(text)
    if m:
        return _date(_year(m.group(1)), [_small(g) for g in m.groups()[1:] if g])
    m = _NUMERIC.fullmatch(text)
    if m:
        return _date(int(m.group(1)), [int(g) for g in (m.group(3), m.group(4)) if g])
    m = _COMPACT.fullmatch(text)
    if m:
        return _date(int(m.group(1)), [int(g) for g in m.groups()[1:] if g])
    raise DateError(f"无法识别的日期 {value!r}：请写成 2019、2019-05、2019-05-12 或 2019年5月12日")


def _date(year: int, parts: list[int]) -> Date:
    if 0 in parts:  # a month or day written as 0 (0 stands for "not given" in a Date)
        raise DateError(f"{year} 年的月或日不能是 0")
    return Date(year, *parts)


def normalise(value: str) -> str:
    """A written date as YYYY[-MM[-DD]], or '' when it is not one (catalog values)."""
    try:
        return parse(value).iso
    except DateError:
        return ""


def number(iso: str) -> int:
    """YYYY[-MM[-DD]] as YYYYMMDD (missing parts → 01); 0 when it is not a date."""
    try:
        return parse(iso).number if iso else 0
    except DateError:
        return 0


def find(text: str) -> list[tuple[int, int, Date]]:
    """Every full date (year, month and day) written in `text`, as (start, end, Date), in
    digits, in Chinese numerals or mixed; impossible dates are skipped."""
    found = []
    for m in _WRITTEN.finditer(text):
        if not m.group(3):
            continue
        try:
            found.append((m.start(), m.end(), parse(m.group(0))))
        except (DateError, KeyError):
            continue
    return found


def spellings(text: str) -> list[str]:
    """`text` with the first date in it (2016年, 2008年7月2日, 二〇〇八年七月二日 …, or typed
    2008-07-02, 2008/7/2, 2008.7.2) also written the other ways archives write it: in digits,
    in Chinese numerals (〇 or 零), zero-padded; `text` itself first. A query for one spelling finds the others (DESIGN.md decision 8)."""
    for m in (*_WRITTEN.finditer(text), *_TYPED.finditer(text)):
        try:
            date = parse(m.group(0))
        except (DateError, KeyError):
            continue
        forms = [date.digits(), date.chinese(), date.chinese().replace("〇", "零")]
        if date.month:
            forms.append(f"{date.year}年{date.month:02d}月"
                         + (f"{date.day:02d}日" if date.day else ""))
        head, tail = text[:m.start()], text[m.end():]
        return list(dict.fromkeys([text, *(head + form + tail for form in forms)]))
    return [text]
