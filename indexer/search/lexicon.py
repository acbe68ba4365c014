"""The names an archive knows — persons, organisations, places — from its catalogs (the index's
user words), its 责任者 values and the words its segmenter found, with what a person may type
for them instead: pinyin, initials, short forms of organisations, one character off."""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

from ..analysis.names import (dictionary_words, is_organisation, name_like, near_keys,
                              within_one)
from ..analysis.normalize import is_cjk, normalize
from ..analysis.phonetic import pinyin_keys

_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")  # a name pinyin may be typed for
MAX_CONTRACTED = 8  # organisations a contracted name is searched as


@dataclass(frozen=True)
class Lexicon:
    names: frozenset[str]  # every known name (persons, organisations, places)
    curated: frozenset[str]  # those a catalog or the configuration gives (not text-found)
    orgs: frozenset[str]
    by_pinyin: dict[str, tuple[str, ...]]  # wangjiancheng / wjc → names
    short_forms: dict[str, tuple[str, ...]]  # 当阳档案局 → (当阳市档案局,)
    near: dict[str, tuple[str, ...]]  # a name or short form, one character deleted → them

    def resolve_pinyin(self, typed: str) -> tuple[str, ...]:
        return self.by_pinyin.get(typed.lower().replace(" ", "").replace("'", ""), ())

    def one_off(self, term: str) -> list[str]:
        """Known names and organisations' short forms one character substituted, inserted or
        deleted from `term`."""
        found = []
        for key in near_keys(term):
            for name in self.near.get(key, ()):
                if name != term and within_one(term, name):
                    found.append(name)
        return sorted(set(found))

    def always_loose(self, term: str) -> bool:
        """Whether a term names someone the archive knows closely enough that its misread
        forms are always searched: a catalog's name, or a name the text holds that is not an
        everyday dictionary word (宣传部, 北京 are searched loosely only when they match little)."""
        return term in self.curated or (term in self.names and term not in dictionary_words())

    def contracted(self, term: str) -> list[str]:
        """Known organisations `term` contracts, as clerks shorten them: its characters in
        order, the same first and last, the place name kept and at least two characters of
        the rest (永泰人社局 → 永泰县人力资源和社会保障局, 宾阳人大常委会 → 宾阳县人民代表大会常务
        委员会, 桃源村委会 → 桃源村民委员会; 阜宁县局 names no one office), fewest characters
        left out first."""
        if len(term) < 3 or not all(map(is_cjk, term)):
            return []
        found = {org: len(form) for form, org in self._by_ends.get((term[0], term[-1]), ())
                 if len(form) > len(term) and _contracts(term, form)}
        return sorted(found, key=lambda o: (found[o], o))[:MAX_CONTRACTED]

    @cached_property
    def _by_ends(self) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
        """(first, last character) → (the name or its short form, the organisation): 泗洪卫健委
        contracts 泗洪县卫生健康委员会 through its short form 泗洪县卫生健康委."""
        ends: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
        for org in self.orgs:
            for form in (org, *short_forms(org)):
                ends[(form[0], form[-1])].append((form, org))
        return {k: tuple(v) for k, v in ends.items()}

    @cached_property
    def ordered(self) -> tuple[str, ...]:
        """Every name, sorted (for completions by prefix)."""
        return tuple(sorted(self.names))

    @cached_property
    def ordered_pinyin(self) -> tuple[str, ...]:
        return tuple(sorted(self.by_pinyin))

    @cached_property
    def ordered_short_forms(self) -> tuple[str, ...]:
        """Every organisation's everyday short form, sorted (当阳档 completes to 当阳市档案局)."""
        return tuple(sorted(self.short_forms))

    def within(self, held: Callable[[str], bool]) -> Lexicon:
        """The lexicon of the names for which `held(name)` is true (those a record some
        reader may see holds): no name only a withheld record holds shapes their search."""
        keep = frozenset(n for n in self.names if held(n))

        def kept(table: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
            out = {k: tuple(n for n in v if n in keep) for k, v in table.items()}
            return {k: v for k, v in out.items() if v}
        shorts = kept(self.short_forms)
        near = {k: tuple(n for n in v if n in keep or n in shorts) for k, v in self.near.items()}
        return Lexicon(keep, self.curated & keep, self.orgs & keep, kept(self.by_pinyin),
                       shorts, {k: v for k, v in near.items() if v})


def build(user_words: list[str], orgs: list[str], words: list[str]) -> Lexicon:
    """From the index's user words (catalog persons and organisations, configured words), its
    责任者 values and the name-like words of its records (names.txt, written by the index
    writer)."""
    found = name_like(words)
    org_set = {o for o in (normalize(x).text.strip() for x in orgs) if len(o) >= 2}
    # a 责任者 read from a scan's red header may be misread: only the catalogs' and the
    # configuration's names are taken as written
    curated = {n for n in (normalize(w).text.strip() for w in user_words)
               if 2 <= len(n) <= 40 and _printable(n)}
    known = curated | {n for n in org_set | found if 2 <= len(n) <= 40 and _printable(n)}
    org_set = {o for o in org_set if o in known} | {
        n for n in known if is_organisation(n)}
    by_pinyin: dict[str, set[str]] = defaultdict(set)
    for name in known:
        if len(name) <= 4 and _CJK_NAME.fullmatch(name):
            for key in pinyin_keys(name):
                if len(key) >= 2:
                    by_pinyin[key].add(name)
    shorts: dict[str, set[str]] = defaultdict(set)
    for org in org_set:
        for short in short_forms(org):
            shorts[short].add(org)
    near: dict[str, set[str]] = defaultdict(set)
    for name in known | set(shorts):  # (a short form too: 泗洪法愿 is one off 泗洪法院)
        if len(name) >= 3:
            for key in near_keys(name):
                near[key].add(name)
    return Lexicon(frozenset(known), frozenset(curated), frozenset(org_set),
                   {k: tuple(sorted(v)) for k, v in by_pinyin.items()},
                   {k: tuple(sorted(v)) for k, v in shorts.items()},
                   {k: tuple(sorted(v)) for k, v in near.items()})


# (pattern, replacement) of everyday short forms of organisation names
_SHORTENINGS = (
    (re.compile(r"^中共"), ""),
    (re.compile(r"人民(?=政府|法院|检察院|代表大会|医院|银行)"), ""),
    (re.compile(r"委员会$"), "委"),
    (re.compile(r"办公室$"), "办"),
    (re.compile(r"(?<=[\u4e00-\u9fff]{2})[市县区](?=[\u4e00-\u9fff]{2})"), ""),
)


# (pattern, replacement) undoing them on a short form typed: the full forms it may stand for
_LENGTHENINGS = (
    (re.compile(r"(?<!人民)(?=政府|法院|检察院|代表大会)"), "人民"),
    (re.compile(r"委$"), "委员会"),
    (re.compile(r"办$"), "办公室"),
    (re.compile(r"^(?!中共)(?=.{2,}委(?:员会)?$)"), "中共"),
)
_OFFICE_END = re.compile(r"(?:政府|法院|检察院|委|办|局)$")
_LEVEL = re.compile(r"[省市县区镇乡村]")
MAX_LENGTHENED = 12


def lengthened(term: str) -> list[str]:
    """The full forms a short form of an office no catalog names may stand for (当阳市政府:
    当阳市人民政府; 当阳县委: 中共当阳县委员会; 当阳档案局: 当阳市档案局, 当阳县档案局 …),
    the fewest changes first; [] for what does not end as an office's name does."""
    if not _OFFICE_END.search(term) or not all(map(is_cjk, term)) or len(term) < 4:
        return []
    head = "中共" if term.startswith("中共") else ""
    body = term[len(head):]  # (a place of two characters, its 市/县/区 left out, or not)
    places = [term] if _LEVEL.search(body[2:5]) else [head + body[:2] + c + body[2:]
                                                     for c in "市县区"]
    out: list[str] = []
    for k in range(len(_LENGTHENINGS) + 1):
        for rules in combinations(_LENGTHENINGS, k):
            for form in places:
                for pattern, replacement in rules:
                    form = pattern.sub(replacement, form, count=1)
                out.append(form)
    return [f for f in dict.fromkeys(out) if f != term][:MAX_LENGTHENED]


def short_forms(org: str) -> set[str]:
    """Everyday short forms of an organisation: 当阳市档案局 → 当阳档案局, 半月镇人民政府 →
    半月镇政府, 中共当阳县委员会 → 当阳县委 / 当阳委 …"""
    out = set()
    for k in range(1, len(_SHORTENINGS) + 1):
        for rules in combinations(_SHORTENINGS, k):
            short = org
            for pattern, replacement in rules:
                short = pattern.sub(replacement, short)
            if short != org and len(short) >= 2:
                out.add(short)
    return out


def _contracts(term: str, org: str) -> bool:
    """Whether `term` is `org` with characters left out, keeping what both start with and at
    least two characters after it."""
    same = 0
    while same < len(term) and term[same] == org[same]:
        same += 1
    if len(term) - same < 2:
        return False
    at = same
    for ch in term[same:]:
        at = org.find(ch, at) + 1
        if not at:
            return False
    return True


def _printable(name: str) -> bool:
    """No control, format (bidi overrides, zero-width) or unassigned characters: a catalog
    value holding them is not offered as a name (a completion would show them)."""
    return not any(unicodedata.category(c)[0] == "C" for c in name)
