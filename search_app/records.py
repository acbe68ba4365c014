"""The record page (page images beside the text, hits, warnings, 相关记录) and the download of
the original file."""
from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, render_template, request, send_file, url_for
from markupsafe import Markup
from werkzeug.http import quote_header_value

from indexer.fields import LABELS, SHOWN
from indexer.ingest.originals import open_original, original_size
from indexer.ingest.pageimages import SHOWN_FORMAT, has_page_images
from indexer.search.highlight import find_spans

from .api import archive, indexed
from .auth import clearance, record_read
from .correctview import correction_view
from .marking import mark
from .purpose import PurposeRequired, stated_purpose
from .views import TYPE_LABELS, State, highlight_terms, security_class
from .watermark import watermark_text

bp = Blueprint("records", __name__)

META_LABELS = {"encoding": "编码", **LABELS}  # catalog values without a row of their own
# shown elsewhere (the 著录 rows), or the indexer's own notes
META_HIDDEN = {"warnings", "extracted", "pages", "corrections"} | {f.name for f in SHOWN}
RECORD_FIELDS = tuple((f.name, f.label) for f in SHOWN)  # the field registry's 著录 rows
PRINT_MODES = {"text": "文字", "image": "原件图像"}
SIMILAR = 5  # 相关记录 shown
_PAGE_WARNING = re.compile(r"^第(\d+)页")


@bp.get("/records/<record_id>")
def record(record_id: str):
    rec = archive().record(record_id, clearance())
    q = request.args.get("q", "")
    terms = highlight_terms(q)
    spans = find_spans(rec["text"], terms)
    warnings = [str(w) for w in (rec.get("meta") or {}).get("warnings") or []]
    pages = _pages(record_id, rec, spans, warnings)
    images = has_page_images(rec)
    print_mode = request.args.get("print", "")
    similar = archive().similar(record_id, clearance(), size=SIMILAR)
    record_read("record", record=record_id, query=q)
    back, back_q = _back(q)
    return render_template(
        "record.html", rec=rec, q=q, pages=pages, fields=_fields(rec, terms),
        matches=len(spans), first_hit=next((p["page"] for p in pages if p["hits"]), None),
        warnings=warnings, images=images, original=_original(rec),
        back=back, back_query=request.args.get("back") or None, back_q=back_q,
        print_mode=print_mode if print_mode in PRINT_MODES else "",
        print_links=[(mode, label, url_for("records.record", record_id=record_id, q=q or None,
                                           print=mode, back=request.args.get("back") or None))
                     for mode, label in PRINT_MODES.items() if images or mode == "text"],
        similar=[_similar(h) for h in similar],
        security_class=security_class(rec.get("security", "")), watermark=watermark_text(rec),
        **correction_view(rec))


def _back(q: str) -> tuple[str, str]:
    """返回检索: the search the record was opened from (filters, dates, sort and page kept),
    or a search for the record's query when it was opened from elsewhere; and what that search
    asked for, named on the link (王建程, when the record was opened from its approximate hit by
    王建成)."""
    back = request.args.get("back", "")
    if back:
        state = State.from_query(back)
        return state.back_url(), state.args.get("q", "")
    return url_for("views.search", q=q or None), q


@bp.get("/records/<record_id>/download")
def download(record_id: str):
    """The original file, found from the index's own corpus roots (never a client's path) and
    sent from the file opened without following links (never reopened by its path)."""
    rec = archive().record(record_id, clearance())
    try:
        purpose = stated_purpose([rec])
    except PurposeRequired as e:  # ask first: a small form, then the same address again
        return render_template("purpose.html", rec=rec, message=str(e),
                               asked=bool(request.args.get("purpose")),
                               security_class=security_class(rec.get("security", "")))
    original = open_original(rec, archive().sources, indexed(rec))
    try:
        record_read("download", record=record_id, **purpose)
        mimetype = mimetypes.guess_type(original.name)[0] or "application/octet-stream"
        response = send_file(original.file, mimetype=mimetype, max_age=0,
                             last_modified=original.stat.st_mtime)
    except BaseException:
        original.close()
        raise
    response.content_length = original.stat.st_size  # the response closes the file
    response.headers["Content-Disposition"] = content_disposition(original.name, record_id)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u2028\u2029"\\]')  # controls, quote, backslash
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9._-]")
_ATTR_CHAR = "!#$&+-.^_`|~"  # RFC 5987 attr-char besides letters and digits


def content_disposition(name: str, record_id: str) -> str:
    """`attachment` with an ASCII `filename` and, for other names, RFC 6266/5987 `filename*`
    (UTF-8, percent-encoded). A control character (a newline in a file name), a quote or a
    backslash becomes `_`: the header is well-formed whatever the name."""
    name = _UNSAFE.sub("_", name)
    if name.isascii():
        return f"attachment; filename={quote_header_value(name, allow_token=False)}"
    fallback = _NOT_TOKEN.sub("_", f"{record_id}{Path(name).suffix}")
    return (f"attachment; filename={quote_header_value(fallback, allow_token=False)}; "
            f"filename*=UTF-8''{quote(name.encode('utf-8', 'replace'), safe=_ATTR_CHAR)}")


def _pages(record_id: str, rec: dict, spans, warnings: list[str]) -> list[dict]:
    text, images = rec["text"], has_page_images(rec)
    by_page: dict[int, list[str]] = {}
    for w in warnings:
        m = _PAGE_WARNING.match(w)
        if m:
            by_page.setdefault(int(m.group(1)), []).append(w)
    return [{"page": p["page"],
             "html": Markup(mark(text, spans, p["start"], p["end"]).replace("\f", "")
                            .strip("\n")),
             "image": url_for("api.page_image", record_id=record_id, page=p["page"],
                              fmt=SHOWN_FORMAT)
             if images else None,
             "hits": sum(1 for a, _b in spans if p["start"] <= a < p["end"]),
             "hits_url": url_for("hits.hits", record_id=record_id, page=p["page"],
                                 q=request.args.get("q"))
             if images and any(a < p["end"] and b > p["start"] for a, b in spans) else None,
             "warnings": by_page.get(p["page"], [])}
            for p in rec["page_list"]]


def _fields(rec: dict, terms: list[str]) -> list[tuple[str, Markup | str]]:
    rows = [(label, TYPE_LABELS.get(rec[key], rec[key]) if key == "type" else rec.get(key, ""))
            for key, label in RECORD_FIELDS]
    rows += [(META_LABELS.get(k, k), "；".join(map(str, v)) if isinstance(v, list) else v)
             for k, v in (rec.get("meta") or {}).items()
             if k not in META_HIDDEN and v not in (None, "", [], {})]
    return [(label, Markup(mark(str(v), find_spans(str(v), terms))) if v not in (None, "")
             else "—") for label, v in rows]


def _original(rec: dict) -> dict | None:
    """Name and size of the original file, or None when it is no longer in the corpus (or
    cannot be read without following a link)."""
    found = original_size(rec, archive().sources, indexed(rec))
    if found is None:
        return None
    name, size = found
    return {"name": name, "size": _human_size(size),
            "url": url_for("records.download", record_id=rec["id"])}


def _human_size(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _similar(hit) -> dict:
    f = hit.fields
    return {"f": f, "title": f["title"] or f["path"],
            "url": url_for("records.record", record_id=f["id"],
                           back=request.args.get("back") or None),
            "security_class": security_class(f["security"])}
