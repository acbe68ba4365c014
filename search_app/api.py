"""The JSON API: /api/search and /api/records/<id>."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.datastructures import MultiDict

from indexer.search import SearchRequest

from .params import search_request
from .render import search_json

bp = Blueprint("api", __name__, url_prefix="/api")


def archive():
    return current_app.extensions["dangan.archive"]


def clearance() -> str:
    # Accounts and clearances arrive with the access-control work; until then every reader
    # is trusted with everything, exactly like the command line.
    return current_app.extensions["dangan.clearance"]


def request_from(args: MultiDict) -> SearchRequest:
    """The SearchRequest for these arguments, for the current reader (shared with the views)."""
    settings = current_app.extensions["dangan.settings"]
    return search_request(args, settings.search, clearance())


@bp.get("/search")
def search():
    return jsonify(search_json(archive().search(request_from(request.args))))


@bp.get("/records/<record_id>")
def record(record_id: str):
    data = archive().record(record_id, clearance())
    return jsonify({"ok": True, "record": data})
