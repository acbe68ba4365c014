"""Single-page scans of red-header documents (红头文件), each with its own body text, for OCR timing.

Drawn with tools/scanlib.py the way tools/make_scans.py does it (layout → render → stamp the
seal → degrade → save), but with body lines from a different corpus paragraph on every page,
because dangan's OCR cache is keyed by file content: identical pages would be read only once.
"""
from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import numpy as np

from .corpus import ORGS, TOPICS, paragraph_source, read_paragraphs
from .progress import say

REPO = Path(__file__).resolve().parent.parent
BODY_LINES = 10  # fits one A4 page with the signature and seal (as make_scans.py does)
SEED = 20240917


def _scanlib():
    """tools/scanlib.py, which is a script helper rather than an installed package."""
    spec = importlib.util.spec_from_file_location("scanlib", REPO / "tools" / "scanlib.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["scanlib"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def scan_name(i: int) -> str:
    return f"scan-{i:03d}.png" if i % 2 == 0 else f"scan-{i:03d}.jpg"


def ensure_scans(folder: Path, k: int, seeds: Path) -> list[Path]:
    """Exactly k scans in `folder`: existing ones are kept, missing ones drawn, others removed."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [folder / scan_name(i) for i in range(k)]
    for extra in set(folder.iterdir()) - set(wanted):
        extra.unlink()  # indexing the folder must see exactly k records
    missing = [i for i, path in enumerate(wanted) if not path.exists()]
    if missing:
        say(f"drawing {len(missing)} scans into {folder.name}/")
        lib = _scanlib()
        fonts = lib.Fonts()
        _source, files = paragraph_source(REPO, seeds)
        paragraphs = list(dict.fromkeys(read_paragraphs(files)))  # distinct, stable order
        for i in missing:
            draw(lib, fonts, i, paragraphs, wanted[i])
    return wanted


def draw(lib, fonts, i: int, paragraphs: list[str], path: Path) -> None:
    """One page: header, 文号, title, body from paragraph i onwards, seal; saved as PNG or JPEG."""
    rng = random.Random(SEED + i)
    org, prefix = ORGS[i % len(ORGS)]
    start = i * 7 % len(paragraphs)  # a different first paragraph for every page
    wrapped = lib.wrap(paragraphs[start:start + 6], fonts)
    try:
        body = lib.take_lines(wrapped, BODY_LINES)
    except ValueError:  # no sentence end in the first lines: print them uncut
        body = [(text, indent) for text, indent, _end in wrapped[:BODY_LINES]]
    year = 1995 + i % 28
    date = f"{year}-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    sheet = lib.Sheet(org + "文件", f"{prefix}〔{year}〕{i + 1}号",
                      f"关于{TOPICS[i % len(TOPICS)]}的通知", "各有关单位：", tuple(body), org,
                      lib.chinese_date(date))
    page = lib.layout(sheet, fonts)[0]  # anything past page one is left off
    im = lib.render(page, fonts)
    nprng = np.random.default_rng([SEED, i])
    for seal in (it for it in page if isinstance(it, lib.Seal)):
        lib.stamp(im, seal, lib.seal_mask(seal, fonts, 300, nprng), 0.85)
    scan = lib.Scan(skew=rng.uniform(-2.0, 2.0), blur=0.6, noise=5, light=0.08)
    im = lib.degrade(im, scan, nprng)
    part = path.with_name(path.name + ".part")
    if path.suffix == ".png":
        grey = im.convert("L")  # scanner "auto levels": paper tone -> white
        grey = grey.point([255 if v >= 215 else round(v * 255 / 215) for v in range(256)])
        grey.save(part, "PNG", dpi=(300, 300))
    else:
        im.save(part, "JPEG", dpi=(300, 300), quality=80)
    part.replace(path)
