"""Generated 公文-style test scans (red header, 文号, red rule, body, red seal) and their variants.

Body sentences come from corpus/文书/2016/000-07.txt (a public 范文 text, see corpus/README.md),
with fullwidth punctuation as a printed 公文 has it. Run `python tests/ocr_images.py [OUT_DIR]`
to print the per-step CER table (ocr.evaluate) and optionally save the pages as PNG.
"""
from __future__ import annotations

import io
import math
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HEADER = "新塘县人民政府文件"
DOC_NUMBER = "新政发〔2019〕3号"
TITLE = "关于做好档案保密工作的通知"
SALUTATION = "各乡镇人民政府，县直各单位："
PARAGRAPHS = (
    "我镇辖区内机动车保有量大，道路环境复杂，存在很大的安全隐患。为了认真落实“安全第一，"
    "预防为主”的方针，结合我镇实际，采取一系列措施对我镇的道路交通安全进行规范化管理。",
    "我镇对辖区内的机动车明确了责任人，把各项措施落实到单位，落实到个人。严格执行道路交通"
    "安全法律、法规和各项制度。",
)
SIGNATURE = "新塘县人民政府"
DATE = "二〇一九年五月十二日"
SEAL_TEXT = "新塘县人民政府"

DPI = 300
WIDTH = 1400
MARGIN = 110
BODY_SIZE = 40
CHARS_PER_LINE = 30
PAPER = (250, 248, 242)
INK = (25, 25, 25)
RED = (214, 32, 38)

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-{w}.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{w}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-{w}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{w}.ttc",
)
SC_INDEX = 2  # face index of the Simplified Chinese face inside Noto CJK collections


@lru_cache(maxsize=None)
def font_path(weight: str = "Regular") -> str | None:
    """Path of a Noto CJK collection, or None when no CJK font is installed."""
    for pattern in FONT_CANDIDATES:
        if Path(pattern.format(w=weight)).exists():
            return pattern.format(w=weight)
    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", f"Noto Serif CJK SC:style={weight}"],
            capture_output=True, text=True, check=False,
        ).stdout.strip()
        if out.endswith((".ttc", ".otf", ".ttf")) and "CJK" in out:
            return out
    return None


def font(size: int, weight: str = "Regular") -> ImageFont.FreeTypeFont:
    path = font_path(weight) or font_path("Regular")
    if path is None:
        raise RuntimeError("no CJK font (apt-get install fonts-noto-cjk)")
    index = SC_INDEX if path.endswith(".ttc") else 0
    return ImageFont.truetype(path, size, index=index)


def body_lines() -> list[str]:
    """Body paragraphs wrapped at CHARS_PER_LINE, each paragraph indented by two spaces."""
    lines = [SALUTATION]
    for paragraph in PARAGRAPHS:
        text = "\u3000\u3000" + paragraph
        lines += [text[i:i + CHARS_PER_LINE] for i in range(0, len(text), CHARS_PER_LINE)]
    return lines


def ground_truth() -> str:
    """The page's text in reading order, one printed line per line."""
    lines = [HEADER, DOC_NUMBER, TITLE, *body_lines(), SIGNATURE, DATE]
    return "\n".join(line.replace("\u3000", "") for line in lines) + "\n"


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, fnt, fill) -> None:
    width = draw.textlength(text, font=fnt)
    draw.text(((WIDTH - width) / 2, y), text, font=fnt, fill=fill)


def _seal(diameter: int) -> Image.Image:
    """A round red seal (ring, star, text along the upper arc) as an L mask (255 = ink)."""
    mask = Image.new("L", (diameter, diameter), 0)
    draw = ImageDraw.Draw(mask)
    r = diameter / 2
    draw.ellipse((4, 4, diameter - 5, diameter - 5), outline=255, width=9)
    star = [
        (r + (r * 0.26 if k % 2 == 0 else r * 0.1) * math.sin(math.pi * k / 5),
         r - (r * 0.26 if k % 2 == 0 else r * 0.1) * math.cos(math.pi * k / 5))
        for k in range(10)
    ]
    draw.polygon(star, fill=255)
    fnt = font(int(diameter * 0.15), "Bold")
    n = len(SEAL_TEXT)
    for k, char in enumerate(SEAL_TEXT):
        angle = -70 + 140 * k / (n - 1)
        glyph = Image.new("L", (fnt.size + 8, fnt.size + 8), 0)
        ImageDraw.Draw(glyph).text((4, 0), char, font=fnt, fill=255)
        glyph = glyph.rotate(-angle, resample=Image.BICUBIC)
        rad = math.radians(angle)
        cx = r + (r * 0.68) * math.sin(rad) - glyph.width / 2
        cy = r - (r * 0.68) * math.cos(rad) - glyph.height / 2
        mask.paste(255, (int(cx), int(cy)), glyph)
    return mask


