"""Completions as a person types: names and organisations the archive knows, titles and 文号 —
only what a record the reader may see holds."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from ..analysis.confusions import lookalikes
from ..analysis.names import SURNAMES, dictionary_names, dictionary_words
from ..analysis.normalize import normalize
from .lexicon import Lexicon

MAX_PREFIX_CHARS = 50
NAME, PLACE, ORG, TITLE, DOCNUM = "人名", "名称", "机构", "题名", "文号"


@dataclass(frozen=True)
class Completion:
    text: str
    kind: str  # 人名 / 机构 / 题名 / 文号


def known_names(lexicon: Lexicon, typed: str, limit: int) -> list[Completion]:
    """Known names starting with what was typed (or whose pinyin / initials do), shortest
    first; the caller keeps those a visible record holds."""
    prefix = normalize(typed).text.strip()
    names = lexicon.ordered
    found: list[str] = []
    at = bisect.bisect_left(names, prefix)
    while at < len(names) and names[at].startswith(prefix) and len(found) < limit * 4:
        if names[at] != prefix:
            found.append(names[at])
        at += 1
    shorts = lexicon.ordered_short_forms  # an organisation typed by its short form
    at = bisect.bisect_left(shorts, prefix)
    while at < len(shorts) and shorts[at].startswith(prefix) and len(found) < limit * 4:
        found.extend(lexicon.short_forms[shorts[at]])
        at += 1
    if prefix.isascii() and prefix.isalpha():
        key = prefix.lower()
        keys = lexicon.ordered_pinyin
        at = bisect.bisect_left(keys, key)
        while at < len(keys) and keys[at].startswith(key) and len(found) < limit * 4:
            found.extend(lexicon.by_pinyin[keys[at]])
            at += 1
    # names from the catalogs before names found in the text (which may be OCR misreadings);
    # of those, none that is an everyday word the segmenter took for a name (张贴, 展望未来)
    # nor one a catalog's name misread (王建戍 of 王建成: one look-alike character apart)
    found = [n for n in dict.fromkeys(found)
             if n in lexicon.curated or n in lexicon.orgs
             or not (_everyday_word(n) or _misread(lexicon, n))]
    found.sort(key=lambda n: (n not in lexicon.curated, len(n), n))
    return [Completion(n, _kind(lexicon, n)) for n in found]


def _misread(lexicon: Lexicon, name: str) -> bool:
    """Whether `name`, found in a text only, is a name a catalog gives with one character read
    as a look-alike (王建戍 for 王建成; not 王建国, another name)."""
    for other in lexicon.one_off(name):
        if other in lexicon.curated and len(other) == len(name):
            (a, b), = [(x, y) for x, y in zip(name, other) if x != y]
            if a in lookalikes(b) or b in lookalikes(a):
                return True
    return False


def _everyday_word(name: str) -> bool:
    """A word of the dictionary that it does not tag as a person, place or organisation."""
    return name in dictionary_words() and name not in dictionary_names()


def _kind(lexicon: Lexicon, name: str) -> str:
    """机构 for an organisation, 人名 for what reads as a person's name (a surname and one or
    two characters), 名称 for the rest (places …)."""
    if name in lexicon.orgs:
        return ORG
    return NAME if len(name) <= 3 and name[0] in SURNAMES else PLACE
