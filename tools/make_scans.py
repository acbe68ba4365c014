"""Generate realistic scans of red-header government documents (红头文件) into corpus/扫描件/.

Every document is laid out as a 公文 page (red 发文机关标志, 文号, red rule, title,
salutation, body lines taken verbatim from a corpus text record, issuing office and a
date in Chinese numerals under a round red seal), then printed to one file kind: scans
with skew, blur, noise, uneven light and JPEG artefacts (PNG, JPEG at 300/200/150 dpi, a
bilevel multi-page TIFF, an image-only PDF), a born-digital PDF with a real text layer,
two PDFs whose text layer is deliberately broken, and a traditional-script .docx.

Beside each file NAME.EXT it writes NAME.EXT.gt.txt (the printed text, one line per
printed line, pages separated by form feeds; the seal's own lettering is not included)
and NAME.EXT.expected.json (org, doc_number, title, date, and security when marked).
No catalog is written: readers must take the metadata from the layout.  Random effects
use fixed seeds and file dates are fixed, so a re-run gives the same bytes.

Usage:  python tools/make_scans.py [--out DIR] [--force]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from indexer.ingest.textfile import decode  # noqa: E402
from scanlib import (PT, RED, SEAL_RED, Fonts, Rule, Scan, Seal, Sheet, Text,  # noqa: E402
                     binarise, break_pdf, chinese_date, degrade, fixed_zip, layout, render,
                     seal_mask, stamp, take_lines, truetype_subset, wrap)

SEED = 20240917
MADE = dt.datetime(2021, 3, 15, 9, 30, tzinfo=dt.timezone.utc)   # fixed "digitised on" date
SINGLE_PAGE = {"png", "jpeg", "pdf-image"}


@dataclass(frozen=True)
class Doc:
    name: str
    kind: str          # png jpeg tiff pdf-image pdf-text pdf-nounicode pdf-cid docx
    source: str        # corpus text record the body is taken from
    org: str
    number: str
    title: str
    to: str
    date: str
    lines: int         # body lines (paragraphs for docx), cut back to a sentence end
    first: int = 0     # first paragraph of the source used
    security: str = ""
    scan: Scan = field(default_factory=Scan)


DOCS = (
    Doc("01-半月镇档案工作报告.png", "png", "文书/1998/000-01.txt", "半月镇人民政府",
        "半政发〔1999〕3号", "关于1998年度机关档案管理工作情况的报告", "市档案局：",
        "1999-01-12", 10, scan=Scan(skew=1.2, blur=0.6, noise=5, light=0.08)),
    Doc("02-大树镇道路交通安全通知.jpg", "jpeg", "文书/2016/000-07.txt", "大树镇人民政府",
        "大政发〔2016〕12号", "关于加强道路交通安全管理工作的通知", "各村（社区）委会、镇直各单位：",
        "2016-12-05", 9, security="秘密★1年",
        scan=Scan(skew=-2.3, blur=0.8, noise=7, light=0.18, quality=72)),
    Doc("03-东城镇道路交通安全报告-200dpi.jpg", "jpeg", "文书/2015/000-06.txt", "东城镇人民政府",
        "东政发〔2015〕108号", "关于2015年道路交通安全工作情况的报告", "市人民政府：",
        "2015-11-20", 10, scan=Scan(dpi=200, skew=1.7, blur=1.0, noise=6, light=0.1, quality=75)),
    Doc("04-某某乡计生档案通知-150dpi.jpg", "jpeg", "文书/2009/001-04.txt", "某某乡人民政府",
        "乡政发〔2009〕15号", "关于规范计划生育档案管理工作的通知", "各村委会：",
        "2009-03-20", 7, scan=Scan(dpi=150, skew=-1.1, blur=0.7, noise=5, light=0.06, quality=65)),
    Doc("05-当阳市档案局农村档案调研报告.tif", "tiff", "文书/2008/001-03.txt", "当阳市档案局",
        "当档发〔2008〕21号", "关于农业和农村档案工作情况的调研报告", "市人民政府：",
        "2008-07-03", 40, scan=Scan(skew=0.9, blur=0.5, noise=6, light=0.05, seal=0.72)),
    Doc("06-XX旗交管大队工作报告-图像.pdf", "pdf-image", "公安/2018/003-01.txt",
        "XX旗公安局交通管理大队", "旗公交管〔2019〕5号", "关于2018年度公安交通管理工作情况的报告",
        "旗公安局：", "2019-01-08", 10, first=1,
        scan=Scan(skew=2.8, blur=0.8, noise=7, light=0.15, quality=70)),
    Doc("07-当阳市档案局乡镇档案机构报告-电子版.pdf", "pdf-text", "科技/2012/001-05.txt",
        "当阳市档案局", "当档发〔2012〕33号", "关于乡镇档案机构工作现状与对策的报告", "市人民政府：",
        "2012-09-26", 30),
    Doc("08-某某乡档案工作报告-无ToUnicode.pdf", "pdf-nounicode", "文书/2005/000-03.txt",
        "某某乡人民政府", "乡政发〔2005〕27号", "关于档案工作情况的报告", "县档案局：",
        "2005-12-02", 9),
    Doc("09-当阳市图书馆业务档案通知-CID.pdf", "pdf-cid", "科技/2011/001-02.txt", "当阳市图书馆",
        "当图发〔2011〕4号", "关于加强乡镇图书馆业务档案管理的通知", "各乡镇文化站：",
        "2011-05-20", 11, first=2),
    Doc("10-半月鎮檔案工作報告-繁體.docx", "docx", "文书/2011/000-04t.txt", "半月鎮人民政府",
        "半政發〔2011〕2號", "關於2010年度檔案工作情況的報告", "當陽市檔案局：", "2011-01-05", 3),
)


def make_sheet(doc: Doc, fonts: Fonts) -> Sheet:
    """The printed content: body lines verbatim from the source record."""
    text, _ = decode((REPO / "corpus" / doc.source).read_bytes())
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()][doc.first:]
    if doc.kind == "docx":
        body = tuple((p, True) for p in paragraphs[:doc.lines])
    else:
        body = tuple(take_lines(wrap(paragraphs, fonts), doc.lines))
    sheet = Sheet(doc.org + "文件", doc.number, doc.title, doc.to, body, doc.org,
                  chinese_date(doc.date), doc.security)
    printed = "".join([sheet.header, sheet.number, sheet.title, sheet.to, sheet.security,
                       *(t for t, _ in body)])
    for key in ("serif", "serif_bold"):
        if missing := fonts.missing(key, printed):
            raise SystemExit(f"{doc.name}: the font has no glyph for {''.join(sorted(missing))}")
    return sheet


def scan_images(doc: Doc, pages: list[list], fonts: Fonts) -> list:
    """Rasterise, stamp and degrade every page of one document."""
    rng = np.random.default_rng([SEED, DOCS.index(doc)])
    images = []
    for page in pages:
        im = render(page, fonts)
        for seal in (it for it in page if isinstance(it, Seal)):
            stamp(im, seal, seal_mask(seal, fonts, 300, rng), doc.scan.seal)
        scan = doc.scan
        if len(pages) > 1:        # each sheet lies a little differently on the glass
            scan = replace(scan, skew=scan.skew * rng.uniform(0.5, 1.5))
        images.append(degrade(im, scan, rng))
    return images


def raster_bytes(doc: Doc, images: list) -> bytes:
    buf, dpi, q = io.BytesIO(), (doc.scan.dpi, doc.scan.dpi), doc.scan.quality
    if doc.kind == "png":
        grey = images[0].convert("L")      # scanner "auto levels": paper tone -> white
        grey = grey.point([255 if v >= 215 else round(v * 255 / 215) for v in range(256)])
        grey.save(buf, "PNG", dpi=dpi, optimize=True)
    elif doc.kind == "jpeg":
        images[0].save(buf, "JPEG", dpi=dpi, quality=q, optimize=True)
    elif doc.kind == "tiff":
        pages = [binarise(im) for im in images]
        pages[0].save(buf, "TIFF", dpi=dpi, compression="group4", save_all=True,
                      append_images=pages[1:])
    else:                         # pdf-image: the JPEG-compressed scan, no text layer
        stamp_time = MADE.timetuple()
        images[0].save(buf, "PDF", resolution=float(doc.scan.dpi), quality=q, title="",
                       creationDate=stamp_time, modDate=stamp_time)
    return buf.getvalue()


def text_pdf(pages: list[list], fonts: Fonts, doc: Doc) -> bytes:
    """A born-digital PDF: real text in embedded TrueType subsets, the seal as an image."""
    from fpdf import FPDF
    from PIL import Image
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_creation_date(MADE)
    pdf.set_auto_page_break(False)
    used: dict[str, str] = {}
    for it in (it for page in pages for it in page if isinstance(it, Text)):
        used[it.font] = used.get(it.font, "") + it.text
    rng = np.random.default_rng([SEED, DOCS.index(doc)])
    with tempfile.TemporaryDirectory() as tmp:
        for key, chars in sorted(used.items()):
            truetype_subset(*fonts.files[key], chars, f"{tmp}/{key}.ttf")
            pdf.add_font(key, fname=f"{tmp}/{key}.ttf")
        for page in pages:
            pdf.add_page()
            for it in page:
                if isinstance(it, Text):
                    pdf.set_text_color(*it.color)
                    pdf.set_font(it.font, size=it.size / PT)
                    pdf.text(it.x, it.y, it.text)
                elif isinstance(it, Rule):
                    pdf.set_fill_color(*it.color)
                    pdf.rect(it.x0, it.y - it.width / 2, it.x1 - it.x0, it.width, style="F")
                else:
                    mask = seal_mask(it, fonts, 300, rng) * doc.scan.seal
                    rgba = np.zeros((*mask.shape, 4), np.uint8)
                    rgba[..., :3], rgba[..., 3] = SEAL_RED, (mask * 255).round()
                    with pdf.local_context(blend_mode="Multiply"):
                        pdf.image(Image.fromarray(rgba, "RGBA"), x=it.cx - it.diameter / 2,
                                  y=it.cy - it.diameter / 2, w=it.diameter, h=it.diameter)
        return bytes(pdf.output())


def docx_bytes(sheet: Sheet) -> tuple[bytes, list[str]]:
    """A Word copy: 公文 paragraphs, then an attachment table of 档号/题名 rows."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH as ALIGN
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    d = Document()
    props = d.core_properties
    props.created = props.modified = MADE.replace(tzinfo=None)
    props.title, props.last_modified_by, props.author = "", "", ""
    lines = []

    def para(text: str, size: int, bold=False, color=None, align=None) -> None:
        p = d.add_paragraph()
        run = p.add_run(text)
        run.font.size, run.bold, p.alignment = Pt(size), bold, align
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Serif CJK SC")
        if color:
            run.font.color.rgb = RGBColor(*color)
        lines.append(text)
    para(sheet.header, 36, True, RED, ALIGN.CENTER)
    para(sheet.number, 16, align=ALIGN.CENTER)
    para(sheet.title, 22, True, align=ALIGN.CENTER)
    para(sheet.to, 16)
    for text, _ in sheet.body:
        para(text, 16)
    para(sheet.office, 16, align=ALIGN.RIGHT)
    para(sheet.date, 16, align=ALIGN.RIGHT)
    para("附件：移交檔案目錄", 16)
    rows = [["檔號", "題名"]] + catalog_rows("半月镇人民政府")
    table = d.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
        lines.append("\t".join(row))
    buf = io.BytesIO()
    d.save(buf)
    return fixed_zip(buf.getvalue()), lines


