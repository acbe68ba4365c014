"""Messy queries as clerks type them, each with the records it meant, found by brute force over
what the generated records meant (their text before OCR damage, plus their catalog values)."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from indexer.analysis.normalize import normalize_text

from . import messy_pinyin as pinyin
from .messy_corpus import Record
from .messy_vocab import HOMOPHONES, SYNONYMS, cn_date, digit_date
from .script import to_traditional

KINDS = ("typo", "ocr", "pinyin_full", "pinyin_spaced", "initials", "org_short", "synonym",
         "docnum_loose", "field_alias", "number_tail", "date_numerals")
# success@k: an intended record among the first k hits (else 10); 0: not counted (the records
# only a variant finds rank after every exact hit, possibly beyond the first page)
AT_K = {"docnum_loose": 3, "ocr_damaged": 0}
FIELD_NAMES = {"none": ("电话",),  # names no field: a plain-text search for 电话:NNNN
               "persons": ("人员", "人員", "persons", "人物"),
               "org": ("作者", "責任者", "发文机关", "org"),
               "notes": ("备注", "備註", "notes", "备考"),
               "title": ("題名", "标题", "title", "標題")}
NAME_CHARS = "".join(pinyin.PINYIN)  # random replacements: characters names are made of
COLUMNS = {"persons": "人员", "org": "责任者", "notes": "备注", "title": "题名"}  # catalog headers


@dataclass(frozen=True)
class MessyQuery:
    kind: str
    text: str  # as typed
    meant: str  # what the clerk meant (the clean name, 文号, date …)
    intended: frozenset[str]  # paths of the records meant
    note: str = ""

    @property
    def k(self) -> int:
        return AT_K.get(self.kind, 10)


def containing(records: list[Record], term: str, attr: str = "clean") -> frozenset[str]:
    """Paths of the records whose normalised `attr` text holds `term` (a Ctrl+F scan)."""
    term = normalize_text(term)
    return frozenset(r.path for r in records if term in getattr(r, attr))


def known_names(records: list[Record]) -> list[str]:
    """The names the archive knows: those its catalog lists under 人员."""
    return sorted({p for r in records for p in r.persons})


class MessyMaker:
    """Draws the queries of each kind from the generated records."""

    def __init__(self, records: list[Record], seed: int):
        self.records = records
        self.rng = random.Random(seed * 7919 + 13)
        self.known = known_names(records)

    def pick(self, items):
        """The distinct items in a random order (the same for a seed)."""
        items = sorted(set(items))
        self.rng.shuffle(items)
        return items

    def shuffled(self, records: list[Record]) -> list[Record]:
        return self.rng.sample(records, len(records))

    def typo(self):
        entities = [e for r in self.records for e in (*r.names, *r.phrases) if len(e) >= 3]
        entities += [r.org.full for r in self.records if r.org]
        for meant in self.pick(entities):
            i = self.rng.randrange(len(meant))
            sounds = HOMOPHONES.get(meant[i], "")
            pool = sounds if sounds and self.rng.random() < 0.7 else NAME_CHARS
            typed = meant[:i] + self.rng.choice([c for c in pool if c != meant[i]]) + meant[i + 1:]
            if not containing(self.records, typed) and not containing(self.records, typed,
                                                                      "actual"):
                yield MessyQuery("typo", typed, meant, containing(self.records, meant))

    def ocr(self):
        for meant in self.pick(m for r in self.records for m, _read in r.damaged if len(m) >= 3):
            yield MessyQuery("ocr", meant, meant, containing(self.records, meant))

    def _pinyin(self, kind: str, spell):
        for name in self.pick(x for x in self.known if len(x) == 3):
            same = [x for x in self.known if spell(x) == spell(name)]
            intended = frozenset().union(*(containing(self.records, x) for x in same))
            yield MessyQuery(kind, spell(name), name, intended, note="/".join(same))

    def pinyin_full(self):
        return self._pinyin("pinyin_full", pinyin.full)

    def pinyin_spaced(self):
        return self._pinyin("pinyin_spaced", pinyin.spaced)

    def initials(self):
        return self._pinyin("initials", pinyin.initials)

    def org_short(self):
        for org in self.pick(r.org for r in self.records if r.org):
            yield MessyQuery("org_short", org.short, org.full,
                             containing(self.records, org.full) | containing(self.records,
                                                                             org.short))

    def synonym(self):
        for full, short in SYNONYMS:
            intended = containing(self.records, full) | containing(self.records, short)
            for typed in (full, short):
                other = short if typed == full else full
                yield MessyQuery("synonym", typed, other, intended)

    def docnum_loose(self):
        forms = ("{p}{y} {n}号", "{p}{y}年{n}号", "{p}({y})第{n}号", "{p}{y}第{n}号",
                 "{p}[{y}]{n}号", "〔{y}〕{n}号")
        for rec in self.shuffled([r for r in self.records if r.docnum]):
            y, n = rec.docnum[len(rec.org.prefix) + 1:-1].split("〕")
            form = self.rng.choice(forms)
            meant = rec.docnum if form[0] == "{" else f"〔{y}〕{n}号"
            yield MessyQuery("docnum_loose", form.format(p=rec.org.prefix, y=y, n=n), meant,
                             containing(self.records, meant))

    def field_alias(self):
        """Each field in turn (and 电话:, which names none), a value of a record that has one."""
        with_row = [r for r in self.records if r.catalog]
        for turn in range(len(with_row) * 2):
            which = tuple(FIELD_NAMES)[turn % len(FIELD_NAMES)]
            if which == "none":  # no such field: still a plain search for what was typed
                typed = f"电话:{self.rng.choice([r for r in with_row if r.phone]).phone}"
                yield MessyQuery("field_alias", typed, typed, containing(self.records, typed),
                                 note=which)
                continue
            value = self.rng.choice([v for r in with_row if (v := r.catalog.get(COLUMNS[which]))])
            if which == "persons":
                value = self.rng.choice(value.split("；"))
            elif which == "title":  # a word of it: 库房安全检查, 工作方案, 档案工作总结
                value = self.rng.choice([w for w in re.split(r"关于|的|\d+年度", value)
                                         if len(w) >= 2])
            alias = self.rng.choice(FIELD_NAMES[which])
            typed = to_traditional(value) if alias in ("題名", "標題", "備註") else value
            key = normalize_text(value)
            yield MessyQuery("field_alias", f"{alias}:{typed}", value, frozenset(
                r.path for r in with_row
                if key in normalize_text(r.catalog.get(COLUMNS[which], ""))), note=which)

    def number_tail(self):
        phones = self.pick(r.phone[-4:] for r in self.records if r.phone)
        years = self.pick(r.year_report for r in self.records if r.year_report)
        for tail, year in zip(phones, years):
            if tail[:2] not in ("19", "20"):
                yield MessyQuery("number_tail", tail, tail, containing(self.records, tail))
            typed = f"{year % 100:02d}年度"
            yield MessyQuery("number_tail", typed, f"{year}年度", containing(self.records, typed))

    def date_numerals(self):
        for rec in self.shuffled([r for r in self.records if r.date]):
            digits, cn = digit_date(*rec.date), cn_date(*rec.date)
            typed, meant = (digits, cn) if rec.date_cn else (cn, digits)
            yield MessyQuery("date_numerals", typed, meant,
                             containing(self.records, digits) | containing(self.records, cn))


def make_messy(records: list[Record], per_kind: int, seed: int) -> list[MessyQuery]:
    """Up to `per_kind` distinct queries of every kind, each meaning at least one record."""
    maker = MessyMaker(records, seed)
    out = []
    for kind in KINDS:
        seen = set()
        for q in getattr(maker, kind)():
            if len(seen) >= per_kind:
                break
            if q.intended and q.text not in seen:
                seen.add(q.text)
                out.append(q)
    return out
