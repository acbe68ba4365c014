"""Drawing and degrading 公文 pages (红头文件), and PDF/zip plumbing, for tools/make_scans.py.

Layout is computed once, in millimetres on an A4 sheet, as a list of items per page
(text lines, rules, a seal); the same items are rasterised with Pillow for the scans and
drawn with fpdf2 for the born-digital PDFs.  Measures follow GB/T 9704-2012 loosely: a
156 mm text block from 28 mm on the left, 3号 (16 pt) body text at a 10.2 mm pitch,
a 2号 (22 pt) title, a red 发文机关标志 and rule, a 42 mm round seal over the signature.
"""
from __future__ import annotations

import io
import math
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

PT = 25.4 / 72                      # millimetres per point
LEFT, WIDTH, TOP, BOTTOM = 28.0, 156.0, 37.0, 262.0
BODY, TITLE, PITCH = 16 * PT, 22 * PT, 10.2
PAGE_MM = (210.0, 297.0)
RED, BLACK, SEAL_RED = (214, 18, 24), (20, 20, 20), (205, 28, 36)
PAPER, BED = (252, 251, 246), (232, 232, 229)
NO_START = "，。、；：？！）》」』”’〕】,.;:?!)%"
NO_END = "（《「『“‘〔【("
STOPS = "。；！？"
FONT_QUERIES = {"serif": "Noto Serif CJK SC:style=Regular",
                "serif_bold": "Noto Serif CJK SC:style=Bold",
                "sans_bold": "Noto Sans CJK SC:style=Bold"}
CN_DIGITS = "〇一二三四五六七八九"


@dataclass(frozen=True)
class Text:
    x: float
    y: float                         # baseline
    text: str
    font: str
    size: float                      # em size in mm
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Rule:
    x0: float
    x1: float
    y: float
    width: float
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Seal:
    cx: float
    cy: float
    diameter: float
    office: str


@dataclass(frozen=True)
class Sheet:
    """The printed content of one 公文; body lines are (text, indented) pairs."""
    header: str
    number: str
    title: str
    to: str
    body: tuple[tuple[str, bool], ...]
    office: str
    date: str
    security: str = ""


@dataclass(frozen=True)
class Scan:
    """How one document is degraded; blur is a radius in pixels at 300 dpi."""
    dpi: int = 300
    skew: float = 0.0
    blur: float = 0.0
    noise: float = 0.0
    light: float = 0.0
    quality: int = 85
    seal: float = 0.85


