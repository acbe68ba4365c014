"""The messy corpus: 公文-like records with names, organisations, 文号, phrases, phones and dates
injected, some damaged by simulated OCR, a catalog for part of them, and what each record meant."""
from __future__ import annotations

import csv
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis.normalize import CJK, normalize_text

from .corpus import KINDS, SECURITY, TOPICS, inject_names
from .names import Name, make_names
from .script import to_traditional
from .messy_vocab import (CONFUSIONS, NOTES, ORGS, PHRASE_CLAUSES, PHRASES, SYNONYM_CLAUSES,
                          SYNONYMS, Org, cn_date, digit_date)

HEADER = ("文件", "题名", "责任者", "文号", "日期", "人员", "备注", "密级")
UNSEARCHED = ("文件", "日期", "密级")  # catalog columns a bare term does not search
_CJK = re.compile(f"[{CJK}]")


@dataclass
class Record:
    """One generated record: what it meant (clean) and what the index will read (actual)."""
    path: str
    title: str = ""
    clean: str = ""  # normalised text as written before damage, plus the catalog values
    actual: str = ""  # normalised text of the file as written (damaged, traditional)
    names: list[str] = field(default_factory=list)  # person names in the text
    persons: list[str] = field(default_factory=list)  # the catalog's 人员
    org: Org | None = None
    catalog: dict[str, str] | None = None  # the catalog row (None: no row)
    docnum: str = ""
    phrases: list[str] = field(default_factory=list)  # phrases and synonym forms written
    phone: str = ""
    year_report: int = 0  # NNNN年度 written in the text
    date: tuple[int, int, int] | None = None
    date_cn: bool = False  # the date is written in Chinese numerals
    damaged: list[tuple[str, str]] = field(default_factory=list)  # (meant, as OCR read it)
    traditional: bool = False

    @property
    def catalog_text(self) -> str:
        """The normalised catalog values that bare terms also search (题名, 责任者, 文号, 人员, 备注)."""
        row = self.catalog or {}
        return normalize_text("\n".join(v for k, v in row.items() if k not in UNSEARCHED))


@dataclass(frozen=True)
class Shares:
    """How often each ingredient goes into a record."""
    names: float = 0.45
    phrase: float = 0.3
    synonym: float = 0.25
    org: float = 0.75
    phone: float = 0.25
    year_report: float = 0.2
    catalog: float = 0.6
    notes: float = 0.3
    damaged: float = 0.15
    traditional: float = 0.05


@dataclass(frozen=True)
class MessyCorpus:
    root: Path
    records: list[Record]
    names: tuple[Name, ...]  # the person names put into some record's text


