"""Metadata found in a record's own text (公文 layout) when the catalog gives none: issuing
office, 文号, title, 成文日期 and 密级 mark. Patterns are matched on the normalised text
(simplified, NFKC) so traditional records and OCR text work too; values come from the original.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .. import dates
from ..analysis.confusions import lookalikes
from ..analysis.normalize import Normalized, collapse_cjk_spaces, normalize, normalize_text
from .datefix import confused_years, repaired_dates
from .levels import first_page_lines, text_mark
from .offices import issuing_office

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_CN_DIGITS["零"] = 0
# Tesseract reads 〇 as O, 0, C, G, Q or D, sometimes two letters for one 〇
_ZERO = r"[〇零O0oCGQD]"
# 文号: 机关代字 + 〔year〕 + number + 号, as OCR reads it: any bracket for 〔 〕 (〔 also as C),
# the closing one also as j, l, I or | (or read twice: ]】), the opening one read up to
# three times (【〔〔), 0 as O/o and 1 as l/I/| in the year and the number, stray spaces; a
# stray dot before the opening bracket, a stray j or l or a stray dot or colon after the
# closing one (长发［2016］·81号, 金发〔2008］：68号), or no closing one at all (当图发［20114号:
# the year is the first four digits); a dash after the closing one (梅政发［2010]-1号); a 1
# after the number's first digit read as a closing bracket or j (安水字 [2008] 7] 号 for 71号,
# 13] for 131). `_doc_number` rebuilds the canonical form (doc_number_parts checks the year
# and the number).
_OPEN = r"[〔\[【(〈<{「C]"
_CLOSE = r"[〕\]】)〉>}」jJlI|]"
_BRACKET = r"[〕\]】)〉>}」]"
_DIGIT = r"[\dOolI|]"
_LATER_DIGIT = r"[\dOolI|\])】jJ]"
_DOC_NUMBER = re.compile(
    rf"([\u4e00-\u9fff]{{1,10}}?)[\s.·,，、]*(?:{_OPEN}\s*){{1,3}}([12lI|](?:\s?{_DIGIT}){{3}})\s*"
    rf"(?:{_CLOSE}{_BRACKET}?)?"
    rf"(?:\s*[jJlI|](?=\s))?[\s.·,，、:：;；\-—–－]*"
    rf"(\s*{_DIGIT}(?:\s*{_LATER_DIGIT}){{0,3}})\s*(号)")
_AS_DIGIT = str.maketrans("OolI|])】jJ", "0011111111")
_DATE_CN = re.compile(rf"(一\s*九|二\s*{_ZERO})\s*((?:[〇零一二三四五六七八九OoCGQD0]\s*){{1,4}}?)"
                      r"\s*年\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*月"
                      r"\s*([一二三四五六七八九十]{1,3}|\d{1,2})\s*日")
# OCR's look-alikes in a date, each put right only where a date stands around it: 年 read as
# 午 (confusions.tsv: 乍/年), 日 as 曰 (confusions.tsv) or as 白 (a stroke more: 二十一白, not
# before another character: 一白天), 0 as O or o in a year in digits
_SMALL_NUMBER = r"(?:[一二三四五六七八九十]{1,3}|\d{1,2})"
_NOON_YEAR = re.compile(
    rf"(?<=[\d〇零○一二三四五六七八九OoCGQD])(\s*)[午乍](?=\s*{_SMALL_NUMBER}\s*月)")
_SAID_DAY = re.compile(rf"(月\s*{_SMALL_NUMBER}\s*)(?:曰|白(?![\u4e00-\u9fff]))")
_DIGIT_YEAR = re.compile(r"(?<![A-Za-z\d])[12][\dOo]{3}(?=\s*[年午乍])")
# marks OCR reads for the numerals of a date in Chinese numerals: = for 二, + for 十, a dash for
# 一 (二〇二〇年四月二+七日, 二〇二〇年十—月三日); put right only inside a whole date of that form
# holding three Chinese numerals or more
_NUMERAL_MARKS = "=＝+＋\\-—–－"
_NUMERAL_LIKE = f"〇零○OoQD0一二三四五六七八九十{_NUMERAL_MARKS}"
_MARKED_DATE = re.compile(
    rf"[{_NUMERAL_LIKE}](?:\s*[{_NUMERAL_LIKE}]){{3}}\s*[年午乍]\s*[{_NUMERAL_LIKE}]"
    rf"(?:\s*[{_NUMERAL_LIKE}]){{0,2}}\s*月\s*[{_NUMERAL_LIKE}](?:\s*[{_NUMERAL_LIKE}]){{0,2}}"
    r"\s*[日曰]")
_AS_NUMERAL = str.maketrans({"=": "二", "＝": "二", "+": "十", "＋": "十", "-": "一", "—": "一",
                             "–": "一", "－": "一"})
# the red header: office(s) + 文件 (文 also read as 又; one stray character after it: a
# seal's or the red rule's edge read as 站, 一 or |); a joint header names several offices,
# the first is the 责任者 (split at 、 or a space, or after an office's ending when another
# office follows: 白沙乡人民政府白沙乡财政所文件)
# (marks OCR reads after an office's ending are let through: 石门乡人民政府，、文件…,
# 青山镇人民政府→、文件…: the tall 文件 of a joint header read beside its first row)
_ORG_HEADER = re.compile(r"^\s*([A-Za-z\u4e00-\u9fff]"
                         r"(?:[A-Za-z\u4e00-\u9fff 、]|(?<=[府会局委室心所院厅部站队处社办])[^\w\s]{1,3})"
                         r"{1,60}?)"
                         r"[\s\"“”]*[文又]件\s*[^\s\d]?\s*$", re.M)
# an office's name alone on its line: a joint header's offices stacked above the one whose line
# ends with 文件, as PP-OCR reads them (红岩乡人民政府 / 红岩乡农业服务中心文件)
_OFFICE_LINE = re.compile(r"^\s*((?:中共)?[\u4e00-\u9fff]{2,30}?"
                          r"(?:人民政府|委员会|政府|局|办公室|中心|所|院|厅|部|站|队|处|社|办))\s*$")
# a joint header stacks at most this many offices above its last one
STACKED = 3
_TITLE_LINE = re.compile(
    r"^\s*(关于.{2,60}?(?:通知|决定|报告|请示|批复|意见|函|通报|纪要|总结|计划|规定|办法|方案))"
    r"\s*$", re.M)


def _cn_number(s: str) -> int:
    """一 … 三十一 (or digits) → int."""
    if s.isdigit():
        return int(s)
    if "十" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _cn_year(head: str, rest: str) -> int | None:
    """二〇一九 → 2019; 一九九八 → 1998; OCR's 二 CO 九 (zeros misread) → 2009."""
    rest = re.sub(_ZERO, "〇", re.sub(r"\s+", "", rest))  # 二 O 二 O: zeros misread too
    if head[0] == "一":
        digits = "19" + "".join(str(_CN_DIGITS.get(c, 0)) for c in rest[-2:])
        return int(digits) if len(rest) >= 2 else None
    last = rest[-1:] if rest else ""
    if last not in _CN_DIGITS:
        return None
    middle = rest[:-1]
    if re.fullmatch(r"[〇零一二]", middle):  # 二〇一九, 二〇二三
        return 2000 + _CN_DIGITS[middle] * 10 + _CN_DIGITS[last]
    if re.fullmatch(rf"{_ZERO}{{0,3}}", middle):  # 二〇〇九 with the zeros misread
        return 2000 + _CN_DIGITS[last]
    return None


