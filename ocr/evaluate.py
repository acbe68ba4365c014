"""Measuring OCR quality: character error rate, and CER per pre-processing step on pages."""
from __future__ import annotations

import time
import unicodedata
from dataclasses import replace

from PIL import Image

from .result import PageText
from .settings import OcrSettings


def comparable(text: str) -> str:
    """Text as compared for CER: NFKC (fullwidth ASCII folded), all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions) between two strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edit distance / reference length, whitespace ignored."""
    ref, hyp = comparable(reference), comparable(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return levenshtein(ref, hyp) / len(ref)


RAW = "raw:"  # a configuration name starting with this runs the engine alone (no repair)


def step_configs(base: OcrSettings | None = None) -> dict[str, OcrSettings]:
    """Named settings to compare: plain Tesseract, each step alone, the pipeline, ablations.

    Names starting with RAW run the engine alone: no pre-processing and no text repair.
    """
    base = base or OcrSettings()
    one = dict(preprocess=True, red_header=False)
    full = replace(base, preprocess=True, red_header=True)
    plain = replace(base, preprocess=False)
    configs: dict[str, OcrSettings] = {
        f"{RAW}plain psm3": replace(plain, psm=3),
        f"{RAW}plain psm6": replace(plain, psm=6),
        "repair+script": replace(plain, psm=6),
        "red": replace(base, steps=("red",), **one),
        "red+header": replace(base, steps=("red",), preprocess=True, red_header=True),
        "deskew": replace(base, steps=("deskew",), **one),
        "upscale": replace(base, steps=("upscale",), **one),
        "binarize": replace(base, steps=("binarize",), **one),
        "pipeline": full,
        "pipeline, header inline": replace(full, header_inline=True),
    }
    for step in full.steps:
        configs[f"pipeline-{step}"] = replace(full, steps=tuple(s for s in full.steps if s != step))
    return configs


def run_config(image: Image.Image, name: str, settings: OcrSettings, engine) -> PageText:
    """Recognise one page under one named configuration (see step_configs)."""
    from . import ocr_page  # the package's entry point; imported late to avoid a cycle

    if name.startswith(RAW):
        return engine.recognize(image.convert("RGB"), settings)
    return ocr_page(image, settings, engine)


def measure(pages: dict[str, Image.Image], truth: str, configs=None, engine=None) -> dict:
    """CER and seconds per page for every configuration on every page: {config: {page: (cer, s)}}."""
    from .engine import engine_for

    configs = configs if configs is not None else step_configs()
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for name, settings in configs.items():
        results[name] = {}
        chosen = engine or engine_for(settings)
        for page_name, image in pages.items():
            start = time.perf_counter()
            page = run_config(image, name, settings, chosen)
            results[name][page_name] = (cer(truth, page.text), time.perf_counter() - start)
    return results


def format_table(results: dict) -> str:
    """A Markdown table: one row per configuration, CER % per page, mean CER and seconds."""
    pages = list(next(iter(results.values())).keys())
    lines = [
        "| config | " + " | ".join(pages) + " | mean CER | s/page |",
        "|---" * (len(pages) + 3) + "|",
    ]
    for name, row in results.items():
        cers = [row[p][0] for p in pages]
        seconds = sum(row[p][1] for p in pages) / len(pages)
        cells = " | ".join(f"{100 * c:.1f}" for c in cers)
        lines.append(f"| {name.removeprefix(RAW)} | {cells} | {100 * sum(cers) / len(cers):.1f} | {seconds:.2f} |")
    return "\n".join(lines)


def print_step_table(pages: dict[str, Image.Image], truth: str, configs=None) -> None:
    """Measure and print the table (a helper for tuning runs, not used by the indexer)."""
    print(format_table(measure(pages, truth, configs)))
