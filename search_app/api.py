"""The JSON API: /api/search and /api/records/<id>."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .params import search_request
from .render import search_json

bp = Blueprint("api", __name__, url_prefix="/api")


def archive():
    return current_app.extensions["dangan.archive"]


def clearance() -> str:
    # Accounts and clearances arrive with the access-control work; until then every reader
    # is trusted with everything, exactly like the command line.
    return current_app.extensions["dangan.clearance"]


@bp.get("/search")
def search():
    settings = current_app.extensions["dangan.settings"]
    req = search_request(request.args, settings.search, clearance())
    return jsonify(search_json(archive().search(req)))


@bp.get("/records/<record_id>")
def record(record_id: str):
    data = archive().record(record_id, clearance())
    return jsonify({"ok": True, "record": data})
