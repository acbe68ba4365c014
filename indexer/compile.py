"""Turns a parsed query tree into Whoosh queries: exact n-gram matching plus word ranking."""
from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.query.compound import DefaultOr

from .analysis import ngram_terms, word_terms
from .ngramquery import NgramSequence
from .querylang import And, DateRange, Not, Or, Term

# bare terms look in these n-gram fields, with these boosts
ANYWHERE = (("text_ng", 1.0), ("title_ng", 3.0), ("doc_number_ng", 2.0), ("org_ng", 1.5))
FIELD_NGRAMS = {"title": "title_ng", "org": "org_ng", "doc_number": "doc_number_ng",
                "text": "text_ng"}


@dataclass
class Compiled:
    match: wq.Query
    rank_words: list[str] = field(default_factory=list)
    highlight: list[str] = field(default_factory=list)  # strings to mark in snippets


def compile_query(node, title_boost: float = 3.0) -> Compiled:
    if node is None:
        return Compiled(wq.Every())
    out = Compiled(wq.NullQuery)
    out.match = _compile(node, out, negated=False)
    if isinstance(node, Not) or (isinstance(node, And) and all(isinstance(n, Not)
                                                                 for n in node.nodes)):
        out.match = wq.And([wq.Every(), out.match])
    if out.rank_words:
        words = sorted(set(out.rank_words))
        ranking = DefaultOr([wq.Term("text", w) for w in words]
                        + [wq.Term("title", w, boost=title_boost) for w in words])
        out.match = wq.AndMaybe(out.match, ranking)
    return out


def _compile(node, out: Compiled, negated: bool) -> wq.Query:
    if isinstance(node, And):
        return wq.And([_compile(n, out, negated) for n in node.nodes])
    if isinstance(node, Or):
        return DefaultOr([_compile(n, out, negated) for n in node.nodes])
    if isinstance(node, Not):
        return wq.Not(_compile(node.node, out, not negated))
    if isinstance(node, DateRange):
        return wq.NumericRange("date_num", node.start or None, node.end or None)
    return _term(node, out, negated)


def _term(term: Term, out: Compiled, negated: bool) -> wq.Query:
    if term.field and term.field not in FIELD_NGRAMS:
        return wq.Term(term.field, term.text.strip())
    grams = ngram_terms(term.text)
    if not grams:
        return wq.NullQuery
    if not negated:
        if term.field in ("", "text"):
            out.highlight.append(term.text)
        out.rank_words.extend(word_terms(term.text))
    fields = ANYWHERE if not term.field else ((FIELD_NGRAMS[term.field], 1.0),)
    alternatives = [_ngram_query(f, grams, boost) for f, boost in fields]
    return alternatives[0] if len(alternatives) == 1 else DefaultOr(alternatives)


def _ngram_query(fieldname: str, grams: list[tuple[str, int]], boost: float) -> wq.Query:
    if len(grams) == 1 and grams[0][1] == 0:
        return wq.Term(fieldname, grams[0][0], boost=boost)
    return NgramSequence(fieldname, tuple(grams), boost=boost)
