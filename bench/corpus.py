"""The synthetic corpus: records recombined from sample paragraphs, names injected, a catalog."""
from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis.normalize import CJK
from indexer.ingest.textfile import decode

from .names import Name, make_names, name_clauses
from .progress import say
from .script import to_traditional

GENERATOR_VERSION = 1
META_FILE = ".bench-corpus.json"  # a dot file: dangan's discovery skips it
CATALOG_HEADER = ("文件", "题名", "责任者", "文号", "日期", "门类", "保管期限", "密级")
_CJK_RUN = re.compile(f"[{CJK}]")
_CLAUSE_END = re.compile("[，。；]")

# (责任者, 文号 prefix)
ORGS = (
    ("新疆维吾尔自治区人民政府", "新政发"), ("新疆维吾尔自治区人民政府办公厅", "新政办发"),
    ("广东省人民政府", "粤府"), ("广东省档案局", "粤档发"), ("江苏省人民政府办公厅", "苏政办发"),
    ("浙江省人民政府", "浙政发"), ("四川省档案局", "川档发"), ("湖南省人民政府", "湘政发"),
    ("北京市人民政府", "京政发"), ("上海市人民政府办公厅", "沪府办"),
    ("河南省公安厅交通管理局", "豫公交"), ("鄂尔多斯市人民政府", "鄂府发"),
    ("内蒙古自治区档案馆", "内档发"), ("福建省人民政府", "闽政"), ("云南省档案局", "云档发"),
)
TOPICS = ("年度档案移交", "机关公文归档", "电子文件管理试点", "库房安全检查", "档案数字化外包",
          "干部人事档案专项审核", "重点项目档案验收", "档案开放审核", "保密自查", "声像档案征集",
          "村级档案规范化", "防汛物资调拨", "道路交通安全整治", "财政专项资金审计")
KINDS = ("通知", "报告", "请示", "批复", "意见", "通报", "会议纪要", "工作方案")
CATEGORIES = ("文书", "科技", "会计", "人事", "声像", "业务")
RETENTIONS = ("永久", "长期", "短期", "30年", "10年")
SECURITY = (("公开", 40), ("内部", 40), ("秘密", 12), ("机密", 6), ("绝密", 2))


@dataclass(frozen=True)
class CorpusInfo:
    root: Path
    n: int
    seed: int
    source: str  # where the paragraphs came from
    paths: tuple[str, ...]  # record paths relative to root, forward slashes
    traditional: frozenset[str]  # records converted to traditional script
    names: tuple[Name, ...]  # names injected at least once


def paragraph_source(repo: Path, seeds: Path) -> tuple[str, list[Path]]:
    """The sample corpus/ when it has text files, else the seed texts."""
    corpus = repo / "corpus"
    files = sorted(p for p in corpus.rglob("*.txt") if not p.name.endswith(".gt.txt")) \
        if corpus.is_dir() else []
    if files:
        return "corpus/", files
    files = sorted(seeds.glob("*.txt"))
    if not files:
        raise SystemExit(f"no paragraphs: neither corpus/ nor {seeds} holds *.txt files")
    return f"seeds ({seeds.name}/)", files


def read_paragraphs(files: list[Path]) -> list[str]:
    """Non-empty lines holding at least two CJK characters, in a stable order."""
    out = []
    for path in files:
        try:
            text, _enc = decode(path.read_bytes())
        except Exception as e:  # a broken sample file must not stop the benchmark
            say(f"skipping {path.name}: {e}")
            continue
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line = line.strip()
            if len(_CJK_RUN.findall(line)) >= 2:
                out.append(line)
    return out


