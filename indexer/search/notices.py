"""What the query language tells a reader about a query it read differently from how it was
typed: short Chinese sentences, one per mistake, shown above the results (never a silent 0)."""
from __future__ import annotations

from ..fields import EXACT, FIELDS, NGRAM, RANGE

# the names a person may put before ':' — the searchable fields of the registry, those searched
# for words first (题名、文号、责任者、人员、备注、正文), then dates, then exact values
_KINDS = (NGRAM, RANGE, EXACT)
FIELD_NAMES = tuple(f.label for f in sorted((f for f in FIELDS if f.query in _KINDS),
                                            key=lambda f: _KINDS.index(f.query)))
USABLE = f"可用字段：{'、'.join(FIELD_NAMES)}（也可用英文名或繁体，如 title:、題名:）"

NOTHING_TO_SEARCH = "查询中没有可检索的词：请输入要查找的文字，例如 王建成 或 档案保密"
STRAY_PAREN = "多余的右括号“)”已忽略"
REPEATED_OR = "连着写了两个 OR，按一个算"


def unknown_field(name: str, token: str, with_list: bool) -> str:
    """`电话:0717`: not a field, searched as the text it is."""
    return (f"“{name}”不是字段名，已按全文查找“{token}”。" + (USABLE if with_list else "")).rstrip()


def unsearchable_field(label: str, token: str, with_list: bool) -> str:
    """`页数:3`: a field, but not one a search can be limited to."""
    return (f"“{label}”不能用来限定查找范围，已按全文查找“{token}”。"
            + (USABLE if with_list else "")).rstrip()


def empty_field(name: str) -> str:
    return f"“{name}:”后面没有要查找的内容，已忽略（字段和内容之间不要留空格，如 题名:总结）"


def spaced_field(name: str, value: str) -> str:
    return f"“{name}:”和“{value}”之间有空格，已按“{name}:{value}”查找"


def nothing_in(text: str) -> str:
    return f"“{text}”中没有可检索的文字，已忽略"


def unclosed_quote(text: str) -> str:
    if text:
        return f"缺少后引号，已把“{text}”当作一个短语查找"
    return "有一个多余的引号，已忽略"


def empty_quotes() -> str:
    return "引号里没有内容，已忽略"


def unclosed_parens(count: int) -> str:
    return f"缺少 {count} 个右括号“)”，已当作括号到查询末尾为止"


def empty_parens() -> str:
    return "括号里没有检索词，已忽略"


def dangling(op: str, before: bool) -> str:
    """An OR, AND, NOT or '-' with no term on the side that needs one."""
    side = "前面" if before else "后面"
    return f"“{op}”{side}缺少检索词，已忽略这个 {op}"


def bad_date(problem: str) -> str:
    return f"{problem.rstrip('。')}；已忽略这个日期条件"


def wildcard(token: str) -> str:
    return (f"“{token}”里的 * 和 ? 不是通配符，已忽略：检索本来就找包含所输入文字的记录"
            "（输入 王建 就能找到 王建成）")
