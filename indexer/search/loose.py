"""A query with its variants (what forgiving search found) and what the ranking and the hits
ask of them: each variant's records, the weight a hit gets from the best variant it holds, the
variants a hit holds, the suggestions."""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np

from ..store.arrays import IndexArrays
from . import execute
from .compile import Plan, match_node
from .variants import PINYIN, Variant


@dataclass
class Loose:
    """The query with its variants, and what each variant is."""
    plan: Plan
    found: dict[str, Variant]
    held: dict[str, np.ndarray] = dataclass_field(default_factory=dict)  # variant → its records

    def _docs(self, arrays: IndexArrays, text: str, memo: dict, visible) -> np.ndarray:
        if text not in self.held:
            self.held[text] = execute.docs(arrays, match_node(text), memo, visible)
        return self.held[text]

    def weights(self, arrays: IndexArrays, candidates: np.ndarray, memo: dict,
                visible) -> np.ndarray:
        """Per candidate, the weight of the best variant it holds (ranks approximate hits:
        a known name's misspelling before an arbitrary one-character change); among names
        spelled out in the same pinyin, the one more of the candidates hold first
        (wangjiancheng: 王建成 of four records before 王建城 of one — the likelier meant; not
        for initials, where the commonest name would crowd out the rest)."""
        held = {text: execute.member(candidates, self._docs(arrays, text, memo, visible))
                for text in self.found}
        most = max((int(np.count_nonzero(held[t])) for t, v in self.found.items()
                    if v.kind == PINYIN), default=0) or 1
        best = np.zeros(len(candidates), dtype=np.float64)
        for text, variant in self.found.items():
            share = (np.count_nonzero(held[text]) / most if variant.kind == PINYIN else 0)
            best[held[text]] = np.maximum(best[held[text]], variant.weight + 0.9 * share)
        return best  # (a share under 1: never past another kind)

    def variants_of(self, arrays: IndexArrays, docnum: int, memo: dict) -> tuple[str, ...]:
        """The variants a hit holds, best first."""
        ranked = sorted(self.found.values(), key=lambda v: (-v.weight, v.text))
        one = np.array([docnum], dtype=np.int64)
        return tuple(v.text for v in ranked
                     if execute.member(one, self._docs(arrays, v.text, memo, None))[0])

    def suggestions(self, arrays: IndexArrays, listed: np.ndarray, memo: dict, visible,
                    n: int = 5) -> tuple[str, ...]:
        """The best variants: by kind, then by how many of the `listed` records (those the
        reader may see) give each as a person or 责任者 (王建成 of a catalog before the 王建戍 OCR
        made of it in a text), then by how many hold it at all."""
        def count(text: str, field: str = "") -> int:
            docs = (self._docs(arrays, text, memo, visible) if not field else
                    execute.docs(arrays, match_node(text, field), memo, visible))
            return int(np.count_nonzero(execute.member(listed, docs)))
        held = {t: (count(t, "persons") + count(t, "org"), count(t)) for t in self.found}
        ranked = sorted(self.found.values(), key=lambda v: (
            -v.weight, -held[v.text][0], -held[v.text][1], v.text))
        return tuple(v.text for v in ranked[:n])
