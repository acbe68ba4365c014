"""Taking results away: a whole result list as CSV or Excel (`/api/export`), and the originals of
chosen or all hits as one zip with a manifest (`/api/download`). Both stay within the reader's
clearance (the search library's listing) and are written to the 查阅登记."""
from __future__ import annotations

import csv
import io
import tempfile
import time
import zipfile
from pathlib import PurePosixPath

from flask import Blueprint, Response, current_app, request, send_file, url_for
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from indexer.errors import QueryError, RecordNotFound
from indexer.fields import LABELS
from indexer.ingest.originals import open_original
from indexer.search.archive import SearchRequest, TooManyHits

from .api import archive, indexed, request_from
from .auth import clearance, record_read, search_detail
from .purpose import stated_purpose
from .records import content_disposition

bp = Blueprint("export", __name__, url_prefix="/api")

FORMATS = ("csv", "xlsx")
# the columns of an export, in order: the 著录 a clerk files results by, then where to find it
FIELDS = ("title", "org", "doc_number", "date", "archival_code", "fonds", "category", "kind",
          "retention", "security", "pages", "persons", "notes", "path", "id")
MATCH = {"exact": "精确", "approximate": "近似"}
HEADER = ("序号", *(LABELS[f] for f in FIELDS), "匹配", "链接")
MANIFEST = "清单.csv"
COPY_CHUNK = 1 << 20


@bp.get("/export")
def export():
    fmt = request.args.get("format", "csv")
    if fmt not in FORMATS:
        raise QueryError(f"format 只能是 {' / '.join(FORMATS)}，收到 {fmt!r}")
    limit = current_app.extensions["dangan.settings"].search.export_max
    listing = archive().listing(request_from(request.args), limit, FIELDS)
    rows = [_row(i, r) for i, r in enumerate(listing.rows, 1)]
    record_read("export", query=listing.request.q, format=fmt,
                **search_detail(listing.request, listing.total))
    name = f"检索结果-{_slug(listing.request.q)}{time.strftime('%Y%m%d-%H%M')}.{fmt}"
    if fmt == "csv":
        body, mimetype = "\ufeff" + _csv(HEADER, rows), "text/csv; charset=utf-8"
    else:
        body = _xlsx(HEADER, rows, listing.request)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": content_disposition(name, "export")})


@bp.get("/download")
def download():
    """A zip of originals: `ids` (repeatable or comma-separated) or, without them (or with
    `all`), every hit of the search the other parameters give; at most [search] download_max
    files."""
    limit = current_app.extensions["dangan.settings"].search.download_max
    ids = [i for raw in request.args.getlist("ids") for i in raw.split(",") if i.strip()]
    if ids and not request.args.get("all"):
        if len(ids) > limit:
            raise QueryError(f"一次最多打包下载 {limit} 个原件，选了 {len(ids)} 个")
        records = [archive().record(i.strip(), clearance()) for i in dict.fromkeys(ids)]
        query = ""
    else:
        if not request.args.get("q", "").strip() and not _narrowed(request.args):
            raise QueryError("请先检索或选择记录，再打包下载")
        try:
            listing = archive().listing(request_from(request.args), limit, (*FIELDS, "source"))
        except TooManyHits as e:
            raise QueryError(f"共有 {e.total} 条结果，一次最多打包下载 {limit} 个原件；"
                             "请加上筛选条件，或勾选要下载的记录") from None
        records, query = listing.rows, listing.request.q
    files = [indexed(rec) for rec in records]  # the manifest's rows, read once
    _check_size(files, current_app.extensions["dangan.settings"].search.download_max_mb)
    return _zip(records, files, query, stated_purpose(records))


def _check_size(files: list, most_mb: int) -> None:
    """The originals' total size (as indexed) within [search] download_max_mb, before any is
    copied: the zip is made on the server's temporary disk."""
    total = sum(getattr(f, "size", 0) or 0 for f in files)
    if total > most_mb * 2**20:
        raise QueryError(f"这些原件共 {total / 2**20:,.0f} MB，超过一次最多打包下载的 {most_mb:,} MB；"
                         "请少选一些，或分几次下载")


def _zip(records: list[dict], files: list, query: str, purpose: dict) -> Response:
    spool = tempfile.TemporaryFile()  # originals may be large: never all in memory
    manifest = []
    names: set[str] = set()
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (rec, found) in enumerate(zip(records, files), 1):
            entry = _entry_name(rec, names)
            try:
                with open_original(rec, archive().sources, found) as original:
                    with z.open(entry, "w", force_zip64=True) as out:
                        while chunk := original.file.read(COPY_CHUNK):
                            out.write(chunk)
                state = "已打包"
            except RecordNotFound as e:  # the original is gone or changed since indexing
                names.discard(entry)
                state = f"未打包：{e}"
            else:
                record_read("download", record=rec["id"], query=query, bulk=True, **purpose)
            # the entry is named after the original (a file named "=SUM(1,2).txt"): never a formula
            manifest.append(_row(i, rec) + [_cell(entry) if state == "已打包" else "", state])
        z.writestr(MANIFEST, "\ufeff" + _csv((*HEADER, "压缩包内文件", "状态"), manifest))
    spool.seek(0)
    name = f"原件-{_slug(query)}{time.strftime('%Y%m%d-%H%M')}.zip"
    response = send_file(spool, mimetype="application/zip", max_age=0)
    response.headers["Content-Disposition"] = content_disposition(name, "download")
    return response


def _entry_name(rec: dict, taken: set[str]) -> str:
    """档号 or 题名, then the original's own name; unique within the zip; no folders."""
    original = PurePosixPath(rec.get("path", "") or rec["id"]).name
    lead = (rec.get("archival_code") or "").strip() or (rec.get("title") or "").strip()[:40]
    base = f"{lead}-{original}" if lead and lead not in original else original
    base = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in base)
    name, n = base, 1
    while name in taken:
        n += 1
        stem, dot, ext = base.rpartition(".")
        name = f"{stem}({n}).{ext}" if dot else f"{base}({n})"
    taken.add(name)
    return name


def _row(i: int, rec: dict) -> list:
    cells = [i]
    for f in FIELDS:
        value = rec.get(f, "")
        if isinstance(value, (list, tuple)):
            value = "；".join(map(str, value))
        cells.append(value if isinstance(value, int) else _cell(str(value or "")))
    cells.append(MATCH.get(rec.get("match", "exact"), ""))
    cells.append(url_for("records.record", record_id=rec["id"], _external=True))
    return cells


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) gets an apostrophe."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header, rows) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def _xlsx(header, rows, req: SearchRequest) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("检索结果")
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDE", (6, 40, 24, 24, 12)):
        sheet.column_dimensions[column].width = width
    bold = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append(row)
    about = book.create_sheet("说明")
    about.append(["检索词", _cell(req.q)])  # a query is typed by anyone: never a formula
    about.append(["导出时间", time.strftime("%Y-%m-%d %H:%M:%S")])
    about.append(["条数", len(rows)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _slug(q: str) -> str:
    kept = "".join(c for c in q.strip()[:20] if c.isalnum() or c in "-_")
    return f"{kept}-" if kept else ""


def _narrowed(args) -> bool:
    return any(args.get(k) for k in ("date_from", "date_to")) or any(
        k not in ("q", "format", "sort", "page", "size") and args.get(k) for k in args)
