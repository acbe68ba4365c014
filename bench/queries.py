"""The query mix (substrings, names, cross-script, two-term AND) and its brute-force truth."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from indexer.analysis.normalize import CJK, normalize_text

from .corpus import CorpusInfo

KINDS = ("substring", "name", "cross-script", "and-2")
_SHARES = {"substring": 0.4, "name": 0.2, "cross-script": 0.2, "and-2": 0.2}


@dataclass(frozen=True)
class Query:
    kind: str
    text: str  # as typed into a search box: terms separated by one space
    terms: tuple[str, ...]  # the normalised terms that a matching record must all contain
    origin: str  # the record the query was cut from (or the injected name)
    note: str = ""


class QueryMaker:
    """Draws queries from normalised record texts, keeping clear of catalog values."""

    def __init__(self, corpus: CorpusInfo, texts: dict[str, str], catalog: list[str], seed: int):
        self.corpus = corpus
        self.texts = texts
        self.catalog = "\n".join(normalize_text(v) for v in catalog)
        self.rng = random.Random(seed * 7919 + 1)
        self.seen: set[str] = set()
        self.rejected = 0
        self.paths = list(corpus.paths)
        self.traditional = sorted(corpus.traditional)

    def usable(self, terms: tuple[str, ...]) -> bool:
        """A new query whose terms appear in no 题名/责任者/文号 (the truth looks at text only)."""
        key = " ".join(terms)
        if key in self.seen or any(len(t) < 2 for t in terms):
            return False
        if any(t in self.catalog for t in terms):
            self.rejected += 1
            return False
        self.seen.add(key)
        return True

    def substring(self, paths: list[str], lo: int, hi: int, prefer=None) -> tuple[str, str]:
        """A CJK-only substring of lo..hi characters of a random record of `paths`."""
        for _attempt in range(50):
            rel = self.rng.choice(paths)
            runs = [m.group() for m in re.finditer(f"[{CJK}]{{{lo},}}", self.texts[rel])]
            if not runs:
                continue
            run = self.rng.choice(runs)
            size = self.rng.randint(lo, min(hi, len(run)))
            start = self.rng.randrange(len(run) - size + 1)
            piece = run[start:start + size]
            if prefer is None or prefer(piece):
                return piece, rel
        return piece, rel

    def make(self, kind: str) -> Query | None:
        if kind == "substring":
            piece, rel = self.substring(self.paths, 2, 6)
            return Query(kind, piece, (normalize_text(piece),), rel)
        if kind == "cross-script":
            if not self.traditional:
                return None
            piece, rel = self.substring(self.traditional, 2, 6, prefer=_differs_in_traditional)
            return Query(kind, piece, (normalize_text(piece),), rel)
        if kind == "and-2":
            a, rel = self.substring(self.paths, 2, 4)
            b, _rel = self.substring([rel], 2, 4)
            if a in b or b in a:
                return None
            return Query(kind, f"{a} {b}", (normalize_text(a), normalize_text(b)), rel)
        raise ValueError(kind)


def _differs_in_traditional(piece: str) -> bool:
    from .script import to_traditional

    return to_traditional(piece) != piece


def make_queries(corpus: CorpusInfo, texts: dict[str, str], catalog: list[str], total: int,
                 seed: int) -> tuple[list[Query], int]:
    """About `total` queries in the agreed shares; returns them and how many were rejected."""
    maker = QueryMaker(corpus, texts, catalog, seed)
    queries = name_queries(maker, round(total * _SHARES["name"]))
    for kind in ("substring", "cross-script", "and-2"):
        wanted, made, tries = round(total * _SHARES[kind]), 0, 0
        while made < wanted and tries < wanted * 50:
            tries += 1
            q = maker.make(kind)
            if q is not None and maker.usable(q.terms):
                queries.append(q)
                made += 1
    return queries, maker.rejected


def name_queries(maker: QueryMaker, count: int) -> list[Query]:
    """The fixed names first, then a mix of names jieba knows and does not know."""
    from .names import FIXED_NAMES

    names = list(maker.corpus.names)
    fixed = [x for x in names if x.text in FIXED_NAMES]
    rest = [x for x in names if x.text not in FIXED_NAMES]
    maker.rng.shuffle(rest)
    rest.sort(key=lambda x: not x.in_dictionary)  # the few names jieba knows, then the others
    out = []
    for name in fixed + rest:
        if len(out) >= count:
            break
        terms = (normalize_text(name.text),)
        if maker.usable(terms):
            note = "in jieba dictionary" if name.in_dictionary else "unknown to jieba"
            out.append(Query("name", name.text, terms, name.text, note))
    return out


def ground_truth(queries: list[Query], texts: dict[str, str]) -> list[frozenset[str]]:
    """For each query, every record whose normalised text contains all its terms."""
    items = list(texts.items())
    out = []
    for q in queries:
        found = [rel for rel, text in items if q.terms[0] in text]
        for term in q.terms[1:]:
            found = [rel for rel in found if term in texts[rel]]
        out.append(frozenset(found))
    return out
