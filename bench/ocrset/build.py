"""The set's files, group by group, deterministic from a seed: each file is drawn with its
own random generators seeded from (seed, file name), so one file does not depend on others."""
from __future__ import annotations

import io
import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import opencc
from PIL import Image

from . import effects, gongwen, pages, texts
from .fonts import covers

# group key -> folder name
GROUPS = {"gongwen": "公文", "photo": "照片", "table": "表格", "vertical": "竖排",
          "traditional": "繁体", "crop": "小图"}
DEFAULT_SEED = 20261207


@dataclass(frozen=True)
class Output:
    pages: list[Image.Image]
    gt: str
    expected: dict


@dataclass(frozen=True)
class Item:
    group: str
    name: str                         # file name, with its extension
    make: Callable[[random.Random, np.random.Generator], Output]
    dpi: int = 300


def _rngs(seed: int, name: str) -> tuple[random.Random, np.random.Generator]:
    s = zlib.crc32(f"{seed}/{name}".encode())
    return random.Random(s), np.random.default_rng(s)


def tries(n: int = 500):
    """Attempts at drawing text a face can show; running out is a bug of the set, said."""
    yield from range(n)
    raise RuntimeError(f"no text the face can draw after {n} attempts")


def _doc(rng: random.Random, face: str, corpus: bool = False, paragraphs: int = 4):
    """A composed 公文 whose every character the face can draw."""
    sentences = [s for s in texts.corpus_sentences() if covers(face, s)] if corpus else None
    for _ in tries():
        doc = texts.compose(rng, sentences, paragraphs)
        words = [doc.org.name, doc.title, doc.to, doc.doc_number, *doc.paragraphs, *doc.joint]
        if all(covers(face, w) for w in words):
            return doc


def scan_gongwen(dpi: int, style: gongwen.Style, *, skew=0.0, blur=0.0, copy=0.0, noise=0.0,
                 corpus=False, max_pages=1, joint=None, paragraphs=4):
    def make(rng: random.Random, nrng: np.random.Generator) -> Output:
        doc = _doc(rng, style.body, corpus, paragraphs)
        while joint and not doc.org.name.endswith("人民政府"):
            doc = _doc(rng, style.body, corpus, paragraphs)
        if joint is False:
            doc = replace(doc, joint=())
        elif joint and not doc.joint:
            doc = replace(doc, joint=(doc.org.name.replace("人民政府", "") + "财政所",))
        images, gt = gongwen.layout(doc, style, dpi, nrng, max_pages)
        out = []
        for im in images:
            if copy:
                im = effects.photocopy(im, nrng, copy)
            if skew:
                im = effects.skew(im, skew)
            if blur:
                im = effects.blur(im, blur * dpi / 300)
            if noise:
                im = effects.noise(im, noise, nrng)
            out.append(im)
        return Output(out, gt, gongwen.expected(doc))
    return make


def photo_gongwen(style: gongwen.Style, rotation: float, pattern=False, table=None):
    def make(rng: random.Random, nrng: np.random.Generator) -> Output:
        if table:
            title, rows = texts.table_rows(rng, table)
            page, gt, exp = pages.table_page(title, rows, 150, style.body, style.title, rng)
        else:
            doc = _doc(rng, style.body, paragraphs=3)
            images, gt = gongwen.layout(doc, style, 150, nrng, 1)
            page = images[0]
            exp = gongwen.expected(doc)
        return Output([effects.phone_photo(page, nrng, rotation, pattern)], gt, exp)
    return make


def table(kind: str, dpi: int, face: str, head: str, *, skew=0.0, copy=0.0):
    def make(rng: random.Random, nrng: np.random.Generator) -> Output:
        title, rows = texts.table_rows(rng, kind)
        im, gt, exp = pages.table_page(title, rows, dpi, face, head, rng)
        if copy:
            im = effects.photocopy(im, nrng, copy)
        if skew:
            im = effects.skew(im, skew)
        return Output([im], gt, exp)
    return make


def vertical(dpi: int, face: str, traditional=False, corpus=False):
    def make(rng: random.Random, nrng: np.random.Generator) -> Output:
        convert = opencc.OpenCC("s2tw").convert if traditional else str
        for _ in tries():
            if corpus:
                pool = [s for s in texts.corpus_sentences() if covers(face, s)]
                paras, title = rng.sample(pool, 3), ""
            else:
                doc = _doc(rng, face, paragraphs=4)
                paras, title = list(doc.paragraphs[:3]), doc.title
            paras, title = [convert(p) for p in paras], convert(title)
            if all(covers(face, p) for p in [*paras, title]):
                break
        im, gt = pages.vertical_page(paras, dpi, face, title=title)
        return Output([effects.noise(im, 4.0, nrng)], gt, {"title": title} if title else {})
    return make


