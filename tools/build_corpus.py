"""Build the sample archive ``corpus/`` from the seed texts.

The seeds are web-scraped Chinese work summaries (one file per source page).
This script splits every seed into records (one per 篇 / 范文 / article),
drops the web boilerplate around them (site name, 时间/作者 line, breadcrumb,
"小编…" intro, "看了…" trailer), keeps the record text otherwise verbatim and
writes the records in several encodings (UTF-8, UTF-8 with BOM, GB18030, Big5)
together with ``catalog.csv`` files and one JSON sidecar.  All metadata is
fixed in the tables below, so the output is byte-for-byte reproducible.

Seed 002 is page-broken: each line starts with an "N、" page-fragment prefix;
those prefixes become form feeds.  Two simplified records are also written as
traditional-script copies in Big5 (OpenCC s2t, then OpenCC t2tw so that the
variant forms are the ones Big5 has, e.g. 爲 -> 為).

Usage:  python tools/build_corpus.py [--seeds DIR] [--out DIR] [--force]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"(篇[一二三四五六七八九十]+|范文第\d+篇|范文[一二三四五六七八九十]+)$")
BOILERPLATE = re.compile(r"^(51范文网|时间[:：].*作者[:：]|首页\s*>|>>>|看了“)"
                         r"|小[编編][为為给給]大家|希望[对對]大家有所[帮幫]助")
SPLIT_AT = {"000": ("一、高度重视", "今年以来,我镇的档案工作")}  # articles run together in 篇二
PAGED = {"002"}                       # "N、" page-fragment prefixes -> form feed
PINYIN = re.compile(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")  # 鄉(xiāng)
EXPECTED = {"000": 7, "001": 5, "002": 1, "003": 1, "004": 3}
FIELDS = ("档号", "题名", "责任者", "文号", "日期", "门类", "保管期限", "密级", "备注", "persons")
TOP_HEADER = ["文件", *FIELDS[:8], "页数", "备注", "persons"]
EN_HEADER = ["path", "archival_code", "title", "org", "doc_number", "date", "category",
             "retention", "security", "pages", "notes"]

# key: encoding, 档号, 题名, 责任者, 文号, 日期, 门类, 保管期限, 密级, 备注, persons
META = {
    "000-01": ("utf-8", "0231-WS·1998-C-0012", "半月镇人民政府关于机关档案管理工作的总结", "半月镇人民政府", "半政发〔1998〕21号", "1998", "文书", "长期", "", "", ""),
    "000-02": ("utf-8", "0231-WS·2000-D30-0035", "半月镇人民政府关于2000年度档案管理工作的总结", "半月镇人民政府", "半政发〔2000〕38号", "2000-12-26", "文书", "30年", "内部", "与1998年总结内容基本相同", "李秀梅"),
    "000-03": ("utf-8", "0412-WS·2005-C-0009", "某某乡人民政府关于档案工作情况的报告", "某某乡人民政府", "乡政发〔2005〕9号", "2005-11-18", "文书", "长期", "内部", "", ""),
    "000-04": ("utf-8", "0231-WS·2010-Y-0056", "半月镇人民政府2010年档案工作总结暨2011年工作计划", "半月镇人民政府", "半政文〔2010〕56号", "2010-12-20", "文书", "永久", "公开", "原件由档案员王建成整理移交", "周丽华；陈国栋"),
    "000-05": ("gb18030", "0412-WS·2006-D30-0014", "某某乡人民政府2006年度档案工作总结", "某某乡人民政府", "乡政发〔2006〕31号", "20061215", "文书", "30年", "公开", "", ""),
    "000-06": ("gb18030", "0356-WS·2015-D10-0047", "东城镇人民政府关于2015年道路交通安全工作的总结", "东城镇人民政府", "东政发〔2015〕47号", "2015-11-06", "文书", "10年", "公开", "", ""),
    "000-07": ("utf-8", "0518-WS·2016-D30-0021", "大树镇人民政府关于2016年度道路交通安全管理工作的总结", "大树镇人民政府", "", "2016-12", "文书", "30年", "秘密", "", "卜剑平；何晓燕"),
    "001-01": ("utf-8", "0123-CJ·2023-Y-0003", "关于优化乡镇规划建设档案管理工作的研究报告", "当阳市档案局", "当档发〔2023〕5号", "2023-04-18", "城建", "永久", "公开", "", ""),
    "001-02": ("utf-8", "0129-KJ·2011-C-0002", "乡镇图书馆业务档案管理研究", "当阳市图书馆", "", "2011-05-20", "科技", "长期", "公开", "", ""),
    "001-03": ("gb18030", "0123-WS·2008-Y-0007", "当阳市档案局关于加强农业和农村档案工作的调研报告", "当阳市档案局", "当档发〔2008〕7号", "2008-06-12", "文书", "永久", "公开", "", "刘春燕"),
    "001-04": ("gb18030", "0412-WS·2009-D-0004", "某某乡人民政府关于规范计划生育档案管理的意见", "某某乡人民政府", "乡政发〔2009〕4号", "2009-03-02", "文书", "短期", "内部", "", ""),
    "001-05": ("utf-8-sig", "0123-KJ·2012-D30-0011", "新时期乡镇档案机构功能定位与对策研究", "当阳市档案局", "", "2012-09", "科技", "30年", "公开", "", "张志强；刘春燕"),
    "002-01": ("utf-8", "0607-GA·2022-Y-0112", "襄阳市公安局交通警察支队2022年度工作总结", "襄阳市公安局交通警察支队", "襄公交〔2022〕112号", "2022-12-28", "公安", "永久", "机密", "分段扫描", "王建成；赵卫东"),
    "003-01": ("utf-8", "0815-GA·2018-C-0031", "XX旗公安局交通管理大队2018年度公安交通管理工作总结", "XX旗公安局交通管理大队", "旗公交管〔2018〕31号", "2018-12-10", "公安", "长期", "内部", "", ""),
    "004-01": ("utf-8", "0144-WS·2004-Y-0002", "新塘桥镇人民政府关于2004年政府工作重点的报告", "新塘桥镇人民政府", "塘政发〔2004〕2号", "2004-01-08", "文书", "永久", "公开", "繁体注音文本", "顾建新"),
    "004-02": ("utf-8", "0144-WS·2003-D-0131", "新塘桥镇政府办公室工作人员2003年度个人工作小结", "新塘桥镇人民政府", "", "2003", "文书", "短期", "", "", ""),
    "004-03": ("utf-8", "0144-WS·2003-Y-0088", "新塘桥镇人民政府2003年工作总结", "新塘桥镇人民政府", "塘政发〔2003〕88号", "2003-12-30", "文书", "永久", "公开", "", "顾建新；沈丽娟；陆文斌"),
}
# Big5 traditional copies: (preferred, fallback) source per topic; metadata of the preferred ones.
BIG5_CHOICES = (("000-04", "000-01"), ("003-01", "000-07"))
TWIN_META = {
    "000-04t": ("big5", "0231-WS·2011-D10-0003", "半月鎮人民政府2010年檔案工作總結暨2011年工作計劃", "半月镇人民政府", "", "2011-01-05", "文书", "10年", "内部", "繁体抄件（原件0231-WS·2010-Y-0056）", ""),
    "003-01t": ("big5", "0815-GA·2019-D10-0002", "XX旗公安局交通管理大隊2018年度公安交通管理工作總結", "XX旗公安局交通管理大队", "", "2019-01-15", "公安", "10年", "秘密", "繁体抄件", "其木格；孙海军"),
}
NAMES = {"001-01": "乡镇规划建设档案管理.txt", "004-01": "新塘桥镇政府工作重点.txt",
         "004-02": "办公室个人工作小结.txt", "004-03": "新塘桥镇政府年终工作总结.txt"}
UNCATALOGUED = {"001-02", "003-01"}    # valid records left out of every catalog on purpose
SUBCATALOG = {"001-01": "城建"}         # described by <folder>/catalog.csv (English, GB18030)
SIDECARS = {"000-03": {"题名": "某某乡人民政府关于档案工作存在问题及整改措施的报告",
                       "密级": "秘密", "备注": "密级经2021年复核调整"}}


def split_records(seed_id: str, text: str) -> list[str]:
    """Split one seed into record texts; the preamble before the first heading is dropped."""
    lines = text.splitlines()
    has_headings = any(HEADING.search(line.strip()) for line in lines)
    chunks: list[list[str]] = []
    cur: list[str] | None = None if has_headings else []
    markers = SPLIT_AT.get(seed_id, ())
    for line in lines:
        s = line.strip()
        if HEADING.search(s):
            cur = []
            chunks.append(cur)
            continue
        if cur is None or BOILERPLATE.search(s):
            continue
        if markers and s.startswith(markers) and any(x.strip() for x in cur):
            cur = []
            chunks.append(cur)
        if not chunks:
            chunks.append(cur)
        cur.append(line)
    texts = ["\n".join(c).strip() for c in chunks]
    texts = [t for t in texts if t]
    if seed_id in PAGED:
        texts = [paginate(t) for t in texts]
    return [t + "\n" for t in texts]


def paginate(text: str) -> str:
    """Turn the leading "N、" page-fragment prefix of every line into a form feed."""
    pages = []
    for n, line in enumerate(text.split("\n"), 1):
        prefix = f"{n}、"
        if not line.startswith(prefix):
            raise SystemExit(f"page-broken seed: line {n} does not start with {prefix!r}")
        pages.append(line[len(prefix):])
    return "\f".join(pages)


def load_seeds(seeds: Path) -> dict[str, str]:
    """Read the seeds (read-only) and return {record key: text}."""
    records = {}
    for seed_id, count in sorted(EXPECTED.items()):
        found = sorted(seeds.glob(f"{seed_id}_*.txt"))
        if len(found) != 1:
            raise SystemExit(f"expected one seed {seed_id}_*.txt in {seeds}, found {len(found)}")
        texts = split_records(seed_id, found[0].read_text(encoding="utf-8"))
        if len(texts) != count:
            raise SystemExit(f"seed {found[0].name}: {len(texts)} records, expected {count}")
        for i, text in enumerate(texts, 1):
            records[f"{seed_id}-{i:02d}"] = text
    return records


def add_big5_twins(records: dict[str, str], meta: dict[str, tuple]) -> None:
    """Add traditional Big5 copies of one record per topic; skip sources Big5 cannot hold."""
    try:
        import opencc
    except ImportError:
        raise SystemExit("opencc is needed for the Big5 records: pip install opencc")
    s2t, t2tw = opencc.OpenCC("s2t"), opencc.OpenCC("t2tw")
    for choices in BIG5_CHOICES:
        for src in choices:
            text = t2tw.convert(s2t.convert(records[src]))
            try:
                if text.encode("big5").decode("big5") != text:
                    continue
            except UnicodeError:
                continue
            key = f"{src}t"
            records[key] = text
            meta[key] = TWIN_META.get(key) or twin_meta(meta[src], t2tw.convert(s2t.convert(meta[src][2])))
            break


def twin_meta(src: tuple, title: str) -> tuple:
    """Metadata for a fallback Big5 copy, derived from its source record."""
    enc, code, _, org, _, date, cat, _, sec, _, _ = src
    return ("big5", code[:-4] + f"{int(code[-4:]) + 500:04d}", title, org, "", date,
            cat, "10年", sec, f"繁体抄件（原件{code}）", "")


def rel_path(key: str, m: tuple) -> str:
    return f"{m[6]}/{m[5][:4]}/{NAMES.get(key, key + '.txt')}"


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def build_outputs(records: dict[str, str], meta: dict[str, tuple]) -> dict[str, bytes]:
    """Return {path relative to the output dir: file bytes} for everything generated."""
    files: dict[str, bytes] = {}
    top: list[list[str]] = []
    sub: dict[str, list[list[str]]] = {}
    for key in sorted(records):
        m, text = meta[key], records[key]
        path = rel_path(key, m)
        files[path] = text.encode(m[0])
        pages = str(text.count("\f") + 1)
        if key in SUBCATALOG:
            folder = SUBCATALOG[key]
            sub.setdefault(folder, []).append(
                [path[len(folder) + 1:], *m[1:9], pages, m[9]])
        elif key not in UNCATALOGUED:
            top.append([path, *m[1:9], pages, m[9], m[10]])
        if key in SIDECARS:
            files[path + ".json"] = (json.dumps(SIDECARS[key], ensure_ascii=False, indent=2)
                                     + "\n").encode("utf-8")
    files["catalog.csv"] = csv_text(TOP_HEADER, sorted(top)).encode("utf-8-sig")
    for folder, rows in sorted(sub.items()):
        files[f"{folder}/catalog.csv"] = csv_text(EN_HEADER, sorted(rows)).encode("gb18030")
    return files


def write_outputs(out: Path, files: dict[str, bytes], force: bool) -> None:
    """Write the files; an existing non-empty output dir needs --force."""
    if out.exists() and any(out.iterdir()) and not force:
        raise SystemExit(f"{out} is not empty; use --force to replace the generated files")
    for rel, data in sorted(files.items()):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def read_catalog(path: Path, encoding: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


def verify(out: Path, records: dict[str, str], meta: dict[str, tuple]) -> list[str]:
    """Check the written corpus; return a list of problems (empty when all is well)."""
    problems = []
    catalogs = [(out / "catalog.csv", "utf-8-sig", "文件")]
    catalogs += [(out / f / "catalog.csv", "gb18030", "path") for f in sorted(set(SUBCATALOG.values()))]
    for cat, enc, column in catalogs:
        for row in read_catalog(cat, enc):
            if not (cat.parent / row[column]).is_file():
                problems.append(f"{cat}: no file {row[column]}")
    for key in sorted(records):
        enc, data = meta[key][0], (out / rel_path(key, meta[key])).read_bytes()
        text = data.decode(enc)
        if text != records[key]:
            problems.append(f"{key}: does not round-trip through {enc}")
        if enc == "gb18030" and _is_utf8(data):
            problems.append(f"{key}: GB18030 file is also valid UTF-8")
        if enc == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
            problems.append(f"{key}: unexpected BOM")
        if key.startswith("004") and len(PINYIN.findall(text)) < 20:
            problems.append(f"{key}: pinyin annotations lost")
        if re.search("51范文网|小[编編]", text):
            problems.append(f"{key}: web boilerplate left")
    return problems


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def print_table(records: dict[str, str], meta: dict[str, tuple]) -> None:
    print(f"{'path':<44} {'encoding':<10} {'chars':>6} {'pages':>5}  catalog")
    for key in sorted(records, key=lambda k: rel_path(k, meta[k])):
        m, text = meta[key], records[key]
        where = ("-" if key in UNCATALOGUED else SUBCATALOG.get(key, "top")
                 + ("+sidecar" if key in SIDECARS else ""))
        print(f"{rel_path(key, m):<44} {m[0]:<10} {len(text):>6} {text.count(chr(12)) + 1:>5}  {where}")
    print(f"{len(records)} records")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=REPO / ".." / "shared" / "seeds",
                        help="folder with the seed texts (default: ../shared/seeds from the repo root)")
    parser.add_argument("--out", type=Path, default=REPO / "corpus",
                        help="output folder (default: corpus/ in the repo)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty output folder, replacing only generated files")
    args = parser.parse_args(argv)
    meta = dict(META)
    records = load_seeds(args.seeds)
    add_big5_twins(records, meta)
    write_outputs(args.out, build_outputs(records, meta), args.force)
    print_table(records, meta)
    problems = verify(args.out, records, meta)
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
