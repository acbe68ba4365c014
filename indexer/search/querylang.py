"""The query language: parse what a person typed into a small tree, never failing with a 500.

Syntax: words separated by spaces are ANDed; "quoted phrase"; OR (or |) between two terms;
NOT term or -term; field:value (title: 题名: org: 责任者: 文号: category: 门类: year: 年度: …);
date:2015..2019 (also 日期:); parentheses group.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import dates
from ..errors import QueryError
from ..fields import EXACT, NGRAM, RANGE, query_fields

MAX_QUERY_CHARS = 500
MAX_DEPTH = 32  # brackets and NOTs inside one another (deeper is abuse, not a search)

# field name typed by a person (any name the field registry gives it) -> canonical field
TEXT_FIELDS = query_fields(NGRAM)
EXACT_FIELDS = query_fields(EXACT)
DATE_FIELDS = query_fields(RANGE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+(?:"[^"]*"?)?')


@dataclass(frozen=True)
class Term:
    text: str
    field: str = ""  # '' = anywhere (text, title, 文号, 责任者)
    quoted: bool = False


@dataclass(frozen=True)
class DateRange:
    start: int  # YYYYMMDD, inclusive; 0 = open
    end: int  # YYYYMMDD, inclusive; 0 = open


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class Or:
    nodes: tuple


@dataclass(frozen=True)
class And:
    nodes: tuple


def parse(q: str):
    """The tree for a query string; None for an empty query. Raises QueryError."""
    q = _CONTROL.sub(" ", q or "").replace("\u3000", " ").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"查询太长：最多 {MAX_QUERY_CHARS} 个字符，请缩短查询词")
    if not q:
        return None
    tokens = _TOKEN.findall(q.replace("“", '"').replace("”", '"'))
    parser = _Parser(tokens)
    node = parser.sequence(depth=0)
    if node is None:
        raise QueryError("查询中没有可检索的词：请输入要查找的文字，例如 王建成 或 档案保密")
    return node


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        self.i += 1
        return self.tokens[self.i - 1]

    def sequence(self, depth: int):
        nodes = []
        while (tok := self.peek()) is not None:
            if tok == ")":
                self.take()
                if depth:
                    break
                continue
            if tok in ("AND", "&&", "OR", "|"):  # dangling operator: ignore
                self.take()
                continue
            node = self.disjunction(depth)
            if node is not None:
                nodes.append(node)
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def disjunction(self, depth: int):
        left = self.unary(depth)
        while self.peek() in ("OR", "|"):
            self.take()
            right = self.unary(depth)
            if right is None:
                break
            left = right if left is None else Or(_flatten(left, right))
        return left

    def unary(self, depth: int):
        tok = self.peek()
        if tok is None or tok == ")":
            return None
        if tok == "NOT":
            self.take()
            node = self.unary(_deeper(depth))
            return Not(node) if node is not None else None
        if tok.startswith("-") and len(tok) > 1 and tok[1] not in "-.0123456789":
            self.tokens[self.i] = tok[1:]
            node = self.unary(_deeper(depth))
            return Not(node) if node is not None else None
        return self.primary(depth)

    def primary(self, depth: int):
        tok = self.take()
        if tok == "(":
            return self.sequence(_deeper(depth))
        if tok.startswith('"'):
            text = tok.strip('"').strip()
            return Term(text, quoted=True) if _searchable(text) else None
        return _word(tok)


def _deeper(depth: int) -> int:
    """One level further in; a clear error past MAX_DEPTH (a query of 300 "(" once took the
    parser past Python's recursion limit: a 500 and thousands of log lines)."""
    if depth >= MAX_DEPTH:
        raise QueryError(f"查询嵌套太深：括号和 NOT（-）最多只能套 {MAX_DEPTH} 层，请简化查询")
    return depth + 1


def _flatten(left, right) -> tuple:
    return (left.nodes if isinstance(left, Or) else (left,)) + (right,)


def _searchable(text: str) -> bool:
    return bool(re.search(r"[^\W_]", text))


def _word(tok: str):
    name, sep, value = tok.partition(":")
    if not sep:
        name, sep, value = tok.partition("：")
    key = name.lower() if name.isascii() else name
    quoted = value.startswith('"')
    value = value.strip('"').strip()
    if sep and value:
        if key in TEXT_FIELDS:
            return Term(value, TEXT_FIELDS[key], quoted) if _searchable(value) else None
        if key in EXACT_FIELDS:
            return Term(value, EXACT_FIELDS[key], True)
        if key in DATE_FIELDS:
            return parse_date_range(value)
    return Term(tok) if _searchable(tok) else None  # "时间:2019", a lone ':' …: plain text


def parse_date_range(value: str) -> DateRange:
    """2019, 2015..2019, 2019-05..2019-12-31, ..2019, 2015.. → an inclusive YYYYMMDD range."""
    start, sep, end = value.partition("..")
    if not sep:
        end = start
    lo, hi = date_bound(start, upper=False), date_bound(end, upper=True)
    if lo and hi and lo > hi:
        raise QueryError(f"日期范围 {value} 的起点晚于终点")
    return DateRange(lo, hi)


def date_bound(value: str, upper: bool) -> int:
    """'' → 0 (open); a written date → its first (or, for an upper bound, last) day."""
    value = value.strip()
    if not value:
        return 0
    try:
        date = dates.parse(value)
    except dates.DateError as e:
        raise QueryError(f"{e}") from e
    return date.last_day() if upper else date.number