def generate(root: Path, n: int, seed: int, paragraphs: list[str],
             shares: Shares = Shares()) -> MessyCorpus:
    """Write n records and catalog.csv into a fresh `root`; returns what each record meant."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    every_name = make_names(rng)
    names = [x.text for x in every_name]
    records, rows = [], []
    for i in range(n):
        rec = Record(f"{i // 1000:03d}/m{i:06d}.txt")
        written = compose(rng, rec, rng.choices(paragraphs, k=rng.randint(2, 6)), names, shares)
        actual = written
        if rng.random() < shares.damaged:
            actual = damage(rng, rec, written)
        elif rng.random() < shares.traditional:
            actual = written = to_traditional(written)
            rec.traditional = True
        if rng.random() < shares.catalog:
            rec.catalog = catalog_row(rng, rec, names, shares)
            rows.append([rec.catalog.get(h, "") for h in HEADER])
        rec.clean = normalize_text(written) + "\n" + rec.catalog_text
        rec.actual = normalize_text(actual)
        path = root / rec.path
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        records.append(rec)
    with (root / "catalog.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    used = {x for r in records for x in r.names}
    return MessyCorpus(root, records, tuple(x for x in every_name if x.text in used))


def compose(rng: random.Random, rec: Record, paras: list[str], names: list[str],
            shares: Shares) -> str:
    """The record's text as meant, with its ingredients noted in `rec`."""
    if rng.random() < shares.names:
        rec.names = rng.sample(names, rng.randint(1, 3))
        paras = inject_names(rng, paras, rec.names)
    clauses = []
    if rng.random() < shares.phrase:
        rec.phrases.append(rng.choice(PHRASES))
        clauses.append(rng.choice(PHRASE_CLAUSES).format(s=rec.phrases[-1]))
    if rng.random() < shares.synonym:
        rec.phrases.append(rng.choice(rng.choice(SYNONYMS)))
        clauses.append(rng.choice(SYNONYM_CLAUSES).format(s=rec.phrases[-1]))
    year = rng.randint(1990, 2023)
    topic = rng.choice(TOPICS)
    if rng.random() < shares.year_report:
        rec.year_report = year - rng.randint(1, 3)
        clauses.append(f"现将{rec.year_report}年度{topic}工作总结如下")
    for clause in clauses:
        k = rng.randrange(len(paras))
        paras[k] = paras[k] + clause + "。"
    rec.title = (f"关于{rec.year_report}年度{topic}工作总结" if rec.year_report
                 else f"关于{topic}的{rng.choice(KINDS)}")
    lines = [rec.title, *paras]
    if rng.random() < shares.phone:
        rec.phone = f"0717-{rng.randint(3, 8)}{rng.randint(0, 999999):06d}"
        lines.append(f"联系电话：{rec.phone}")
    if rng.random() < shares.org:
        rec.org = rng.choice(ORGS)
        rec.docnum = f"{rec.org.prefix}〔{year}〕{rng.randint(1, 120)}号"
        rec.date = (year, rng.randint(1, 12), rng.randint(1, 28))
        rec.date_cn = rng.random() < 0.4
        lines = [f"{rec.org.full}文件", rec.docnum, *lines, rec.org.full,
                 (cn_date if rec.date_cn else digit_date)(*rec.date)]
    return "\n".join(lines) + "\n"


def damage(rng: random.Random, rec: Record, text: str) -> str:
    """OCR as a poor scan reads it: look-alike characters in the record's names, organisation
    and phrases (noted) and elsewhere, and stray spaces between characters."""
    for meant in [*rec.names, *([rec.org.full] if rec.org else []), *rec.phrases]:
        spots = [i for i, ch in enumerate(meant) if ch in CONFUSIONS]
        if spots and meant in text and rng.random() < 0.8:
            i = rng.choice(spots)
            read = meant[:i] + CONFUSIONS[meant[i]] + meant[i + 1:]
            text = text.replace(meant, read)
            rec.damaged.append((meant, read))
    out = []
    for a, b in zip(text, text[1:] + "\n"):
        out.append(CONFUSIONS[a] if a in CONFUSIONS and rng.random() < 0.03 else a)
        if _CJK.match(a) and _CJK.match(b) and rng.random() < 0.04:
            out.append(" ")
    return "".join(out)


def catalog_row(rng: random.Random, rec: Record, names: list[str], shares: Shares) -> dict:
    """The catalog's view: title, 责任者, 文号, date, 人员 (some listed only here), 备注, 密级."""
    if rec.names and rng.random() < 0.8:
        rec.persons = list(rec.names)
    if rng.random() < 0.1:
        rec.persons.append(rng.choice([x for x in names if x not in rec.persons]))
    row = {"文件": rec.path, "题名": rec.title, "人员": "；".join(rec.persons),
           "密级": rng.choices([s for s, _w in SECURITY], [w for _s, w in SECURITY])[0]}
    if rec.org:
        row |= {"责任者": rec.org.full, "文号": rec.docnum, "日期": "%04d-%02d-%02d" % rec.date}
    if rng.random() < shares.notes:
        row["备注"] = rng.choice(NOTES)
    return row
