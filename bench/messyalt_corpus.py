"""The second messy corpus and its queries (`python -m bench.messyalt`): 公文-like records with a
red header, 文号, names, phrases, abbreviations, phone numbers and dates, some damaged as a poor
scan reads them, some in traditional script, half in a catalog.csv; and per kind, queries typed
the way clerks type with the records they were meant to find (brute force over the text before
damage plus the catalog values)."""
from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.analysis.normalize import normalize_text

from .messyalt_vocab import (COMPOUND, DOC_KINDS, GIVEN, HOMOPHONE, LOOKALIKE, MULTI_READING,
                             NOTES, ORG_TEMPLATES, PHRASES, PINYIN, PLACES, SENTENCES, SURNAMES,
                             SYNONYMS, TOPICS, TOWNS)
from .script import to_traditional

KINDS = ("typo", "ocr", "pinyin_full", "pinyin_spaced", "initials", "org_short", "synonym",
         "docnum_loose", "field_alias", "number_tail", "date_numerals")
CATALOG_HEADER = ("文件", "题名", "责任者", "文号", "日期", "人员", "备注", "密级")
SECURITY = (("公开", 40), ("内部", 40), ("秘密", 12), ("机密", 6), ("绝密", 2))
CN_DIGIT = "〇一二三四五六七八九"
_CJK = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------- names and organisations

def make_names(rng: random.Random, count: int = 260) -> list[str]:
    surnames = list(SURNAMES)
    weights = [6 if s in MULTI_READING or s in COMPOUND else 2 for s in surnames]
    given = list(GIVEN)
    out: set[str] = set()
    while len(out) < count:
        s = rng.choices(surnames, weights)[0]
        g = "".join(rng.sample(given, 1 if rng.random() < 0.2 and s not in COMPOUND else 2))
        out.add(s + g)
    return sorted(out)


OTHER_READING = {"单": "dan", "曾": "ceng", "解": "jie", "区": "qu", "仇": "chou", "朴": "pu"}


def split_name(name: str) -> list[str]:
    """Surname first (a compound surname as one piece), then each given character."""
    s = name[:2] if name[:2] in COMPOUND else name[0]
    return [s, *name[len(s):]]


def pinyin_pieces(name: str) -> list[str]:
    return [PINYIN[p] for p in split_name(name)]


def initials(name: str) -> str:
    return "".join(COMPOUND_CHARS.get(c, PINYIN.get(c, ""))[:1] for c in name)


COMPOUND_CHARS = {"欧": "ou", "阳": "yang", "司": "si", "马": "ma", "诸": "zhu", "葛": "ge"}


@dataclass(frozen=True)
class Org:
    full: str
    shorts: tuple[str, ...]
    prefix: str  # 文号 prefix ("" when the organisation issues none)


def make_orgs() -> list[Org]:
    out = []
    for template, shorts, suffix in ORG_TEMPLATES:
        if "P" in template:
            for place, stem in PLACES:
                out.append(Org(template.replace("P", place),
                               tuple(s.replace("P", place) for s in shorts),
                               stem + suffix if suffix else ""))
        else:
            for town in TOWNS:
                out.append(Org(template.replace("T", town),
                               tuple(s.replace("T", town) for s in shorts),
                               town + suffix if suffix else ""))
    return out


# ---------------------------------------------------------------- dates and 文号

def cn_year(y: int, zero: str = "〇") -> str:
    return "".join(CN_DIGIT[int(c)] for c in str(y)).replace("〇", zero)


def cn_small(n: int) -> str:
    if n < 10:
        return CN_DIGIT[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGIT[tens]) + "十" + (CN_DIGIT[ones] if ones else "")


def date_writings(y: int, m: int | None = None, d: int | None = None) -> list[str]:
    """Every way a record may write the date: digits (plain, zero-padded), Chinese numerals
    with 〇 and with 零."""
    out = []
    for zero in ("〇", "零"):
        s = cn_year(y, zero) + "年"
        if m:
            s += cn_small(m) + "月"
            if d:
                s += cn_small(d) + "日"
        out.append(s)
    for pad in (False, True):
        s = f"{y}年"
        if m:
            s += f"{m:02d}月" if pad else f"{m}月"
            if d:
                s += f"{d:02d}日" if pad else f"{d}日"
        out.append(s)
    return out  # always four entries (some may be equal)


