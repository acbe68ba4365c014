"""The web layer: Flask app factory, HTML views and the JSON API over the search library."""
from __future__ import annotations

import logging
import uuid

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.config import Settings, load_settings
from indexer.errors import DanganError
from indexer.schema import SECURITY_LEVELS
from indexer.search import Archive

from .render import error_json

log = logging.getLogger("dangan.web")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["dangan.settings"] = settings
    app.extensions["dangan.archive"] = Archive(settings.index.dir, settings.search)
    app.extensions["dangan.clearance"] = SECURITY_LEVELS[-1]

    from . import api, records, views  # noqa: F401 (records adds its routes to views.bp)

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    _register_errors(app)
    return app


def _error(message: str, status: int):
    """The same error as JSON under /api/ and as a Chinese page elsewhere."""
    if request.path.startswith("/api/"):
        return jsonify(error_json(message, status)), status
    return render_template("error.html", message=message, status=status), status


def _register_errors(app: Flask) -> None:
    @app.errorhandler(DanganError)
    def dangan_error(e: DanganError):
        if e.http_status >= 500:
            log.error("%s: %s", request.path, e)
        return _error(str(e), e.http_status)

    @app.errorhandler(404)
    def not_found(e):
        return _error("没有找到这个页面或记录", 404)

    @app.errorhandler(405)
    def bad_method(e):
        return _error("不支持这种请求方法", 405)

    @app.errorhandler(Exception)
    def server_error(e):
        if isinstance(e, HTTPException):
            return _error(e.description or e.name, e.code)
        ref = uuid.uuid4().hex[:8]
        log.exception("unhandled error, reference %s", ref)
        return _error(f"服务器内部错误，参考编号 {ref}（已记录在日志中）", 500)
