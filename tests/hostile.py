"""A hostile corpus, written for real into a folder: links in and out, 密级 spelt every odd way
clerks spell it, broken and reaching catalogs, bad file names and memory bombs, beside ordinary
records that must still be indexed. Used by tests/test_hostile.py and `make bench-security`.

`build_hostile_corpus(root, secret_dir)` writes only under `root`, except the files the outward
links point at, which it writes under `secret_dir` (a folder outside the corpus). It returns a
HostileCorpus saying what indexing it must give: the files that fail and a pattern of their
reason, the files indexed with their 密级, one phrase per record found only in that record, and
the secret text no reader may ever get. The bombs are small on disk (the TIFF is built from one
encoded frame, the .docx deflates a repeated run), so the whole build takes about a second.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import struct
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pdfs import text_pdf

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LEVELS = ("公开", "内部", "秘密", "机密", "绝密")
PARTS = ("ordinary", "levels", "sidecars", "catalogs", "reaching", "links", "names", "bombs")

SECRET_TOKEN = "HOSTILE-SECRET-7f3a"  # in the files outside the corpus, and nowhere else
SECRET_TEXT = f"root:x:0:0:root:/root:/bin/bash\n{SECRET_TOKEN} 越界口令钥匙\n"
OUTSIDE_TEXT = f"越界目录内容{SECRET_TOKEN}-dir\n"

# A reason category per kind of failure: what the message must say (Chinese or English).
PIXELS = r"像素|pixel|帧|frame|max_file_pixels|worker_memory_mb|内存上限|memory limit"
INFLATED = r"解压|inflat|max_inflated_mb|worker_memory_mb|内存上限|memory limit"
EMPTY = r"空|empty|0 bytes|0 字节"
CATALOG = r"catalog\.csv|目录"
PAGE_BOMB = r"像素|pixel|分辨率|resolution|worker_memory_mb|内存上限|memory limit"


@dataclass
class HostileCorpus:
    root: Path
    secret_dir: Path
    failed: dict[str, str] = field(default_factory=dict)  # rel -> regex of the reason
    defused: dict[str, str] = field(default_factory=dict)  # rel -> reason regex if it fails
    levels: dict[str, str] = field(default_factory=dict)  # rel -> 密级 when indexed
    phrases: dict[str, str] = field(default_factory=dict)  # rel -> a phrase only it holds
    odd_names: dict[str, str] = field(default_factory=dict)  # rel -> phrase: indexed, or failed
    links: list[str] = field(default_factory=list)  # links: never indexed, never read
    reported: dict[str, str] = field(default_factory=dict)  # what the run must report -> name
    secrets: tuple[str, ...] = ()  # strings from outside the corpus: never in any answer
    pool: object = field(default=None, repr=False)  # the phrases not used yet

    @property
    def source(self) -> str:
        """The corpus root's name in record paths and the failed list (dangan's source)."""
        return self.root.resolve().name

    @property
    def indexed(self) -> dict[str, str]:
        """rel -> phrase of every file that must be indexed and found by its phrase."""
        return {rel: self.phrases[rel] for rel in self.levels}

    def level_of_phrase(self) -> dict[str, str]:
        """phrase -> the 密级 of the one record that holds it (odd names at the default)."""
        out = {self.phrases[rel]: level for rel, level in self.levels.items()}
        out.update({phrase: "内部" for phrase in self.odd_names.values()})
        return out


# Made-up four-character phrases: each is written into exactly one record.
PHRASES = (
    "赤霞映川", "碧水环山", "青岚叠翠", "丹枫染岭", "紫燕归巢", "白鹭横江", "金桂飘庭", "银杏铺阶",
    "墨竹摇窗", "素梅傲霜", "苍松听涛", "翠柳拂堤", "寒潭映月", "暖阳融雪", "晴岚出岫", "暮鼓晨钟",
    "长河落日", "大漠孤烟", "春江花月", "秋水长天", "落霞孤鹜", "星垂平野", "月涌大江",
    "云横秦岭", "雪拥蓝关", "桃李春风", "江湖夜雨", "沧海明珠", "蓝田暖玉", "巴山夜话", "西窗剪烛",
    "东篱采菊", "南山种豆", "北冥有鱼", "扶摇直上", "鹏程万里", "鸿鹄高飞", "骐骥一跃", "驽马十驾",
    "锲而不舍", "金石可镂", "蓬生麻中", "白沙在涅", "积土成山", "积水成渊", "跬步千里", "小流江海",
)


def build_hostile_corpus(root: Path, secret_dir: Path, parts: tuple[str, ...] = PARTS
                         ) -> HostileCorpus:
    """Write the hostile corpus (the chosen parts of it) into `root` and the targets of its
    outward links into `secret_dir`; returns what indexing it must give."""
    root.mkdir(parents=True, exist_ok=True)
    secret_dir.mkdir(parents=True, exist_ok=True)
    hc = HostileCorpus(root, secret_dir, pool=iter(PHRASES))
    for part in parts:
        globals()[f"_{part}"](hc)
    return hc


def _record(hc: HostileCorpus, rel: str, level: str | None, text: str = "",
            encoding: str = "utf-8", phrase: str = "") -> str:
    """Write a text record holding a phrase of its own; `level` is the 密级 it must get
    (None: it must fail). Returns the phrase."""
    phrase = phrase or next(hc.pool)
    path = hc.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body = text or "关于档案工作的情况报告\n"
    tail = "本件专有词语{}，用于检验。\n各单位遵照执行。\n"
    if encoding == "big5":
        tail = "本件專有詞語{}，用於檢驗。\n各單位遵照執行。\n"
    path.write_bytes((body + tail.format(phrase)).encode(encoding))
    hc.phrases[rel] = phrase
    if level:
        hc.levels[rel] = level
    return phrase


def _catalog(folder: Path, rows: list[tuple[str, ...]],
             header: tuple[str, ...] = ("文件", "题名", "密级"), encoding="utf-8") -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.csv").write_bytes(out.getvalue().encode(encoding))


def _ordinary(hc: HostileCorpus) -> None:
    """Plain records in UTF-8, GBK and Big5, one per 密级, a born-digital PDF, a PNG scan;
    their catalog also names a file that does not exist."""
    folder = hc.root / "普通"
    _record(hc, "普通/utf8.txt", "公开")
    _record(hc, "普通/gbk.txt", "公开", "关于档案整理工作的通知\n", "gbk")
    _record(hc, "普通/big5.txt", "内部", "關於檔案保管工作的報告\n", "big5", "孤帆遠影")
    rows = [("utf8.txt", "普通记录", "公开"), ("gbk.txt", "国标编码记录", "公开"),
            ("big5.txt", "繁体编码记录", "内部")]
    for level in LEVELS:
        rel = f"普通/level-{LEVELS.index(level)}.txt"
        _record(hc, rel, level)
        rows.append((rel.split("/")[1], f"{level}级记录", level))
    pdf = "普通/report.pdf"
    hc.phrases[pdf], hc.levels[pdf] = next(hc.pool), "秘密"
    text_pdf([["关于档案数字化工作的报告", f"本件专有词语{hc.phrases[pdf]}。",
               "各单位遵照执行。"]], hc.root / pdf)
    scan = "普通/scan.png"
    hc.phrases[scan], hc.levels[scan] = "档案扫描样张", "公开"  # common characters: OCR reads them
    scan_png([f"{hc.phrases[scan]}", "此页为扫描件"], hc.root / scan)
    rows += [("report.pdf", "数字化报告", "秘密"), ("scan.png", "扫描件", "公开"),
             ("不存在的文件.txt", "目录中有而文件不存在", "公开")]
    hc.reported["a catalog row naming a missing file"] = "不存在的文件.txt"
    _catalog(folder, rows)


def _levels(hc: HostileCorpus) -> None:
    """密级 in the catalog spelt as clerks spell it; marks in the text under a 公开 row."""
    spellings = {"star.txt": ("绝密★", "绝密"), "trad.txt": ("機密", "机密"),
                 "spaced.txt": ("绝 密", "绝密"), "years.txt": ("秘密★10年", "秘密"),
                 "fullwidth.txt": ("\u3000机密\u3000", "机密"), "empty-value.txt": ("", "内部"),
                 "topsecret.txt": ("TOP SECRET", None), "english.txt": ("Secret", None)}
    rows = []
    for name, (value, level) in spellings.items():
        rel = f"密级/{name}"
        _record(hc, rel, level)
        rows.append((name, "密级写法", value))
        if level is None:
            hc.failed[rel] = re.escape(value)  # the message names the value
    marks = {"mark-star.txt": ("绝密★启用前", "绝密"), "mark-colon.txt": ("密级：绝密", "绝密"),
             "mark-bracket.txt": ("【机密】", "机密"), "mark-years.txt": ("秘密★10年", "秘密")}
    for name, (mark, level) in marks.items():
        _record(hc, f"密级/{name}", level, f"{mark}\n关于档案保密工作的通知\n")
        rows.append((name, "正文有密级标志", "公开"))
    _catalog(hc.root / "密级", rows)


def _sidecars(hc: HostileCorpus) -> None:
    """Sidecars giving 密级 another way, one lower than its catalog row."""
    folder = hc.root / "旁注"
    cases = {"sc-trad.txt": ("公开", "機密", "机密"), "sc-star.txt": ("公开", "绝密★", "绝密"),
             "sc-bad.txt": ("公开", "TOP SECRET", None), "sc-lower.txt": ("机密", "公开", "机密")}
    rows = []
    for name, (row, sidecar, level) in cases.items():
        rel = f"旁注/{name}"
        _record(hc, rel, level)
        (folder / f"{name}.json").write_text(json.dumps({"密级": sidecar}, ensure_ascii=False),
                                             encoding="utf-8")
        rows.append((name, "旁注密级", row))
        if level is None:
            hc.failed[rel] = re.escape(sidecar)
    _catalog(folder, rows)


def _catalogs(hc: HostileCorpus) -> None:
    """A catalog with a 200,000-character cell (readable: its levels hold), one without a
    文件 column and one in no known encoding (unreadable: their files fail, even one whose
    sidecar gives 秘密 — the catalog might say more — but not one whose sidecar gives 绝密)."""
    long = hc.root / "长单元格"
    _record(hc, "长单元格/long.txt", "绝密")
    _record(hc, "长单元格/other.txt", "机密")
    _catalog(long, [("long.txt", "长备注", "绝密", "备注" * 100_000), ("other.txt", "另一件", "机密", "")],
             header=("文件", "题名", "密级", "备注"))
    bad = hc.root / "坏目录"
    _record(hc, "坏目录/no-sidecar.txt", None)
    hc.failed["坏目录/no-sidecar.txt"] = CATALOG
    _record(hc, "坏目录/with-sidecar.txt", None)
    hc.failed["坏目录/with-sidecar.txt"] = CATALOG
    (bad / "with-sidecar.txt.json").write_text('{"密级": "秘密"}', encoding="utf-8")
    _record(hc, "坏目录/top-sidecar.txt", "绝密")
    (bad / "top-sidecar.txt.json").write_text('{"密级": "绝密"}', encoding="utf-8")
    _catalog(bad, [("no-sidecar.txt", "绝密"), ("with-sidecar.txt", "绝密"),
                   ("top-sidecar.txt", "绝密")],
             header=("名称", "密级"))  # no 文件/path column
    garbled = hc.root / "乱码目录"
    _record(hc, "乱码目录/no-sidecar.txt", None)
    hc.failed["乱码目录/no-sidecar.txt"] = CATALOG
    garbled.mkdir(exist_ok=True)
    (garbled / "catalog.csv").write_bytes("文件,密级\n".encode("gb18030") + bytes(range(256)) * 8
                                          + "\nno-sidecar.txt,绝密\n".encode("gb18030"))


def _reaching(hc: HostileCorpus) -> None:
    """甲/deeper/catalog.csv names files of 乙/ (by ../.. and by absolute path) as 公开,
    while 乙/catalog.csv says 绝密 and 机密."""
    _record(hc, "乙/top.txt", "绝密")
    _record(hc, "乙/abs.txt", "机密")
    _catalog(hc.root / "乙", [("top.txt", "上级目录", "绝密"), ("abs.txt", "绝对路径", "机密")])
    _record(hc, "甲/deeper/own.txt", "公开")
    absolute = str((hc.root / "乙" / "abs.txt").resolve())
    _catalog(hc.root / "甲" / "deeper", [("own.txt", "本目录", "公开"),
                                         ("../../乙/top.txt", "越级", "公开"),
                                         (absolute, "越级", "公开")])
    hc.reported["a row reaching out of its folder"] = "../../乙/top.txt"


def _links(hc: HostileCorpus) -> None:
    """A file link and a folder link out of the corpus, and a link to a 绝密 record listed
    公开 in the link's own catalog."""
    (hc.secret_dir / "passwd.txt").write_text(SECRET_TEXT, encoding="utf-8")
    outside = hc.secret_dir / "folder"
    outside.mkdir(exist_ok=True)
    (outside / "inside.txt").write_text(OUTSIDE_TEXT, encoding="utf-8")
    _catalog(outside, [("inside.txt", "越界", "公开")])
    _record(hc, "机要/jm.txt", "绝密")
    _catalog(hc.root / "机要", [("jm.txt", "机要件", "绝密")])
    links = hc.root / "链接"
    links.mkdir(exist_ok=True)
    (links / "passwd.txt").symlink_to(hc.secret_dir / "passwd.txt")
    (links / "outside").symlink_to(outside, target_is_directory=True)
    (links / "alias.txt").symlink_to(Path("..") / "机要" / "jm.txt")
    _catalog(links, [("passwd.txt", "口令", "公开"), ("alias.txt", "别名", "公开"),
                     ("outside/inside.txt", "越界", "公开")])
    hc.links += ["链接/passwd.txt", "链接/outside", "链接/alias.txt"]
    hc.secrets = (SECRET_TOKEN, "越界口令钥匙", "越界目录内容", "root:x:0:0")


