"""Forgiving search over one index version: which terms get variants, the query tree with
them added, and the lookups variants need (counts among the reader's records, grams, the
archive's lexicon), all computed among the records the reader may see."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..analysis.normalize import normalize
from ..store.arrays import IndexArrays
from ..store.schema import USER_WORDS_FILE
from . import execute, lexicon
from .compile import ANYWHERE, FIELD_NGRAMS, Plan, compile_query
from .querylang import And, Or, Term
from .variants import Variant, VariantFinder, docnum_forms

MAX_WINDOW = 4  # adjacent terms read together (wang jian cheng)


def archive_lexicon(arrays: IndexArrays, index_dir: Path) -> lexicon.Lexicon:
    """The lexicon of this index version (built once, kept with its arrays)."""
    def build():
        words_file = index_dir / USER_WORDS_FILE
        user_words = (words_file.read_text(encoding="utf-8").splitlines()
                      if words_file.exists() else [])
        reader = arrays.searcher.reader()
        words = [t.decode("utf-8") for field in ("text", "title")
                 for t in reader.lexicon(field)]
        return lexicon.build(user_words, arrays.codes("org")[1], words)
    return arrays._cached(("lexicon",), build)


class Forgiving:
    """The variant lookups of one search (one index version, one reader's records)."""

    def __init__(self, arrays: IndexArrays, visible: np.ndarray | None, memo: dict,
                 lex: lexicon.Lexicon, threshold: int, synonyms: list[tuple[str, ...]],
                 lookalikes: Callable[[str], tuple[str, ...]]):
        self.arrays, self.visible, self.memo = arrays, visible, memo
        self.lexicon = lex
        self.threshold = threshold
        self._lookalikes = lookalikes
        self._synonyms = synonyms
        self.found: dict[str, Variant] = {}

    def count(self, text: str, field: str = "") -> int:
        plan = compile_query(Term(text, field, True))
        ids = execute.docs(self.arrays, plan.match, self.memo, self.visible)
        live = self.arrays.live() if self.visible is None else self.visible
        return int(np.count_nonzero(execute.member(ids, live)))

    def followers(self, ch: str) -> frozenset[str]:
        def build():
            reader = self.arrays.searcher.reader()
            out = set()
            for field in ANYWHERE:
                for gram in reader.expand_prefix(field, ch):
                    text = gram.decode("utf-8")
                    if len(text) == 2:
                        out.add(text[1])
            return frozenset(out)
        return self.arrays._cached(("followers", ch), build)

    def has(self, gram: str) -> bool:
        return any(self.arrays.doc_frequency(field, gram) for field in ANYWHERE)

    def finder(self, field: str) -> VariantFinder:
        return VariantFinder(self.lexicon, lambda text: self.count(text, field),
                             self.followers, self.has, self._lookalikes, self._synonyms)

    def wanted(self, term: Term) -> bool:
        """Whether a term is also searched loosely: it matches few records exactly, or it is
        (or is one character from) a name the archive knows, or it reads as pinyin or a 文号."""
        if term.quoted or (term.field and term.field not in FIELD_NGRAMS):
            return False
        text = normalize(term.text).text.strip()
        if re.fullmatch(r"[A-Za-z']{2,}", text) or docnum_forms(term.text):
            return True
        if self.lexicon.is_near_name(text):
            return True
        return self.count(term.text, term.field) < self.threshold

    def term(self, term: Term):
        if not self.wanted(term):
            return term
        return self._with(term, self.finder(term.field).for_term(term.text), term.field)

    def _with(self, node, variants: list[Variant], field: str):
        if not variants:
            return node
        for v in variants:
            if self.found.get(v.text) is None or self.found[v.text].weight < v.weight:
                self.found[v.text] = v
        return Or((node, *(Term(v.text, field, True) for v in variants)))

    def expand(self, node):
        """The query tree with each term ORed with its variants (NOT parts left as they are)."""
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Or):
            return Or(tuple(self.expand(n) for n in node.nodes))
        if isinstance(node, And):
            return And(tuple(self._sequence(list(node.nodes))))
        return node  # Not, DateRange

    def _sequence(self, nodes: list) -> list:
        out, i = [], 0
        while i < len(nodes):
            for j in range(min(len(nodes), i + MAX_WINDOW), i + 1, -1):
                window = nodes[i:j]
                if all(isinstance(n, Term) and not n.quoted and not n.field for n in window):
                    variants = self.finder("").for_words([n.text for n in window])
                    if variants:
                        out.append(self._with(And(tuple(window)), variants, ""))
                        i = j
                        break
            else:
                out.append(self.expand(nodes[i]))
                i += 1
        return out


@dataclass
class Loose:
    """The query with its variants, and what each variant is."""
    plan: Plan
    found: dict[str, Variant]

    def _docs(self, arrays: IndexArrays, text: str, memo: dict, visible) -> np.ndarray:
        return execute.docs(arrays, compile_query(Term(text, "", True)).match, memo, visible)

    def weights(self, arrays: IndexArrays, candidates: np.ndarray, memo: dict,
                visible) -> np.ndarray:
        """Per candidate, the weight of the best variant it holds (ranks approximate hits:
        a known name's misspelling before an arbitrary one-character change)."""
        best = np.zeros(len(candidates), dtype=np.float64)
        for text, variant in self.found.items():
            held = execute.member(candidates, self._docs(arrays, text, memo, visible))
            best[held] = np.maximum(best[held], variant.weight)
        return best

    def variants_of(self, arrays: IndexArrays, docnum: int, memo: dict) -> tuple[str, ...]:
        """The variants a hit holds, best first."""
        ranked = sorted(self.found.values(), key=lambda v: (-v.weight, v.text))
        one = np.array([docnum], dtype=np.int64)
        return tuple(v.text for v in ranked
                     if execute.member(one, self._docs(arrays, v.text, memo, None))[0])

    def suggestions(self, n: int = 5) -> tuple[str, ...]:
        ranked = sorted(self.found.values(), key=lambda v: (-v.weight, v.text))
        return tuple(v.text for v in ranked[:n])
