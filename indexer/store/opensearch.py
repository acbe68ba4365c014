"""The index as OpenSearch / Elasticsearch sees it: the mapping, derived from the field registry,
and a record's document, made from its stored fields (pure functions; indexer/search/opensearch_export.py
writes them to files).

dangan's normaliser (NFKC, traditional → simplified, pinyin annotations and OCR spaces out) and
its jieba segmentation cannot run inside the engine, so they run here, as an ingest step: every
field dangan searches by contains is sent as written (for display) and normalised (`NAME_norm`,
whose `ngram` sub-field a phrase query finds any substring in, as dangan's n-gram fields do),
and the title and text also as their jieba words joined by spaces (`NAME_words`).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..analysis.normalize import Normalized, normalize
from ..analysis.words import Analyzer
from ..fields import DATE, FACET, FIELDS, ID, NGRAM, NUMBER, STORED, TEXT, Field
from .schema import security_level

NORM, WORDS = "_norm", "_words"  # suffixes of the normalised and the segmented field
RANK = "security_rank"  # the 密级 as its index in SECURITY_LEVELS: clearance as a range filter
DATE_FORMAT = "yyyy||yyyy-MM||yyyy-MM-dd"
_ISO_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
# longest keyword indexed (characters; Lucene refuses a term over 32766 bytes, 4 per character
# at most): a longer value is kept in the document, not indexed
KEYWORD_CHARS = 8191

ANALYSIS = {
    "tokenizer": {
        "dangan_ngram": {"type": "ngram", "min_gram": 1, "max_gram": 2,
                         "token_chars": ["letter", "digit"]},
    },
    "analyzer": {
        # every character and every pair of adjacent ones: a phrase query finds any substring
        "dangan_ngram": {"type": "custom", "tokenizer": "dangan_ngram", "filter": ["lowercase"]},
        # the words dangan's segmentation wrote, separated by spaces
        "dangan_words": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]},
    },
}

_KEYWORD = {"type": "keyword", "ignore_above": KEYWORD_CHARS}
_SHOWN = {"type": "text", "index": False}  # kept for display, not searched
_NORMALISED = {"type": "text", "analyzer": "standard",
               "fields": {"ngram": {"type": "text", "analyzer": "dangan_ngram"}}}
_WORDS = {"type": "text", "analyzer": "dangan_words"}
_BY_TYPE = {
    TEXT: _SHOWN,
    FACET: _KEYWORD,
    ID: _KEYWORD,
    DATE: {"type": "date", "format": DATE_FORMAT},
    NUMBER: {"type": "integer"},
    STORED: _SHOWN,
}
# what dangan keeps beside the registry's fields that a hit needs
EXTRA = {
    RANK: {"type": "integer"},
    "source": _KEYWORD,  # the corpus root `path` is relative to
    "page_starts": {"type": "integer", "index": False},  # where each page begins in `text`
    "page_starts_norm": {"type": "integer", "index": False},  # … and in `text_norm`
}


def normalised(f: Field) -> bool:
    """Whether a field is searched by contains (dangan's n-gram fields): sent normalised too."""
    return f.type == TEXT or f.query == NGRAM


def properties() -> dict[str, Any]:
    """The mapping's properties: every field of the registry, its companions, the extras."""
    props: dict[str, Any] = {}
    for f in FIELDS:
        props[f.name] = _BY_TYPE[f.type]
        if normalised(f):
            props[f.name + NORM] = _NORMALISED
        if f.type == TEXT:
            props[f.name + WORDS] = _WORDS
    return props | EXTRA


def mapping(meta: dict[str, Any], longest_text: int = 0) -> dict[str, Any]:
    """The body of `PUT /NAME`: settings with the analysis, the strict mapping and `meta`
    (`_meta`: versions, export time). `longest_text`: characters of the longest text, so the
    engine will highlight in it (its default stops at a million)."""
    settings: dict[str, Any] = {"analysis": ANALYSIS}
    if longest_text >= 1_000_000:
        settings["index"] = {"highlight": {"max_analyzed_offset": longest_text + 1}}
    return {"settings": settings,
            "mappings": {"dynamic": "strict", "_meta": meta, "properties": properties()}}


def document(stored: dict[str, Any], analyzer: Analyzer) -> dict[str, Any]:
    """A record's document, from its stored fields; every property of the mapping is a key
    (None where the record has no value). `analyzer`: the index's own words."""
    meta = stored.get("meta") or {}
    doc: dict[str, Any] = {}
    text = normalize("")
    for f in FIELDS:
        value = _value(f, stored.get(f.name, meta.get(f.name) if f.type == STORED else None))
        doc[f.name] = value
        if normalised(f):
            norm = normalize(value or "")
            text = norm if f.name == "text" else text
            doc[f.name + NORM] = norm.text or None
            if f.type == TEXT:
                doc[f.name + WORDS] = " ".join(analyzer.cut(norm.text)) or None
    doc[RANK] = security_level(doc["security"] or "")
    doc["source"] = stored.get("source") or None
    doc["page_starts"] = [int(s) for s in stored.get("page_starts") or [0]]
    doc["page_starts_norm"] = normalised_offsets(text, doc["page_starts"])
    return doc


def normalised_offsets(norm: Normalized, offsets: list[int]) -> list[int]:
    """Offsets in the original text as offsets in the normalised one (the first normalised
    character from that original offset on), so a hit in `text_norm` finds its page."""
    if norm.starts is None:  # normalising changed no offset
        return list(offsets)
    return [int(i) for i in np.searchsorted(norm.starts, offsets, side="left")]


def _value(f: Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if f.type == NUMBER:
        return int(value)
    value = str(value)
    if f.type == DATE and not _ISO_DATE.fullmatch(value):
        return None  # not a date the engine reads (dangan only stores these forms)
    return value