def _names(hc: HostileCorpus) -> None:
    """Names a clerk's Windows copy or a careless script gives: GBK bytes, newlines, quotes."""
    folder = hc.root / "文件名"
    folder.mkdir(exist_ok=True)
    gbk = "旧系统导出.txt".encode("gbk")
    phrase = next(hc.pool)
    with open(os.path.join(os.fsencode(folder), gbk), "wb") as f:
        f.write(f"旧系统导出的文件\n本件专有词语{phrase}。\n".encode("gb18030"))
    hc.odd_names[os.fsdecode(gbk)] = phrase  # the name as Python's file system encoding reads it
    rows = []
    for name in ("line\nbreak.txt", "换行\n文件.txt", 'quote"d\'name.txt', "引号\"文件\".txt"):
        _record(hc, f"文件名/{name}", "公开")
        rows.append((name, "怪名字", "公开"))
    _catalog(folder, rows)


def _bombs(hc: HostileCorpus) -> None:
    """Small files that decode into huge ones, and an empty one. All 公开: an anonymous
    reader may ask for their page images."""
    folder = hc.root / "炸弹"
    folder.mkdir(exist_ok=True)
    tiff_bomb(folder / "frames.tif")
    pdf_page_bomb(folder / "huge-page.pdf")
    docx_bomb(folder / "inflate.docx")
    (folder / "empty.txt").write_bytes(b"")
    hc.failed.update({"炸弹/frames.tif": PIXELS, "炸弹/inflate.docx": INFLATED,
                      "炸弹/empty.txt": EMPTY})
    # rendered at a resolution under the pixel cap it is a blank page: failed or indexed
    hc.defused["炸弹/huge-page.pdf"] = PAGE_BOMB
    _catalog(folder, [(name, "炸弹", "公开") for name in
                      ("frames.tif", "huge-page.pdf", "inflate.docx", "empty.txt")])