def find_font(query: str, family: str = "CJK",
              package: str = "fonts-noto-cjk") -> tuple[str, int]:
    """(file, face index) of the face fontconfig answers `query` with, which must name
    `family` (a Noto CJK face by default); exits with the package to install if missing."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", query],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise SystemExit(f"fc-match not found: apt-get install fontconfig {package}") from e
    file, index, families = (out.split("\n") + ["", "", ""])[:3]
    if family not in families:
        raise SystemExit(f"no {family} font for {query!r} (fontconfig offers {families!r}): "
                         f"apt-get install {package}")
    return file, int(index or 0)


class Fonts:
    """The three faces used on a page, as Pillow fonts and as (file, index) pairs."""

    def __init__(self) -> None:
        self.files = {key: find_font(q) for key, q in FONT_QUERIES.items()}

    @lru_cache(maxsize=64)
    def pil(self, key: str, px: int) -> ImageFont.FreeTypeFont:
        file, index = self.files[key]
        return ImageFont.truetype(file, px, index=index)

    def width(self, key: str, text: str, size: float) -> float:
        return self.pil(key, 1000).getlength(text) / 1000 * size

    def missing(self, key: str, text: str) -> set[str]:
        from fontTools.ttLib import TTFont
        file, index = self.files[key]
        cmap = TTFont(file, fontNumber=index, lazy=True).getBestCmap()
        return {ch for ch in set(text) if ord(ch) not in cmap and not ch.isspace()}


def chinese_date(iso: str) -> str:
    """'2019-05-12' -> '二〇一九年五月十二日'."""
    y, m, d = (int(p) for p in iso.split("-"))

    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ((CN_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
                + (CN_DIGITS[ones] if ones or not tens else ""))
    return "".join(CN_DIGITS[int(c)] for c in str(y)) + f"年{small(m)}月{small(d)}日"


def wrap(paragraphs: list[str], fonts: Fonts, key: str = "serif", size: float = BODY,
         width: float = WIDTH) -> list[tuple[str, bool, bool]]:
    """Break paragraphs into printed lines: (text, indented, ends paragraph); simple 禁则."""
    out = []
    for para in paragraphs:
        lines, cur, avail = [], "", width - 2 * size
        for ch in para:
            if cur and fonts.width(key, cur + ch, size) > avail and ch not in NO_START:
                carry = ""
                while cur and cur[-1] in NO_END:
                    cur, carry = cur[:-1], cur[-1] + carry
                lines.append(cur)
                cur, avail = carry, width
            cur += ch
        lines.append(cur)
        out += [(text, i == 0, i == len(lines) - 1) for i, text in enumerate(lines)]
    return out


def take_lines(lines: list[tuple[str, bool, bool]], n: int) -> list[tuple[str, bool]]:
    """The first n lines at most, cut back so the last one ends a sentence."""
    lines = list(lines[:n])
    while lines:
        text, indent, _ = lines[-1]
        cut = max(text.rfind(c) for c in STOPS)
        if cut >= 0:
            lines[-1] = (text[:cut + 1], indent, True)
            return [(t, i) for t, i, _ in lines]
        lines.pop()
    raise ValueError("no sentence end in the selected lines")


def centred(text: str, key: str, size: float, color, y: float, fonts: Fonts) -> Text:
    return Text(LEFT + (WIDTH - fonts.width(key, text, size)) / 2, y, text, key, size, color)


def split_title(title: str, fonts: Fonts) -> list[str]:
    if fonts.width("serif_bold", title, TITLE) <= WIDTH:
        return [title]
    cut = max(i for i in range(1, len(title))
              if fonts.width("serif_bold", title[:i], TITLE) <= WIDTH * 0.62)
    return [title[:cut], title[cut:]]


def layout(sheet: Sheet, fonts: Fonts) -> list[list]:
    """Place everything printed on the sheet; returns pages of Text / Rule / Seal items."""
    page, y = [], 45.0
    if sheet.security:
        page.append(Text(LEFT, y, sheet.security, "sans_bold", BODY, BLACK))
        y += 10.0
    size = min(15.0, WIDTH / fonts.width("serif_bold", sheet.header, 1.0))
    y += size * 0.88
    page.append(centred(sheet.header, "serif_bold", size, RED, y, fonts))
    y += 16.0
    page.append(centred(sheet.number, "serif", BODY, BLACK, y, fonts))
    y += 4.5
    page.append(Rule(LEFT, LEFT + WIDTH, y, 0.7, RED))
    y += 6.0
    for line in split_title(sheet.title, fonts):
        y += 11.0
        page.append(centred(line, "serif_bold", TITLE, BLACK, y, fonts))
    y += 16.0
    page.append(Text(LEFT, y, sheet.to, "serif", BODY, BLACK))
    pages = [page]
    for text, indent in sheet.body:
        y += PITCH
        if y > BOTTOM:
            page, y = [], TOP + 8.0
            pages.append(page)
        page.append(Text(LEFT + (2 * BODY if indent else 0), y, text, "serif", BODY, BLACK))
    if y + 3 * PITCH > BOTTOM:
        page, y = [], TOP + 8.0 - PITCH
        pages.append(page)
    right = LEFT + WIDTH - 4 * BODY
    dx = right - fonts.width("serif", sheet.date, BODY)
    cx = (dx + right) / 2
    ow = fonts.width("serif", sheet.office, BODY)
    page.append(Text(cx - ow / 2, y + 2 * PITCH, sheet.office, "serif", BODY, BLACK))
    page.append(Text(dx, y + 3 * PITCH, sheet.date, "serif", BODY, BLACK))
    page.append(Seal(cx, y + 2.5 * PITCH - 4.0, 42.0, sheet.office))
    return pages


def render(page: list, fonts: Fonts, dpi: int = 300) -> Image.Image:
    """Rasterise the text and rules of one page (the seal is stamped separately)."""
    k = dpi / 25.4
    im = Image.new("RGB", (round(PAGE_MM[0] * k), round(PAGE_MM[1] * k)), PAPER)
    draw = ImageDraw.Draw(im)
    for it in page:
        if isinstance(it, Text):
            draw.text((it.x * k, it.y * k), it.text, fill=it.color, anchor="ls",
                      font=fonts.pil(it.font, round(it.size * k)))
        elif isinstance(it, Rule):
            draw.rectangle([it.x0 * k, (it.y - it.width / 2) * k,
                            it.x1 * k, (it.y + it.width / 2) * k], fill=it.color)
    return im


def seal_mask(seal: Seal, fonts: Fonts, dpi: int, rng: np.random.Generator) -> np.ndarray:
    """Ink coverage (0..1) of a round seal: ring, star, office name along the top arc."""
    s = round(seal.diameter * dpi / 25.4)
    im = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(im)
    ring = max(2, round(0.032 * s))
    edge = ring // 2
    draw.ellipse([edge, edge, s - 1 - edge, s - 1 - edge], outline=255, width=ring)
    points = [((0.19 if i % 2 == 0 else 0.075) * s, i * math.pi / 5) for i in range(10)]
    star = [(s / 2 + r * math.sin(a), s / 2 - r * math.cos(a)) for r, a in points]
    draw.polygon(star, fill=255)
    n, span = len(seal.office), min(280.0, 34.0 * len(seal.office))
    cpx = round(min(0.15 * s, 0.9 * 0.36 * s * math.radians(span) / n))
    radius = s / 2 - ring - 0.62 * cpx
    font = fonts.pil("serif_bold", cpx)
    for i, ch in enumerate(seal.office):
        angle = -span / 2 + span * (i + 0.5) / n
        tile = Image.new("L", (2 * cpx, 2 * cpx), 0)
        ImageDraw.Draw(tile).text((cpx, cpx), ch, fill=255, font=font, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        a = math.radians(angle)
        x, y = s / 2 + radius * math.sin(a) - cpx, s / 2 - radius * math.cos(a) - cpx
        im.paste(255, (round(x), round(y)), tile)
    texture = Image.fromarray((rng.uniform(0.45, 1.0, (12, 12)) * 255).astype(np.uint8))
    texture = np.asarray(texture.resize((s, s), Image.Resampling.BICUBIC), np.float32) / 255
    speckle = rng.uniform(0.8, 1.0, (s, s)).astype(np.float32)
    return np.asarray(im, np.float32) / 255 * np.clip(texture * speckle, 0, 1)


def stamp(im: Image.Image, seal: Seal, mask: np.ndarray, alpha: float, dpi: int = 300) -> None:
    """Multiply-blend the seal's ink onto the page in place (ink over text stays dark)."""
    k, s = dpi / 25.4, mask.shape[0]
    box = (round(seal.cx * k - s / 2), round(seal.cy * k - s / 2))
    region = np.asarray(im.crop((*box, box[0] + s, box[1] + s)), np.float32)
    ink = 1 - np.array(SEAL_RED, np.float32) / 255
    region *= 1 - (mask * alpha)[..., None] * ink
    im.paste(Image.fromarray(region.round().astype(np.uint8)), box)