def traditional(dpi: int, style: gongwen.Style, *, skew=0.0, copy=0.0):
    def make(rng: random.Random, nrng: np.random.Generator) -> Output:
        s2t = opencc.OpenCC("s2tw")
        for _ in tries():
            doc = _doc(rng, style.body, paragraphs=4)
            org = replace(doc.org, name=s2t.convert(doc.org.name))
            number = "".join(map(s2t.convert, doc.doc_number))  # 长发 is not 長髮 here
            doc = replace(doc, org=org, joint=(), doc_number=number,
                          title=s2t.convert(doc.title), to=s2t.convert(doc.to),
                          paragraphs=tuple(s2t.convert(p) for p in doc.paragraphs))
            faces = {style.body, style.title, style.header, style.seal_face}
            words = [org.name + "文件", doc.title, doc.to, doc.doc_number, *doc.paragraphs]
            if all(covers(f, w) for f in faces for w in words):
                break
        images, gt = gongwen.layout(doc, style, dpi, nrng, 1)
        im = images[0]
        if copy:
            im = effects.photocopy(im, nrng, copy)
        if skew:
            im = effects.skew(im, skew)
        return Output([im], gt, gongwen.expected(doc))
    return make


def small(face: str, px: int, blur=0.0):
    def make(rng: random.Random, nrng: np.random.Generator) -> Output:
        for _ in tries():
            line = texts.crop_line(rng)
            if covers(face, line):
                break
        im, gt = pages.crop(line, face, px, rng)
        if blur:
            im = effects.blur(im, blur)
        return Output([effects.noise(im, 3.0, nrng)], gt, {})
    return make


S = gongwen.Style
FANGSONG_MING = S(body="ming", condense=0.82)      # 仿宋 stand-ins: condensed 明体 / 楷体
FANGSONG_KAI = S(body="kai", condense=0.85, title="sans_bold", header="zenhei")


def plan() -> list[Item]:
    """Every file of the set: group, name, how it is made."""
    g = "gongwen"
    items = [
        Item(g, "g01-明体-300dpi.png", scan_gongwen(300, S(body="ming")), 300),
        Item(g, "g02-思源宋-200dpi-斜.png", scan_gongwen(200, S(body="serif", title="sans_bold",
                                                             chinese_date=False), skew=1.6), 200),
        Item(g, "g03-楷体-150dpi-模糊.png", scan_gongwen(150, S(body="kai"), blur=1.2), 150),
        Item(g, "g04-仿宋明-300dpi-复印.png", scan_gongwen(300, FANGSONG_MING, copy=1.0), 300),
        Item(g, "g05-仿宋楷-200dpi-斜噪.png", scan_gongwen(200, FANGSONG_KAI, skew=-2.6, noise=8),
             200),
        Item(g, "g06-联合行文-印章压字.png",
             scan_gongwen(300, S(body="serif", header="sans_bold", seal_over_text=True),
                          joint=True), 300),
        Item(g, "g07-明体-200dpi-复印斜3度.png",
             scan_gongwen(200, S(body="ming", title="serif_bold", chinese_date=False),
                          skew=3.0, copy=1.3, joint=False), 200),
        Item(g, "g08-楷体-两页.tif", scan_gongwen(200, S(body="kai", title="zenhei"), max_pages=2,
                                              paragraphs=8, joint=False), 200),
        Item(g, "g09-宋体-图像版.pdf",
             scan_gongwen(200, S(body="serif", header="zenhei", chinese_date=False), max_pages=2,
                          paragraphs=8, noise=5, joint=False), 200),
        Item(g, "g10-仿宋明-150dpi-复印.jpg", scan_gongwen(150, FANGSONG_MING, copy=0.8), 150),
        Item(g, "g11-明体-250dpi-斜模糊.png", scan_gongwen(250, S(body="ming", chinese_date=False),
                                                       skew=-1.0, blur=0.8), 250),
        Item(g, "g12-语料正文-200dpi.png", scan_gongwen(200, S(body="serif"), corpus=True), 200),
    ]
    p = "photo"
    items += [
        Item(p, "p01-明体-q70.jpg", photo_gongwen(S(body="ming"), 2.0)),
        Item(p, "p02-宋体-q62-花桌布.jpg", photo_gongwen(S(body="serif"), -3.5, pattern=True)),
        Item(p, "p03-楷体-q78.jpg", photo_gongwen(S(body="kai", chinese_date=False), 5.0)),
        Item(p, "p04-仿宋-q66.jpg", photo_gongwen(FANGSONG_MING, -1.5)),
        Item(p, "p05-登记表-q74.jpg", photo_gongwen(S(body="ming", title="zenhei"), 1.0,
                                                 table="register")),
        Item(p, "p06-统计表-q60-花桌布.jpg", photo_gongwen(S(body="serif", title="sans_bold"), -2.5,
                                                     pattern=True, table="stats")),
    ]
    t = "table"
    items += [
        Item(t, "t01-登记表-300dpi.png", table("register", 300, "ming", "zenhei")),
        Item(t, "t02-统计表-200dpi.png", table("stats", 200, "serif", "sans_bold"), 200),
        Item(t, "t03-登记表-200dpi-斜.png", table("register", 200, "kai", "zenhei", skew=1.2), 200),
        Item(t, "t04-统计表-300dpi-复印.png", table("stats", 300, "ming", "zenhei", copy=1.0)),
        Item(t, "t05-登记表-150dpi.png", table("register", 150, "serif", "sans_bold"), 150),
    ]
    v = "vertical"
    items += [
        Item(v, "v01-竖排-明体.png", vertical(300, "ming")),
        Item(v, "v02-竖排-楷体-繁体.png", vertical(300, "kai", traditional=True)),
        Item(v, "v03-竖排-宋体-语料.png", vertical(200, "serif", corpus=True), 200),
    ]
    r = "traditional"
    items += [
        Item(r, "r01-繁体-明体-300dpi.png", traditional(300, S(body="ming", title="ming"))),
        Item(r, "r02-繁体-思源宋-200dpi-复印.png",
             traditional(200, S(body="serif_tc", title="serif_tc", header="serif_tc",
                                seal_face="serif_tc"), copy=0.9, skew=1.0), 200),
        Item(r, "r03-繁体-楷体-250dpi.png", traditional(250, S(body="kai", title="kai",
                                                             header="kai", seal_face="kai"),
                                                     skew=-1.5), 250),
    ]
    c = "crop"
    items += [
        Item(c, "c01-一行-明体-22px.png", small("ming", 22)),
        Item(c, "c02-一行-宋体-18px.png", small("serif", 18)),
        Item(c, "c03-一行-楷体-20px.jpg", small("kai", 20, blur=0.5)),
        Item(c, "c04-一行-黑体-16px.png", small("zenhei", 16)),
        Item(c, "c05-一行-明体-26px-模糊.png", small("ming", 26, blur=0.9)),
        Item(c, "c06-一行-宋体-24px.jpg", small("serif", 24)),
    ]
    return items


