"""Pages other than 公文: a ruled table, vertical columns, a small crop of one line."""
from __future__ import annotations

import random

from PIL import Image

from .draw import Canvas
from .gongwen import date_text
from .texts import person


def table_page(title: str, rows: list[list[str]], dpi: int, face: str, head_face: str,
               rng: random.Random) -> tuple[Image.Image, str, dict]:
    """A 登记表 / 统计表 on A4: title, ruled table, who filled it in and when.
    Ground truth reads the table row by row, cells in order."""
    canvas = Canvas(210, 297, dpi)
    canvas.centred(105, 42, title, head_face, 7.0)
    n = len(rows[0])
    widths = [170 / n] * n
    if rows[0][0] == "序号":
        widths = [16, 30, 18, 18, 44, 44]
    bottom = canvas.table(20, 56, widths, rows, face, head_face, 4.6, 11.0)
    iso = f"{rng.randint(2008, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    footer = f"填表人：{person(rng)}"
    when = f"填报日期：{date_text(iso, chinese=False)}"
    canvas.text(24, bottom + 14, footer, face, 4.6)
    canvas.text(120, bottom + 14, when, face, 4.6)
    gt = "\n".join([title] + [" ".join(r) for r in rows] + [f"{footer} {when}"]) + "\n"
    return canvas.im, gt, {"title": title, "date": iso}


def vertical_page(paragraphs: list[str], dpi: int, face: str, chars: int = 16,
                  title: str = "") -> tuple[Image.Image, str]:
    """Text set top to bottom in columns that run right to left (A5 upright); a title
    column first. Ground truth: one line per column, in reading order."""
    size, pitch, gap = 8.0, 9.0, 11.5
    columns = [title] if title else []
    for para in paragraphs:
        columns += [para[i:i + chars] for i in range(0, len(para), chars)]
    width = 2 * 14 + gap * len(columns)
    canvas = Canvas(width, 2 * 18 + pitch * chars, dpi)
    for i, col in enumerate(columns):
        x = width - 14 - gap * (i + 0.5)
        canvas.column(x, 18 + (pitch if i == 0 and title else 0), col, face, size, pitch)
    return canvas.im, "\n".join(columns) + "\n"


def crop(text: str, face: str, px_height: int, rng: random.Random) -> tuple[Image.Image, str]:
    """One line cut from a page at low resolution: a tight margin, the em about px_height
    pixels, a tinted paper."""
    dpi = 300
    size = px_height / dpi * 25.4
    probe = Canvas(1, 1, dpi)
    w = probe.text_width(text, face, size)
    paper = tuple(int(v) for v in (rng.randint(225, 250), rng.randint(225, 248),
                                   rng.randint(210, 240)))
    canvas = Canvas(w + size * 1.2, size * 2.0, dpi, paper)
    canvas.text(size * 0.6, size * 1.35, text, face, size)
    return canvas.im, text + "\n"