def catalog_rows(org: str) -> list[list[str]]:
    with open(REPO / "corpus" / "catalog.csv", encoding="utf-8-sig", newline="") as f:
        return [[r["档号"], r["题名"]] for r in csv.DictReader(f) if r["责任者"] == org]


def build(doc: Doc, fonts: Fonts) -> tuple[bytes, list[list[str]]]:
    """File bytes and ground-truth pages (lists of printed lines) of one document."""
    sheet = make_sheet(doc, fonts)
    if doc.kind == "docx":
        data, lines = docx_bytes(sheet)
        return data, [lines]
    pages = layout(sheet, fonts)
    if doc.kind in SINGLE_PAGE and len(pages) > 1:
        raise SystemExit(f"{doc.name}: does not fit on one page; use fewer body lines")
    gt = [[it.text for it in page if isinstance(it, Text)] for page in pages]
    if doc.kind.startswith("pdf-") and doc.kind != "pdf-image":
        data = text_pdf(pages, fonts, doc)
        if doc.kind != "pdf-text":
            data = break_pdf(data, strip_cmap=doc.kind == "pdf-cid")
        return data, gt
    return raster_bytes(doc, scan_images(doc, pages, fonts)), gt


def outputs(doc: Doc, data: bytes, gt: list[list[str]]) -> dict[str, bytes]:
    """The file, its ground truth (pages split by form feeds) and its expected metadata."""
    text = "\f".join("\n".join(lines) for lines in gt) + "\n"
    meta = {"org": doc.org, "doc_number": doc.number, "title": doc.title, "date": doc.date}
    if doc.security:
        meta["security"] = doc.security.split("★")[0]
    meta_json = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    return {doc.name: data, doc.name + ".gt.txt": text.encode("utf-8"),
            doc.name + ".expected.json": meta_json.encode("utf-8")}