# a year read before this is a misreading (一〇二四年 for 二〇二四年), not a 成文日期
FIRST_YEAR = 1900


def extract_date(text: str, years: Iterable[int] = (), numbered: Iterable[int] = ()) -> str:
    """The last full date in the text (the 成文日期 sits at the end), as YYYY-MM-DD: digits,
    Chinese numerals or mixed (dates.find), Chinese years whose 〇 OCR misread, and dates in
    Chinese numerals misread further that one of `years` (the document's own: its 文号's,
    its title's) puts right (datefix); a year in Chinese numerals one confused numeral away
    from a year of `numbered` (the 文号's) is read as that year (datefix.confused_years)."""
    text = confused_years(ocr_date_repaired(text), numbered)
    years = list(years)
    read = [(a, b, d) for a, b, d in dates.find(text) if d.year >= FIRST_YEAR]
    found = [(a, d.iso) for a, _b, d in read]
    spans = [(a, b) for a, b, _d in read]
    for m in _DATE_CN.finditer(text):
        try:
            y = _cn_year(m.group(1), m.group(2))
            if years and y not in years and len(re.sub(r"\s+", "", m.group(2))) < 3:
                continue  # a numeral lost (二〇三 of 二〇一三): datefix reads it with the
                # document's own year, which the year as read is not
            found.append((m.start(), dates.Date(y, _cn_number(m.group(3)),
                                                _cn_number(m.group(4))).iso))
            spans.append(m.span())
        except (KeyError, ValueError, TypeError):  # DateError is a ValueError
            continue
    found += repaired_dates(text, years, spans)
    return max(found)[1] if found else ""


def own_years(doc_number: str, lines: list[Normalized]) -> list[int]:
    """The years a document names of itself: its 文号's, then those of its first lines (a
    title's 2019年度), most named first."""
    years = number_years(doc_number)
    named = Counter(int(y) for line in lines[:6]
                    for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?=年)", line.text))
    return years + [y for y, _n in named.most_common()]


