"""The Flask app factory: settings, the archive, security and auth, the blueprints, error pages."""
from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from indexer.config import Settings, load_settings
from indexer.errors import DanganError
from indexer.search.archive import Archive
from indexer.store.corrections import RaisedLevels
from indexer.store.database import DatabaseError

from .auth import init_auth
from .render import error_json
from .security import harden

log = logging.getLogger("dangan.web")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["dangan.settings"] = settings
    app.extensions["dangan.archive"] = archive = Archive(settings.index.dir, settings.search)
    # a 密级 raised in the shared corrections store is withheld at once, before any run
    # applies it to this server's index (another server took it, or a run is going on)
    archive.raised = RaisedLevels(settings.data_dir, settings.database.url)
    harden(app, settings)
    init_auth(app, settings)

    from . import admin, advanced, api, corrections, export, hits, login, records, views

    app.register_blueprint(api.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(advanced.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(login.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(hits.bp)
    app.register_blueprint(corrections.bp)
    app.jinja_env.filters["security_class"] = views.security_class
    app.jinja_env.filters["when"] = lambda t: time.strftime("%Y-%m-%d %H:%M", time.localtime(t))
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
        if isinstance(e, DatabaseError):  # names the database's host: for the log only
            ref = _logged(lambda r: log.error("%s: %s (reference %s)", request.path, e, r))
            return _error(f"账户与登记数据库暂时无法连接，请稍后再试（参考编号 {ref}，已记录在日志中）",
                          e.http_status)
        if e.http_status >= 500:
            log.error("%s: %s", request.path, e)
        return _error(str(e), e.http_status)

    @app.errorhandler(CSRFError)
    def no_csrf_token(e):
        return _error("表单已失效或来源不明（缺少安全令牌）：请回到上一页，刷新后再提交一次", 400)

    @app.errorhandler(413)
    def too_large(e):
        return _error("提交的内容太大", 413)

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
        ref = _logged(lambda r: log.exception("unhandled error, reference %s", r))
        return _error(f"服务器内部错误，参考编号 {ref}（已记录在日志中）", 500)


def _logged(write) -> str:
    """A reference number for an error the reader is not told the details of, written to the
    log by `write(ref)` (with them)."""
    ref = uuid.uuid4().hex[:8]
    write(ref)
    return ref
