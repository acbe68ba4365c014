"""Corrections by an 编辑 or 管理员: the JSON API (PATCH a record's 著录 fields, PUT or DELETE a
page's text, DELETE a field's correction, GET the history) and the record page's 校对 forms.
Each change is checked here, stored by indexer.store.corrections, audited with its old and new
values, and applied to the index at once when no indexing run holds it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user

from indexer import dates
from indexer.build.applynow import apply_now
from indexer.build.corrected import other_content
from indexer.errors import DanganError, QueryError, RecordNotFound
from indexer.fields import FIELDS as REGISTRY, SECURITY_LEVELS
from indexer.store.corrections import FIELDS, Correction, Corrections
from indexer.store.indexedfiles import indexed_file

from .api import archive
from .auth import LoginRequired, audit_log, clearance, record_read

bp = Blueprint("corrections", __name__)

LABELS = {f.name: f.label for f in REGISTRY if f.name in FIELDS}
MAX_VALUE = 2000  # characters of a 著录 value
MAX_PAGE = 200_000  # characters of a page's text
BUSY = "索引正在更新，完成后生效"


class NotEditor(DanganError):
    """A correction asked for by a reader who is neither 编辑 nor 管理员."""

    http_status = 403


def store() -> Corrections:
    ext = current_app.extensions
    if "dangan.corrections" not in ext:
        settings = ext["dangan.settings"]
        ext["dangan.corrections"] = Corrections(settings.data_dir, settings.database.url)
    return ext["dangan.corrections"]


def _editor() -> None:
    if not current_user.is_authenticated:
        raise LoginRequired("请先登录：校对需要编辑或管理员账号")
    if not current_user.may_correct:
        raise NotEditor("只有编辑或管理员可以校对记录")


def _record(record_id: str) -> dict:
    """The record, for an 编辑 or 管理员 who may see it (404 above their clearance)."""
    _editor()
    return archive().record(record_id, clearance())


def _field_value(rec: dict, name: str) -> str:
    if name in ("persons", "notes"):
        value = (rec.get("meta") or {}).get(name, "")
        return "；".join(map(str, value)) if isinstance(value, list) else str(value or "")
    return str(rec.get(name, "") or "")


def _checked(name: str, value: Any) -> str:
    """A new 著录 value as stored, or a 400 saying what is wrong with it."""
    if name not in FIELDS:
        allowed = "、".join(f"{n}（{LABELS[n]}）" for n in FIELDS)
        raise QueryError(f"不能校对的字段“{name}”：可以校对的字段是 {allowed}")
    if isinstance(value, list) and name == "persons":
        value = "；".join(str(v).strip() for v in value if str(v).strip())
    if not isinstance(value, str):
        raise QueryError(f"{LABELS[name]}的值必须是文字")
    value = value.strip()
    if len(value) > MAX_VALUE:
        raise QueryError(f"{LABELS[name]}太长：最多 {MAX_VALUE} 个字符")
    if name == "date" and value:
        try:
            value = dates.parse(value).iso
        except dates.DateError as e:
            raise QueryError(f"日期有误：{e}") from None
    if name == "security":
        if value not in SECURITY_LEVELS:
            raise QueryError(f"密级必须是 {'、'.join(SECURITY_LEVELS)} 之一，收到“{value}”")
        if not current_user.is_admin:
            raise NotEditor("只有管理员可以校对密级")
        if SECURITY_LEVELS.index(value) > SECURITY_LEVELS.index(clearance()):
            raise NotEditor(f"不能把密级设为高于自己权限（{clearance()}）的级别")
    return value


def _note(raw: Any, required: bool = True) -> str:
    note = raw.strip() if isinstance(raw, str) else ""
    if required and not note:
        raise QueryError("请填写校对说明（改了什么、依据什么）")
    if len(note) > MAX_VALUE:
        raise QueryError(f"校对说明太长：最多 {MAX_VALUE} 个字符")
    return note


def _digest(rec: dict) -> str:
    found = indexed_file(archive().dir, rec.get("source", ""), rec.get("path", ""))
    return (getattr(found, "digest", None) or "") if found else ""


def _audit(action: str, rec: dict, **detail) -> None:
    record_read(action, record=rec["id"], **detail)


def _applied(rec: dict) -> dict:
    settings = current_app.extensions["dangan.settings"]
    done = apply_now(settings, store(), rec["source"], rec["path"])
    return {"applied": done, "message": "已生效，可以检索到" if done else BUSY}


def correct_fields(record_id: str, data: Any) -> dict:
    if not isinstance(data, dict):
        raise QueryError("请求体必须是 JSON 对象：著录字段及其新值，再加 note（校对说明）")
    rec = _record(record_id)
    data = dict(data)
    note = _note(data.pop("note", ""))
    changes = {name: _checked(name, value) for name, value in data.items()}
    changes = {n: v for n, v in changes.items() if v != _field_value(rec, n)}
    if not changes:
        raise QueryError("没有改动：新值与现在的值相同")
    made = []
    for name, value in changes.items():
        old = _field_value(rec, name)
        made.append(store().add(rec["source"], rec["path"], rec["id"], _digest(rec), name, 0,
                                old, value, note, current_user.name, current_user.is_admin))
        extra = {}
        if name == "security" and SECURITY_LEVELS.index(value) < SECURITY_LEVELS.index(old or "内部"):
            extra["override"] = "管理员降低密级（不按“取最高”规则）"
        _audit("correct", rec, field=LABELS[name], old=old, new=value, note=note, **extra)
    return {"ok": True, "id": record_id, "corrections": [c.json() for c in made]} | _applied(rec)


def _page(rec: dict, page: int) -> tuple[int, int]:
    starts = [p for p in rec["page_list"]]
    if not 1 <= page <= len(starts):
        raise RecordNotFound(f"记录 {rec['id']} 没有第 {page} 页")
    p = starts[page - 1]
    text = rec["text"]
    end = p["end"] - 1 if page < len(starts) and text[p["end"] - 1:p["end"]] == "\f" else p["end"]
    return p["start"], end


def correct_page(record_id: str, page: int, data: Any) -> dict:
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise QueryError("请求体必须是 JSON 对象 {\"text\": \"本页正确的文字\", \"note\": \"校对说明\"}")
    rec = _record(record_id)
    note = _note(data.get("note"))
    text = data["text"].replace("\r\n", "\n").replace("\f", "\n")
    if len(text) > MAX_PAGE:
        raise QueryError(f"一页的文字太长：最多 {MAX_PAGE:,} 个字符")
    a, b = _page(rec, page)
    old = rec["text"][a:b]
    if text == old:
        raise QueryError("没有改动：新文字与这一页现在的文字相同")
    made = store().add(rec["source"], rec["path"], rec["id"], _digest(rec), "", page, old, text,
                       note, current_user.name, current_user.is_admin)
    _audit("correct", rec, page=page, old=old, new=text, note=note)
    return {"ok": True, "id": record_id, "corrections": [made.json()]} | _applied(rec)


def revert(record_id: str, field: str, page: int, note: str) -> dict:
    rec = _record(record_id)
    if field and field not in FIELDS:
        raise QueryError(f"不能校对的字段“{field}”")
    if field == "security" and not current_user.is_admin:
        raise NotEditor("只有管理员可以撤销密级的校对")
    if page:
        _page(rec, page)
    taken: Correction | None = store().revert(rec["source"], rec["path"], field, page,
                                              current_user.name)
    what = f"第 {page} 页的文字" if page else LABELS.get(field, field)
    if taken is None:
        raise RecordNotFound(f"{what}没有校对，无需撤销")
    detail = {"page": page} if page else {"field": LABELS[field]}
    _audit("correct-revert", rec, old=taken.new, new=taken.old if field else "（原件识别的文字）",
           note=note, **detail)
    return {"ok": True, "id": record_id, "reverted": taken.json()} | _applied(rec)


# --- JSON API ---

def _json() -> Any:
    data = request.get_json(silent=True)
    if data is None:
        raise QueryError("请求体必须是 JSON（Content-Type: application/json）")
    return data


@bp.patch("/api/records/<record_id>")
def api_correct(record_id: str):
    return jsonify(correct_fields(record_id, _json()))


@bp.put("/api/records/<record_id>/pages/<int:page>/text")
def api_correct_page(record_id: str, page: int):
    return jsonify(correct_page(record_id, page, _json()))


@bp.delete("/api/records/<record_id>/pages/<int:page>/text")
def api_revert_page(record_id: str, page: int):
    data = request.get_json(silent=True) or {}
    return jsonify(revert(record_id, "", page, _note(data.get("note") if isinstance(data, dict)
                                                     else "", required=False)))


@bp.delete("/api/records/<record_id>/corrections/<field>")
def api_revert_field(record_id: str, field: str):
    data = request.get_json(silent=True) or {}
    return jsonify(revert(record_id, field, 0, _note(data.get("note") if isinstance(data, dict)
                                                     else "", required=False)))


@bp.get("/api/records/<record_id>/corrections")
def api_history(record_id: str):
    """Every correction of the record's file, reverted ones too (a reader who may see it);
    those made when the file held other content are only counted: what was written of
    another document (perhaps of a higher 密级) is not shown with this one."""
    rec = archive().record(record_id, clearance())
    digest = _digest(rec)
    history = store().history(rec["source"], rec["path"])
    shown = [c for c in history if not other_content(c, digest)]
    record_read("record", record=record_id, corrections=len(shown))
    return jsonify({"ok": True, "id": record_id, "corrections": [c.json() for c in shown],
                    "other_content": len(history) - len(shown)})


# --- the record page's forms (no JavaScript needed) ---

def _back(record_id: str, message: str, category: str = "ok"):
    flash(message, category)
    return redirect(url_for("records.record", record_id=record_id) + "#correct", 303)


def _form(record_id: str, what: str, work):
    """Run a form's change; a mistake in what was typed comes back on the record page."""
    try:
        out = work()
    except QueryError as e:
        return _back(record_id, str(e), "error")
    return _back(record_id, f"{what}：{out['message']}")


@bp.post("/records/<record_id>/correct")
def form_correct(record_id: str):
    form = request.form
    rec = _record(record_id)
    data = {name: form[name] for name in FIELDS if name in form
            and form[name].strip() != _field_value(rec, name)}
    data["note"] = form.get("note", "")
    return _form(record_id, "著录已校对", lambda: correct_fields(record_id, data))


@bp.post("/records/<record_id>/pages/<int:page>/correct")
def form_correct_page(record_id: str, page: int):
    data = {"text": request.form.get("text", ""), "note": request.form.get("note", "")}
    return _form(record_id, f"第{page}页已校对", lambda: correct_page(record_id, page, data))


@bp.post("/records/<record_id>/pages/<int:page>/revert")
def form_revert_page(record_id: str, page: int):
    return _form(record_id, f"第{page}页的校对已撤销", lambda: revert(
        record_id, "", page, _note(request.form.get("note"), required=False)))


@bp.post("/records/<record_id>/corrections/<field>/revert")
def form_revert_field(record_id: str, field: str):
    return _form(record_id, f"{LABELS.get(field, field)}的校对已撤销", lambda: revert(
        record_id, field, 0, _note(request.form.get("note"), required=False)))