def write_outputs(out: Path, files: dict[str, bytes]) -> None:
    """Write the files (main has checked that the folder is empty or --force given)."""
    out.mkdir(parents=True, exist_ok=True)
    for rel, data in sorted(files.items()):
        (out / rel).write_bytes(data)


def distance(a: str, b: str) -> int:
    """Levenshtein distance (characters)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def agreement(text: str, gt: str) -> float:
    """1 - character error rate of text against gt, whitespace removed from both."""
    a, b = "".join(text.split()), "".join(gt.split())
    return max(0.0, 1 - distance(a, b) / max(len(b), 1))


def read_back(path: Path, kind: str) -> tuple[int, str]:
    """Open a generated file as a reader would: (pages, text of its text layer or "")."""
    if kind == "docx":
        from docx import Document
        d = Document(str(path))
        rows = ["\t".join(c.text for c in r.cells) for t in d.tables for r in t.rows]
        return 1, "\n".join([p.text for p in d.paragraphs] + rows)
    if kind.startswith("pdf"):
        from pdfminer.high_level import extract_text
        from pdfminer.pdfpage import PDFPage
        with open(path, "rb") as f:
            pages = sum(1 for _ in PDFPage.get_pages(f))
        return pages, extract_text(path)
    from PIL import Image
    with Image.open(path) as im:
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            im.load()
        return getattr(im, "n_frames", 1), ""


def report(out: Path) -> int:
    """Re-open every file, compare text layers with the ground truth, print a table."""
    problems, total = [], 0
    print(f"{'kind':<14}{'KiB':>6}{'pages':>6}  file: check")
    for doc in DOCS:
        gt = (out / f"{doc.name}.gt.txt").read_text(encoding="utf-8")
        total += sum((out / (doc.name + s)).stat().st_size
                     for s in ("", ".gt.txt", ".expected.json"))
        try:
            pages, text = read_back(out / doc.name, doc.kind)
        except Exception as e:  # noqa: BLE001 - any failure to open is the finding
            problems.append(f"{doc.name}: does not open: {e}")
            continue
        score, clean = agreement(text, gt), "".join(text.split())
        note = f"text layer = gt {score:.1%}" if clean else "opens; no text layer"
        if doc.kind in ("pdf-nounicode", "pdf-cid"):
            note += f"; starts {clean[:80]!r}"
        bad = ((doc.kind in ("pdf-text", "docx") and score < 0.98)
               or (doc.kind in ("pdf-nounicode", "pdf-cid") and score > 0.5)
               or (doc.kind in ("png", "jpeg", "tiff", "pdf-image") and clean)
               or pages != gt.count("\f") + 1)
        if bad:
            problems.append(f"{doc.name}: {note}, {pages} pages")
        size = (out / doc.name).stat().st_size
        print(f"{doc.kind:<14}{size // 1024:>6}{pages:>6}  {doc.name}: {note}")
    print(f"total with ground truth: {total / 2**20:.1f} MiB")
    if total > 12 * 2**20:
        problems.append(f"{out} holds {total / 2**20:.1f} MiB, more than the 12 MiB budget")
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "corpus" / "扫描件",
                        help="output folder (default: corpus/扫描件 in the repo)")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty output folder, replacing only generated files")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()) and not args.force:
        parser.error(f"{args.out} is not empty; use --force to replace the generated files")
    fonts, files, started = Fonts(), {}, time.monotonic()
    for doc in DOCS:
        data, gt = build(doc, fonts)
        files.update(outputs(doc, data, gt))
        print(f"made {doc.name} ({len(data) // 1024} KiB)", flush=True)
    write_outputs(args.out, files)
    print(f"{len(DOCS)} documents in {time.monotonic() - started:.0f} s; checking …")
    return report(args.out)


if __name__ == "__main__":
    sys.exit(main())
