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
from ..fields import EXACT, NGRAM, RANGE, field_named, query_fields
from ..ingest.catalog import LISTED
from . import notices

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


@dataclass(frozen=True)
class Query:
    """A query as read: its tree and what the reader is told about how it was read."""
    node: object  # None: an empty query (every record); NOTHING: no searchable word was typed
    notices: tuple[str, ...] = ()


NOTHING = Or(())  # what a query with no searchable word left matches: no record
_OR, _AND = ("OR", "|"), ("AND", "&&")
_OPERATORS = _OR + _AND


def read(q: str) -> Query:
    """The tree for a query string and a notice for every mistake read around (an unknown
    field name, an unclosed quote or bracket, a dangling operator, an empty field value, a bad
    date range): what can be searched is searched. Raises QueryError for abuse only (a query
    past the length or nesting limits)."""
    q = _CONTROL.sub(" ", q or "").replace("\u3000", " ").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"查询太长：最多 {MAX_QUERY_CHARS} 个字符，请缩短查询词")
    if not q:
        return Query(None)
    tokens = _TOKEN.findall(q.replace("“", '"').replace("”", '"'))
    parser = _Parser(tokens)
    node = parser.sequence(depth=0)
    if parser.open_parens:
        parser.notes.append(notices.unclosed_parens(parser.open_parens))
    if node is None:
        parser.notes.append(notices.NOTHING_TO_SEARCH)
        node = NOTHING
    return Query(node, tuple(dict.fromkeys(parser.notes)))