# --- the files ------------------------------------------------------------------------------

def scan_png(lines: list[str], target: Path) -> None:
    """A small scanned page (300 dpi PNG) of these lines, as tests/ocr_images draws them."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    from ocr_images import text_image

    text_image(lines, size=48).save(target, dpi=(300, 300))


def tiff_bomb(target: Path, frames: int = 80, side: int = 7500) -> None:
    """A TIFF of `frames` blank bilevel side×side pages (CCITT G4, a few KB each: about
    315 KB for 80 frames of 7500² pixels). One frame is encoded by Pillow, then its strips are
    written `frames` times with an IFD each, which is what Pillow's save_all writes, minus the
    seconds spent encoding the same blank page 80 times."""
    from PIL import Image

    one = io.BytesIO()
    Image.new("1", (side, side), 1).save(one, format="TIFF", compression="group4")
    with Image.open(one) as im:
        offsets, counts = im.tag_v2[273], im.tag_v2[279]
        rows_per_strip = im.tag_v2.get(278, side)
        photometric = im.tag_v2.get(262, 0)
    data = one.getvalue()
    strips = b"".join(data[o:o + n] for o, n in zip(offsets, counts))
    nstrips = len(counts)
    entries = 9
    ifd_size = 2 + entries * 12 + 4 + 8 * nstrips  # entries, next offset, two strip arrays
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    for i in range(frames):
        ifd = len(out)
        arrays = ifd + 2 + entries * 12 + 4
        strip_data = ifd + ifd_size
        strip_offsets, pos = [], strip_data
        for n in counts:
            strip_offsets.append(pos)
            pos += n
        nxt = pos if i < frames - 1 else 0

        def entry(tag, kind, count, value):
            return struct.pack("<HHII", tag, kind, count, value)
        out += struct.pack("<H", entries)
        out += entry(254, 4, 1, 2)  # NewSubfileType: a page of a multi-page file
        out += entry(256, 4, 1, side) + entry(257, 4, 1, side)
        out += entry(258, 3, 1, 1) + entry(259, 3, 1, 4)  # 1 bit, CCITT group 4
        out += entry(262, 3, 1, photometric)
        out += entry(273, 4, nstrips, arrays if nstrips > 1 else strip_offsets[0])
        out += entry(278, 4, 1, rows_per_strip)
        out += entry(279, 4, nstrips, arrays + 4 * nstrips if nstrips > 1 else counts[0])
        out += struct.pack("<I", nxt)
        out += struct.pack(f"<{nstrips}I", *strip_offsets) + struct.pack(f"<{nstrips}I", *counts)
        out += strips
    target.write_bytes(bytes(out))


def pdf_page_bomb(target: Path, side_pt: float = 4000) -> None:
    """A one-page PDF of side_pt × side_pt points with nothing on it (so it is OCR'd)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(side_pt, side_pt))
    pdf.add_page()
    target.write_bytes(bytes(pdf.output()))


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.'
          'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
          '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
          'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
          '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
         'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
         '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/></Relationships>')


def docx_bomb(target: Path, inflated_mb: int = 150) -> None:
    """A valid .docx whose word/document.xml inflates to about `inflated_mb` MB: paragraphs of
    a repeated run, deflated about a thousandfold."""
    run = "<w:r><w:t>档案</w:t></w:r>".encode()
    para = b"<w:p>" + run * 4000 + b"</w:p>"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                         f'<w:document xmlns:w="{_W}"><w:body>'.encode())
            for _ in range(inflated_mb * (1 << 20) // len(para)):
                member.write(para)
            member.write(b"</w:body></w:document>")
