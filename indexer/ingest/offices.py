"""The issuing office (责任者) a 公文's text shows: the first office of its red header (a joint
header's too, however OCR ran its rows together), put right by its 落款 (the office signing at
the end) where the header lost a character, and by the administrative unit an office name has
before its ending where OCR read a look-alike (大树针人民政府 → 大树镇人民政府)."""
from __future__ import annotations

import re

from ..analysis.names import dictionary_words
from ..analysis.normalize import fold_value

_ORG_END = "人民政府|委员会|政府|局|委|办公室|中心|所|院|厅|部|会|站|队|处|社|办"
_FIRST_ORG = re.compile(rf"^(.{{2,30}}?(?:{_ORG_END}))(.{{2,40}}(?:{_ORG_END}))$")


def issuing_office(header: str, text: str, code: str = "") -> str:
    """The office a red header's line (offices and 文件 cut off) names first, checked against
    the text's 落款 (and the 文号's 机关代字 `code`, where header and 落款 differ)."""
    office = unit_fixed(trimmed(first_office(header)))
    return unit_fixed(signed_office(office, text, code))


# 文件 (文 also read as 又 or 立) inside a joint header's line: the offices stacked beside one
# large 文件 are read row by row, 文件 with each (望江乡人民政府文件望江乡财政所)
_INNER_FILE = re.compile(r"[\s\"“”、]*[文又立]件[\s\"“”、]*")


def first_office(header: str) -> str:
    """The first office of a (joint) red header's offices: 柳溪乡人民政府、柳溪乡农业服务中心 →
    柳溪乡人民政府; one office as it is (中共凤鸣镇委员会, XX旗公安局交通管理大队)."""
    inner = re.split(_INNER_FILE, header)  # 文件 read once per office of a joint header
    if len(inner) > 1 and len(inner[0]) >= 4 and len(inner[1]) >= 2:
        return first_office(inner[0])
    parts = [p for p in re.split(r"[、\s]+", header) if p]
    if len(parts) > 1 and all(len(p) >= 4 for p in parts):
        return parts[0]
    # 文件 half read beside the first row (桃源乡人民政府文化桃源乡财政顾府: 件 as 化;
    # 石门乡人民政府文右门多财政: 件 lost): the next office names the place again
    m = _HALF_FILE.match(header)
    if m and any(c in m.group(2)[:3] for c in m.group(1).removeprefix("中共")[:2]):
        return m.group(1)
    m = _FIRST_ORG.match(header)
    # another office names its place again (白沙乡…白沙乡财政所, 中共凤鸣镇委员会凤鸣镇人民政府);
    # a unit of the same office does not (XX旗公安局交通管理大队)
    if m and len(m.group(2)) >= 4 and any(c in m.group(1) for c in m.group(2)[:2]):
        return m.group(1)
    # the next office's ending misread (梅岭镇人民政府梅岭镇财政路 for …财政所): it still names
    # the place again, the first office's own two first characters
    m = _OFFICE_THEN.match(header)
    place = m.group(1).removeprefix("中共")[:2] if m else ""
    if m and len(place) == 2 and m.group(2).startswith(place):
        return m.group(1)
    return header


_HALF_FILE = re.compile(rf"^(.{{2,30}}?(?:{_ORG_END}))[文又立](.{{3,40}})$")
_OFFICE_THEN = re.compile(rf"^(.{{2,30}}?(?:{_ORG_END}))(.{{4,40}})$")


# an office's name ends so; what OCR adds after it — a 、 read as 十、, a stroke read as 一 or
# 丨 — is cut off (a character of a name's own, 会馆 or 局长, is kept)
_STRAY = "十一丨卜乙丶"
_ENDS = re.compile(rf"^(.{{2,}}?(?:{_ORG_END}))[^\u4e00-\u9fff]*[{_STRAY}]?[^\u4e00-\u9fff]*$")


def trimmed(office: str) -> str:
    """The office without a stray stroke after its name's ending (柳溪乡人民政府十 →
    柳溪乡人民政府), or the stray marks it ends with (、)."""
    office = office.rstrip("、，,.。·:：;； ")
    m = _ENDS.match(office)
    if m and not re.search(f"(?:{_ORG_END})$", office):
        return m.group(1)
    return office


