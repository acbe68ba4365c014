"""Entry point: `python -m bench.pageimages` (`make bench-pages`) — first view of a page image.

The sample scans and PDFs (corpus/扫描件, read only) are indexed three times with the real
`dangan index`: once to fill the OCR cache, then with `[index] page_images = true` and with
`false` (both reusing that OCR cache, so the difference is the images). A real `dangan serve`
on 127.0.0.1 then answers the first request of every page's shown image (.jpg, 1000 pixels)
for each index, and the .png the record page used to show. Prints one table; never asserts.
"""
from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode

from .progress import say
from .report import aligned
from .systems.dangan import dangan_command
from .web import OUT, SCANS, Server, get

TARGET = 1.0  # seconds: first view of a page rendered at index time


def index(work: Path, page_images: bool, ocr_cache: Path | None) -> tuple[Path, float, str]:
    """(config, seconds, the run's report) of `dangan index` into work/ (fresh)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if ocr_cache is not None:  # with its write-ahead log
        for part in ocr_cache.parent.glob(ocr_cache.name + "*"):
            shutil.copy(part, work / part.name)
    config = work / "config.toml"
    config.write_text(f'[index]\ndir = "index"\npage_images = {str(page_images).lower()}\n'
                      f'[corpus]\npaths = ["{SCANS}"]\n[auth]\nanonymous_clearance = "绝密"\n',
                      encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(dangan_command() + ["index", "--config", str(config)], cwd=work,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"dangan index exited {done.returncode}: {done.stderr[-2000:]}")
    return config, seconds, done.stdout + done.stderr


def first_views(config: Path, fmt: str) -> tuple[list[float], list[int]]:
    """Seconds and bytes of the first request of every page image (width 1000)."""
    times, sizes = [], []
    with Server(config) as server:
        conn = server.connect()
        found = get(conn, "/api/search?" + urlencode(
            [("type", "image"), ("type", "pdf"), ("size", "100")]))[2]
        for hit in json.loads(found)["hits"]:
            for page in range(1, int(hit["pages"] or 1) + 1):
                _first, last, body = get(conn, f"/api/records/{hit['id']}/pages/{page}.{fmt}"
                                               "?width=1000")
                times.append(last)
                sizes.append(len(body))
        conn.close()
    return times, sizes


def main() -> None:
    work = OUT / "pages"
    say("dangan index (fills the OCR cache)")
    _c, _s, _r = index(work / "ocr", False, None)
    cache = work / "ocr" / "ocr-cache.sqlite"
    runs = {}
    for images in (True, False):
        say(f"dangan index, page_images = {str(images).lower()}")
        runs[images] = index(work / f"images-{str(images).lower()}", images, cache)
    made = re.search(r"page images (\d+) in ([\d.]+)s", runs[True][2])
    rows = [("measure", "pages", "p50 ms", "max ms", "KB (mean)", "target", "met")]
    for label, config, fmt in (
            ("1st view .jpg, pre-rendered", runs[True][0], "jpg"),
            ("1st view .jpg, not pre-rendered", runs[False][0], "jpg"),
            ("1st view .png, not pre-rendered", runs[False][0], "png")):
        say(label)
        times, sizes = first_views(config, fmt)
        met = ""
        if "pre-rendered" in label and "not" not in label:
            met = "yes" if max(times) < TARGET else "NO"
        rows.append((label, str(len(times)), f"{statistics.median(times) * 1000:.0f}",
                     f"{max(times) * 1000:.0f}", f"{statistics.mean(sizes) / 1024:.0f}",
                     f"< {TARGET * 1000:.0f}" if met else "", met))
    print(f"dangan page-image bench: {SCANS.name}/ ({len(list(SCANS.iterdir()))} files), "
          "gunicorn on 127.0.0.1, OCR from the cache")
    print("\n".join(aligned(rows)))
    print(f"index run: page_images = true {runs[True][1]:.1f}s, false {runs[False][1]:.1f}s "
          f"(difference {runs[True][1] - runs[False][1]:+.1f}s); images made: "
          f"{made.group(1) + ' in ' + made.group(2) + 's' if made else 'none'}")


if __name__ == "__main__":
    main()