def ensure_corpus(out: Path, n: int, seed: int, repo: Path, seeds: Path) -> CorpusInfo:
    """The corpus for (n, seed) under `out`, generated unless an identical one is there."""
    source, files = paragraph_source(repo, seeds)
    paragraphs = read_paragraphs(files)
    digest = hashlib.blake2b("\n".join(paragraphs).encode(), digest_size=8).hexdigest()
    root = out / f"corpus-{n}"
    wanted = {"version": GENERATOR_VERSION, "n": n, "seed": seed, "source_digest": digest}
    meta = _read_meta(root)
    if meta and all(meta.get(k) == v for k, v in wanted.items()):
        say(f"reusing {root.name} ({n} records, seed {seed})")
    else:
        say(f"generating {root.name}: {n} records from {len(paragraphs)} paragraphs of {source}")
        meta = generate(root, n, seed, paragraphs) | wanted | {"source": source}
        (root / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    names = tuple(Name(t, known) for t, known in meta["names"])
    return CorpusInfo(root, n, seed, meta["source"], tuple(meta["paths"]),
                      frozenset(meta["traditional"]), names)


def _read_meta(root: Path) -> dict | None:
    try:
        return json.loads((root / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def generate(root: Path, n: int, seed: int, paragraphs: list[str]) -> dict:
    """Write n records and catalog.csv into a fresh `root`; returns what the queries need."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    rng = random.Random(seed)
    names = make_names(rng)
    paths, traditional, used, rows = [], [], {}, []
    for i in range(n):
        rel = f"{i // 1000:03d}/r{i:06d}.txt"
        paras = rng.choices(paragraphs, k=rng.randint(3, 12))
        if rng.random() < 0.4:
            chosen = rng.sample(names, rng.randint(1, 3))
            paras = inject_names(rng, paras, [x.text for x in chosen])
            used.update({x.text: x.in_dictionary for x in chosen})
        text = "\n".join(paras) + "\n"
        if rng.random() < 0.1:
            text = to_traditional(text)
            traditional.append(rel)
        path = root / rel
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(rel)
        rows.append(catalog_row(rng, rel))
    write_catalog(root, rows)
    return {"paths": paths, "traditional": traditional,
            "names": sorted(used.items(), key=lambda kv: kv[0])}


def inject_names(rng: random.Random, paras: list[str], names: list[str]) -> list[str]:
    """Put each clause carrying names after a random comma/full stop of a random paragraph."""
    paras = list(paras)
    for clause in name_clauses(rng, names):
        k = rng.randrange(len(paras))
        para = paras[k]
        cuts = [m.end() for m in _CLAUSE_END.finditer(para)]
        if cuts:
            at = rng.choice(cuts)
            paras[k] = para[:at] + clause + ("，" if para[at - 1] == "，" else "。") + para[at:]
        else:
            paras[k] = para + "，" + clause + "。"
    return paras


def catalog_row(rng: random.Random, rel: str) -> tuple[str, ...]:
    """Random but plausible catalog values for one record."""
    org, prefix = rng.choice(ORGS)
    year = rng.randint(1990, 2023)
    date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    title = f"关于{rng.choice(TOPICS)}的{rng.choice(KINDS)}"
    number = f"{prefix}〔{year}〕{rng.randint(1, 200)}号"
    security = rng.choices([s for s, _w in SECURITY], [w for _s, w in SECURITY])[0]
    return (rel, title, org, number, date, rng.choice(CATEGORIES), rng.choice(RETENTIONS),
            security)


def write_catalog(root: Path, rows: list[tuple[str, ...]]) -> None:
    with (root / "catalog.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CATALOG_HEADER)
        writer.writerows(rows)


def catalog_strings(root: Path) -> list[str]:
    """The searchable catalog values (题名, 责任者, 文号) that queries must stay clear of."""
    with (root / "catalog.csv").open(encoding="utf-8", newline="") as f:
        return [v for row in csv.DictReader(f) for v in (row["题名"], row["责任者"], row["文号"])]


def read_record(root: Path, rel: str) -> str:
    """A record's text exactly as dangan's text extractor sees it."""
    text, _enc = decode((root / rel).read_bytes())
    return text.replace("\r\n", "\n").replace("\r", "\n")