def encode(name: str, images: list[Image.Image], dpi: int, quality: int) -> bytes:
    """The file's bytes by its extension: PNG, JPEG, multi-page TIFF or an image-only PDF."""
    buf = io.BytesIO()
    ext = name.rsplit(".", 1)[-1].lower()
    images = [im.copy() for im in images]  # Pillow keeps save options on appended images
    if ext == "png":
        images[0].save(buf, "PNG", dpi=(dpi, dpi))
    elif ext == "jpg":
        images[0].save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    elif ext == "tif":
        images[0].save(buf, "TIFF", compression="tiff_lzw", dpi=(dpi, dpi), save_all=True,
                       append_images=images[1:])
    elif ext == "pdf":
        images[0].save(buf, "PDF", resolution=float(dpi), save_all=True,
                       append_images=images[1:], quality=88)
    else:
        raise ValueError(f"unknown image type for {name}")
    return buf.getvalue()


def make_item(item: Item, seed: int) -> dict[str, bytes]:
    """The item's three files: NAME.EXT, NAME.EXT.gt.txt, NAME.EXT.expected.json."""
    rng, nrng = _rngs(seed, item.name)
    out = item.make(rng, nrng)
    quality = rng.randint(60, 80)
    return {item.name: encode(item.name, out.pages, item.dpi, quality),
            item.name + ".gt.txt": out.gt.encode("utf-8"),
            item.name + ".expected.json":
                json.dumps(out.expected, ensure_ascii=False, indent=1).encode("utf-8")}


def selected(groups: list[str] | None) -> list[Item]:
    unknown = sorted(set(groups or ()) - set(GROUPS))
    if unknown:
        raise SystemExit(f"unknown group(s) {unknown}; groups: {', '.join(GROUPS)}")
    return [i for i in plan() if not groups or i.group in groups]


def generate(out: Path, seed: int = DEFAULT_SEED, groups: list[str] | None = None,
             limit: int = 0) -> list[Path]:
    """Write the set (or the named groups, or the first `limit` files of each group) under
    out/<group folder>/; returns the image files written. Files already there are rewritten."""
    written, per_group = [], {}
    for item in selected(groups):
        per_group[item.group] = per_group.get(item.group, 0) + 1
        if limit and per_group[item.group] > limit:
            continue
        folder = out / GROUPS[item.group]
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in make_item(item, seed).items():
            (folder / name).write_bytes(data)
        written.append(folder / item.name)
    (out / "SEED").write_text(f"{seed}\n", encoding="utf-8")
    return written
