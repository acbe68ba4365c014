"""Administrators' pages: accounts (add, clearance, role, disable/enable, new password), API
tokens (create, revoke) and the 查阅登记 (filter, page through, export as CSV), each within the administrator's own 密级."""
from __future__ import annotations

import time

from flask import (Blueprint, Response, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user

from indexer.fields import SECURITY_LEVELS

from .accounts import ADMIN, ROLES, AccountError
from .audit import ACTIONS, to_csv
from indexer.errors import RecordNotFound

from .api import archive
from .auth import AdminOnly, accounts, audit_log, tokens
from .register import ACTION_LABELS, describe
from .tokens import MAX_DAYS
from .records import content_disposition

bp = Blueprint("admin", __name__, url_prefix="/admin")

FILTERS = ("user", "record", "action", "date_from", "date_to")
PAGE_ROWS = 100  # register rows per page
CSV_BATCH = 5000  # rows read at a time while exporting


@bp.before_request
def admins_only():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.is_admin:
        raise AdminOnly("只有管理员可以打开这个页面")
    return None


def _levels() -> tuple[str, ...]:
    """The 密级 up to the administrator's own: the ones they may grant, manage and audit
    (an administrator never reaches, through another account or the register, above it)."""
    return SECURITY_LEVELS[: SECURITY_LEVELS.index(current_user.clearance) + 1]


def _beyond(level: str) -> str | None:
    """Why an administrator may not grant or touch this 密级, or None when they may."""
    if level in SECURITY_LEVELS and level not in _levels():
        return f"您的密级是{current_user.clearance}，不能授予或管理更高的密级（{level}）"
    return None


@bp.get("/users")
def users():
    return _users_page()


def _users_page(new_token: str = "", status: int = 200):
    shown = accounts().list()
    mine = {u.name for u in shown if u.clearance in _levels()}
    return render_template("admin_users.html", users=shown, roles=ROLES, levels=_levels(),
                           tokens=[t for t in tokens().list() if t.user in mine],
                           token_users=sorted(u.name for u in shown
                                              if u.active and u.name in mine),
                           new_token=new_token, max_days=MAX_DAYS), status


@bp.post("/tokens")
def create_token():
    """Make a token; the page shows it once (it is never stored, nor put in a cookie)."""
    name, raw = request.form.get("name", ""), request.form.get("days", "90").strip()
    target = accounts().get(name)
    try:
        if target is None:
            raise AccountError(f"没有用户 {name}")
        refused = _beyond(target.clearance)
        if refused:
            raise AccountError(refused)
        if not raw.isdigit():
            raise AccountError(f"有效天数须为整数（0 表示不设期限），收到 {raw!r}")
        token, secret = tokens().create(name, int(raw) or None, created_by=current_user.name)
    except AccountError as e:
        flash(str(e), "error")
        return redirect(url_for("admin.users"), 303)
    _registered("token-create", name, token=token.id, days=int(raw),
                clearance=target.clearance)
    return _users_page(new_token=secret)


@bp.post("/tokens/revoke")
def revoke_token():
    raw = request.form.get("id", "")
    token = tokens().get(int(raw)) if raw.isdigit() else None
    target = accounts().get(token.user) if token else None
    try:
        if token is None or target is None or _beyond(target.clearance):
            raise AccountError(f"没有编号为 {raw} 的令牌")
        tokens().revoke(token.id)
    except AccountError as e:
        flash(str(e), "error")
    else:
        _registered("token-revoke", token.user, token=token.id, clearance=target.clearance)
        flash(f"已吊销 {token.user} 的令牌 {token.id}", "ok")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users")
def add_user():
    form = request.form
    try:
        refused = _beyond(form.get("clearance", ""))
        if refused:
            raise AccountError(refused)
        user = accounts().add(form.get("name", ""), form.get("password", ""),
                              form.get("role", ""), form.get("clearance", ""))
    except AccountError as e:
        flash(str(e), "error")
    else:
        _registered("add", user.name, role=user.role, level=user.clearance,
                    clearance=user.clearance)
        flash(f"已添加用户 {user.name}（{user.role}，密级 {user.clearance}）", "ok")
    return redirect(url_for("admin.users"), 303)


CHANGES = {  # op: (what the account store does, what the page says afterwards)
    "clearance": (lambda a, name, v: a.set_clearance(name, v), "{name} 的密级改为 {value}"),
    "role": (lambda a, name, v: a.set_role(name, v), "{name} 的角色改为 {value}"),
    "disable": (lambda a, name, v: a.disable(name), "已停用 {name}"),
    "enable": (lambda a, name, v: a.enable(name), "已启用 {name}"),
    "password": (lambda a, name, v: a.reset_password(name, v), "已为 {name} 设置新密码"),
}


@bp.post("/users/change")
def change_user():
    name, op, value = (request.form.get(k, "") for k in ("name", "op", "value"))
    if op not in CHANGES:
        flash(f"未知的操作 {op!r}", "error")
        return redirect(url_for("admin.users"), 303)
    if name == current_user.name and (op == "disable" or (op == "role" and value != ADMIN)):
        flash("不能停用自己的账号，也不能取消自己的管理员身份（请另一位管理员来做）", "error")
        return redirect(url_for("admin.users"), 303)
    change, done = CHANGES[op]
    target = accounts().get(name)
    refused = _beyond(target.clearance) if target else None
    refused = refused or (_beyond(value) if op == "clearance" else None)
    if refused:
        flash(refused, "error")
        return redirect(url_for("admin.users"), 303)
    try:
        change(accounts(), name, value)
    except AccountError as e:
        flash(str(e), "error")
    else:
        _registered(op, name, **({} if op == "password" else {"value": value} if value else {}))
        flash(done.format(name=name, value=value), "ok")
    return redirect(url_for("admin.users"), 303)


def _registered(op: str, name: str, **detail) -> None:
    """An account change goes into the 查阅登记 too (never a password)."""
    audit_log().write(current_user.name, request.remote_addr or "", "admin", op=op, name=name,
                      **detail)


@bp.get("/audit")
def audit():
    filters = {k: request.args.get(k, "").strip() for k in FILTERS}
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) >= 1 else 1
    try:
        rows = audit_log().find(**filters, limit=PAGE_ROWS + 1, offset=(page - 1) * PAGE_ROWS,
                                clearances=_levels())
        error = None
    except ValueError as e:
        rows, error = [], str(e)
    args = {k: v for k, v in filters.items() if v}
    shown = rows[:PAGE_ROWS]
    return render_template(
        "admin_audit.html", rows=shown, filters=filters, error=error, titles=_titles(shown),
        details={r.seq: describe(r.detail) for r in shown},
        actions=[(a, ACTION_LABELS[a]) for a in ACTIONS], labels=ACTION_LABELS, page=page,
        prev=url_for("admin.audit", **args, page=page - 1 if page > 2 else None)
        if page > 1 else None,
        next=url_for("admin.audit", **args, page=page + 1) if len(rows) > PAGE_ROWS else None,
        csv_url=url_for("admin.audit_csv", **args)), 400 if error else 200


