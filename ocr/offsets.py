"""Text edits that remember where each character came from, so that boxes read on the raw OCR
text (offsets into it) can be moved onto the repaired text.

A Mapped is a text and, for each of its characters, the offset in the source text it stands
for. Origins never decrease (edits replace a stretch by a stretch, in order), so a source span
maps to a target span by bisection.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable


class Mapped:
    """`text`, each character knowing its offset in the source (`origin[i]`)."""

    __slots__ = ("text", "origin")

    def __init__(self, text: str, origin: list[int]):
        assert len(text) == len(origin)
        self.text, self.origin = text, origin

    @classmethod
    def of(cls, text: str) -> Mapped:
        """The source itself: every character stands for itself."""
        return cls(text, list(range(len(text))))

    def __getitem__(self, s: slice) -> Mapped:
        return Mapped(self.text[s], self.origin[s])

    def __add__(self, other: Mapped) -> Mapped:
        return Mapped(self.text + other.text, self.origin + other.origin)

    def __len__(self) -> int:
        return len(self.text)

    def sub(self, pattern: re.Pattern, repl: Callable[[re.Match], str] | str) -> Mapped:
        """pattern.sub on the text; each replacement's characters stand for the stretch of
        source the match covered (spread evenly over it)."""
        pieces, origin, pos = [], [], 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            new = repl(m) if callable(repl) else m.expand(repl)
            pieces.append(self.text[pos:a])
            origin += self.origin[pos:a]
            pieces.append(new)
            origin += _spread(self.origin[a:b], len(new), self._at(a))
            pos = b
        if not pieces:
            return self
        pieces.append(self.text[pos:])
        origin += self.origin[pos:]
        return Mapped("".join(pieces), origin)

    def strip(self, chars: str | None = None) -> Mapped:
        left = len(self.text) - len(self.text.lstrip(chars))
        right = len(self.text.rstrip(chars))
        return self[left:max(left, right)]

    def _at(self, i: int) -> int:
        """The source offset at target position i (for text inserted where nothing was)."""
        if i < len(self.origin):
            return self.origin[i]
        return self.origin[-1] + 1 if self.origin else 0

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The target span of source text [start, end), None when all of it was removed."""
        a = bisect.bisect_left(self.origin, start)
        b = bisect.bisect_left(self.origin, end, lo=a)
        return (a, b) if b > a else None


def _spread(covered: list[int], length: int, at: int) -> list[int]:
    """Origins for `length` new characters replacing source characters `covered`."""
    if not covered:
        return [at] * length
    n = len(covered)
    return [covered[k * n // length] for k in range(length)]
