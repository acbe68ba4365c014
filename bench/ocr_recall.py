"""Search recall for 4-character phrases: a real dangan index over the bench's files (the
indexer's own path, its OCR cache shared with the bench's run so pages are not read twice),
then phrases taken at random from each file's ground truth searched as a reader types them."""
from __future__ import annotations

import random
import re
import shutil
from dataclasses import fields
from pathlib import Path

from indexer.build.run import run_index
from indexer.config import OcrConfig, Settings, settings_from_dict
from indexer.search.archive import Archive, SearchRequest

CJK4 = re.compile(r"(?=([\u4e00-\u9fff]{4}))")


def index_settings(work: Path, engine: str | None = None) -> Settings:
    """Settings of a throw-away archive under `work` (its corpus is work/corpus)."""
    raw: dict = {"index": {"dir": str(work / "data" / "index")},
                 "corpus": {"paths": [str(work / "corpus")]}}
    if engine and "engine" in {f.name for f in fields(OcrConfig)}:
        raw["ocr"] = {"engine": engine}
    return settings_from_dict(raw, base=work)


def phrases(truth: str, n: int, rng: random.Random) -> list[str]:
    """Up to n distinct 4-character runs of Chinese characters from the ground truth, each
    within one line and one cell of a table (a column of vertical text is a line)."""
    found = []
    for piece in truth.split():  # a line, or a cell of a table's row
        found += [m.group(1) for m in CJK4.finditer(piece)]
    unique = sorted(set(found), key=found.index)
    return rng.sample(unique, min(n, len(unique)))


def copy_corpus(files: dict[Path, str], corpus: Path) -> dict[Path, str]:
    """Copy the files into corpus/<group>/ (the indexer refuses hard links); returns
    file -> its path there."""
    where = {}
    for path, group in files.items():
        target = corpus / group / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        where[path] = f"{group}/{path.name}"
    return where


def build(settings: Settings, workers: int) -> None:
    """Index the corpus of `settings`; a file that fails is an error of the bench."""
    summary = run_index(settings, workers=workers)
    if summary.failed:
        raise SystemExit(f"indexing failed for {summary.failed}")


def recall(settings: Settings, where: dict[Path, str], per_file: int,
           seed: int) -> dict[Path, tuple[int, int, list[str]]]:
    """file -> (phrases found, phrases tried, missed phrases): a phrase is found when its
    file is among the search's exact hits."""
    archive = Archive(settings.index.dir, settings.search)
    out = {}
    try:
        for path, rel in where.items():
            truth = path.with_name(path.name + ".gt.txt").read_text(encoding="utf-8")
            rng = random.Random(f"{seed}/{path.name}")
            tried = phrases(truth, per_file, rng)
            missed = []
            for phrase in tried:
                result = archive.search(SearchRequest(q=phrase, size=200, facets=False,
                                                      snippets=False, clearance="绝密"))
                if not any(h.match == "exact" and h.fields["path"] == rel for h in result.hits):
                    missed.append(phrase)
            out[path] = (len(tried) - len(missed), len(tried), missed)
    finally:
        archive.close()
    return out
