"""The HTML pages: the search page (hits, facets, paging) and the record page."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from indexer.compile import compile_query
from indexer.errors import QueryError
from indexer.highlight import find_spans, mark
from indexer.pageimages import has_page_images
from indexer.querylang import parse
from indexer.schema import FACETS, SECURITY_LEVELS

from .api import archive, clearance, request_from
from .params import PARAMS

bp = Blueprint("views", __name__)

FACET_LABELS = {"category": "门类", "kind": "文种", "year": "年度", "org": "责任者", "retention": "保管期限",
                "security": "密级", "type": "文件类型"}
SORTS = (("relevance", "相关度"), ("-date", "日期新→旧"), ("date", "日期旧→新"))
FACET_SHOWN = 10  # values listed before the rest fold under 更多
PAGE_WINDOW = 3  # page links on each side of the current one
MAX_RESULTS = 100_000  # the search library refuses pages past this many results
META_LABELS = {"encoding": "编码", "warnings": "警告", "notes": "备注", "persons": "人物"}
RECORD_FIELDS = (("title", "题名"), ("archival_code", "档号"), ("doc_number", "文号"),
                 ("org", "责任者"), ("date", "日期"), ("category", "门类"), ("kind", "文种"),
                 ("retention", "保管期限"), ("security", "密级"), ("type", "文件类型"),
                 ("pages", "页数"), ("path", "路径"))


@dataclass(frozen=True)
class Link:
    """Something to click: a facet value, a chip, a sort order or a page number."""
    label: str
    url: str
    count: int = 0
    selected: bool = False


class State:
    """The search's URL arguments; every link on the page is this state with one change."""

    def __init__(self, args: MultiDict):
        self.args = MultiDict([(k, v) for k, v in args.items(multi=True)
                               if k in PARAMS and v.strip()])

    def url(self, **changes: str | list[str] | None) -> str:
        args = self.args.copy()
        for name, value in changes.items():
            args.poplist(name)
            if value:
                args.setlist(name, value if isinstance(value, list) else [value])
        return url_for("views.search", **{k: args.getlist(k) for k in args})

    def toggle(self, name: str, value: str) -> str:
        values = self.args.getlist(name)
        chosen = [v for v in values if v != value] if value in values else values + [value]
        return self.url(**{name: chosen, "page": None})

    def hidden(self) -> list[tuple[str, str]]:
        """Arguments the query form carries along (a new query starts on page 1)."""
        return [(k, v) for k, v in self.args.items(multi=True) if k not in ("q", "page")]


@bp.get("/")
def search():
    state = State(request.args)
    q = request.args.get("q", "")
    try:
        req = request_from(request.args)
        if not q.strip() and not request.args.get("sort"):
            req = dataclasses.replace(req, sort="-date")  # an empty query lists newest first
        result = archive().search(req)
    except QueryError as e:
        return render_template("search.html", q=q, state=state, error=str(e)), 400
    return render_template(
        "search.html", q=q, state=state, error=None, result=result,
        hits=[_hit(h, q) for h in result.hits],
        facets=_facets(result, state), chips=_chips(result, state),
        sorts=_sorts(state, req.sort, q), pager=_pager(state, req.page, req.size, result.total),
        first=(req.page - 1) * req.size + 1,
        last=min(result.total, req.page * req.size),
    )


@bp.get("/records/<record_id>")
def record(record_id: str):
    rec = archive().record(record_id, clearance())
    q = request.args.get("q", "")
    terms = highlight_terms(q)
    text = rec["text"]
    spans = find_spans(text, terms)
    images = has_page_images(rec)
    pages = [{"page": p["page"], "html": Markup(mark(text, spans, p["start"], p["end"])
                                                .replace("\f", "").strip("\n")),
              "image": url_for("api.page_image", record_id=record_id, page=p["page"])
              if images else None,
              "hits": sum(1 for a, _b in spans if p["start"] <= a < p["end"])}
             for p in rec["page_list"]]
    rows = [(label, rec.get(key, "")) for key, label in RECORD_FIELDS]
    rows += [(META_LABELS.get(k, k), "；".join(map(str, v)) if isinstance(v, list) else v)
             for k, v in (rec.get("meta") or {}).items()]
    fields = [(label, _marked(str(value), terms) if value not in (None, "") else "—")
              for label, value in rows]
    back = url_for("views.search", q=q or None)
    return render_template("record.html", rec=rec, q=q, pages=pages, fields=fields,
                           matches=len(spans), back=back,
                           security_class=_security_class(rec.get("security", "")))


def highlight_terms(q: str) -> list[str]:
    """The strings a query marks in a text; none for an empty or unreadable query."""
    try:
        return compile_query(parse(q)).highlight if q.strip() else []
    except QueryError:
        return []


def _marked(value: str, terms: list[str]) -> Markup:
    return Markup(mark(value, find_spans(value, terms)))


def _hit(hit, q: str) -> dict:
    f = hit.fields
    url = url_for("views.record", record_id=f["id"], q=q or None)
    return {"f": f, "url": url, "title": Markup(hit.title_html) if f["title"] else f["path"],
            "security_class": _security_class(f["security"]),
            "snippets": [(s.page, Markup(s.html)) for s in hit.snippets]}


def _security_class(level: str) -> str:
    return f"sec-{SECURITY_LEVELS.index(level)}" if level in SECURITY_LEVELS else "sec-x"


def _facets(result, state: State) -> list[dict]:
    out = []
    for name in FACETS:
        links = [Link(v.value, state.toggle(name, v.value), v.count, v.selected)
                 for v in result.facets.get(name, [])]
        if links:
            out.append({"name": name, "label": FACET_LABELS[name],
                        "shown": links[:FACET_SHOWN], "more": links[FACET_SHOWN:]})
    return out


def _chips(result, state: State) -> list[Link]:
    """Selected facet values and date limits, each with the URL that removes it."""
    chips = [Link(f"{FACET_LABELS[name]}：{value}", state.toggle(name, value))
             for name in FACETS for value in result.request.filters.get(name, ())]
    for name, label in (("date_from", "日期从"), ("date_to", "日期到")):
        if state.args.get(name):
            chips.append(Link(f"{label}：{state.args[name]}", state.url(**{name: None,
                                                                           "page": None})))
    return chips


def _sorts(state: State, current: str, q: str) -> list[Link]:
    """The sort orders; relevance only means something when there is a query."""
    return [Link(label, state.url(sort=None if key == "relevance" else key, page=None),
                 selected=key == current) for key, label in SORTS
            if q.strip() or key != "relevance"]


def _pager(state: State, page: int, size: int, total: int) -> dict:
    """上一页/下一页 and page numbers around the current one (None marks a gap)."""
    last = max(1, min(math.ceil(total / size), MAX_RESULTS // size))

    def link(n: int) -> Link:
        return Link(str(n), state.url(page=str(n) if n > 1 else None), selected=n == page)

    around = range(max(1, page - PAGE_WINDOW), min(last, page + PAGE_WINDOW) + 1)
    numbers: list[Link | None] = []
    for n in sorted({1, last, *around}):
        if numbers and int(numbers[-1].label) < n - 1:
            numbers.append(None)
        numbers.append(link(n))
    return {"prev": link(page - 1).url if page > 1 else None,
            "next": link(page + 1).url if page < last else None,
            "numbers": numbers if last > 1 else []}
