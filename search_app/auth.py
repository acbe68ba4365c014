"""Who is reading: login sessions (Flask-Login), API tokens (`Authorization: Bearer`), the
reader's clearance, anonymous access and the one row every read writes in the 查阅登记."""
from __future__ import annotations

import time

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import AnonymousUserMixin, LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFProtect

from indexer.config import ANONYMOUS_OFF, Settings
from indexer.errors import DanganError
from indexer.search.archive import SearchRequest

from .accounts import Accounts, User
from .audit import AuditLog
from .throttle import Throttle
from .tokens import Tokens

LOGIN_AT = "login_at"  # session key: when the login happened (sessions last session_hours)
OPEN_ENDPOINTS = {"auth.login", "static"}  # reachable without logging in when anonymous is off


class LoginRequired(DanganError):
    """Anonymous access is off and the request is not logged in."""

    http_status = 401


class TokenRefused(DanganError):
    """An API request whose Authorization header is malformed or names no token in force."""

    http_status = 401


class AdminOnly(DanganError):
    """A page for administrators, asked for by a reader who is not one."""

    http_status = 403


class Reader(UserMixin):
    """A logged-in account, read afresh from the account store on every request."""

    def __init__(self, user: User):
        self.user = user

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def clearance(self) -> str:
        return self.user.clearance

    @property
    def is_admin(self) -> bool:
        return self.user.is_admin

    @property
    def may_correct(self) -> bool:
        return self.user.may_correct

    def get_id(self) -> str:
        # the session keeps the account's session version: when it changes (disabled, new
        # password, clearance or role) the session no longer loads, so the user is logged out
        return f"{self.user.session_version}:{self.user.name}"


class Anonymous(AnonymousUserMixin):
    name = ""
    is_admin = False
    may_correct = False

    @property
    def clearance(self) -> str:
        """anonymous_clearance: a 密级, or "off"."""
        return settings().auth.anonymous_clearance


def settings() -> Settings:
    return current_app.extensions["dangan.settings"]


def accounts() -> Accounts:
    return current_app.extensions["dangan.accounts"]


def audit_log() -> AuditLog:
    return current_app.extensions["dangan.audit"]


def throttle() -> Throttle:
    return current_app.extensions["dangan.throttle"]


def tokens() -> Tokens:
    return current_app.extensions["dangan.tokens"]


def init_auth(app: Flask, settings: Settings) -> None:
    url = settings.database.url
    app.extensions["dangan.accounts"] = Accounts(settings.data_dir, url)
    app.extensions["dangan.audit"] = AuditLog(settings.data_dir, url)
    app.extensions["dangan.throttle"] = Throttle(settings.data_dir, url)
    app.extensions["dangan.tokens"] = Tokens(app.extensions["dangan.accounts"])
    manager = LoginManager(app)
    manager.anonymous_user = Anonymous
    manager.user_loader(_load)
    manager.request_loader(_from_bearer)
    app.extensions["dangan.csrf"] = CSRFProtect(app)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked in _csrf: not for token requests
    app.before_request(_gate)
    app.before_request(_csrf)


def _bearer() -> str | None:
    """The Authorization header of an /api/ request or of an original's download (which
    the API's description lists with them): tokens are for those only."""
    if not (request.path.startswith("/api/") or (request.endpoint == "records.download")):
        return None
    if g.get("dangan_refused"):  # refused once: the error page is shown to no one
        return None
    return request.headers.get("Authorization")


def _from_bearer(req) -> Reader | None:
    """The token's user, read afresh (role, clearance, active) — or 401 for a header that
    names no token in force: a script with a bad token must not be served as anonymous."""
    header = _bearer()
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        g.dangan_refused = True
        raise TokenRefused("Authorization 请求头应为“Bearer 令牌”")
    token = tokens().holder(secret.strip())
    user = accounts().get(token.user) if token else None
    if token is None or user is None or not user.active:
        g.dangan_refused = True
        raise TokenRefused("令牌无效、已过期或已被吊销")
    g.dangan_token = token.id
    return Reader(user)


def _csrf():
    """Forms and cookie-authenticated writes need the CSRF token; token requests do not (a
    browser never adds an Authorization header to a cross-site request)."""
    if request.endpoint is None:  # no such page or method: answered 404 / 405 as it is
        return
    if request.method in current_app.config["WTF_CSRF_METHODS"] and _bearer() is None:
        current_app.extensions["dangan.csrf"].protect()


def _load(token: str) -> Reader | None:
    if _bearer() is not None:  # a request with a token is that token's, whatever cookie it has
        return None
    version, _, name = token.partition(":")
    user = accounts().get(name)
    expired = time.time() - session.get(LOGIN_AT, 0) > settings().auth.session_hours * 3600
    if user is None or not user.active or str(user.session_version) != version or expired:
        session.clear()  # logged out: the cookie is dropped with this answer
        return None
    return Reader(user)


def _gate():
    """With anonymous access off, nothing but the login page (and its style sheet) answers a
    request that is not logged in: the API with 401, pages with the way to the login page."""
    if _bearer() is not None:
        current_user._get_current_object()  # a bad token is refused (401) on every API path
    if settings().auth.anonymous_clearance != ANONYMOUS_OFF or request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        return None
    if request.path.startswith("/api/"):
        raise LoginRequired("请先登录：本系统不允许匿名查阅")
    wanted = request.full_path.rstrip("?")
    return redirect(url_for("auth.login", next=wanted if wanted != "/" else None))


def clearance() -> str:
    """The highest 密级 the current reader may see (anonymous: [auth] anonymous_clearance)."""
    level = current_user.clearance
    if level == ANONYMOUS_OFF:  # the gate stops these requests first; this is the backstop
        raise LoginRequired("请先登录：本系统不允许匿名查阅")
    return level


def record_read(action: str, record: str = "", query: str = "", **detail) -> None:
    """Write the 查阅登记 row of this request (who, from where, what). A read that cannot be
    registered fails: the error reaches the reader instead of the record."""
    if "dangan_token" in g:
        detail["token"] = g.dangan_token
    audit_log().write(current_user.name, request.remote_addr or "", action, record, query,
                      clearance(), **detail)


def search_detail(req: SearchRequest, total: int) -> dict:
    """What the register keeps of a search besides its query: filters, dates, page and total."""
    detail: dict = {"total": total}
    if req.filters:
        detail["filters"] = {k: list(v) for k, v in req.filters.items()}
    for name in ("date_from", "date_to"):
        if getattr(req, name):
            detail[name] = getattr(req, name)
    if req.page > 1:
        detail["page"] = req.page
    return detail
