"""Hardening: the secret key file, session cookie flags and lifetime, security headers on every
response, request size limits and (when configured) trust in a reverse proxy's headers."""
from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from indexer.config import Settings
from indexer.errors import ConfigError

from indexer.private import private_dir, private_file

log = logging.getLogger("dangan.web")

SECRET_FILE = "secret.key"
SESSION_COOKIE = "dangan_session"
MAX_CONTENT_LENGTH = 1024 * 1024  # bytes of request body: a login or admin form is far less
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: Flask-WTF checks the Referer of forms posted over HTTPS
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def secret_key(data_dir: Path) -> str:
    """The key that signs session cookies: <data dir>/secret.key, made (mode 0600) on first use.

    Several server processes may start at once. Each writes a key under a name of its own and
    hard-links it into place: the link appears complete or not at all, only one process wins, and
    every process then reads the winner's key."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        private_dir(data_dir)
        mine = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_hex(32) + "\n")
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(mine, path)
                log.info("created the session key %s (mode 0600)", path)
            except FileExistsError:
                pass  # another process was first: use its key
        finally:
            mine.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = private_file(path).read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"{path} is too short to be a session key: delete it and start again "
                          "(everybody will have to log in again)")
    return key


class _SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions whose cookie is Secure whenever the request came over HTTPS (or
    always, with [auth] secure_cookies)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and request.is_secure))


def harden(app: Flask, settings: Settings) -> None:
    auth = settings.auth
    app.secret_key = secret_key(settings.data_dir)
    app.session_interface = _SessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=auth.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.session_hours),
        SESSION_REFRESH_EACH_REQUEST=False,  # a login lasts session_hours, however busy
        WTF_CSRF_TIME_LIMIT=int(auth.session_hours * 3600),  # a form lives as long as a login
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
    )
    if auth.trusted_proxies:
        n = auth.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    app.after_request(_headers)


def _headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # pages, records, page images and files may be above 公开: no cache may keep them,
        # neither a shared proxy nor the browser of a shared reading-room computer
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response
