"""`python -m bench.ocr [FOLDER ...]` (`make bench-ocr`): OCR quality and speed on files with
ground truth, dangan's ingestion against plain Tesseract (psm 3, no pre-processing), same run.

For every file with a `NAME.EXT.gt.txt` beside it: character error rate (whitespace removed,
NFKC) per file and per group; 文号, date and title against `NAME.EXT.expected.json`; pages
per second with all cores. A table, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

from indexer.ingest.autometa import extract_metadata
from indexer.ingest.extract import ExtractContext, check_magic, extractor_for
from indexer.ingest.ocrcache import OcrRunner
from indexer.ingest.pdffile import render_page, text_layers
from ocr.engine import TesseractEngine
from ocr.evaluate import cer
from ocr.images import load_pages
from ocr.settings import ENGINES, OcrSettings

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO / "corpus" / "扫描件"
FIELDS = ("doc_number", "date", "title")


def samples(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        for gt in sorted(folder.rglob("*.gt.txt")):
            path = gt.with_name(gt.name[: -len(".gt.txt")])
            if path.exists() and extractor_for(path) is not None:
                found.append(path)
    return found


def page_images(path: Path) -> list:
    if path.suffix.lower() == ".pdf":
        return [render_page(path, i) for i in range(len(text_layers(path, 10_000)))]
    if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        return load_pages(path)
    return []


def run_dangan(path: Path, engine: str = "tesseract") -> tuple[str, int, float]:
    """(text, pages, seconds) through the indexer's extractor, OCR cache off."""
    started = time.perf_counter()
    extractor = extractor_for(path)
    check_magic(path, extractor)
    runner = OcrRunner(OcrSettings(engine=engine), None)
    result = extractor.extract(path, ExtractContext(ocr=runner))
    return result.text, len(result.page_starts), time.perf_counter() - started


def run_plain(path: Path) -> tuple[str, int, float]:
    """(text, pages, seconds) from plain Tesseract on the page images (psm 3, raw)."""
    started = time.perf_counter()
    engine = TesseractEngine()
    settings = replace(OcrSettings(), preprocess=False, psm=3)
    images = page_images(path)
    text = "\f".join(engine.recognize(image.convert("RGB"), settings).text for image in images)
    return text, len(images), time.perf_counter() - started


def measure(files: list[Path], workers: int, engine: str = "tesseract") -> list[dict]:
    rows = []
    with ProcessPoolExecutor(workers) as pool:
        started = time.perf_counter()
        ours = list(pool.map(partial(run_dangan, engine=engine), files))
        ours_wall = time.perf_counter() - started
        started = time.perf_counter()
        plain = list(pool.map(run_plain, files))
        plain_wall = time.perf_counter() - started
    for path, (text, pages, _s), (ptext, ppages, _ps) in zip(files, ours, plain):
        truth = path.with_name(path.name + ".gt.txt").read_text(encoding="utf-8")
        expected_file = path.with_name(path.name + ".expected.json")
        expected = json.loads(expected_file.read_text(encoding="utf-8")) \
            if expected_file.exists() else {}
        found = extract_metadata(text)
        rows.append({"file": path.name, "kind": path.suffix.lower().lstrip("."),
                     "pages": pages, "cer": cer(truth, text),
                     "plain_cer": cer(truth, ptext) if ppages else float("nan"),
                     **{f: (found.get(f) == expected[f]) if f in expected else None
                        for f in FIELDS}})
    pages_total = sum(r["pages"] for r in rows)
    plain_pages = sum(len(page_images(p)) for p in files)
    rows.append({"file": "(all)", "pages_per_s": pages_total / ours_wall,
                 "plain_pages_per_s": plain_pages / plain_wall})
    return rows


def render(rows: list[dict], workers: int, engine: str = "tesseract") -> str:
    files, total = rows[:-1], rows[-1]
    out = [f"OCR benchmark: {len(files)} files, {workers} workers, engine {engine}", "",
           f"{'file':44} {'kind':5} {'pages':>5} {'CER':>7} {'plain':>7}  文号 日期 题名"]
    mark = {True: " ok ", False: " ✗  ", None: "  — "}
    for r in files:
        out.append(f"{r['file'][:44]:44} {r['kind']:5} {r['pages']:>5} {r['cer']:>7.2%} "
                   f"{r['plain_cer']:>7.2%} " + "".join(mark[r[f]] for f in FIELDS))
    scans = [r for r in files if r["kind"] in ("png", "jpg", "jpeg", "tif", "tiff")]
    pdfs = [r for r in files if r["kind"] == "pdf"]
    for label, group in (("scans (images)", scans), ("PDFs", pdfs)):
        if group:
            mean = sum(r["cer"] for r in group) / len(group)
            plain = sum(r["plain_cer"] for r in group) / len(group)
            out.append(f"mean CER {label}: {mean:.2%} (plain Tesseract {plain:.2%})")
    for f in FIELDS:
        checked = [r[f] for r in files if r[f] is not None]
        out.append(f"{f} exact: {sum(checked)}/{len(checked)}")
    ratio = total["pages_per_s"] / total["plain_pages_per_s"]
    out.append(f"pages/s: dangan {total['pages_per_s']:.2f}, plain Tesseract "
               f"{total['plain_pages_per_s']:.2f} (ratio {ratio:.2f}×)")
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folders", nargs="*", type=Path, default=[DEFAULT])
    p.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument("--engine", choices=ENGINES, default="tesseract",
                   help="dangan's OCR engine ([ocr] engine); plain is always Tesseract")
    args = p.parse_args()
    files = samples(args.folders)
    if not files:
        raise SystemExit("no files with .gt.txt ground truth in " +
                         ", ".join(map(str, args.folders)))
    print(render(measure(files, args.workers, args.engine), args.workers, args.engine))


if __name__ == "__main__":
    main()
