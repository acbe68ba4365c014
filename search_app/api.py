"""The JSON API: search, records, page images, 相关记录 and the OpenAPI description."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, jsonify, request, send_file, url_for
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.ingest.pageimages import SHOWN_FORMAT, has_page_images, page_thumbnail
from indexer.search.archive import SearchRequest
from indexer.store.indexedfiles import IndexedFile, indexed_file

from .auth import clearance, record_read, search_detail
from .openapi import openapi_spec
from .params import search_request
from .render import hit_json, search_json
from .watermark import watermark_text, watermarked

bp = Blueprint("api", __name__, url_prefix="/api")

SIMILAR_MAX = 20  # 相关记录 a request may ask for
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg"}


def archive():
    return current_app.extensions["dangan.archive"]


def indexed(record: dict) -> IndexedFile | None:
    """What the index recorded of the record's original (its manifest row), or None."""
    return indexed_file(archive().dir, record.get("source", ""), record.get("path", ""))


def request_from(args: MultiDict) -> SearchRequest:
    """The SearchRequest for these arguments, for the current reader (shared with the views)."""
    settings = current_app.extensions["dangan.settings"]
    return search_request(args, settings.search, clearance())


@bp.get("/search")
def search():
    result = archive().search(request_from(request.args))
    record_read("search", query=result.request.q, **search_detail(result.request, result.total))
    return jsonify(search_json(result))


SUGGEST_MAX = 20


@bp.get("/suggest")
def suggest():
    """Completions as a reader types (names, organisations, titles, 文号), under their 密级."""
    raw = request.args.get("size", "8").strip() or "8"
    if not raw.isdigit() or not 1 <= int(raw) <= SUGGEST_MAX:
        raise QueryError(f"size 必须是 1 到 {SUGGEST_MAX} 之间的整数，收到 {raw!r}")
    q = request.args.get("q", "")
    found = archive().suggest(q, clearance(), size=int(raw))
    record_read("suggest", query=q, total=len(found))
    return jsonify({"ok": True, "query": q,
                    "suggestions": [{"text": c.text, "kind": c.kind} for c in found]})


@bp.get("/records/<record_id>")
def record(record_id: str):
    data = archive().record(record_id, clearance())
    if has_page_images(data):
        for page in data["page_list"]:
            page["image"] = url_for("api.page_image", record_id=record_id, page=page["page"],
                                    fmt=SHOWN_FORMAT)
    record_read("record", record=record_id)
    return jsonify({"ok": True, "record": data})


@bp.get("/records/<record_id>/pages/<int:page>.png", defaults={"fmt": "png"})
@bp.get("/records/<record_id>/pages/<int:page>.jpg", defaults={"fmt": "jpg"})
def page_image(record_id: str, page: int, fmt: str):
    """A page of the original as PNG or JPEG (width=400|1000|1600), from the server's
    thumbnail cache."""
    data = archive().record(record_id, clearance())
    try:
        width = int(request.args.get("width", "1000"))
    except ValueError:
        raise QueryError("width 必须是整数") from None
    settings = current_app.extensions["dangan.settings"]
    path = page_thumbnail(data, archive().sources, indexed(data), page, width,
                          settings.data_dir, settings.server.render_timeout, fmt)
    mark = watermark_text(data)  # above 公开: who reads it, and when, across the image
    body = io.BytesIO(watermarked(path, fmt, mark)) if mark else path
    record_read("page", record=record_id, page=page, width=width)
    return send_file(body, mimetype=MIMETYPES[fmt])  # Cache-Control: no-store (security.py)


@bp.get("/records/<record_id>/similar")
def similar(record_id: str):
    """相关记录: records sharing this one's most distinctive words, under the reader's 密级."""
    raw = request.args.get("size", "5").strip() or "5"
    if not raw.isdigit() or not 1 <= int(raw) <= SIMILAR_MAX:
        raise QueryError(f"size 必须是 1 到 {SIMILAR_MAX} 之间的整数，收到 {raw!r}")
    hits = archive().similar(record_id, clearance(), size=int(raw))
    record_read("similar", record=record_id, total=len(hits))
    return jsonify({"ok": True, "id": record_id, "hits": [hit_json(h) for h in hits]})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_spec())