def number_years(doc_number: str) -> list[int]:
    """The year of a 文号 in its standard form (发文字〔2019〕12号), as a list (empty without)."""
    return [int(y) for y in re.findall(r"〔((?:19|20)\d\d)〕", doc_number)]


def ocr_date_repaired(text: str) -> str:
    """`text` with OCR's look-alikes inside dates put right (二〇〇八午七月二曰 → 二〇〇八年七月二日,
    2OO8年 → 2008年, 二〇二〇年四月二+七日 → 二〇二〇年四月二十七日); the same length, so
    places in it stay true."""
    text = _MARKED_DATE.sub(_numerals_put_right, text)
    text = _DIGIT_YEAR.sub(lambda m: m.group(0).replace("O", "0").replace("o", "0"), text)
    text = _NOON_YEAR.sub(lambda m: m.group(1) + "年", text)
    return _SAID_DAY.sub(lambda m: m.group(1) + "日", text)


def _numerals_put_right(m: re.Match) -> str:
    """A date's marks read for numerals made numerals, where it has three Chinese ones."""
    date = m.group(0)
    if sum(c in "〇零一二三四五六七八九十" for c in date) < 3:
        return date
    return date.translate(_AS_NUMERAL)


def _lines(text: str, limit: int = 40) -> list[Normalized]:
    """The first non-empty lines, each normalised on its own (layout is line-based)."""
    out = []
    for line in text.splitlines():
        if line.strip():
            out.append(normalize(line))
            if len(out) >= limit:
                break
    return out


def _first_match(lines: list[Normalized], pattern: re.Pattern, group: int = 0) -> str:
    for line in lines:
        m = pattern.search(line.text)
        if m:
            return _original(line, m, group)
    return ""


def _original(line: Normalized, m: re.Match, group: int = 0) -> str:
    a, b = line.span(*m.span(group))
    return re.sub(r"(?<=[A-Za-z])\s+(?=[\u4e00-\u9fff])", "",
                  collapse_cjk_spaces(line.original[a:b].strip()))


def _header(lines: list[Normalized]) -> str:
    """The red header's offices (文件 cut off): its line ending with 文件, after the offices
    stacked on the lines right above it (joined by 、, as a joint header on one line reads)."""
    for at, line in enumerate(lines):
        m = _ORG_HEADER.search(line.text)
        if not m:
            continue
        offices = [_original(line, m, 1)]
        for above in reversed(lines[max(0, at - STACKED):at]):
            stacked = _OFFICE_LINE.match(above.text)
            if not stacked:
                break
            offices.insert(0, _original(above, stacked, 1))
        return "、".join(offices)
    return ""


def _doc_number(lines: list[Normalized]) -> str:
    """文号 in its standard form 发文字〔年份〕序号号, in the record's own script."""
    for line in lines:
        for m in _DOC_NUMBER.finditer(line.text):
            number = doc_number_parts(m.group(2), m.group(3))
            if number:
                year, seq = number
                issuer = _ISSUED.sub(lambda e: _ISSUED_AS[e.group(0)], _original(line, m, 1))
                return f"{issuer}〔{year}〕{seq}{_original(line, m, 4)}"
    return ""


# the 发 (發) that ends most 发文机关代字, as OCR misreads it right before the year's bracket
_ISSUED_AS = {"登": "發", "癹": "發", "友": "发", "犮": "发"}
_ISSUED = re.compile(f"[{''.join(_ISSUED_AS)}]$")


def issuer_matched(number: str, office: str) -> str:
    """The 文号 with its first character, the 机关代字's, taken from the issuing office's
    name where OCR read a look-alike of that name's first character (风乡政发〔2008〕11号 under
    凤鸣乡人民政府: 凤乡政发); as it is otherwise."""
    place = office.removeprefix("中共")
    if not number or not place or normalize_text(number[0]) in normalize_text(office):
        return number
    if normalize_text(place[0]) in lookalikes(number[0]):
        return place[0] + number[1:]
    return number


# a 机关代字 of two characters and 政发/发/字/函: the place's first character and the office's
# key character (the unit of a government: 雙鄉政發 of 雙溪鄉人民政府; the department of a
# county's office: 溪農發 of 溪口縣農業農村局)
_CODE = re.compile(r"^(.)(.)(政?[发發字函])〔")
# characters a 机关代字 has of its own, not from the office's name: 政, 办, 综 (综治办), …
_CODE_OWN = set("政发發字函办辦呈报報复復委党黨纪紀组組通综綜财財农農经經计計教卫衛民安社人劳勞"
                "环環城建文水林公武宣统統审審")
