"""GET /api/records/<id>/pages/<n>/hits: where the query's hits are drawn on a page image."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from indexer.errors import QueryError, RecordNotFound
from indexer.ingest.pageboxes import page as page_boxes
from indexer.search.highlight import find_spans
from indexer.search.hitboxes import page_hits, page_span

from .api import archive
from .auth import clearance, record_read
from .views import highlight_terms

bp = Blueprint("hits", __name__, url_prefix="/api")

MAX_WIDTH = 10000


@bp.get("/records/<record_id>/pages/<int:page>/hits")
def hits(record_id: str, page: int):
    """The hits of `q` on page `page` (the record page's marks there, in order), each with its
    rectangles: pixels of the page image `width` wide, else fractions of the page."""
    width = _width(request.args.get("width", ""))
    data = archive().record(record_id, clearance(), boxes=True)
    if not 1 <= page <= len(data["page_list"]):
        raise RecordNotFound(f"第{page}页不存在（本记录共 {len(data['page_list'])} 页）")
    q = request.args.get("q", "")
    spans = find_spans(data["text"], highlight_terms(q))
    starts = [p["start"] for p in data["page_list"]]
    boxes = page_boxes(data.pop("boxes"), page - 1)
    if str(page) in ((data.get("meta") or {}).get("corrections") or {}).get("pages", {}):
        boxes = None  # a corrected page's text is not what the image's boxes were drawn for
    found = page_hits(spans, page_span(starts, len(data["text"]), page), boxes)
    record_read("hits", record=record_id, query=q, page=page, total=len(found))
    sx = sy = 1.0
    height = None
    if boxes is not None:
        sx = (width / boxes.width) if width else 1 / boxes.width
        sy = (width / boxes.width) if width else 1 / boxes.height
        height = round(boxes.height * width / boxes.width) if width else None
    text = data["text"][slice(*page_span(starts, len(data["text"]), page))]
    digits = 1 if width else 5
    return jsonify({
        "ok": True, "id": record_id, "page": page, "query": q,
        "units": "px" if width else "fraction", "width": width, "height": height,
        "page_size": {"width": boxes.width, "height": boxes.height} if boxes else None,
        "hits": [{"index": h.index, "start": h.start, "end": h.end,
                  "text": text[h.start:h.end],
                  "boxes": [{"left": round(r[0] * sx, digits), "top": round(r[1] * sy, digits),
                             "width": round((r[2] - r[0]) * sx, digits),
                             "height": round((r[3] - r[1]) * sy, digits)} for r in h.rects]}
                 for h in found]})


def _width(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_WIDTH:
        raise QueryError(f"width 必须是 1 到 {MAX_WIDTH} 之间的整数，收到 {raw[:20]!r}")
    return int(raw)
