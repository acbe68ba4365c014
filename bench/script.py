"""Simplified → traditional conversion for the benchmark (one OpenCC converter per process)."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    return _s2t().convert(text)