@lru_cache(maxsize=None)
def clean_page() -> Image.Image:
    """The 300-dpi page: red header, 文号, red rule, title, body, signature, date under a seal."""
    lines = body_lines()
    height = 560 + 64 * len(lines) + 330
    page = Image.new("RGB", (WIDTH, height), PAPER)
    draw = ImageDraw.Draw(page)
    _centered(draw, 90, HEADER, font(88, "Bold"), RED)
    _centered(draw, 250, DOC_NUMBER, font(BODY_SIZE), INK)
    draw.rectangle((MARGIN, 322, WIDTH - MARGIN, 327), fill=RED)
    _centered(draw, 370, TITLE, font(54, "Bold"), INK)
    body = font(BODY_SIZE)
    y = 480
    for line in lines:
        draw.text((MARGIN, y), line, font=body, fill=INK)
        y += 64
    y += 60
    right = WIDTH - MARGIN - 60
    for text in (SIGNATURE, DATE):
        draw.text((right - draw.textlength(text, font=body), y), text, font=body, fill=INK)
        y += 64
    seal = _seal(300)
    ink = np.asarray(seal, dtype=np.float32)[..., None] / 255.0 * 0.8  # semi-transparent
    box = (right - 420, y - 290)
    region = np.asarray(page.crop((*box, box[0] + 300, box[1] + 300)), dtype=np.float32)
    tinted = region * (1 - ink) + region * (np.array(RED) / 255.0) * ink  # multiply blend
    page.paste(Image.fromarray(tinted.astype(np.uint8)), box)
    page = page.filter(ImageFilter.GaussianBlur(0.7))
    page.info["dpi"] = (DPI, DPI)
    return page


def text_image(lines: list[str] | str, size: int = BODY_SIZE, pad: int = 40) -> Image.Image:
    """A small page of black lines on paper (RGB, 300 dpi)."""
    lines = [lines] if isinstance(lines, str) else lines
    fnt = font(size)
    width = int(max(fnt.getlength(line) for line in lines)) + 2 * pad
    page = Image.new("RGB", (width, 2 * pad + int(size * 1.6) * len(lines)), PAPER)
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((pad, pad + int(size * 1.6) * i), line, font=fnt, fill=INK)
    return _with_dpi(page)


def _with_dpi(image: Image.Image, dpi: int = DPI) -> Image.Image:
    image.info["dpi"] = (dpi, dpi)
    return image


def skewed(page: Image.Image, degrees: float = 2.0) -> Image.Image:
    return _with_dpi(page.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=PAPER))


def noisy(page: Image.Image, sigma: float = 22.0, seed: int = 3) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = np.asarray(page, dtype=np.float32)
    noise = rng.normal(0.0, sigma, pixels.shape[:2])[..., None]
    return _with_dpi(Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8)))


def jpeg(page: Image.Image, quality: int = 60) -> Image.Image:
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=quality)
    return _with_dpi(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def low_dpi(page: Image.Image, dpi: int = 150) -> Image.Image:
    size = (page.width * dpi // DPI, page.height * dpi // DPI)
    return _with_dpi(page.resize(size, Image.LANCZOS), dpi)


def shadowed(page: Image.Image, darkest: float = 0.35) -> Image.Image:
    """Uneven lighting: the page darkens towards its left edge (a book-fold shadow)."""
    pixels = np.asarray(page, dtype=np.float32)
    ramp = np.linspace(darkest, 1.0, page.width, dtype=np.float32) ** 0.5
    return _with_dpi(Image.fromarray((pixels * ramp[None, :, None]).astype(np.uint8)))


def variants() -> dict[str, Image.Image]:
    """Named test pages: the clean page and one degradation each, plus all of them at once."""
    page = clean_page()
    return {
        "clean": page,
        "skew2": skewed(page, 2.0),
        "noise": noisy(page),
        "jpeg60": jpeg(page, 60),
        "dpi150": low_dpi(page, 150),
        "shadow": shadowed(page),
        "scan": jpeg(noisy(skewed(page, -1.5), 15.0), 70),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ocr.evaluate import print_step_table

    pages = variants()
    if len(sys.argv) > 1:
        out = Path(sys.argv[1])
        out.mkdir(parents=True, exist_ok=True)
        for name, image in pages.items():
            image.save(out / f"{name}.png", dpi=image.info["dpi"])
    print_step_table(pages, ground_truth())
