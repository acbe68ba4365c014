"""Why a hit matched: when its text holds none of the query's words, snippets of the catalog
fields that do (人员, 备注, 文号, 责任者, 档号, 题名), each labelled with the field's name."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import dates
from ..fields import LABELS, ngram_fields
from .highlight import Snippet, excerpt, find_spans
from .querylang import And, Or, Term

# catalog fields a snippet may show, in the order shown (the title is in the hit's heading
# already), each with the n-gram index field its words are found in (store/records.py puts
# persons, notes and 档号 together in meta_ng, so `人员:` may match in 备注: that is shown)
FIELD_INDEX = {**{name: index for name, index in ngram_fields().items() if name != "text"},
               "archival_code": "meta_ng"}
SHOWN = ("persons", "notes", "doc_number", "org", "archival_code", "title")
META = ("persons", "notes")  # kept in the record's stored `meta`, not as fields of their own


def field_terms(node) -> dict[str, list[str]]:
    """Catalog field → the query's terms (not under NOT) that may have matched in it."""
    out: dict[str, list[str]] = {}
    for term in _positive_terms(node):
        if term.field == "archival_code":  # an exact `档号:` value
            names = ["archival_code"]
        elif not term.field:  # a bare term looks everywhere
            names = list(SHOWN)
        else:
            index = FIELD_INDEX.get(term.field)
            names = [name for name in SHOWN if index and FIELD_INDEX[name] == index]
        for name in names:  # (a date in its other writing too: 二〇一六年 finds 2016年)
            out.setdefault(name, []).extend(dates.spellings(term.text))
    return out


def with_variants(terms: dict[str, list[str]], variants) -> dict[str, list[str]]:
    """The terms, and what an approximate hit was found by instead, looked for in every field."""
    if not variants:
        return terms
    return {name: [*terms.get(name, ()), *variants] for name in SHOWN}


def field_snippets(stored: dict[str, Any], terms: dict[str, list[str]], count: int,
                   width: int) -> list[Snippet]:
    """Up to `count` snippets of the catalog fields the terms are found in (page 0, `field`
    set to the field's label), around the first hit of each."""
    out = []
    for name in SHOWN:
        value = field_value(stored, name) if name in terms else ""
        spans = find_spans(value, terms[name]) if value else []
        if not spans:
            continue
        lo = max(0, spans[0][0] - width // 3)
        hi = min(len(value), max(spans[0][1], lo + width))
        inside = [s for s in spans if s[1] > lo and s[0] < hi]
        out.append(replace(excerpt(value, inside, lo, hi, page=0), field=LABELS[name]))
        if len(out) >= count:
            break
    return out


def field_value(stored: dict[str, Any], name: str) -> str:
    """A catalog field of a record's stored fields as text (a list of persons joined by ；)."""
    value = (stored.get("meta") or {}).get(name, "") if name in META else stored.get(name, "")
    if isinstance(value, (list, tuple)):
        return "；".join(str(v) for v in value)
    return str(value or "")


def _positive_terms(node):
    if isinstance(node, Term):
        yield node
    elif isinstance(node, (And, Or)):
        for child in node.nodes:
            yield from _positive_terms(child)
    # a NOT's terms are what the hit lacks; a date range is not in a snippet