def parse(q: str):
    """The tree for a query string (see `read`); None for an empty query."""
    return read(q).node


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.i = 0
        self.notes: list[str] = []
        self.open_parens = 0  # brackets never closed
        self.listed = False  # the field names were listed in a notice

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        self.i += 1
        return self.tokens[self.i - 1]

    def operand_next(self) -> bool:
        """Whether a term (or a bracket, or NOT) comes next."""
        tok = self.peek()
        return tok is not None and tok != ")" and tok not in _OPERATORS

    def sequence(self, depth: int):
        nodes = []
        while (tok := self.peek()) is not None:
            if tok == ")":
                self.take()
                if depth:
                    return _joined(nodes)
                self.notes.append(notices.STRAY_PAREN)
                continue
            if tok in _OPERATORS:  # an AND, or an OR with no term before it
                self.take()
                if tok in _OR or not nodes or not self.operand_next():
                    self.notes.append(notices.dangling(tok, before=tok in _OR or not nodes))
                continue
            node = self.disjunction(depth)
            if node is not None:
                nodes.append(node)
        if depth:
            self.open_parens += 1
        return _joined(nodes)

    def disjunction(self, depth: int):
        left = self.unary(depth)
        while self.peek() in _OR:
            op = self.take()
            while self.peek() in _OR:
                self.take()
                self.notes.append(notices.REPEATED_OR)
            if not self.operand_next():
                self.notes.append(notices.dangling(op, before=False))
                break
            right = self.unary(depth)
            if right is not None:
                left = right if left is None else Or(_flatten(left, right))
        return left

    def unary(self, depth: int):
        tok = self.peek()
        if tok is None or tok == ")":
            return None
        if tok == "NOT" or (tok == "-" and not self.operand_after()):
            self.take()
            if not self.operand_next():
                self.notes.append(notices.dangling(tok, before=False))
                return None
            node = self.unary(_deeper(depth))
            return Not(node) if node is not None else None
        if tok.startswith("-") and len(tok) > 1 and tok[1] not in "-.":  # (-2008 too: --, -.5 kept)
            self.tokens[self.i] = tok[1:]
            node = self.unary(_deeper(depth))
            return Not(node) if node is not None else None
        return self.primary(depth)

    def operand_after(self) -> bool:
        """Whether a term follows the next token ('档案 - 交通' keeps its dash as punctuation)."""
        self.i += 1
        try:
            return self.operand_next()
        finally:
            self.i -= 1

    def primary(self, depth: int):
        tok = self.take()
        if tok == "(":
            before = len(self.notes)
            node = self.sequence(_deeper(depth))
            if node is None and len(self.notes) == before:
                self.notes.append(notices.empty_parens())
            return node
        if tok.startswith('"'):
            return self.phrase(tok)
        return self.word(tok, depth)

    def phrase(self, tok: str):
        text = tok.strip('"').strip()
        if len(tok) == 1 or not tok.endswith('"'):
            self.notes.append(notices.unclosed_quote(text if _searchable(text) else ""))
        elif not text:
            self.notes.append(notices.empty_quotes())
        return Term(text, quoted=True) if _searchable(text) else None

    def word(self, tok: str, depth: int = 0):
        name, sep, value = tok.partition(":")
        if not sep:
            name, sep, value = tok.partition("：")
        if sep and name:
            f = field_named(name)
            if f is not None and f.query:
                if not value and self.peek() == "(" and f.query in (NGRAM, EXACT):
                    return self.field_group(f, depth)
                return self.field_term(f, name, value)
            if _names_something(name):  # not the 10 of 10:30
                listed, self.listed = self.listed, True
                self.notes.append(notices.unknown_field(name, tok, not listed) if f is None
                                  else notices.unsearchable_field(f.label, tok, not listed))
        if tok.count('"') % 2:
            self.notes.append(notices.unclosed_quote(""))
        if _WILDCARD.search(tok) and _searchable(tok):
            self.notes.append(notices.wildcard(tok))
        return Term(tok) if _searchable(tok) else None  # "时间:2019", a lone ':' …: plain text

    def field_group(self, f, depth: int):
        """`题名:(总结 OR 报告)`: the bracket's terms, each in the field."""
        self.take()
        before = len(self.notes)
        node = self.sequence(_deeper(depth))
        if node is None and len(self.notes) == before:
            self.notes.append(notices.empty_parens())
        return None if node is None else _in_field(node, f)

    def field_term(self, f, name: str, value: str):
        """`name:value` for a searchable field; `题名: 总结` (a space after the colon) too."""
        if not value and self.operand_next() and self.peek() not in ("(", "NOT") \
                and ":" not in self.peek() and "：" not in self.peek():
            value = self.take()
            self.notes.append(notices.spaced_field(name, value.strip('"')))
        quoted = value.startswith('"')
        if value.count('"') % 2:
            self.notes.append(notices.unclosed_quote(value.strip('"').strip()))
        text = value.strip('"').strip()
        if not text:
            self.notes.append(notices.empty_field(name))
            return None
        if f.query == NGRAM:
            if not _searchable(text):
                self.notes.append(notices.nothing_in(f"{name}:{value}"))
                return None
            if f.name == "persons" and not quoted and LISTED.search(text):
                # 人员:王建成；卜剑平, as a catalog lists them: each of them
                return _joined([Term(p, f.name) for p in LISTED.split(text) if _searchable(p)])
            if (f.name == "doc_number" and not quoted and _DOCNUM_HEAD.search(text)
                    and self.operand_next() and _DOCNUM_TAIL.fullmatch(self.peek())):
                text += " " + self.take()  # 文号:当档发2008 7号: one 文号, typed loosely
            return Term(text, f.name, quoted)
        if f.query == EXACT:
            return Term(text, f.name, True)
        try:
            return parse_date_range(text)
        except QueryError as e:
            self.notes.append(notices.bad_date(str(e)))
            return None


def _in_field(node, f):
    """`node` with each of its terms that names no field of its own looked for in `f`."""
    if isinstance(node, Term):
        return node if node.field else Term(node.text, f.name, node.quoted or f.query == EXACT)
    if isinstance(node, Not):
        return Not(_in_field(node.node, f))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_in_field(n, f) for n in node.nodes))
    return node  # a date range


_WILDCARD = re.compile(r"[*?＊？]")
_DOCNUM_HEAD = re.compile(r"(?:\d{4}|\d{4}年)$")  # a 文号 typed up to its year …
_DOCNUM_TAIL = re.compile(r"第?\d{1,5}号")  # … and its number apart


def _joined(nodes: list):
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


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


def _names_something(name: str) -> bool:
    """Whether what precedes a ':' could be meant as a field name (it has a letter)."""
    return bool(re.search(r"[^\W\d_]", name))


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