def docnum_text(prefix: str, y: int, n: int, rng: random.Random) -> str:
    left, right = rng.choices([("〔", "〕"), ("[", "]"), ("（", "）"), ("(", ")")],
                              [70, 15, 10, 5])[0]
    return f"{prefix}{left}{y}{right}{n}号"


def _fw(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)


def loose_docnums(prefix: str, y: int, n: int) -> list[str]:
    return [f"{prefix}{y} {n}号", f"{prefix}{y}年{n}号", f"{prefix}（{y}）第{n}号",
            f"{prefix}[{y}]{n}号", f"{prefix}{y}第{n}号", f"{prefix}〔{_fw(str(y))}〕{_fw(str(n))}号",
            f"{prefix} 〔{y}〕 {n} 号", f"{prefix}({y}){n}号", f"{prefix}{y}年第{n}号",
            f"{prefix}〔{y}〕{n:03d}号", f"{prefix}{y}-{n}号", f"{prefix}【{y}】{n}号",
            f"{prefix}〔{y}〕第{n}号", f"{prefix}{y}年度{n}号", f"{prefix}〔{y}〕{n}",
            f"〔{y}〕{n}号", f"{y}年{n}号"]


# ---------------------------------------------------------------- records

@dataclass
class Record:
    path: str
    meant: str = ""  # the text as written, before damage or script conversion
    actual: str = ""  # the text in the file
    damaged: bool = False
    traditional: bool = False
    catalog: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    org: Org | None = None
    targets: list[str] = field(default_factory=list)  # names, organisations, phrases written
    damaged_targets: set[str] = field(default_factory=set)
    misread: dict[str, set[str]] = field(default_factory=dict)  # target → how it was misread
    docnums: set[tuple[str, int, int]] = field(default_factory=set)
    dates: list[tuple[int, int, int]] = field(default_factory=list)
    held: str = ""  # normalised meant text + catalog values (the truth looks here)
    held_actual: str = ""  # normalised actual text + catalog values


@dataclass
class Corpus:
    root: Path
    records: list[Record]
    names: list[str]
    orgs: list[Org]


def _damage_string(s: str, rng: random.Random) -> str:
    spots = [i for i, c in enumerate(s) if c in LOOKALIKE]
    if not spots:
        return s
    i = rng.choice(spots)
    return s[:i] + rng.choice(LOOKALIKE[s[i]]) + s[i + 1:]


def _damage(rec: Record, rng: random.Random) -> str:
    text = rec.meant
    # targets, longest first, each occurrence misread in one character (most of them)
    for t in sorted(set(rec.targets), key=lambda t: (-len(t), t)):
        def sub(m, t=t):
            if rng.random() < 0.8:
                bad = _damage_string(t, rng)
                if bad != t:
                    rec.damaged_targets.add(t)
                    rec.misread.setdefault(t, set()).add(bad)
                return bad
            return m.group(0)
        text = re.sub(re.escape(t), sub, text)
    chars = list(text)
    for i, c in enumerate(chars):
        if c in LOOKALIKE and rng.random() < 0.03:
            chars[i] = rng.choice(LOOKALIKE[c])
    out = []
    for i, c in enumerate(chars):
        out.append(c)
        if _CJK.match(c) and i + 1 < len(chars) and _CJK.match(chars[i + 1]) \
                and rng.random() < 0.04:
            out.append(" ")
    return "".join(out)


def _sentence(rng: random.Random, names: list[str], org: str) -> tuple[str, list[str], str]:
    tpl = rng.choice(SENTENCES)
    used = []
    phrase = rng.choice(PHRASES)
    s = tpl.replace("{P}", phrase).replace("{O}", org)
    for key in ("{N}", "{M}"):
        if key in s:
            used.append(rng.choice(names))
            s = s.replace(key, used[-1])
    return s, used, phrase


