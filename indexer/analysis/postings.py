"""What an extraction worker sends the writer for one analysed field: its postings, compact
(a few arrays instead of a tuple per posting), identical to what the schema's field gives."""
from __future__ import annotations

from array import array
from collections import Counter
from typing import NamedTuple

import numpy as np

from .gramkeys import gram_keys, gram_names, is_character_key, named_gram_names
from .normalize import normalize
from .words import Analyzer

# (term bytes, frequency, weight, encoded value): what a Whoosh field's index() yields.
Posting = tuple[bytes, int, float, bytes]


class Postings(NamedTuple):
    """One field's postings of one record, compact for the trip from a worker to the writer.
    Grams of characters only are 64-bit keys (see `gram_names`), the other terms bytes; per
    posting, keys first, a float32 weight and a uint32 value size, the values back to back
    (a few objects per field instead of a tuple per posting)."""

    terms: list[bytes]
    weights: bytes  # array("f")
    sizes: bytes    # array("I")
    values: bytes
    length: int     # the field's length: the sum of its terms' frequencies
    keys: bytes = b""  # uint64 keys of character grams, whose postings come before the terms'

    def items(self) -> list[Posting]:
        """As `field.index(value)` gives them (frequency = weight: no field boosts)."""
        out, at = [], 0
        names = gram_names(np.frombuffer(self.keys, dtype=np.uint64)) + self.terms
        for term, weight, size in zip(names, array("f", self.weights), array("I", self.sizes)):
            out.append((term, int(weight), weight, self.values[at:at + size]))
            at += size
        return out


def word_postings(value: str, analyzer: Analyzer) -> Postings:
    """What a word field (frequencies only) indexes for `value` with this analyzer, without
    Token objects; identical to `field.index(value)`, computed in an extraction worker."""
    counts = Counter(analyzer.cut(normalize(value).text))
    freqs = np.fromiter(counts.values(), dtype=np.uint32, count=len(counts))
    return Postings([w.encode() for w in counts], freqs.astype(np.float32).tobytes(),
                    np.full(len(freqs), 4, dtype=np.uint32).tobytes(),
                    freqs.astype(">u4").tobytes(), int(freqs.sum()))


def ngram_postings(value: str) -> Postings:
    """What an n-gram field indexes for `value`; identical to `field.index(value)` (which
    goes through `ngram_positions`), computed with arrays instead of a tuple per gram."""
    keys, poss, names = gram_keys(normalize(value).text)
    if not len(keys):
        return Postings([], b"", b"", b"", 0)
    found, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    plain = is_character_key(found)
    n_plain = int(plain.sum())
    if n_plain < len(found):  # grams with a named unit go last, as bytes
        perm = np.concatenate((np.flatnonzero(plain), np.flatnonzero(~plain)))
        rank = np.empty(len(perm), dtype=np.int64)
        rank[perm] = np.arange(len(perm))
        found, counts, inverse = found[perm], counts[perm], rank[inverse]
    order = np.lexsort((poss, inverse))
    pos = poss[order]
    deltas = pos.copy()
    deltas[1:] -= pos[:-1]
    firsts = np.cumsum(counts) - counts
    deltas[firsts] = pos[firsts]  # a term's first position is stored whole
    return Postings(named_gram_names(found[n_plain:], names),
                    counts.astype(np.float32).tobytes(), (counts * 4).astype(np.uint32).tobytes(),
                    deltas.astype(np.uint32).tobytes(), len(pos), found[:n_plain].tobytes())
