"""Build the drawn look-alike table (indexer/analysis/glyphs.tsv): characters whose glyphs
cover nearly the same strokes.

`python tools/glyphs.py` (`make confusions` runs it too): draws the most frequent Chinese
characters (tools/confusions.py's choice) in several Debian fonts, thickens each glyph's
strokes by a pixel (a scan's blur), and compares every two by the share of ink they have in
common (intersection over union), in the font where they differ most. A pair is kept when
it is among a character's --top closest so and at least --min-share alike. Tesseract's own misreads of clean
rendered text (confusions.tsv) miss confusions that only a worn or blurred scan makes
(青/育, 己/已, 未/末): this table adds them, from the shapes alone.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))

from confusions import common_chars, drawing_fonts  # noqa: E402

OUT = REPO / "indexer" / "analysis" / "glyphs.tsv"
SIZE = 40  # pixels a side: a character of 小四 scanned at 200 dpi is about 30


def ink(chars: list[str], file: str, index: int) -> np.ndarray:
    """One row per character: its glyph's pixels, strokes thickened by one pixel."""
    font = ImageFont.truetype(file, SIZE, index=index)
    out = np.zeros((len(chars), SIZE * SIZE), np.float32)
    for i, ch in enumerate(chars):
        image = Image.new("L", (SIZE, SIZE), 0)
        ImageDraw.Draw(image).text((0, 0), ch, 255, font=font, anchor="lt")
        out[i] = (np.asarray(image.filter(ImageFilter.MaxFilter(3))) > 100).ravel()
    return out


def shared_ink(pixels: np.ndarray) -> np.ndarray:
    """Intersection over union of every two rows (0 on the diagonal)."""
    both = pixels @ pixels.T
    sizes = pixels.sum(axis=1)
    share = both / np.maximum(sizes[:, None] + sizes[None, :] - both, 1)
    np.fill_diagonal(share, 0)
    return share


def pairs(chars: list[str], shares: list[np.ndarray], top: int,
          least: float) -> list[tuple[str, str, float]]:
    """(character, look-alike, share in the font where they differ most): per character its
    `top` closest by that share, at least `least` alike."""
    worst = np.minimum.reduce(shares)
    out = []
    for i, ch in enumerate(chars):
        for j in np.argsort(-worst[i])[:top].tolist():
            if worst[i, j] >= least:
                out.append((ch, chars[j], float(worst[i, j])))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=3500, help="most frequent characters")
    parser.add_argument("--fonts", default="noto-sans,uming,ukai")
    parser.add_argument("--top", type=int, default=3, help="closest characters kept per one")
    parser.add_argument("--min-share", type=float, default=0.6)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    started = time.monotonic()
    fonts = drawing_fonts(args.fonts)
    chars, _holding = common_chars(args.chars)
    shares = [shared_ink(ink(chars, file, index)) for file, index in fonts.values()]
    rows = pairs(chars, shares, args.top, args.min_share)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(f"# tools/glyphs.py: {len(chars)} characters drawn in {', '.join(sorted(fonts))};"
                f" among the {args.top} closest in every font, ink shared >= {args.min_share}\n")
        f.write("char\tlookalike\tshare\n")
        for a, b, share in rows:
            f.write(f"{a}\t{b}\t{share:.2f}\n")
    print(f"{len(rows)} pairs of {len(chars)} characters written to {args.out} in "
          f"{time.monotonic() - started:.0f} s; first: "
          + " ".join(f"{a}{b}" for a, b, _s in rows[:40]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
