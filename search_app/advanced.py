"""高级检索: a form of fields (题名, 责任者, 人员, 文号, 档号, 备注, full text), a date range,
门类 / 文种 / 保管期限 and 密级 up to the reader's clearance. It writes the ordinary query
syntax (题名:总结 责任者:公安局 日期:2015..2019 …) and opens the search with it, so the clerk
sees in the search box how to type it next time."""
from __future__ import annotations

import re

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from indexer.fields import SECURITY_LEVELS
from indexer.search.archive import SearchRequest
from indexer.search.variants import docnum_forms

from .api import archive
from .auth import clearance

bp = Blueprint("advanced", __name__)

# (form name, the field name the query syntax uses, label, hint)
TEXT_FIELDS = (("title", "题名", "题名", "如 工作总结"), ("org", "责任者", "责任者", "如 公安局"),
               ("persons", "人员", "人员", "如 王建成"), ("doc_number", "文号", "文号",
                                                        "如 新政发〔2019〕3号"),
               ("archival_code", "档号", "档号", "如 0123-WS·2019-Y-0001"),
               ("notes", "备注", "备注", "如 补登"))
CHOICES = (("category", "门类"), ("kind", "文种"), ("retention", "保管期限"), ("security", "密级"))
MAX_VALUE = 100
_NEEDS_QUOTES = re.compile(r'[\s()"]|^-|^(?:OR|AND|NOT)$')


def compose(args) -> str:
    """The query the form's values stand for, in the ordinary syntax."""
    parts = []
    words = (args.get("words") or "").strip()[:MAX_VALUE * 2]
    if words:
        parts.append(words)  # already query syntax: the clerk may use OR, -, quotes
    for name, field, _label, _hint in TEXT_FIELDS:
        value = (args.get(name) or "").strip()[:MAX_VALUE]
        if name == "doc_number" and (written := docnum_forms(value)):
            value = written[0]  # 当档发2008 7号 as written: 当档发〔2008〕7号
        if value:
            parts.append(f"{field}:{_quoted(value)}")
    low, high = ((args.get(k) or "").strip()[:10] for k in ("date_from", "date_to"))
    if low or high:
        parts.append(f"日期:{low}..{high}")
    for name, label in CHOICES:
        value = (args.get(name) or "").strip()[:MAX_VALUE]
        if value:
            parts.append(f"{label}:{_quoted(value)}")
    return " ".join(parts)


def _quoted(value: str) -> str:
    if not _NEEDS_QUOTES.search(value):
        return value
    return '"' + value.replace('"', " ").strip() + '"'


@bp.get("/advanced")
def form():
    level = clearance()
    listing = archive().search(SearchRequest(size=1, snippets=False, clearance=level))
    options = {name: [v.value for v in listing.facets.get(name, [])] for name, _ in CHOICES}
    options["security"] = list(SECURITY_LEVELS[: SECURITY_LEVELS.index(level) + 1])
    return render_template("advanced.html", text_fields=TEXT_FIELDS, choices=CHOICES,
                           options=options, values=request.args)


@bp.get("/advanced/search")
def go():
    """The form's answer: the search page with the composed query (JSON for the preview)."""
    q = compose(request.args)
    if request.args.get("preview"):
        return jsonify({"ok": True, "q": q})
    if not q:
        return redirect(url_for("advanced.form"), 303)
    return redirect(url_for("views.search", q=q), 303)
