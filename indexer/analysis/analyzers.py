"""Whoosh analyzers: jieba words (ranking) and n-grams (exact matching), one normaliser.

Both tokenizers run on the normalised text and report positions as token ordinals and
`startchar`/`endchar` as offsets in the **original** text, so phrases match and highlights
land on the original (possibly traditional) characters. The n-gram rule is in `grams`, the
words in `words` (an `Analyzer` per index), worker postings in `postings`.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer
from whoosh.formats import Positions

from .grams import PREFIX, _grams, ngram_positions, ngram_terms, units
from .normalize import Normalized, normalize
from .postings import Posting, Postings
from .words import Analyzer, base_analyzer

# Bump whenever tokens produced for the same text could change: the index refuses to be
# searched by a different version ("run dangan index --rebuild").
ANALYSIS_VERSION = "9"  # 9: CJK radicals folded (⺠ → 民); 8: digits are units, runs whole

__all__ = ["ANALYSIS_VERSION", "PREFIX", "Posting", "Postings", "NgramFormat", "NgramTokenizer",
           "WordTokenizer", "ngram_analyzer", "ngram_positions", "ngram_terms", "units",
           "word_analyzer"]


class _NormalisingTokenizer(Tokenizer):
    """Shared plumbing: normalise, then emit tokens with original offsets."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        norm = normalize(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (text, start, end, first_unit) in enumerate(self._tokens(norm)):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + first_unit
            if chars:
                a, b = norm.span(start, end)
                t.startchar, t.endchar = start_char + a, start_char + b
            yield t

    def _tokens(self, norm: Normalized) -> Iterator[tuple[str, int, int, int]]:
        raise NotImplementedError


class WordTokenizer(_NormalisingTokenizer):
    """jieba words of an analyzer; Latin words and digit runs kept; no stemming, no stop
    words. Whoosh pickles the schema into the index: the analyzer is not pickled with it
    (an index's words are in its user words file), and a tokenizer read back from an index
    uses jieba's dictionary alone. dangan never analyses through a stored schema: workers
    use the run's analyzer, searches the archive's."""

    analyzer: Analyzer | None = None

    def __init__(self, analyzer: Analyzer | None = None):
        self.analyzer = analyzer

    def __getstate__(self):
        return {}  # small and picklable: the analyzer is what it is used with, not stored

    def __eq__(self, other):
        return type(other) is type(self)

    def _tokens(self, norm):
        analyzer = self.analyzer or base_analyzer()
        for pos, (word, start, end) in enumerate(analyzer.words_of(norm.text)):
            yield word, start, end, pos


class NgramTokenizer(_NormalisingTokenizer):
    """The grams of `grams._grams` (bigrams of adjacent units, some unigrams, whole digit
    runs), with positions."""

    def _tokens(self, norm):
        us = units(norm.text)
        for gram, first, last, pos in _grams(us):
            yield gram, us[first][1], us[last][2], pos


class NgramFormat(Positions):
    """Positions for the n-gram fields, computed without Token objects and stored as uint32
    deltas (array bytes), which the query executor decodes in bulk."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        for gram, poses in ngram_positions(value).items():
            yield gram, len(poses), len(poses) * fb, self.encode(poses)

    def encode(self, poslist):
        if len(poslist) == 1:  # most grams occur once in a record
            return array("I", poslist).tobytes()
        return array("I", [b - a for a, b in zip([0] + poslist[:-1], poslist)]).tobytes()

    def decode_positions(self, valuestring):
        positions, total = [], 0
        for delta in array("I", valuestring):
            total += delta
            positions.append(total)
        return positions

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


def word_analyzer(analyzer: Analyzer | None = None) -> WordTokenizer:
    return WordTokenizer(analyzer)


def ngram_analyzer() -> NgramTokenizer:
    return NgramTokenizer()
