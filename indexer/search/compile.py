"""Turns a parsed query tree into an execution plan: exact n-gram matching plus ranking words."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import dates
from ..analysis.grams import ngram_terms, whole_number_terms
from ..analysis.normalize import fold_value
from ..analysis.words import Analyzer
from ..fields import FIELDS, ngram_fields
from ..store.records import FOLDED_FACETS
from .querylang import And, DateRange, Not, Or, Term

# bare terms look in these n-gram fields
ANYWHERE = ("text_ng", "title_ng", "doc_number_ng", "org_ng", "meta_ng")
FIELD_NGRAMS = ngram_fields()  # `title:…` looks in title_ng, `人员:…` in meta_ng …
COLUMN_FIELDS = frozenset(f.name for f in FIELDS if f.column)  # one exact value per record


@dataclass(frozen=True)
class Grams:
    """Records whose field holds every (n-gram, offset) at one common start."""
    field: str
    grams: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Value:
    """Records whose (exact-value) field equals value."""
    field: str
    value: str


@dataclass(frozen=True)
class Range:
    """Records whose numeric column lies in [lo, hi] (None = open)."""
    field: str
    lo: int | None
    hi: int | None


@dataclass(frozen=True)
class AllOf:
    nodes: tuple


@dataclass(frozen=True)
class AnyOf:
    nodes: tuple


@dataclass(frozen=True)
class Without:
    node: object


@dataclass(frozen=True)
class Everything:
    pass


NOTHING = AnyOf(())


@dataclass
class Plan:
    match: object
    rank_words: list[str] = field(default_factory=list)
    highlight: list[str] = field(default_factory=list)  # strings to mark in snippets
    title_highlight: list[str] = field(default_factory=list)  # strings to mark in titles
    exact: list[Grams] = field(default_factory=list)  # positive text matches (for ranking)
    # terms with a number at their start or end, that number whole: such matches rank above
    # those inside a longer number (97年度 in 97年度 before 1997年度)
    whole: list[Grams] = field(default_factory=list)


def compile_query(node, analyzer: Analyzer | None = None) -> Plan:
    """The plan of a parsed query; ranking words are segmented by the index's `analyzer`
    (None: no ranking words, for callers that only want what is matched and highlighted)."""
    if node is None:
        return Plan(Everything())
    plan = Plan(NOTHING)
    plan.match = _compile(node, plan, negated=False, analyzer=analyzer)
    if isinstance(plan.match, Without) or (
            isinstance(plan.match, AllOf) and all(isinstance(n, Without)
                                                  for n in plan.match.nodes)):
        plan.match = AllOf((Everything(), plan.match))
    plan.rank_words = sorted(set(plan.rank_words))
    return plan


def _compile(node, plan: Plan, negated: bool, analyzer: Analyzer | None):
    if isinstance(node, And):
        return AllOf(tuple(_compile(n, plan, negated, analyzer) for n in node.nodes))
    if isinstance(node, Or):
        return AnyOf(tuple(_compile(n, plan, negated, analyzer) for n in node.nodes))
    if isinstance(node, Not):
        return Without(_compile(node.node, plan, not negated, analyzer))
    if isinstance(node, DateRange):
        return Range("date_num", node.start or None, node.end or None)
    return _term(node, plan, negated, analyzer)


def _term(term: Term, plan: Plan, negated: bool, analyzer: Analyzer | None):
    if term.field and term.field not in FIELD_NGRAMS:
        return Value(term.field, exact_value(term.field, term.text))
    fields = ANYWHERE if not term.field else (FIELD_NGRAMS[term.field],)
    alternatives = []
    for text in dates.spellings(term.text):  # 2016年 also as 二〇一六年, and the reverse
        grams = tuple(ngram_terms(text))
        if not grams:
            continue
        if not negated:
            if term.field in ("", "title"):
                plan.title_highlight.append(text)
            if term.field in ("", "text"):
                plan.highlight.append(text)
                plan.exact.append(Grams("text_ng", grams))
                whole = tuple(whole_number_terms(text))
                if whole:
                    plan.whole.append(Grams("text_ng", whole))
            if analyzer is not None:
                plan.rank_words.extend(analyzer.word_terms(text))
        alternatives.extend(Grams(f, grams) for f in fields)
    if not alternatives:
        return NOTHING
    return alternatives[0] if len(alternatives) == 1 else AnyOf(tuple(alternatives))


def exact_value(field: str, typed: str) -> str:
    """A `field:value` of a field compared whole, as the index keeps its values: folded to
    simplified (密级:機密 is 机密, 门类:文書 文书), a year in Chinese numerals in digits
    (年度:二〇〇八 is 2008)."""
    value = typed.strip()
    if field == "year" and not value.isdigit():
        try:
            return str(dates.parse(value if value.endswith("年") else value + "年").year)
        except dates.DateError:
            return value
    return fold_value(value) if field in FOLDED_FACETS or field == "security" else value


def match_node(text: str, field: str = ""):
    """The plan node matching `text` exactly, as a term of the query would (without the
    ranking words and highlights a whole query compiles)."""
    fields = (FIELD_NGRAMS[field],) if field else ANYWHERE
    spelled = [tuple(ngram_terms(t)) for t in dates.spellings(text)]
    return AnyOf(tuple(Grams(f, grams) for grams in spelled if grams for f in fields))
