"""The search page: hits with snippets, facets (with the year histogram), chips, sorting, paging."""
from __future__ import annotations

import dataclasses
import math
from urllib.parse import parse_qsl, urlencode
from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer.errors import QueryError
from indexer.fields import SECURITY_LEVELS
from indexer.search.compile import compile_query
from indexer.search.querylang import parse
from indexer.store.schema import FACETS

from .api import archive, request_from
from .auth import record_read, search_detail
from .params import FACET_LABELS, PARAMS
from .marking import snippet_html, title_html
from .render import shows_time

bp = Blueprint("views", __name__)

TYPE_LABELS = {"txt": "文本", "pdf": "PDF", "image": "扫描图像", "docx": "Word 文档"}
SORTS = (("relevance", "相关度"), ("-date", "日期新→旧"), ("date", "日期旧→新"))
FACET_SHOWN = 10  # values listed before the rest fold under 更多
BAR_STEPS = 20  # the year histogram's bars are 0..20 twentieths of the widest (CSS classes)
PAGE_WINDOW = 3  # page links on each side of the current one
MAX_RESULTS = 100_000  # the search library refuses pages past this many results


@dataclass(frozen=True)
class Link:
    """Something to click: a facet value, a chip, a sort order or a page number."""
    label: str
    url: str
    count: int = 0
    selected: bool = False
    bar: int = 0  # histogram bar length in BAR_STEPS (year facet only)
    value: str = ""  # the facet value itself when the label is a translation


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

    def query(self) -> str:
        """The search as a query string (what the record page's 返回检索 goes back to)."""
        return urlencode(list(self.args.items(multi=True)))

    @classmethod
    def from_query(cls, query: str) -> State:
        """The search a record page was opened from (unknown parameters dropped)."""
        return cls(MultiDict(parse_qsl(query[:4000])))

    def back_url(self) -> str:
        return url_for("views.search") + (f"?{self.query()}" if self.args else "")

    def api_url(self, endpoint: str, **extra: str) -> str:
        """This search's parameters (not its page) on an API endpoint: export, zip download."""
        args = {k: self.args.getlist(k) for k in self.args if k not in ("page", "size")}
        return url_for(endpoint, **args, **extra)

    def toggle(self, name: str, value: str) -> str:
        values = self.args.getlist(name)
        chosen = [v for v in values if v != value] if value in values else values + [value]
        return self.url(**{name: chosen, "page": None})

    def hidden(self, *skip: str) -> list[tuple[str, str]]:
        """Arguments a form carries along (a new query starts on page 1)."""
        return [(k, v) for k, v in self.args.items(multi=True)
                if k not in ("q", "page") + skip]


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
    record_read("search", query=q, **search_detail(req, result.total))
    return render_template(
        "search.html", q=q, state=state, error=None, result=result,
        purpose_needed=current_app.extensions["dangan.settings"].auth.download_purpose,
        show_time=shows_time(result),
        hits=[_hit(h, q, state.query()) for h in result.hits],
        facets=_facets(result, state), chips=_chips(result, state),
        suggestions=[Link(s, state.url(q=s, page=None)) for s in result.suggestions],
        sorts=_sorts(state, req.sort, q), pager=_pager(state, req.page, req.size, result.total),
        first=(req.page - 1) * req.size + 1,
        last=min(result.total, req.page * req.size),
        years=_year_span(result), clear_url=state.url(page=None, date_from=None, date_to=None,
                                                       **{name: None for name in FACETS}),
    )


def highlight_terms(q: str) -> list[str]:
    """The strings a query marks in a text; none for an empty or unreadable query."""
    try:
        return compile_query(parse(q)).highlight if q.strip() else []
    except QueryError:
        return []


def security_class(level: str) -> str:
    return f"sec-{SECURITY_LEVELS.index(level)}" if level in SECURITY_LEVELS else "sec-x"


def _hit(hit, q: str, back: str) -> dict:
    f = hit.fields
    if hit.variants:  # an approximate hit opens with what it was found by highlighted
        q = " OR ".join(f'"{v}"' for v in hit.variants)
    # `back`: the whole search (filters, dates, sort, page), for the record page's way back
    url = url_for("records.record", record_id=f["id"], q=q or None, back=back or None)
    marked = [s.page for s in hit.snippets if s.spans and not s.field]  # open at the first hit
    return {"f": f, "url": url + (f"#page-{marked[0]}" if marked and marked[0] > 1 else ""),
            "title": title_html(hit) if f["title"] else f["path"],
            "type": TYPE_LABELS.get(f["type"], f["type"]),
            "security_class": security_class(f["security"]),
            "approximate": hit.match == "approximate", "variants": hit.variants,
            "snippets": [(s.page, snippet_html(s), f"{url}#page-{s.page}", s.field)
                         for s in hit.snippets]}


def _facets(result, state: State) -> list[dict]:
    out = []
    for name in FACETS:
        values = result.facets.get(name, [])
        widest = max((v.count for v in values), default=0) or 1
        links = [Link(_value_label(name, v.value), state.toggle(name, v.value), v.count,
                      v.selected, _bar(v.count, widest), v.value) for v in values]
        if links:
            out.append({"name": name, "label": FACET_LABELS[name],
                        "shown": links[:FACET_SHOWN], "more": links[FACET_SHOWN:]})
    return out


def _year_span(result) -> dict:
    """The lowest and highest year among the results (placeholders of the year range)."""
    years = sorted(int(v.value) for v in result.facets.get("year", []) if v.value.isdigit())
    return {"low": years[0] if years else "起始年", "high": years[-1] if years else "截止年"}


def _value_label(name: str, value: str) -> str:
    return TYPE_LABELS.get(value, value) if name == "type" else value


def _bar(count: int, widest: int) -> int:
    return max(1, round(count / widest * BAR_STEPS)) if count else 0


def _chips(result, state: State) -> list[Link]:
    """Selected facet values and date limits, each with the URL that removes it."""
    chips = [Link(f"{FACET_LABELS[name]}：{_value_label(name, value)}",
                  state.toggle(name, value))
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
