"""Drawing on a page in millimetres at the page's own resolution: text lines (optionally
condensed and letter-spaced), rules, ruled tables, vertical columns and a round seal."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from .fonts import pil

BLACK, RED, SEAL = (24, 22, 20), (200, 22, 30), (196, 30, 42)
PAPER = (250, 249, 244)


class Canvas:
    """One page; text is drawn as an ink mask through which its colour is pasted."""

    def __init__(self, width_mm: float, height_mm: float, dpi: int, paper=PAPER):
        self.k = dpi / 25.4
        self.dpi = dpi
        self.im = Image.new("RGB", (round(width_mm * self.k), round(height_mm * self.k)), paper)

    def px(self, mm: float) -> int:
        return round(mm * self.k)

    def text_width(self, text: str, face: str, size: float, condense: float = 1.0,
                   tracking: float = 0.0) -> float:
        """Width in mm of a line drawn with `text`'s settings."""
        font = pil(face, 200)
        return sum(font.getlength(c) / 200 * size * condense + tracking for c in text) - tracking

    def text(self, x: float, baseline: float, text: str, face: str, size: float,
             color=BLACK, condense: float = 1.0, tracking: float = 0.0) -> None:
        """A line from (x, baseline) in mm; condense < 1 narrows the glyphs (仿宋 stand-in)."""
        font = pil(face, self.px(size))
        em = self.px(size)
        advances = [font.getlength(c) for c in text]
        width = math.ceil(sum(advances) + len(text) * tracking * self.k / condense) + 4
        mask = Image.new("L", (max(1, width), round(em * 1.5)), 0)
        draw = ImageDraw.Draw(mask)
        pos, ascent = 2.0, round(em * 1.15)
        for c, adv in zip(text, advances):
            draw.text((pos, ascent), c, fill=255, font=font, anchor="ls")
            pos += adv + tracking * self.k / condense
        if condense != 1.0:
            mask = mask.resize((max(1, round(mask.width * condense)), mask.height),
                               Image.Resampling.LANCZOS)
        self.im.paste(color, (self.px(x) - 2, self.px(baseline) - ascent), mask)

    def centred(self, cx: float, baseline: float, text: str, face: str, size: float,
                color=BLACK, condense: float = 1.0, tracking: float = 0.0) -> None:
        w = self.text_width(text, face, size, condense, tracking)
        self.text(cx - w / 2, baseline, text, face, size, color, condense, tracking)

    def rule(self, x0: float, x1: float, y: float, width: float, color=BLACK) -> None:
        ImageDraw.Draw(self.im).rectangle(
            [self.px(x0), self.px(y - width / 2), self.px(x1), self.px(y + width / 2)], fill=color)

    def vrule(self, x: float, y0: float, y1: float, width: float, color=BLACK) -> None:
        ImageDraw.Draw(self.im).rectangle(
            [self.px(x - width / 2), self.px(y0), self.px(x + width / 2), self.px(y1)], fill=color)

    def table(self, x: float, y: float, widths: list[float], rows: list[list[str]],
              face: str, head_face: str, size: float, row_h: float) -> float:
        """A ruled table from (x, y); cells centred; returns the y below it."""
        xs = [x]
        for w in widths:
            xs.append(xs[-1] + w)
        for r, row in enumerate(rows):
            top = y + r * row_h
            for c, cell in enumerate(row):
                fit = min(size, 0.92 * widths[c] / max(0.1, self.text_width(cell, face, 1.0)))
                self.centred((xs[c] + xs[c + 1]) / 2, top + row_h / 2 + 0.36 * fit, cell,
                             head_face if r == 0 else face, fit)
        bottom = y + len(rows) * row_h
        for r in range(len(rows) + 1):
            self.rule(x, xs[-1], y + r * row_h, 0.5 if r in (0, len(rows)) else 0.25)
        for i, cx in enumerate(xs):
            self.vrule(cx, y, bottom, 0.5 if i in (0, len(xs) - 1) else 0.25)
        return bottom

    def column(self, x: float, top: float, text: str, face: str, size: float,
               pitch: float, color=BLACK) -> None:
        """Characters top to bottom, centred on x; punctuation sits in the cell's upper right."""
        font = pil(face, self.px(size))
        draw = ImageDraw.Draw(self.im)
        for i, c in enumerate(text):
            cy = top + (i + 0.5) * pitch
            if c in "，。、；：":
                draw.text((self.px(x + size * 0.3), self.px(cy - size * 0.25)), c, fill=color,
                          font=font, anchor="mm")
            else:
                draw.text((self.px(x), self.px(cy)), c, fill=color, font=font, anchor="mm")


def seal_mask(dpi: int, diameter: float, name: str, face: str,
              rng: np.random.Generator) -> np.ndarray:
    """Ink coverage (0..1) of a round seal: ring, five-pointed star, the name on the upper
    arc, patchy ink."""
    s = round(diameter * dpi / 25.4)
    im = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(im)
    ring = max(2, round(0.035 * s))
    draw.ellipse([ring // 2, ring // 2, s - 1 - ring // 2, s - 1 - ring // 2], outline=255,
                 width=ring)
    star = [(s / 2 + (0.18 if i % 2 == 0 else 0.07) * s * math.sin(i * math.pi / 5),
             s / 2 - (0.18 if i % 2 == 0 else 0.07) * s * math.cos(i * math.pi / 5))
            for i in range(10)]
    draw.polygon(star, fill=255)
    n = len(name)
    span = min(250.0, 30.0 * n)
    cpx = round(min(0.14 * s, 0.85 * 0.37 * s * math.radians(span) / n))
    font = pil(face, cpx)
    radius = s / 2 - ring - 0.65 * cpx
    for i, ch in enumerate(name):
        angle = -span / 2 + span * (i + 0.5) / n
        tile = Image.new("L", (2 * cpx, 2 * cpx), 0)
        ImageDraw.Draw(tile).text((cpx, cpx), ch, fill=255, font=font, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.Resampling.BILINEAR)
        a = math.radians(angle)
        im.paste(255, (round(s / 2 + radius * math.sin(a) - cpx),
                       round(s / 2 - radius * math.cos(a) - cpx)), tile)
    blotch = Image.fromarray((rng.uniform(0.35, 1.0, (9, 9)) * 255).astype(np.uint8))
    blotch = np.asarray(blotch.resize((s, s), Image.Resampling.BILINEAR), np.float32) / 255
    return np.asarray(im, np.float32) / 255 * np.clip(blotch * rng.uniform(0.75, 1, (s, s)), 0, 1)


def stamp(canvas: Canvas, cx: float, cy: float, mask: np.ndarray, alpha: float,
          color=SEAL) -> None:
    """Multiply the seal's ink onto the page (text under it stays dark)."""
    s = mask.shape[0]
    box = (canvas.px(cx) - s // 2, canvas.px(cy) - s // 2)
    region = np.asarray(canvas.im.crop((*box, box[0] + s, box[1] + s)), np.float32)
    ink = 1 - np.array(color, np.float32) / 255
    region *= 1 - (mask * alpha)[..., None] * ink
    canvas.im.paste(Image.fromarray(region.round().astype(np.uint8)), box)