@bp.get("/audit.csv")
def audit_csv():
    filters = {k: request.args.get(k, "").strip() for k in FILTERS}
    log = audit_log()
    try:
        first = log.find(**filters, limit=CSV_BATCH, clearances=_levels())
    except ValueError as e:
        return render_template("error.html", message=str(e), status=400), 400

    def rows():
        batch = first
        yield "\ufeff" + to_csv(batch, titles=_titles(batch))  # BOM: spreadsheets read UTF-8
        while len(batch) == CSV_BATCH:
            batch = log.find(**filters, limit=CSV_BATCH, before=batch[-1].seq,
                             clearances=_levels())
            yield to_csv(batch, header=False, titles=_titles(batch))

    name = f"查阅登记-{time.strftime('%Y%m%d')}.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": content_disposition(name, "audit")})


def _titles(rows) -> dict[str, str]:
    """Record id → "档号 题名" of the records these rows read, as far as the administrator may
    see them (a record since removed, or above their clearance, says so without its title)."""
    out: dict[str, str] = {}
    for record_id in {r.record for r in rows if r.record}:
        try:
            rec = archive().record(record_id, current_user.clearance)
        except RecordNotFound:
            out[record_id] = "（已不在索引中或高于您的密级）"
            continue
        out[record_id] = " ".join(x for x in (rec.get("archival_code"), rec.get("title")
                                              or rec.get("path")) if x)
    return out
