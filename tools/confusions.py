"""Build the OCR confusion table (indexer/analysis/confusions.tsv) from dangan's own OCR.

`python tools/confusions.py` (`make confusions`): takes the most frequent Chinese characters
(by jieba's dictionary frequencies, every word's count added to each of its characters),
strings them into lines of real words (jieba's) and adds lines of the sample archive's
公文 text; renders the lines with Pillow in several Debian fonts (Noto Sans/Serif CJK,
AR PL UKai/UMing, WenQuanYi Zen Hei: `tools/system-deps.sh confusions`), at a few sizes,
with mild blur and noise; reads each page with dangan's OCR (chi_sim, the indexer's
pre-processing and text repair); aligns what was read with what was drawn (difflib) and
counts single-character substitutions. Pairs seen at least --min-count times are written,
most frequent first, as `char<TAB>misread_as<TAB>count` (the loader reads both directions).
"""
from __future__ import annotations

import argparse
import difflib
import random
import re
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from indexer.analysis.normalize import normalize_text  # noqa: E402
from ocr import ocr_page  # noqa: E402
from ocr.settings import OcrSettings  # noqa: E402

OUT = REPO / "indexer" / "analysis" / "confusions.tsv"
FONTS = {  # fontconfig family -> short name
    "Noto Sans CJK SC": "noto-sans", "Noto Serif CJK SC": "noto-serif",
    "AR PL UKai CN": "ukai", "AR PL UMing CN": "uming", "WenQuanYi Zen Hei": "wqy-zenhei",
}
SIZES = (24, 28, 34)  # character height in pixels: 小四–三号 text scanned at 150–200 dpi
# characters drawn more often, whatever their frequency: the look-alikes named in issue 13
# (a rare one such as 戍 is outside the most frequent characters, and would never be drawn)
FOCUS = "青育己已未末镇填成戍戊理里"
LINE_CHARS = 18
LINES_PER_PAGE = 14
HAN = re.compile(r"[\u4e00-\u9fff]")
HAN_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")


@dataclass(frozen=True)
class Page:
    """One page to draw and read: its lines, face, size and degradation."""

    lines: tuple[str, ...]
    font: tuple[str, int]
    size: int
    blur: float
    noise: float
    seed: int


def find_fonts(wanted: list[str]) -> dict[str, tuple[str, int]]:
    """short name -> (file, face index) of each installed font among `wanted`."""
    found = {}
    for family, short in FONTS.items():
        if short not in wanted:
            continue
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{index}\n%{family}", family],
                             capture_output=True, text=True, check=False).stdout
        file, index, families = (out.split("\n") + ["", "", ""])[:3]
        if family in families.split(","):
            found[short] = (file, int(index or 0))
        else:
            print(f"font {family!r} not installed (tools/system-deps.sh confusions): skipped",
                  file=sys.stderr)
    return found


def drawing_fonts(names: str) -> dict[str, tuple[str, int]]:
    """find_fonts of comma-separated short names; exits when none is installed."""
    fonts = find_fonts(names.split(","))
    if not fonts:
        raise SystemExit("no font to draw with: tools/system-deps.sh confusions")
    return fonts


def common_chars(n: int, focus: str = "") -> tuple[list[str], dict[str, list[tuple[str, int]]]]:
    """The n most frequent simplified characters of jieba's dictionary, and per character
    the dictionary words (2-4 characters, all among the n) that hold it, most frequent first;
    for a `focus` character, any such words."""
    import jieba

    words = []
    freq: Counter = Counter()
    with open(Path(jieba.__file__).with_name("dict.txt"), encoding="utf-8") as f:
        for line in f:
            word, count = line.split(" ")[:2]
            if HAN.fullmatch(word[0]) and all(HAN.fullmatch(c) for c in word):
                words.append((word, int(count)))
                for ch in word:
                    freq[ch] += int(count)
    chars = [c for c, _ in freq.most_common() if normalize_text(c) == c][:n]
    keep = set(chars)
    holding: dict[str, list[tuple[str, int]]] = {c: [] for c in chars + list(focus)}
    for word, count in sorted(words, key=lambda w: -w[1]):
        if not 2 <= len(word) <= 4:
            continue
        for ch in set(word):
            if ch in holding and len(holding[ch]) < 12 and (ch in focus or set(word) <= keep):
                holding[ch].append((word, count))
    return chars, holding


def word_lines(chars: list[str], holding: dict, rounds: int, rng: random.Random) -> list[str]:
    """Lines of dictionary words in which every character appears `rounds` times or more."""
    words = []
    for _ in range(rounds):
        for ch in chars:
            options = holding.get(ch) or [(ch, 1)]
            words.append(rng.choices([w for w, _ in options], [c for _, c in options])[0])
    rng.shuffle(words)
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) > LINE_CHARS:
            lines.append(line)
            line = ""
        line += word
    return lines + ([line] if line else [])


