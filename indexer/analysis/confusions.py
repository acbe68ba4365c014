"""Characters OCR confuses with each other (placeholder until the measured table lands)."""
from __future__ import annotations

_PAIRS = ("成戍", "青育", "己已", "未末", "镇填", "理里")


def lookalikes(ch: str) -> tuple[str, ...]:
    return tuple(p[1 - p.index(ch)] for p in _PAIRS if ch in p)
