"""Born-digital PDFs with good and with broken text layers, for judging text layers.

A good PDF is set by fpdf2 in a Noto CJK face (its /ToUnicode map is right). A broken one is
the same PDF with the map rewritten so the layer decodes to wrong but valid characters:

- `random`: every glyph to a random CJK ideograph (mostly rare ones);
- `common`: every glyph to a random common character (GB2312 level 1);
- `offset`: every code point moved by one (萬 -> 萭: neighbours, often similar);
- `shifted`: the map's entries moved one glyph along (each glyph gets the next one's character);
- `shuffle`: the page's characters permuted among its glyphs (one glyph, one wrong character);
- `repeat`: all glyphs to a handful of characters (轉轉︰針針針…).

`type3_pdf` draws the text with a Type-3 font (glyph outlines as PDF paths) whose map is right
but for a share of its glyphs: a layer that is mostly right.
"""
from __future__ import annotations

import io
import random
import re
import tempfile

from tools.scanlib import find_font, truetype_subset

KINDS = ("random", "common", "offset", "shifted", "shuffle", "repeat")
FACES = {"serif": "Noto Serif CJK SC:style=Regular", "sans": "Noto Sans CJK SC:style=Regular",
         "bold": "Noto Sans CJK SC:style=Bold", "tc": "Noto Serif CJK TC:style=Regular"}
_ENTRY = re.compile(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>")


def text_pdf(pages: list[list[str]], face: str = "serif", size: float = 12, left: float = 20,
             top: float = 25, step: float | None = None) -> bytes:
    """A born-digital A4 PDF, one list of lines per page, in one Noto CJK face: lines from
    (left, top) mm, `step` mm apart (default: 0.55 × the font size)."""
    from fpdf import FPDF

    file, index = find_font(FACES.get(face, face))
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    with tempfile.TemporaryDirectory() as tmp:
        truetype_subset(file, index, "".join("".join(p) for p in pages), f"{tmp}/cjk.ttf")
        pdf.add_font("cjk", fname=f"{tmp}/cjk.ttf")
        for lines in pages:
            pdf.add_page()
            pdf.set_font("cjk", size=size)
            for n, line in enumerate(lines):
                pdf.text(left, top + n * (size * 0.55 if step is None else step), line)
        return bytes(pdf.output())


def common_chars() -> list[str]:
    """The 3,755 characters of GB2312 level 1."""
    return [bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xD8)
            for lo in range(0xA1, 0xFF) if not (hi == 0xD7 and lo > 0xF9)]


def break_layer(data: bytes, kind: str, seed: int = 0) -> bytes:
    """The PDF with every font's /ToUnicode map rewritten the `kind` way (see the module)."""
    import pikepdf

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    rng = random.Random(seed)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        done = set()
        for page in pdf.pages:
            for _name, font in page.Resources.Font.items():
                stream = font.get("/ToUnicode")
                if stream is None or stream.objgen in done:
                    continue
                done.add(stream.objgen)
                stream.write(_remap(stream.read_bytes(), kind, rng))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _remap(cmap: bytes, kind: str, rng: random.Random) -> bytes:
    entries = _ENTRY.findall(cmap)
    chars = [bytes.fromhex(u.decode()).decode("utf-16-be") for _g, u in entries]
    if kind == "random":
        new = [chr(rng.randrange(0x4E00, 0x9FA6)) for _ in chars]
    elif kind == "common":
        pool = common_chars()
        new = [rng.choice(pool) for _ in chars]
    elif kind == "offset":
        new = [chr(ord(c) + 1) if len(c) == 1 and "\u4e00" <= c < "\u9fa5" else c for c in chars]
    elif kind in ("shifted", "shuffle"):  # among the ideographs only
        at = [i for i, c in enumerate(chars) if len(c) == 1 and "\u4e00" <= c <= "\u9fff"]
        moved = [chars[i] for i in at]
        if kind == "shifted":
            moved = moved[1:] + moved[:1]
        else:
            rng.shuffle(moved)
        new = chars[:]
        for i, c in zip(at, moved):
            new[i] = c
    else:  # repeat
        few = ["轉", "針", "︰", "轉", "針"]
        new = [few[i % len(few)] if i % 7 else c for i, c in enumerate(chars)]
    mapping = {g: c.encode("utf-16-be").hex().upper().encode()
               for (g, _u), c in zip(entries, new)}
    return _ENTRY.sub(lambda m: b"<" + m.group(1) + b"> <" + mapping[m.group(1)] + b">", cmap)


