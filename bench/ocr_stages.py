"""`python -m bench.ocr_stages`: where OCR time goes per page, per group of the neutral set.

One process, pages one after another (no workers): CPU seconds per page (the load of other
programs left out) for plain Tesseract
(psm 3, no pre-processing, the throughput baseline), dangan's pre-processing, its Tesseract
body pass and red-header pass, PP-OCR's detection, direction classifier and recognition
(rapidocr's own timings), and the whole auto pipeline with the candidates it ran. A table,
not a test: run it to see what an engine change would save.
"""
from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import replace

import numpy as np

from ocr import ocr_page, ppocr
from ocr.auto import AutoEngine
from ocr.engine import TesseractEngine
from ocr.preprocess import prepare
from ocr.settings import OcrSettings

from .ocr import collect, cpu_seconds, page_images
from .ocrset.build import DEFAULT_SEED, GROUPS

STAGES = ("plain", "prepare", "tess_body", "tess_header", "pp_det", "pp_cls", "pp_rec",
          "auto")


def timed(fn, *args):
    """fn(*args) and the CPU seconds it took (tesseract children included)."""
    started = cpu_seconds()
    value = fn(*args)
    return value, cpu_seconds() - started


def page_stages(image, settings: OcrSettings, auto: AutoEngine) -> tuple[dict, list[str]]:
    """Seconds per stage for one page; the candidates auto ran (in order)."""
    tess = TesseractEngine()
    out = {}
    rgb = image.convert("RGB")
    _, out["plain"] = timed(tess.recognize, rgb, replace(settings, preprocess=False, psm=3))
    prepared, out["prepare"] = timed(prepare, image, settings)
    _, out["tess_body"] = timed(tess.recognize, prepared.image, settings)
    out["tess_header"] = 0.0
    if prepared.header is not None:
        _, out["tess_header"] = timed(tess.recognize, prepared.header, replace(settings, psm=6))
    found, spent = ppocr.load()(np.asarray(rgb)[:, :, ::-1])
    out["pp_det"], out["pp_cls"], out["pp_rec"] = (spent or [0, 0, 0]) + [0] * (3 - len(spent or []))
    ran: list[str] = []

    def read(im, s, engine):
        page, spent = timed(ocr_page, im, s, engine)
        ran.append(f"{engine.name}{'' if s.preprocess or engine.name == 'ppocr' else '-raw'}"
                   f" {spent:.1f}s")
        return page

    _, out["auto"] = timed(auto.read_page, image, replace(settings, engine="auto"), read)
    return out, ran


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--groups", help="comma-separated groups: " + ", ".join(GROUPS))
    p.add_argument("--limit", type=int, default=2, help="files per group (0: all)")
    args = p.parse_args()
    groups = args.groups.split(",") if args.groups else list(GROUPS)
    files = collect([], groups, args.limit, DEFAULT_SEED, False)
    settings = OcrSettings()
    auto = AutoEngine()
    per_group: dict[str, list[dict]] = defaultdict(list)
    print(f"{'file':36} " + " ".join(f"{s:>11}" for s in STAGES) + "  auto ran")
    for path, group in files.items():
        for image in page_images(path):
            stages, ran = page_stages(image, settings, auto)
            per_group[group].append(stages)
            print(f"{path.name[:36]:36} " + " ".join(f"{stages[s]:>11.2f}" for s in STAGES)
                  + "  " + ", ".join(ran), flush=True)
    print(f"\nmean CPU seconds per page\n{'group':12} {'pages':>5} "
          + " ".join(f"{s:>11}" for s in STAGES))
    everything = [s for rows in per_group.values() for s in rows]
    for name, rows in [*per_group.items(), ("all", everything)]:
        print(f"{name:12} {len(rows):>5} " + " ".join(
            f"{sum(r[s] for r in rows) / len(rows):>11.2f}" for s in STAGES))


if __name__ == "__main__":
    main()