def generate(root: Path, n: int, seed: int, paragraphs: list[str]) -> Corpus:
    import shutil
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    names = make_names(rng)
    orgs = make_orgs()
    issued: list[tuple[str, int, int]] = []
    records = []
    for i in range(n):
        rec = Record(f"{i // 500:02d}/doc{i:05d}.txt")
        lines = []
        org = rng.choice(orgs) if rng.random() < 0.75 else None
        rec.org = org
        topic = rng.choice(TOPICS)
        title = f"关于{topic}的{rng.choice(DOC_KINDS)}"
        key = None
        if org:
            lines.append(org.full + "文件")
            rec.targets.append(org.full)
            if org.prefix:
                key = (org.prefix, rng.randint(1985, 2023), rng.randint(1, 150))
                lines.append(docnum_text(*key, rng))
                rec.docnums.add(key)
                issued.append(key)
        lines.append(title)
        body = rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(2, 4)))
        own_org = org.full if org else rng.choice(orgs).full
        if org and org.shorts and rng.random() < 0.15:
            own_org = rng.choice(org.shorts)  # written as people say it
        for _ in range(rng.randint(1, 3)):
            s, used, phrase = _sentence(rng, names, own_org)
            rec.names += used
            rec.targets += used + [phrase, own_org]
            body.insert(rng.randrange(len(body) + 1), s)
        if rng.random() < 0.3:
            abbr, full = rng.choice(SYNONYMS)
            word = rng.choice((abbr, full))
            body.append(rng.choice((f"进一步做好{word}相关工作。", f"会议通报了{word}工作开展情况。",
                                    f"{word}工作经费列入年度预算。")))
        if rng.random() < 0.15:
            if rng.random() < 0.7:
                phone = f"0{rng.randint(310, 999)}-{rng.randint(2000000, 8999999)}"
            else:
                phone = f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}"
            body.append(f"联系电话：{phone}。")
        if rng.random() < 0.12:
            body.append(f"现将{rng.randint(1985, 2012)}年度{rng.choice(('档案移交', '工作总结', '财务决算'))}"
                        "情况报告如下。")
        if issued and rng.random() < 0.15:
            cited = rng.choice(issued)
            if cited != key:
                rec.docnums.add(cited)
                body.insert(0, f"根据{docnum_text(*cited, rng)}文件精神，结合实际，制定本方案。")
        lines += body
        if org or rng.random() < 0.5:
            date = (key[1] if key else rng.randint(1985, 2023), rng.randint(1, 12),
                    rng.randint(1, 28))
            rec.dates.append(date)
            if rng.random() < 0.4:
                written = date_writings(*date)[0 if rng.random() < 0.85 else 1]
            else:
                written = date_writings(*date)[2 if rng.random() < 0.85 else 3]
            lines.append((org.full if org else "") + "\n" + written)
        rec.meant = "\n".join(lines) + "\n"
        if rng.random() < 0.15:
            rec.damaged = True
            rec.actual = _damage(rec, rng)
        elif rng.random() < 0.06:
            rec.traditional = True
            rec.actual = to_traditional(rec.meant)
        else:
            rec.actual = rec.meant
        if rng.random() < 0.5:
            persons = list(dict.fromkeys(rec.names))
            if rng.random() < 0.2:
                persons.append(rng.choice(names))  # a person named only in the catalog
            note = ""
            if rng.random() < 0.3:
                note = rng.choice(NOTES)
                if rng.random() < 0.3:
                    note += f"，经办人{rng.choice(names)}"
            rec.catalog = {
                "题名": title, "责任者": org.full if org else "",
                "文号": f"{key[0]}〔{key[1]}〕{key[2]}号" if key else "",
                "日期": "-".join(f"{v:02d}" for v in rec.dates[0]) if rec.dates else "",
                "人员": "；".join(persons), "备注": note,
                "密级": rng.choices([s for s, _ in SECURITY], [w for _, w in SECURITY])[0]}
        cat = "\n".join(v for k, v in rec.catalog.items() if k not in ("日期", "密级"))
        rec.held = normalize_text(rec.meant + "\n" + cat)
        rec.held_actual = normalize_text(rec.actual + "\n" + cat)
        path = root / rec.path
        path.parent.mkdir(exist_ok=True)
        path.write_text(rec.actual, encoding="utf-8")
        records.append(rec)
    with (root / "catalog.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(CATALOG_HEADER)
        for r in records:
            if r.catalog:
                w.writerow([r.path] + [r.catalog[h] for h in CATALOG_HEADER[1:]])
    return Corpus(root, records, names, orgs)


# ---------------------------------------------------------------- queries

@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    meant: str
    intended: frozenset[str]
    k: int = 10
    note: str = ""  # how it was typed (the sub-form), for grouping misses


def _holding(records: list[Record], *strings: str) -> frozenset[str]:
    keys = [normalize_text(s) for s in strings if s]
    return frozenset(r.path for r in records if any(k in r.held for k in keys))


def _typo(meant: str, rng: random.Random, names: list[str]) -> tuple[str, str]:
    how = rng.choices(("homophone", "other_char", "delete", "insert"), [55, 15, 15, 15])[0]
    if how == "delete" and len(meant) < 4:
        how = "homophone"
    if how == "homophone":
        spots = [i for i, c in enumerate(meant) if c in HOMOPHONE]
        if not spots:
            how = "other_char"
        else:
            i = rng.choice(spots)
            return meant[:i] + rng.choice(HOMOPHONE[meant[i]]) + meant[i + 1:], how
    if how == "other_char":
        i = rng.randrange(len(meant))
        pool = "".join(GIVEN) if meant in names else "的了和是在有为工作部门上下年月日"
        return meant[:i] + rng.choice(pool) + meant[i + 1:], how
    if how == "delete":
        i = rng.randrange(1, len(meant) - 1)
        return meant[:i] + meant[i + 1:], how
    i = rng.randrange(1, len(meant))
    extra = rng.choice((meant[i - 1], rng.choice(HOMOPHONE.get(meant[i - 1], (meant[i - 1],)))))
    return meant[:i] + extra + meant[i:], "insert"


def make_queries(corpus: Corpus, per_kind: int, seed: int) -> list[Query]:
    rng = random.Random(seed * 7919 + 13)
    recs = corpus.records
    out: list[Query] = []
    all_held = "\n".join(r.held for r in recs)

    def add(kind: str, typed: str, meant: str, intended: frozenset[str], k=10, note=""):
        if intended and all(q.text != typed or q.kind != kind for q in out):
            out.append(Query(kind, typed, meant, intended, k, note))

    def count(kind: str) -> int:
        return sum(q.kind == kind for q in out)

    targets = sorted({t for r in recs for t in r.targets if len(t) >= 3})
    by_sort = {"name": [t for t in targets if t in corpus.names],
               "phrase": [t for t in targets if t in PHRASES]}
    by_sort["org"] = [t for t in targets if t not in by_sort["name"] + by_sort["phrase"]]
    mix = ("name", "org", "name", "phrase", "org", "name")  # half names, a third orgs
    # typo: one character off, the typed form in no record
    tries = 0
    while count("typo") < per_kind and tries < 5000:
        tries += 1
        meant = rng.choice(by_sort[mix[count("typo") % len(mix)]])
        typed, how = _typo(meant, rng, corpus.names)
        if typed == meant or normalize_text(typed) in all_held:
            continue
        kindof = "name" if meant in corpus.names else ("phrase" if meant in PHRASES else "org")
        add("typo", typed, meant, _holding(recs, meant, typed), note=f"{how}/{kindof}")
    # ocr: a name, organisation or phrase misread in at least one record, typed correctly
    damaged = sorted({t for r in recs for t in r.damaged_targets if len(t) >= 3})
    rng.shuffle(damaged)
    sorts = {s: [t for t in damaged if t in v] for s, v in by_sort.items()}
    picked = []
    for i in range(per_kind * 3):
        pool = [t for t in sorts[mix[i % len(mix)]] if t not in picked]
        if pool and len(picked) < per_kind:
            picked.append(pool[0])
    for meant in picked:
        kindof = "name" if meant in corpus.names else ("phrase" if meant in PHRASES else "org")
        add("ocr", meant, meant, _holding(recs, meant), note=kindof)
    # pinyin of names a catalog lists under 人员
    listed = sorted({p for r in recs for p in r.catalog.get("人员", "").split("；") if p})
    special = [x for x in listed if split_name(x)[0] in MULTI_READING + COMPOUND + ("吕",)]
    plain = [x for x in listed if x not in special]
    pick = rng.sample(special, min(len(special), per_kind // 2 + 1))
    pick += rng.sample(plain, min(len(plain), per_kind))
    for kind in ("pinyin_full", "pinyin_spaced", "initials"):
        for name in pick:
            if count(kind) >= per_kind:
                break
            pieces = pinyin_pieces(name)
            surname = split_name(name)[0]
            other = ""
            if surname in OTHER_READING and rng.random() < 0.35:
                other = OTHER_READING[surname]  # the everyday reading, not the surname's
                pieces = [other, *pieces[1:]]
            if kind == "initials":
                if len(name) < 3:
                    continue
                key = initials(name)
                same = [x for x in listed if initials(x) == key]
                key = pieces[0][0] + key[1:] if other else key
                form = rng.choices(("lower", "upper"), [80, 20])[0]
                typed = key.upper() if form == "upper" else key
            else:
                key = "".join(pinyin_pieces(name))
                same = [x for x in listed if "".join(pinyin_pieces(x)) == key]
                key = "".join(pieces)
                if kind == "pinyin_full":
                    form = rng.choices(("joined", "Capitalised"), [75, 25])[0]
                    typed = key if form == "joined" else key.capitalize()
                else:
                    form = rng.choices(("each", "surname+given", "Surname Given"), [50, 25, 25])[0]
                    if form == "each":
                        typed = " ".join(pieces)
                    else:
                        typed = pieces[0] + " " + "".join(pieces[1:])
                        if form == "Surname Given":
                            typed = typed.title()
            tag = "multi" if surname in MULTI_READING else (
                "compound" if surname in COMPOUND else ("lv" if surname == "吕" else "plain"))
            if other:
                tag += f" read {other}"
            add(kind, typed, "/".join(same), _holding(recs, *same), note=f"{form}/{tag}")
    # org_short
    used_orgs = sorted({r.org.full for r in recs if r.org and r.org.shorts})
    rng.shuffle(used_orgs)
    by_full = {o.full: o for o in corpus.orgs}
    for full in used_orgs:
        if count("org_short") >= per_kind:
            break
        short = rng.choice(by_full[full].shorts)
        add("org_short", short, full, _holding(recs, full, short), note=full.replace(
            full[:2], "", 1)[:6])
    # synonym: either form of a pair
    pairs = list(SYNONYMS)
    rng.shuffle(pairs)
    for abbr, full in pairs * 2:
        if count("synonym") >= per_kind:
            break
        typed = rng.choice((abbr, full))
        if any(q.kind == "synonym" and q.text == typed for q in out):
            typed = full if typed == abbr else abbr
        add("synonym", typed, f"{abbr}={full}", _holding(recs, abbr, full),
            note="abbr" if typed == abbr else "full")
    # docnum_loose
    keys = sorted({k for r in recs for k in r.docnums})
    rng.shuffle(keys)
    forms = loose_docnums("P", 2000, 1)
    for i, key in enumerate(keys[:per_kind]):
        j = i % len(forms)
        typed = loose_docnums(*key)[j]
        meant = f"{key[0]}〔{key[1]}〕{key[2]}号"
        bare = not typed.startswith(key[0])  # year and number only: any prefix
        add("docnum_loose", typed, "〔{}〕{}号".format(*key[1:]) if bare else meant,
            frozenset(r.path for r in recs
                      if key in r.docnums or bare and any(k[1:] == key[1:] for k in r.docnums)),
            k=3,
            note=forms[j].replace("P", "X").replace("2000", "Y").replace("1", "N"))
    # field_alias
    cat = [r for r in recs if r.catalog]
    specs = (
        ("人员", ("人员:", "人員:", "人物:", "persons:", "PERSONS:", "人员：", "经办人:")),
        ("责任者", ("作者:", "責任者:", "发文机关:", "機構:", "org:", "发文单位:")),
        ("备注", ("备注:", "備註:", "备考:", "notes:", "附注:")),
        ("题名", ("題名:", "标题:", "title:", "標題:", "题目:")),
        ("文号", ("文号:", "文號:", "发文字号:")),
    )
    listed_aliases = {"经办人:": False, "发文单位:": False, "附注:": False, "题目:": False}
    tries = 0
    while count("field_alias") < per_kind and tries < 2000:
        tries += 1
        fld, aliases = specs[count("field_alias") % len(specs)]
        r = rng.choice(cat)
        value = r.catalog[fld]
        if not value:
            continue
        alias = rng.choice(aliases)
        if fld == "人员":
            value = rng.choice(value.split("；"))
        elif fld == "责任者" and rng.random() < 0.3 and r.org and r.org.shorts:
            value = rng.choice(r.org.shorts)
        elif fld == "备注":
            value = value.split("，")[0]
        elif fld == "题名":
            value = rng.choice(TOPICS)
            if value not in r.catalog["题名"]:
                continue
        typed_value = to_traditional(value) if alias in ("人員:", "責任者:", "機構:", "備註:",
                                                         "題名:", "標題:", "文號:") else value
        meant_value = r.catalog["责任者"] if fld == "责任者" else value
        nv = normalize_text(meant_value)
        intended = frozenset(x.path for x in cat if nv in normalize_text(x.catalog[fld]))
        note = f"{fld} via {alias}" + ("" if listed_aliases.get(alias, True) else " (not a field)")
        add("field_alias", alias + typed_value, f"{fld}:{meant_value}", intended, note=note)
    # number_tail: the end of a phone number, 97年度 for 1997年度
    phones = sorted({m for r in recs for m in re.findall(r"联系电话：([\d-]+)", r.meant)})
    years = sorted({m for r in recs for m in re.findall(r"(\d{4})年度", r.meant)})
    rng.shuffle(phones)
    rng.shuffle(years)
    half = per_kind - per_kind // 3
    for phone in phones:
        if count("number_tail") >= half:
            break
        digits = phone.split("-")[-1]
        form = rng.choices(("last4", "last5-6", "no_area_code"), [60, 20, 20])[0]
        typed = (digits[-4:] if form == "last4" else digits[-rng.randint(5, 6):]
                 if form == "last5-6" else digits)
        if 1980 <= int(typed) <= 2030 or typed.startswith("0"):
            continue
        intended = _holding(recs, typed)
        if rng.random() < 0.15:
            typed, form = _fw(typed), form + " full-width"
        add("number_tail", typed, phone, intended, note=f"phone {form}")
    for y in years:
        if count("number_tail") >= per_kind:
            break
        typed = f"{y[2:]}年度"
        add("number_tail", typed, f"{y}年度", _holding(recs, typed), note="two-digit year")
    # date_numerals: the date as the record writes it, typed in the other writing
    dated = [r for r in recs if r.dates]
    rng.shuffle(dated)
    for r in dated:
        if count("date_numerals") >= per_kind:
            break
        y, m, d = r.dates[0]
        shape = rng.choices(("full", "year-month", "year"), [70, 15, 15])[0]
        full = shape == "full"
        parts = (y, m, d) if full else (y, m) if shape == "year-month" else (y,)
        ways = date_writings(*parts)
        norm_text = normalize_text(r.meant)
        chinese = any(normalize_text(w) in norm_text for w in ways[:2])
        if chinese:
            typed = ways[2] if rng.random() < 0.8 else ways[-1]
            note = "chinese in text, typed digits"
        else:
            typed = ways[0] if rng.random() < 0.8 else ways[1]
            note = "digits in text, typed chinese" + (" (零)" if typed == ways[1] != ways[0] else "")
        if typed == ways[-1] and ways[-1] != ways[2]:
            note += " (zero-padded)"
        if full and rng.random() < 0.2:
            sep = rng.choice("-./")
            typed = f"{y}{sep}{m:02d}{sep}{d:02d}" if sep == "-" else f"{y}{sep}{m}{sep}{d}"
            note = ("chinese" if chinese else "digits") + f" in text, typed {y}{sep}m{sep}d"
        note += "" if full else f", {shape}"
        add("date_numerals", typed, ways[0], _holding(recs, *ways), note=note)
    return out
