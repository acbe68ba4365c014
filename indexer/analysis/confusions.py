"""Look-alike characters, from Tesseract's own misreads (confusions.tsv) and from the shapes
of their glyphs (glyphs.tsv): lookalikes(ch).

The table is made by tools/confusions.py, which draws common characters in several fonts,
reads them with dangan's OCR and counts which character was read as which. Pairs are used
in both directions and normalised with the index's normaliser: a pair that folds to one
character (a traditional form read for its simplified one) is no confusion and is dropped.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

from .normalize import normalize_text

TABLE = Path(__file__).with_name("confusions.tsv")
GLYPHS = Path(__file__).with_name("glyphs.tsv")  # tools/glyphs.py


def lookalikes(ch: str) -> tuple[str, ...]:
    """Characters OCR confuses with `ch` (after normalisation): those our OCR misread it as or
    for it, most often confused first, then those whose glyphs share most of its ink."""
    return _table().get(normalize_text(ch), ())


def confusion_counts() -> dict[tuple[str, str], int]:
    """(a, b) -> how often a was read as b or b as a (both orders present)."""
    return dict(_counts())


@cache
def _counts() -> Counter:
    counts: Counter = Counter()
    with open(TABLE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            char, misread, count = line.rstrip("\n").split("\t")
            if char == "char":  # the header
                continue
            a, b = normalize_text(char), normalize_text(misread)
            if len(a) == 1 and len(b) == 1 and a != b:
                counts[(a, b)] += int(count)
                counts[(b, a)] += int(count)
    return counts


@cache
def _drawn() -> dict[str, list[str]]:
    """Character → the characters whose glyphs share most of its ink (GLYPHS, both
    directions), closest first."""
    near: dict[str, dict[str, float]] = defaultdict(dict)
    with open(GLYPHS, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("char\t") or not line.strip():
                continue
            char, other, share = line.rstrip("\n").split("\t")
            a, b = normalize_text(char), normalize_text(other)
            if len(a) == 1 and len(b) == 1 and a != b:
                for x, y in ((a, b), (b, a)):
                    near[x][y] = max(near[x].get(y, 0.0), float(share))
    return {a: sorted(c, key=lambda b: (-c[b], b)) for a, c in near.items()}


@cache
def _table() -> dict[str, tuple[str, ...]]:
    near: dict[str, Counter] = defaultdict(Counter)
    for (a, b), n in _counts().items():
        near[a][b] = n
    read = {a: sorted(c, key=lambda b: (-c[b], b)) for a, c in near.items()}
    drawn = _drawn()
    return {a: tuple(dict.fromkeys(read.get(a, []) + drawn.get(a, [])))
            for a in read.keys() | drawn.keys()}
