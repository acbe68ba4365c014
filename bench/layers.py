"""Measure how text-layer judging separates good layers from garbage ones (`make bench-layers`).

Good layers: the corpus's born-digital PDF, and PDFs set from the corpus's own texts in four
Noto CJK faces (simplified, traditional, bold), a page of numbers and 文号, a manual mixing
Latin, and Type-3 PDFs whose map is wrong for 5% or 10% of glyphs (mostly right). Garbage:
the same PDFs with their /ToUnicode maps broken each way of tools/layerpdfs.py, and the
corpus's PDF without a /ToUnicode map. Prints the statistics per kind and the verdicts.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from indexer.ingest.pdffile import text_layers
from indexer.ingest.textfile import decode
from indexer.ingest.textlayer import (AGREE, BAD, SUSPECT, agreement, judge_text_layer,
                                      layer_stats)
from tools.layerpdfs import KINDS, break_layer, text_pdf, type3_pdf

REPO = Path(__file__).resolve().parent.parent

SCANS = REPO / "corpus" / "扫描件"
LINE, LINES = 36, 28  # characters per line, lines per page


def corpus_texts(limit: int = 8) -> list[str]:
    """Texts of the corpus (its .txt records and ground truths), decoded as they are stored."""
    texts = [decode(path.read_bytes())[0] for path in sorted(REPO.glob("corpus/**/*.txt"))]
    texts = [t for t in texts if len(t) > 600]
    return texts[:: max(1, len(texts) // limit)][:limit]


def page_lines(text: str, pages: int = 1) -> list[list[str]]:
    flat = "".join(text.split())
    lines = [flat[i:i + LINE] for i in range(0, len(flat), LINE)]
    return [lines[p * LINES:(p + 1) * LINES] for p in range(pages) if lines[p * LINES:]]


NUMBERS = [["档号 题名 日期 页数", "文书-2019-永久-0012 关于2019年档案工作的通知 2019-05-12 3",
            "文书-2019-永久-0013 当政发〔2019〕12号 2019年5月12日 12",
            "文书-2019-30年-0001 2018年度统计报表 2019-01-08 45",
            "科技-2012-长期-0101 城建档案移交清单 2012-11-30 7",
            "合计：4 件 67 页 附件 1 2 3 电话 0717-3221234",
            "编号 GB/T 9704-2012 ISO 15489 DA/T 22-2015 第3页 共7页"]]
NAMES = [["姓名 性别 出生年月 单位 职务"] + [
    f"{n} {'男女'[i % 2]} 19{60 + i}年{i % 12 + 1}月 {u} {d}" for i, (n, u, d) in enumerate([
        ("王建成", "半月镇人民政府", "镇长"), ("李秀英", "当阳市档案局", "科员"),
        ("张伟", "大树镇财政所", "所长"), ("刘桂芳", "东城街道办事处", "主任"),
        ("陈志强", "某某乡计生办", "干事"), ("杨丽娟", "青山镇中心学校", "教师"),
        ("赵德胜", "河溶镇水利站", "站长"), ("黄晓燕", "玉阳街道", "副主任"),
        ("周国平", "王店镇农技站", "技术员"), ("吴海涛", "庙前镇卫生院", "医师"),
        ("郑淑珍", "两河镇民政办", "会计"), ("孙宏伟", "淯溪镇派出所", "民警")])]]
MANUAL = [["第3章 安装与设置", "1. 打开 File 菜单，选择 Settings（设置）。",
           "2. 在 Network 选项卡中输入服务器地址 192.168.1.10 和端口 8080。",
           "3. 点击 OK 保存。美国和日本的用户请选择 English (US) 语言包。",
           "注意：Windows 10 和 macOS 12 以上版本支持 USB 3.0 接口的扫描仪。",
           "如果出现 Error 404，请检查网络连接，或联系系统管理员。",
           "本手册适用于 Version 2.1 及以后的版本，旧版本请参阅附录 B。"]]


CLEAN, MOSTLY, GARBAGE = "clean", "mostly right", "garbage"


def samples(tmp: Path) -> list[tuple[str, str, Path]]:
    """(kind, CLEAN|MOSTLY|GARBAGE, pdf) for every sample."""
    import opencc

    out = [("corpus 电子版", CLEAN, SCANS / "07-当阳市档案局乡镇档案机构报告-电子版.pdf"),
           ("corpus 无ToUnicode", GARBAGE, SCANS / "08-某某乡档案工作报告-无ToUnicode.pdf")]
    s2t = opencc.OpenCC("s2t")
    made: list[tuple[str, bytes]] = []
    for n, text in enumerate(corpus_texts()):
        face = ("serif", "sans", "bold", "tc")[n % 4]
        if face == "tc":
            text = s2t.convert(text)
        made.append((f"good {'traditional' if face == 'tc' else face}",
                     text_pdf(page_lines(text, 2), face)))
    made += [("good numbers", text_pdf(NUMBERS, "sans")), ("good manual", text_pdf(MANUAL)),
             ("good names", text_pdf(NAMES, "sans", 10))]
    for n, (kind, data) in enumerate(made):
        out.append((kind, CLEAN, _save(tmp, f"g{n}", data)))
        for k in KINDS:
            out.append((f"bad {k}", GARBAGE, _save(tmp, f"b{n}{k}", break_layer(data, k, n))))
    texts = corpus_texts(4)
    for wrong in (0.05, 0.10):
        for n, text in enumerate(texts[:2]):
            out.append((f"type3 {wrong:.0%} wrong", CLEAN if wrong < 0.1 else MOSTLY,
                        _save(tmp, f"t{wrong}{n}", type3_pdf(page_lines(text), wrong, n))))
        out.append((f"type3 manual {wrong:.0%}", CLEAN if wrong < 0.1 else MOSTLY, _save(tmp, f"tm{wrong}",
                                                        type3_pdf(MANUAL, wrong))))
    return out


def _save(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / f"{name}.pdf"
    path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> int:
    """With --ocr, also OCR one page of each kind and print its agreement with the layer."""
    with_ocr = "--ocr" in (sys.argv[1:] if argv is None else argv)
    rows: dict[str, list] = {}
    agreed: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, truth, path in samples(Path(tmp)):
            for index, layer in enumerate(text_layers(path, 100)):
                verdict = judge_text_layer(layer)
                rows.setdefault(kind, []).append((truth, verdict, layer_stats(layer)))
                if with_ocr and kind not in agreed and layer_stats(layer).chars >= 20:
                    agreed[kind] = agreement(layer, ocr_text(path, index))
    keys = list(BAD)
    print(f"{'kind':<22}{'pages':>6}  " + "".join(f"{k + ' (min-med-max)':>22}" for k in keys)
          + f"{'ok':>5}{'suspect':>8}{'bad':>5}" + (f"{'agree':>7}" if with_ocr else ""))
    missed = []
    for kind, found in rows.items():
        cells = []
        for key in keys:
            values = [getattr(st, key) for _t, _v, st in found if st.chars]
            cells.append(f"{min(values):.2f}-{statistics.median(values):.2f}-{max(values):.2f}"
                         if values else "-")
        states = [v.state for _t, v, _s in found]
        print(f"{kind:<22}{len(found):>6}  " + "".join(f"{c:>22}" for c in cells)
              + f"{states.count('ok'):>5}{states.count('suspect'):>8}{states.count('bad'):>5}"
              + (f"{agreed.get(kind, float('nan')):>7.2f}" if with_ocr else ""))
        missed += [(kind, v.state) for t, v, _s in found
                   if (t == CLEAN and v.state != "ok") or (t == GARBAGE and v.state == "ok")
                   or (t == MOSTLY and v.state == "bad")]
    print(f"\nthresholds: ok past none of {SUSPECT}, bad past any of {BAD}; "
          f"a suspect layer is kept when its agreement with the OCR is >= {AGREE}")
    print(f"clean pages not ok, garbage pages ok, mostly-right pages bad: {len(missed)} "
          f"{missed or ''}")
    return 1 if missed else 0


def ocr_text(path: Path, index: int) -> str:
    """Tesseract's reading of one page, as the indexer would get it (no cache)."""
    from indexer.ingest.ocrcache import OcrRunner
    from indexer.ingest.pdffile import render_page
    from ocr.settings import OcrSettings

    runner = OcrRunner(OcrSettings(), None)
    return runner.page("bench", index, lambda: render_page(path, index)).text


if __name__ == "__main__":
    sys.exit(main())
