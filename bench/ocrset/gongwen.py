"""A 公文 laid out after GB/T 9704 (loosely): red 发文机关标志 (one organisation, or several
stacked beside 文件), 文号 centred under it, red rule, 2号 title, 主送, 3号 body, signature
with date, round red seal over the signature. Returns page images and the ground truth."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from .draw import RED, Canvas, seal_mask, stamp
from .texts import Document

PT = 25.4 / 72
LEFT, WIDTH, TOP, BOTTOM = 28.0, 156.0, 37.0, 265.0
CN = "〇一二三四五六七八九"
NO_START = "，。、；：？！）》」』”’〕】%"
NO_END = "（《「『“‘〔【"


@dataclass(frozen=True)
class Style:
    body: str = "ming"              # face of the body text
    condense: float = 1.0           # < 1: a horizontally condensed face standing in for 仿宋
    title: str = "zenhei"           # face of the title (黑体 / bold 宋)
    header: str = "serif_bold"      # face of the red header (小标宋 stand-in)
    size: float = 16 * PT           # body em (3号)
    pitch: float = 10.0             # body line pitch
    chinese_date: bool = True       # 二〇一九年五月十二日, else 2019年5月12日
    seal_over_text: bool = False    # the seal reaches up into the last body lines
    seal_face: str = "serif_bold"


def date_text(iso: str, chinese: bool) -> str:
    y, m, d = (int(p) for p in iso.split("-"))
    if not chinese:
        return f"{y}年{m}月{d}日"

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ((CN[tens] if tens > 1 else "") + ("十" if tens else "")
                + (CN[ones] if ones or not tens else ""))
    return "".join(CN[int(c)] for c in str(y)) + f"年{small(m)}月{small(d)}日"


def wrap(canvas: Canvas, paragraph: str, style: Style) -> list[tuple[str, float]]:
    """Printed lines of a paragraph as (text, x offset): first line indented two characters."""
    lines, cur, indent = [], "", 2 * style.size * style.condense
    for ch in paragraph:
        avail = WIDTH - (indent if not lines else 0)
        if cur and ch not in NO_START and \
                canvas.text_width(cur + ch, style.body, style.size, style.condense) > avail:
            carry = ""
            while cur and cur[-1] in NO_END:
                cur, carry = cur[:-1], cur[-1] + carry
            lines.append(cur)
            cur = carry
        cur += ch
    lines.append(cur)
    return [(t, indent if i == 0 else 0.0) for i, t in enumerate(lines)]


def _header(canvas: Canvas, doc: Document, style: Style, y: float) -> tuple[float, list[str]]:
    orgs = (doc.org.name, *doc.joint)
    if len(orgs) == 1:
        text = orgs[0] + "文件"
        size = min(19.0, WIDTH / canvas.text_width(text, style.header, 1.0, 0.78))
        canvas.centred(LEFT + WIDTH / 2, y + size * 0.88, text, style.header, size, RED, 0.78)
        return y + size * 0.88, [text]
    size = min(13.0, 0.75 * WIDTH / max(canvas.text_width(o, style.header, 1.0, 0.78)
                                        for o in orgs))
    wide = max(canvas.text_width(o, style.header, size, 0.78) for o in orgs)
    word = canvas.text_width("文件", style.header, size * 1.3, 0.78)
    x = LEFT + (WIDTH - wide - word - 6) / 2
    for i, org in enumerate(orgs):
        canvas.text(x, y + size * (0.88 + 1.2 * i), org, style.header, size, RED, 0.78)
    last = y + size * (0.88 + 1.2 * (len(orgs) - 1))
    canvas.text(x + wide + 6, (y + size * 0.88 + last) / 2 + size * 0.3, "文件", style.header,
                size * 1.3, RED, 0.78)
    return last, [*orgs, "文件"]


def layout(doc: Document, style: Style, dpi: int, rng: np.random.Generator,
           max_pages: int = 1) -> tuple[list[Image.Image], str]:
    """Pages and ground truth; body paragraphs are dropped until the text fits max_pages."""
    paragraphs = list(doc.paragraphs)
    while True:
        pages, gt = _layout(replace(doc, paragraphs=tuple(paragraphs)), style, dpi, rng)
        if len(pages) <= max_pages or len(paragraphs) <= 2:
            return pages, gt
        del paragraphs[-2]


def _layout(doc: Document, style: Style, dpi: int,
            rng: np.random.Generator) -> tuple[list[Image.Image], str]:
    canvas = Canvas(210, 297, dpi)
    pages, gt = [canvas], []
    y, header_lines = _header(canvas, doc, style, 30.0)
    gt += header_lines
    y += 15.0
    canvas.centred(LEFT + WIDTH / 2, y, doc.doc_number, style.body, style.size,
                   condense=style.condense)
    gt.append(doc.doc_number)
    y += 4.0
    canvas.rule(LEFT, LEFT + WIDTH, y, 0.8, RED)
    y += 6.0
    title_size = 22 * PT
    title_lines = [doc.title]
    if canvas.text_width(doc.title, style.title, title_size) > WIDTH:
        cut = max(i for i in range(1, len(doc.title))
                  if canvas.text_width(doc.title[:i], style.title, title_size) <= WIDTH * 0.66)
        title_lines = [doc.title[:cut], doc.title[cut:]]
    for line in title_lines:
        y += 11.0
        canvas.centred(LEFT + WIDTH / 2, y, line, style.title, title_size)
    gt += title_lines
    y += 15.0
    canvas.text(LEFT, y, doc.to, style.body, style.size, condense=style.condense)
    gt.append(doc.to)
    for paragraph in doc.paragraphs:
        for text, dx in wrap(canvas, paragraph, style):
            y += style.pitch
            if y > BOTTOM:
                canvas = Canvas(210, 297, dpi)
                pages.append(canvas)
                y = TOP + 6.0
            canvas.text(LEFT + dx, y, text, style.body, style.size, condense=style.condense)
            gt.append(text)
    if y + 3 * style.pitch > BOTTOM:
        canvas = Canvas(210, 297, dpi)
        pages.append(canvas)
        y = TOP
    date = date_text(doc.date, style.chinese_date)
    right = LEFT + WIDTH - 4 * style.size
    dw = canvas.text_width(date, style.body, style.size, style.condense)
    ow = canvas.text_width(doc.org.name, style.body, style.size, style.condense)
    cx = right - dw / 2
    canvas.text(cx - ow / 2, y + 2 * style.pitch, doc.org.name, style.body, style.size,
                condense=style.condense)
    canvas.text(right - dw, y + 3 * style.pitch, date, style.body, style.size,
                condense=style.condense)
    gt += [doc.org.name, date]
    seal_name = doc.org.name if len(doc.org.name) <= 12 else doc.org.name[:12]
    mask = seal_mask(dpi, 40.0, seal_name, style.seal_face, rng)
    cy = y + 2.5 * style.pitch - (14.0 if style.seal_over_text else 4.0)
    stamp(canvas, cx + (rng.uniform(-8, 8)), cy, mask, 0.9)
    return [c.im for c in pages], "\n".join(gt) + "\n"


def expected(doc: Document) -> dict[str, str]:
    return {"doc_number": doc.doc_number, "author": doc.org.name, "date": doc.date,
            "title": doc.title}
