"""The login and logout pages, with throttling of repeated failures."""
from __future__ import annotations

import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from indexer.config import ANONYMOUS_OFF

from .accounts import NAME_CHARS
from .auth import LOGIN_AT, Reader, accounts, audit_log, settings, throttle

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    wanted = safe_next(request.values.get("next", ""))
    if request.method == "GET":
        return render_template("login.html", next=wanted, name="", error=None)
    name = request.form.get("name", "").strip()[:NAME_CHARS]
    password = request.form.get("password", "")[:1024]
    address = request.remote_addr or ""
    now = time.time()
    attempt, until = throttle().begin(name, address, now)  # checked and counted at once
    if attempt is None:
        audit_log().write(name, address, "login-refused")
        return (render_template("login.html", next=wanted, name=name,
                                error=_refused(until - now, until)), 429,
                {"Retry-After": str(math.ceil(until - now))})
    user = accounts().verify(name, password) if name else None
    throttle().finish(attempt, ok=user is not None)
    if user is None:
        audit_log().write(name, address, "login-failed")
        return render_template("login.html", next=wanted, name=name,
                               error="用户名或密码不正确，或账号已停用。"), 401
    session.clear()  # nothing from before the login is carried into it
    login_user(Reader(user))
    session.permanent = True
    session[LOGIN_AT] = now
    audit_log().write(user.name, address, "login")
    return redirect(wanted or url_for("views.search"), 303)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        accounts().end_sessions(current_user.name)  # a copy of the cookie is dead too
        audit_log().write(current_user.name, request.remote_addr or "", "logout")
    logout_user()
    session.clear()
    if settings().auth.anonymous_clearance == ANONYMOUS_OFF:
        return redirect(url_for("auth.login"), 303)
    return redirect(url_for("views.search"), 303)


def _refused(wait: float, until: float) -> str:
    when = (f"{math.ceil(wait)} 秒后" if wait < 120 else
            f"{math.ceil(wait / 60)} 分钟后（{time.strftime('%H:%M', time.localtime(until))} 以后）")
    return f"登录失败次数过多，已暂停登录。请 {when}再试；忘记密码请找系统管理员重设。"


def safe_next(target: str) -> str:
    """`target` when it is a path on this site, else "" (no redirect to another site)."""
    parts = urlsplit(target)
    if (not target.startswith("/") or target.startswith(("//", "/\\")) or parts.scheme
            or parts.netloc or any(ord(c) < 32 for c in target)):
        return ""
    return target
