"""Words for ranking: an `Analyzer` per index (jieba's dictionary plus that index's user
words). jieba's own dictionary is loaded once per process and shared; an analyzer with user
words has its own copy of the frequency table, so two indexes never share words."""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import jieba

from .normalize import CJK, normalize

jieba.setLogLevel(logging.WARNING)
_WORDY = re.compile(rf"[{CJK}]|[^\W_]")
_CJK_CHAR = re.compile(rf"[{CJK}]")
_base_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load_base() -> jieba.Tokenizer:
    seg = jieba.Tokenizer()
    seg.initialize()
    return seg


def _base() -> jieba.Tokenizer:
    """jieba's dictionary (about a second and 100 MB): loaded once per process, never changed."""
    with _base_lock:
        return _load_base()


def _with_words(base: jieba.Tokenizer, words: Iterable[str]) -> jieba.Tokenizer:
    """A segmenter with its own copy of `base`'s frequency table and `words` added."""
    seg = jieba.Tokenizer(base.dictionary)
    seg.FREQ, seg.total, seg.initialized = dict(base.FREQ), base.total, True
    for word in sorted(words):
        # high enough that the word wins over any split of it, even inside a sentence
        seg.add_word(word, freq=max(seg.suggest_freq(word, tune=False), 2000 * len(word)))
    return seg


class Analyzer:
    """jieba segmentation with one index's user words (names, organisations that must stay
    whole). Immutable once made; the segmenter is built on first use. Thread-safe."""

    def __init__(self, words: frozenset[str] = frozenset()):
        self.words = words
        self._seg: jieba.Tokenizer | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Analyzer({len(self.words)} user words)"

    def __reduce__(self):  # sent to workers as its words, made again (and cached) there
        return analyzer_for, (tuple(sorted(self.words)),)

    def segmenter(self) -> jieba.Tokenizer:
        with self._lock:
            if self._seg is None:
                self._seg = _with_words(_base(), self.words) if self.words else _base()
            return self._seg

    def warm_up(self) -> None:
        """Load the dictionary now (about a second), not when the first text needs it."""
        self.segmenter()

    def words_of(self, norm: str) -> Iterator[tuple[str, int, int]]:
        """(word, start, end) of normalised text: jieba words, lower-cased, punctuation out."""
        for word, start, end in self.segmenter().tokenize(norm, HMM=True):
            if _WORDY.search(word):
                yield word.lower(), start, end

    def cut(self, norm: str) -> Iterator[str]:
        """The words of `words_of` without their offsets (faster)."""
        return (w.lower() for w in self.segmenter().cut(norm, HMM=True) if _WORDY.search(w))

    def word_terms(self, text: str) -> list[str]:
        """jieba words of a query string (for ranking)."""
        return [w for w, _s, _e in self.words_of(normalize(text).text)]


def analyzer_for(words: Iterable[str] = ()) -> Analyzer:
    """The analyzer of these user words (normalised; blank lines ignored). The last few made
    are kept, so archives and workers with the same words share one."""
    return _cached(frozenset(normalize(w.strip()).text for w in words if w and w.strip()))


@lru_cache(maxsize=4)
def _cached(words: frozenset[str]) -> Analyzer:
    return Analyzer(words)


def base_analyzer() -> Analyzer:
    """jieba's dictionary alone (judging a text layer is a property of the file, not of an
    index)."""
    return analyzer_for(())


def load_user_dict(path: Path) -> list[str]:
    """Words from a jieba-style dictionary file (one word per line, extra columns ignored)."""
    words = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line.split()[0])
    return words


def is_chinese(word: str) -> bool:
    """True when every character of `word` is a CJK character."""
    return all(_CJK_CHAR.match(c) for c in word)