_GOVERNMENT_UNIT = re.compile(r"([乡鄉镇鎮县縣市区區])(?:人民政府|委员会|委員會)$")
_DEPARTMENT = re.compile(r"^.{1,4}?[县縣市区區旗](.)")


def code_matched(number: str, office: str) -> str:
    """The 文号 with the second character of its 机关代字 taken from the issuing office where
    OCR read one that neither the office's name nor a 机关代字's own characters have
    (雙綁政發 under 雙溪鄉人民政府 → 雙鄉政發, 溪晨發 under 溪口縣農業農村局 → 溪農發)."""
    m = _CODE.match(number)
    if not m or not office:
        return number
    first, second = m.group(1), m.group(2)
    name = normalize_text(office)
    if normalize_text(first) not in name or normalize_text(second) in name \
            or second in _CODE_OWN or normalize_text(second) in _CODE_OWN:
        return number
    place = office.removeprefix("中共")
    unit = _GOVERNMENT_UNIT.search(place) or _DEPARTMENT.match(place)
    key = unit.group(1) if unit else ""
    if not key or normalize_text(key) == normalize_text(first):
        return number
    return first + key + number[2:]


def doc_number_parts(year: str, seq: str) -> tuple[str, str] | None:
    """(year, number) of a 文号 as read (OCR's letters for digits, spaces), or None when they
    are not a year of 1900-2099 and a number."""
    year = re.sub(r"\s+", "", year).translate(_AS_DIGIT)
    seq = re.sub(r"\s+", "", seq).translate(_AS_DIGIT)
    if not re.fullmatch(r"(?:19|20)\d\d", year) or not re.fullmatch(r"\d{1,4}", seq):
        return None
    return year, seq


def extract_metadata(text: str, page_end: int | None = None) -> dict[str, str]:
    """Whatever of title, 文号, date, 密级 and issuing office the text itself shows (the 密级
    mark from the top of the first page, which ends at `page_end` if given)."""
    lines = _lines(text)
    read = _doc_number(lines)
    office = issuing_office(_header(lines[:8]), text, read.partition("〔")[0])
    number = code_matched(issuer_matched(read, office), office)
    meta = {"date": extract_date(normalize(text).text, own_years(number, lines),
                                 number_years(number)),
            "doc_number": number,
            "title": _title(lines) or _first_line(text),
            "org": office}
    meta["security"] = text_mark(first_page_lines(text, page_end))
    return {k: v for k, v in meta.items() if v}


# a title wraps onto at most this many lines (GB/T 9704: a long title runs on in lines below)
TITLE_LINES = 3


def _title(lines: list[Normalized]) -> str:
    """The 关于…通知 title line, or a title wrapped onto the next line or two
    (关于做好2015年度村级集体 / 经济审计工作的通知)."""
    for i, line in enumerate(lines):
        if not line.text.lstrip().startswith("关于"):
            continue
        for n in range(1, TITLE_LINES + 1):
            if i + n > len(lines):
                break
            joined = normalize("".join(part.original.strip() for part in lines[i:i + n]))
            m = _TITLE_LINE.search(joined.text)
            if m:
                return _original(joined, m, 1)
    return ""


# a table's title ends its line: OCR text repair may run the header row on (…登记表序号姓名…)
_TABLE_TITLE = re.compile(r"^.{2,60}?(?:登记表|统计表|一览表|明细表|汇总表|花名册|名册)")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = collapse_cjk_spaces(line.strip())
        if len(re.findall(r"[\u4e00-\u9fff]", line)) >= 2:
            m = _TABLE_TITLE.match(normalize(line).text)
            if m and len(normalize(line).text) == len(line):  # same places: cut there
                return line[:m.end()]
            return line[:80]
    return ""


# 文种: the kinds of 公文 (GB/T 9704 and the党政机关公文处理工作条例) plus the kinds township
# archives hold most, matched at the end of a title (longest first: 会议纪要 before 纪要).
KINDS = ("决议", "决定", "命令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示",
         "批复", "议案", "函", "纪要", "总结", "计划", "规划", "方案", "规定", "办法", "细则",
         "条例", "制度", "简报", "讲话", "汇报", "登记表", "名册", "合同", "协议")
_KIND_ALIASES = {"复函": "函", "会议纪要": "纪要", "工作要点": "计划", "安排": "计划"}
_KIND_END = re.compile("(" + "|".join(sorted(list(KINDS) + list(_KIND_ALIASES),
                                             key=len, reverse=True)) + r")[》」”\"'）)]*$")


def document_kind(title: str) -> str:
    """The 文种 a title ends with (关于…的通知 → 通知; 鄉鎮年終工作總結 → 总结), or ''."""
    norm = normalize(re.sub(r"\s+", "", title or "")).text
    m = _KIND_END.search(norm)
    if not m:
        return ""
    return _KIND_ALIASES.get(m.group(1), m.group(1))
