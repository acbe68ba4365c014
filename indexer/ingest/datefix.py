"""A date in Chinese numerals whose year or day OCR misread beyond look-alikes — a 〇 or 二
dropped (二二年 for 二〇二二年, 00五年 for 二〇〇五年), a seal's strokes read into the year
(二OO人和八年), 二 read as 三, 八 as 人, 日 lost — read again when the document itself says which year it is.

A 公文's 成文日期 carries the year of its 文号 (发文字〔2005〕149号); a year the date shows in
part is taken for such a year only when it ends in the same numeral and differs from it by at
most MAX_COST dropped, confused (二/三, 一/二) or stray characters (56五年 for 二〇〇五年). A day or month the calendar
refuses (二月三十日, 六月三十一日) is read with 三 as 二 where that makes a date. Nothing is
guessed without such a year: the repair never invents a date the text does not almost show.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from .. import dates

# what OCR makes of the numerals of a Chinese year: each read character as a digit
_AS_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {
    "零": 0, "○": 0, "O": 0, "o": 0, "0": 0, "Q": 0, "D": 0, "C": 0, "G": 0, "口": 0}
# numerals OCR confuses with each other (one stroke more or less)
_CONFUSED = {frozenset((2, 3)), frozenset((1, 2))}
MAX_COST = 3  # dropped, confused or stray characters a read year may differ by
# numerals of a month or day as OCR reads them (八 as 人 or 入)
_SMALL = r"[〇一二三四五六七八九十人入]{1,3}"
_SMALL_AS = str.maketrans("人入", "八八")
# a year of up to 7 read characters (numerals, their look-alikes, digits, a few strays) and
# a month and day in Chinese numerals: the form of a 成文日期, its 日 also read as 曰, 目 or
# 晶, or lost at the end of the line
_SIGNED = re.compile(rf"([^\s年月日，。：；、]{{1,7}}?)\s*[年午乍]\s*({_SMALL})\s*月\s*({_SMALL})"
                     r"\s*(?:[日曰目晶]|$)", re.M)


def year_cost(read: str, year: int) -> int | None:
    """How far the year as read (spaces removed) is from `year`: stray characters, numerals
    dropped or confused with a near one (each 1); None when its last character is not the
    year's last numeral. Digits other than 0 among Chinese numerals count as strays."""
    chinese = any(c in "〇一二三四五六七八九零" for c in read)
    got = [_AS_DIGIT.get(c) if not (chinese and c in "123456789") else None for c in read]
    want = [int(c) for c in f"{year:04d}"]
    if not got or got[-1] != want[-1]:
        return None
    got, want = got[:-1], want[:-1]
    # edit distance where a read character may be a stray (1), a numeral of the year may be
    # dropped (1) or read as a stray or a confusable numeral (1); no other substitution
    inf = 99
    cost = [[inf] * (len(want) + 1) for _ in range(len(got) + 1)]
    cost[0] = list(range(len(want) + 1))
    for i in range(1, len(got) + 1):
        cost[i][0] = i
        for j in range(1, len(want) + 1):
            g, w = got[i - 1], want[j - 1]
            step = 0 if g == w else (1 if g is None or frozenset((g, w)) in _CONFUSED
                                      else inf)
            cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + step)
    return cost[-1][-1]


def best_cost(read: str, year: int) -> int | None:
    """year_cost of the closest end of `read` that starts with a numeral or a digit (the
    year of 柳溪乡人民政府二二年, where the lines ran together, is 二二)."""
    costs = [c for k in range(len(read)) if read[k] in _AS_DIGIT or read[k].isdigit()
             if (c := year_cost(read[k:], year)) is not None]
    return min(costs, default=None)


def _small(value: str) -> list[int]:
    """The number a month or day reads as, then the numbers it may be with 三 read for 二."""
    out = []
    value = value.translate(_SMALL_AS)
    for text in dict.fromkeys([value, value.replace("三", "二")]):
        try:
            out.append(dates.parse(f"2000年1月{text}日").day)
        except (dates.DateError, KeyError):
            continue
    return out


def repaired_dates(text: str, years: Iterable[int],
                   taken: Iterable[tuple[int, int]] = ()) -> list[tuple[int, str]]:
    """(place, YYYY-MM-DD) of every date in Chinese numerals in `text` that is no date as
    read but is one with a year of `years` (the 文号's first) read into it, as explained
    above; spans in `taken` (dates read as they are) are left alone."""
    years = list(dict.fromkeys(years))
    taken = list(taken)
    out = []
    for m in _SIGNED.finditer(text):
        if not years or any(a < m.end() and m.start() < b for a, b in taken):
            continue
        read = re.sub(r"\s+", "", m.group(1))
        fits = [(c, n) for n, y in enumerate(years)
                if (c := best_cost(read, y)) is not None and c <= MAX_COST]
        if not fits:
            continue
        year = years[min(fits)[1]]
        for month in _small(m.group(2)):
            day = next((d for d in _small(m.group(3)) if _valid(year, month, d)), 0)
            if day:
                out.append((m.start(), dates.Date(year, month, day).iso))
                break
    return out


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dates.Date(year, month, day)
    except dates.DateError:
        return False
    return True


# a year in Chinese numerals before 年
_CN_YEAR = re.compile(r"(?<![〇零一二三四五六七八九])([〇一二三四五六七八九]{4})(?=\s*年)")


def confused_years(text: str, years: Iterable[int]) -> str:
    """`text` with each year in Chinese numerals that is one of `years` (the 文号's: a 公文 is
    numbered when it is issued, in the year it is signed or the next) but for one numeral read
    with a stroke lost (三 as 二, 二 as 一: 二〇一二年 under 〔2013〕) written as that year; the
    same length. A year read later than the 文号's is left as read (二〇二二年一月 under
    〔2021〕: signed in January, numbered the year before? read as written)."""
    wanted = {f"{y:04d}" for y in years}
    if not wanted:
        return text

    def put_right(m: re.Match) -> str:
        read = [_AS_DIGIT[c] for c in m.group(1)]
        for year in sorted(wanted):
            want = [int(c) for c in year]
            off = [(g, w) for g, w in zip(read, want) if g != w]
            if len(off) == 1 and off[0] in _STROKE_LOST:
                return "".join("〇一二三四五六七八九"[d] for d in want)
        return m.group(0)
    return _CN_YEAR.sub(put_right, text)


# (numeral read, numeral written) of a numeral whose stroke OCR lost
_STROKE_LOST = {(2, 3), (1, 2)}
