"""What the hit boxes cost: their size beside the text, the time to collect a PDF's character
boxes, and the time of GET /api/records/<id>/pages/<n>/hits.

`python -m bench.hitboxes [FOLDER]` indexes FOLDER (default corpus/扫描件: scans, an image-only
PDF, born-digital PDFs) into bench/out/hitboxes/ (the OCR cache there is kept between runs) and
prints one table per record and a summary. A report, not a test.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "hitboxes"


def main(argv: list[str]) -> None:
    import shutil

    from indexer.build.run import run_index
    from indexer.config import settings_from_dict
    from indexer.ingest import pageboxes
    from search_app.app import create_app

    folder = Path(argv[0]) if argv else REPO / "corpus" / "扫描件"
    index = OUT / "data" / "index"
    shutil.rmtree(index, ignore_errors=True)
    settings = settings_from_dict({"index": {"dir": str(index)},
                                   "corpus": {"paths": [str(folder)]},
                                   "auth": {"anonymous_clearance": "绝密"}}, base=OUT)
    started = time.perf_counter()
    summary = run_index(settings)
    print(f"indexed {folder.name}: {summary.added} records, {summary.pages} pages "
          f"({summary.ocr_pages} OCR'd) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    client = create_app(settings).test_client()
    archive = client.application.extensions["dangan.archive"]
    rows, text_bytes, blob_bytes, times = [], 0, 0, []
    ids = [h["id"] for h in client.get("/api/search", query_string={"size": 1000}).get_json()["hits"]]
    for rid in ids:
        record = archive.record(rid, "绝密", boxes=True)
        pages = pageboxes.decode(record["boxes"])
        text = record["text"]
        words = [w for w in _words(text)][:5]
        for page in range(1, len(record["page_list"]) + 1):
            for word in words:
                t0 = time.perf_counter()
                answer = client.get(f"/api/records/{rid}/pages/{page}/hits", query_string={"q": word})
                times.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200
        size = len(record["boxes"] or b"")
        text_bytes += len(text.encode("utf-8"))
        blob_bytes += size
        rows.append((record["path"][:34], record["type"], len(record["page_list"]), len(text),
                     sum(len(p) for p in pages if p is not None), size))
    print(f"| {'file':34} | type | pages | chars | boxes | blob bytes | bytes/box |")
    print("|---|---|---|---|---|---|---|")
    for path, kind, pages, chars, boxes, size in rows:
        per = f"{size / boxes:.1f}" if boxes else "—"
        print(f"| {path:34} | {kind} | {pages} | {chars} | {boxes} | {size} | {per} |")
    print(f"\nboxes blob / text (UTF-8): {blob_bytes} / {text_bytes} bytes "
          f"= {blob_bytes / max(1, text_bytes):.2f}")
    if times:
        times.sort()
        print(f"hits API (Flask test client, {len(times)} requests): median "
              f"{statistics.median(times):.2f} ms, p95 {times[int(0.95 * len(times))]:.2f} ms")
    _pdf_collection(folder)


def _words(text: str):
    """A few 2-character words of the text to ask for."""
    import re

    seen = set()
    for m in re.finditer(r"[\u4e00-\u9fff]{2}", text):
        if m.group() not in seen:
            seen.add(m.group())
            yield m.group()


def _pdf_collection(folder: Path) -> None:
    """Time of reading each PDF's text layers (as pdffile does: layout, then its text), and of
    the character boxes alone."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    from indexer.ingest.pdfboxes import LayerBoxes

    for pdf in sorted(folder.glob("*.pdf")):
        t0 = time.perf_counter()
        layouts = list(extract_pages(pdf))
        for layout in layouts:
            "".join(el.get_text() for el in layout if isinstance(el, LTTextContainer))
        layout_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for layout in layouts:
            LayerBoxes(layout)
        boxes_s = time.perf_counter() - t0
        print(f"{pdf.name[:40]}: pdfminer layout {layout_s * 1000:.0f} ms, character boxes "
              f"{boxes_s * 1000:.1f} ms ({boxes_s / max(layout_s, 1e-9):.1%})")


if __name__ == "__main__":
    main(sys.argv[1:])