def archive_lines(limit: int) -> list[str]:
    """Runs of Chinese text from the sample archive's .txt records, cut into lines."""
    lines = []
    for path in sorted((REPO / "corpus").rglob("*.txt")):
        if path.name.endswith(".gt.txt"):
            continue
        try:
            text = normalize_text(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
        for run in HAN_RUN.findall(text):
            lines += [run[i:i + LINE_CHARS] for i in range(0, len(run), LINE_CHARS)]
    return [line for line in lines if len(line) >= 4][:limit]


def plan(lines: list[str], fonts: dict[str, tuple[str, int]], seed: int) -> list[Page]:
    """Every line drawn once per font, at a size and degradation that vary by page."""
    rng = random.Random(seed)
    pages = []
    for short, font in sorted(fonts.items()):
        order = lines[:]
        rng.shuffle(order)
        for i in range(0, len(order), LINES_PER_PAGE):
            pages.append(Page(tuple(order[i:i + LINES_PER_PAGE]), font, rng.choice(SIZES),
                              blur=rng.uniform(0.4, 1.2), noise=rng.uniform(5, 20),
                              seed=rng.randrange(1 << 30)))
    return pages


def draw(page: Page) -> Image.Image:
    """The page's lines in black on white, blurred and noisy as a mediocre scan."""
    font = ImageFont.truetype(page.font[0], page.size, index=page.font[1])
    pitch = round(page.size * 1.9)
    margin = page.size * 2
    width = LINE_CHARS * page.size + 2 * margin
    image = Image.new("L", (width, len(page.lines) * pitch + 2 * margin), 255)
    pen = ImageDraw.Draw(image)
    for n, line in enumerate(page.lines):
        pen.text((margin, margin + n * pitch), line, font=font, fill=20)
    image = image.filter(ImageFilter.GaussianBlur(page.blur))
    rng = np.random.default_rng(page.seed)
    pixels = np.asarray(image, np.float32) + rng.standard_normal(image.size[::-1]) * page.noise
    return Image.fromarray(np.clip(pixels, 0, 255).round().astype(np.uint8))


def read(page: Page) -> tuple[str, str]:
    """(what was drawn, what dangan's OCR read) for one page, both without whitespace."""
    found = ocr_page(draw(page), OcrSettings(languages="chi_sim"))
    return "".join(page.lines), "".join(normalize_text(found.text).split())


def substitutions(truth: str, seen: str) -> Counter:
    """(drawn, read) pairs of Chinese characters read as another after normalisation: the
    equal-length replaced stretches (three characters at most) of difflib's alignment."""
    pairs: Counter = Counter()
    matcher = difflib.SequenceMatcher(None, truth, seen, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace" or i2 - i1 != j2 - j1 or i2 - i1 > 3:
            continue
        for a, b in zip(truth[i1:i2], seen[j1:j2]):
            if HAN.fullmatch(a) and HAN.fullmatch(b) and normalize_text(b) != a:
                pairs[(a, normalize_text(b))] += 1
    return pairs


def write(pairs: Counter, out: Path, min_count: int, note: str) -> list[tuple]:
    """The pairs seen at least min_count times, most frequent first; the rows written."""
    rows = sorted(((a, b, n) for (a, b), n in pairs.items() if n >= min_count),
                  key=lambda r: (-r[2], r[0], r[1]))
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"# {note}\nchar\tmisread_as\tcount\n")
        f.writelines(f"{a}\t{b}\t{n}\n" for a, b, n in rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=3500, help="most frequent characters")
    parser.add_argument("--rounds", type=int, default=1, help="lines holding each character")
    parser.add_argument("--focus", default=FOCUS, help="characters drawn more often")
    parser.add_argument("--focus-rounds", type=int, default=6, help="lines holding each")
    parser.add_argument("--archive-lines", type=int, default=400, help="lines of 公文 text")
    parser.add_argument("--fonts", default=",".join(FONTS.values()))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    started = time.monotonic()
    fonts = drawing_fonts(args.fonts)
    chars, holding = common_chars(args.chars, args.focus)
    lines = word_lines(chars, holding, args.rounds, random.Random(args.seed))
    lines += word_lines(list(args.focus), holding, args.focus_rounds, random.Random(args.seed))
    lines += archive_lines(args.archive_lines)
    pages = plan(lines, fonts, args.seed)
    pairs: Counter = Counter()
    drawn = 0
    with ProcessPoolExecutor(args.workers) as pool:
        for n, (truth, seen) in enumerate(pool.map(read, pages), 1):
            drawn += len(truth)
            pairs += substitutions(truth, seen)
            if n % 20 == 0:
                print(f"{n}/{len(pages)} pages, {sum(pairs.values())} substitutions",
                      file=sys.stderr)
    seconds = time.monotonic() - started
    note = (f"tools/confusions.py: {len(lines)} lines x {len(fonts)} fonts "
            f"({', '.join(sorted(fonts))}), {drawn} characters read with chi_sim; "
            f"pairs seen >= {args.min_count} times")
    rows = write(pairs, args.out, args.min_count, note)
    print(f"{len(pages)} pages, {len(lines) * len(fonts)} lines, {drawn} characters OCR'd, "
          f"{sum(pairs.values())} substitutions, {len(pairs)} distinct pairs, {len(rows)} "
          f"pairs >= {args.min_count} written to {args.out} in {seconds:.0f} s")
    print("top pairs:", " ".join(f"{a}→{b} {n}" for a, b, n in rows[:30]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
