"""Pinyin of names and homophones of characters (pypinyin), for forgiving search."""
from __future__ import annotations

import itertools
from collections import defaultdict
from functools import lru_cache

from pypinyin import Style, pinyin
from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

MAX_READINGS = 32  # pinyin spellings kept per name (多音字 multiply them)


def readings(name: str) -> list[tuple[str, ...]]:
    """Every toneless reading of a Chinese name, one syllable per character, each 多音字
    read every way it can be (单 dan/shan/chan, 曾 zeng/ceng, 解 jie/xie), capped."""
    per_char = pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    if len(per_char) != len(name) or not per_char:
        return []
    options = [tuple(dict.fromkeys(s.lower() for s in syllables if s.isalpha()))
               for syllables in per_char]
    if not all(options):
        return []
    return list(itertools.islice(itertools.product(*options), MAX_READINGS))


def pinyin_keys(name: str) -> set[str]:
    """What a person may type for `name`: the full pinyin run together (wangjiancheng) and
    its initials (wjc), for every reading."""
    keys = set()
    for syllables in readings(name):
        keys.add("".join(syllables))
        keys.add("".join(s[0] for s in syllables))
    return keys


def is_common(ch: str) -> bool:
    """A character of GB 2312's first level (the 3,755 most used ones)."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xB0 <= code[0] <= 0xD7


@lru_cache(maxsize=1)
def _by_sound() -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for code, spelled in pinyin_dict.items():
        ch = chr(code)
        if not is_common(ch):
            continue
        for reading in spelled.split(","):
            groups[_toneless(reading)].add(ch)
    return {k: frozenset(v) for k, v in groups.items()}


def _toneless(reading: str) -> str:
    return to_normal(reading).replace("ü", "v")


@lru_cache(maxsize=8192)
def homophones(ch: str) -> frozenset[str]:
    """Common characters read like `ch` in any of its readings (tones ignored), not `ch`."""
    out: set[str] = set()
    for syllables in pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore"):
        for s in syllables:
            out |= _by_sound().get(s, frozenset())
    out.discard(ch)
    return frozenset(out)