# the administrative unit before an office's ending (镇 of 大树镇人民政府) as OCR misreads it
_UNIT_AS = {"针": "镇", "锁": "镇", "鎖": "鎮", "慎": "镇", "填": "镇", "鍞": "鎮", "多": "乡",
            "岁": "乡", "具": "县", "昙": "县", "巾": "市"}
_UNIT = re.compile(f"([{''.join(k for k, v in _UNIT_AS.items() if k != v)}])"
                   r"(?=(?:人民政府|委员会|委員會|党委|黨委|人大|人民代表大会)$)")


def unit_fixed(office: str) -> str:
    """The office with a look-alike of 镇, 乡, 县 or 市 right before its ending read as that
    unit (大树针人民政府 → 大树镇人民政府, 中共長崗鎖委員會 → 中共長崗鎮委員會)."""
    return _UNIT.sub(lambda m: _UNIT_AS[m.group(1)], office)


SIGNATURE_LINES = 6  # the last lines of a text where its 落款 (signing office) is looked for


def signed_office(header: str, text: str, code: str = "") -> str:
    """The header's office, or the office the 落款 at the end of the text names when that is
    the header's with one character more inside it (a red header read without one of its
    characters: 中共雙溪委員會 above, 中共雙溪鎮委員會 signed; of a joint header's offices the
    first signs first). A character more at either end is a seal's stroke read (砸高坪县水利局).
    Of a header and a 落款 one character apart, the 落款 is taken where it breaks fewer words
    or where the 文号's 机关代字 `code` has its character and not the header's (风鸣镇人民政府
    above, 凤鸣镇人民政府 signed, 凤政发〔2012〕87号)."""
    if len(header) < 4:
        return header
    tail = [line for line in text.splitlines() if line.strip()][-SIGNATURE_LINES:]
    for line in tail:
        signed = "".join(line.split())
        if len(signed) == len(header) + 1 and any(
                signed[:k] + signed[k + 1:] == header for k in range(1, len(signed) - 1)):
            return signed
    for line in tail:
        unit = unit_added(header, unit_fixed("".join(line.split())))
        if unit:
            return unit
    for line in tail:
        signed = unit_fixed("".join(line.split()))
        if (len(signed) == len(header) and sum(a != b for a, b in zip(signed, header)) == 1
                and (in_words(signed) > in_words(header) or _coded(signed, header, code))):
            return signed
    return header


def _coded(signed: str, header: str, code: str) -> bool:
    """Whether the 机关代字 has the 落款's character where the two names differ, not the
    header's."""
    code = fold_value(code)
    return any(a != b and fold_value(a) in code and fold_value(b) not in code
               for a, b in zip(signed, header))


def in_words(name: str) -> int:
    """How many characters of the name (in simplified script) words of two to four
    characters of jieba's dictionary can cover: of a header and a 落款 one character apart,
    the one OCR misread breaks a word (永豐縣農業震村局: 农村 gone, 7 of 8 against 5)."""
    text = fold_value(name)
    words = dictionary_words()
    best = [0] * (len(text) + 1)
    for end in range(1, len(text) + 1):
        best[end] = max([best[end - 1]] + [best[end - n] + n for n in (2, 3, 4)
                                           if n <= end and text[end - n:end] in words])
    return best[-1]


_UNITS = "镇鎮乡鄉县縣市"


def unit_added(header: str, signed: str) -> str:
    """The header with the unit (镇, 乡, 县, 市) the 落款 names before the same ending put in,
    where the header has none there and the names before it differ by one character at
    most: a header read without its 鎮 (中共長崗委員會, PP-OCR drops it) signed with a
    misread of its own (中共長山鎮委員會) is 中共長崗鎮委員會 — the header's characters, the
    signature's unit. '' otherwise."""
    if len(signed) != len(header) + 1:
        return ""
    for k in range(2, len(signed) - 1):
        if signed[k] in _UNITS and header[k - 1] not in _UNITS and signed[k + 1:] == header[k:]:
            if sum(a != b for a, b in zip(signed[:k], header[:k])) <= 1:
                return header[:k] + signed[k] + header[k:]
    return ""