def illumination(size: tuple[int, int], strength: float, rng: np.random.Generator) -> Image.Image:
    """A smooth shading field (gradient from a random side plus vignetting) to multiply by."""
    yy, xx = np.mgrid[0:45, 0:32].astype(np.float32)
    yy, xx = yy / 44, xx / 31
    a = rng.uniform(0, 2 * math.pi)
    grad = xx * math.cos(a) + yy * math.sin(a)
    grad = (grad - grad.min()) / (grad.max() - grad.min())
    vignette = ((xx - 0.5) ** 2 + (yy - 0.5) ** 2) * 2
    field = 1 - strength * (0.7 * grad + 0.3 * vignette)
    small = Image.fromarray((field * 255).round().astype(np.uint8))
    return small.resize(size, Image.Resampling.BICUBIC).convert("RGB")


def degrade(im: Image.Image, scan: Scan, rng: np.random.Generator) -> Image.Image:
    """Scanner and paper effects, in order: shading, skew, blur, resampling, sensor noise."""
    if scan.light:
        im = ImageChops.multiply(im, illumination(im.size, scan.light, rng))
    if scan.skew:
        im = im.rotate(scan.skew, resample=Image.Resampling.BICUBIC, fillcolor=BED)
    if scan.blur:
        im = im.filter(ImageFilter.GaussianBlur(scan.blur))
    if scan.dpi != 300:
        w, h = (round(v * scan.dpi / 300) for v in im.size)
        im = im.resize((w, h), Image.Resampling.LANCZOS)
    if scan.noise:
        arr = np.asarray(im, np.float32)
        grain = rng.standard_normal(arr.shape[:2], dtype=np.float32) * scan.noise
        arr += grain[..., None]
        arr += rng.standard_normal(arr.shape, dtype=np.float32) * (scan.noise / 3)
        im = Image.fromarray(np.clip(arr, 0, 255).round().astype(np.uint8))
    return im


def binarise(im: Image.Image, threshold: int = 150) -> Image.Image:
    """Bilevel page as a black-and-white document scanner makes it (no dithering)."""
    table = [255 if v >= threshold else 0 for v in range(256)]
    return im.convert("L").point(table, "1")


def truetype_subset(file: str, index: int, text: str, out: str) -> None:
    """Write a TrueType-outline subset of a CFF-based Noto CJK face (fpdf2 embeds those well)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont, newTable
    font = TTFont(file, fontNumber=index, recalcTimestamp=False)
    opts = Options(layout_features=[], name_IDs=["*"], notdef_outline=True, hinting=False)
    subsetter = Subsetter(opts)
    subsetter.populate(text=text)
    subsetter.subset(font)
    order, glyphs = font.getGlyphOrder(), font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(out)


def break_pdf(data: bytes, strip_cmap: bool) -> bytes:
    """Remove the fonts' /ToUnicode maps (pdfminer then guesses wrong characters from the
    embedded font's cmap); with strip_cmap also drop that cmap, leaving (cid:NN) runs."""
    import pikepdf
    from fontTools.ttLib import TTFont
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for _, font in sorted(page.Resources.Font.items()):
                if "/ToUnicode" in font:
                    del font["/ToUnicode"]
                stream = font.DescendantFonts[0].FontDescriptor.FontFile2
                tt = TTFont(io.BytesIO(stream.read_bytes()), recalcTimestamp=False)
                if strip_cmap and "cmap" in tt:
                    del tt["cmap"]
                    out = io.BytesIO()
                    tt.save(out)
                    stream.write(out.getvalue())
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member dates so the .docx is byte-for-byte reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)),
                         src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