def type3_pdf(pages: list[list[str]], wrong: float = 0.05, seed: int = 0,
              face: str = "sans", size: float = 12, swap: dict[str, str] | None = None) -> bytes:
    """The lines drawn with Type-3 fonts made of the face's outlines (up to 255 glyphs per
    font); the /ToUnicode map sends a `wrong` share of the glyphs to another common character,
    and the glyphs of `swap`'s keys to its values (美 -> 关)."""
    import pikepdf
    from fontTools.ttLib import TTFont

    rng = random.Random(seed)
    file, index = find_font(FACES.get(face, face))
    tt = TTFont(file, fontNumber=index, lazy=True)
    cmap, glyphs, hmtx = tt.getBestCmap(), tt.getGlyphSet(), tt["hmtx"]
    scale = 1000 / tt["head"].unitsPerEm
    used = sorted({ch for p in pages for line in p for ch in line if ord(ch) in cmap})
    pool = common_chars()
    slot = {ch: (n // 255, n % 255 + 1) for n, ch in enumerate(used)}
    pdf = pikepdf.new()
    fonts = []
    for f in range(len(used) // 255 + 1):
        chars = [ch for ch in used if slot[ch][0] == f]
        procs, widths, tounicode = {}, [], []
        for code, ch in enumerate(chars, 1):
            name = cmap[ord(ch)]
            width = round(hmtx[name][0] * scale)
            pen = _PdfPen(scale)
            glyphs[name].draw(pen)
            procs[f"/g{code}"] = pikepdf.Stream(
                pdf, f"{width} 0 0 -120 {width} 880 d1\n{pen.ops()}\n".encode())
            widths.append(width)
            shown = rng.choice(pool) if rng.random() < wrong else ch
            shown = (swap or {}).get(ch, shown)
            tounicode.append(f"<{code:02X}> <{shown.encode('utf-16-be').hex().upper()}>")
        cmap_text = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
                     "/CMapName /T3 def /CMapType 2 def\n1 begincodespacerange <00> <FF> "
                     f"endcodespacerange\n{len(tounicode)} beginbfchar\n" + "\n".join(tounicode)
                     + "\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end "
                     "end\n")
        fonts.append(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3,
            FontBBox=[0, -120, 1000, 880], FontMatrix=[0.001, 0, 0, 0.001, 0, 0],
            CharProcs=pikepdf.Dictionary(procs), FirstChar=1, LastChar=len(chars),
            Widths=widths, Resources=pikepdf.Dictionary(),
            Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding, Differences=[1] + [
                pikepdf.Name(f"/g{c}") for c in range(1, len(chars) + 1)]),
            ToUnicode=pikepdf.Stream(pdf, cmap_text.encode())))
    for lines in pages:
        ops = []
        for n, line in enumerate(lines):
            ops.append(f"BT 1 0 0 1 57 {790 - n * size * 1.6:.1f} Tm")
            run_font = None
            for ch in line:
                if ch not in slot:
                    continue
                f, code = slot[ch]
                if f != run_font:
                    ops.append(f"/T{f} {size} Tf")
                    run_font = f
                ops.append(f"<{code:02X}> Tj")
            ops.append("ET")
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(
            {f"/T{f}": pdf.make_indirect(font) for f, font in enumerate(fonts)}))
        page.Contents = pikepdf.Stream(pdf, "\n".join(ops).encode())
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


class _PdfPen:
    """A fontTools pen writing PDF path operators (glyph units scaled to 1000 per em)."""

    def __init__(self, scale: float) -> None:
        self.scale, self.parts = scale, []

    def _xy(self, *points) -> str:
        return " ".join(f"{x * self.scale:.0f} {y * self.scale:.0f}" for x, y in points)

    def moveTo(self, p):  # noqa: N802 (fontTools pen protocol)
        self.parts.append(f"{self._xy(p)} m")

    def lineTo(self, p):  # noqa: N802
        self.parts.append(f"{self._xy(p)} l")

    def curveTo(self, *ps):  # noqa: N802
        while len(ps) > 3:  # a run of off-curve points: split as fontTools does
            ps = ps[1:]
        self.parts.append(f"{self._xy(*ps)} c" if len(ps) == 3 else f"{self._xy(ps[-1])} l")

    def qCurveTo(self, *ps):  # noqa: N802
        self.parts.append(f"{self._xy(ps[-1])} l")

    def closePath(self):  # noqa: N802
        self.parts.append("h")

    def endPath(self):  # noqa: N802
        pass

    def addComponent(self, name, transform):  # noqa: N802
        pass

    def ops(self) -> str:
        return "\n".join(self.parts) + "\nf" if self.parts else ""
