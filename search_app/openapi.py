"""The OpenAPI 3.1 description of the JSON API and the file download (GET /api/openapi.json)."""
from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from indexer.fields import SECURITY_LEVELS
from indexer.ingest.pageimages import WIDTHS
from indexer.search.archive import SORTS
from indexer.store.schema import FACETS

from .params import FACET_LABELS

FACET_NOTES = {"kind": "（决定、通知、通报、报告、请示、批复、意见、函、纪要、总结、计划……）",
               "security": f"（{' / '.join(SECURITY_LEVELS)}）",
               "type": "（txt、pdf、image、docx）", "year": "（如 2019）"}


def _param(name: str, description: str, schema: dict, where: str = "query",
           **extra: Any) -> dict:
    return {"name": name, "in": where, "description": description, "schema": schema,
            "required": where == "path", **extra}


def _string(description: str = "") -> dict:
    return {"type": "string", **({"description": description} if description else {})}


ERROR = {"type": "object", "required": ["ok", "error", "status"], "properties": {
    "ok": {"const": False}, "error": _string("给人看的错误说明（中文）"),
    "status": {"type": "integer"}}}
SNIPPET = {"type": "object", "properties": {
    "page": {"type": ["integer", "null"],
             "description": "片段所在的页（从 1 起）；著录项的片段为 null"},
    "field": _string("只在正文没有命中、命中在著录项里时出现：那一项的名称（人员、备注、文号、"
                     "责任者、档号、题名），片段取自这一项"),
    "html": _string("HTML 片段，命中处包在 <mark> 中，其余已转义")}}
HIT = {"type": "object", "properties": {
    **{k: _string() for k in ("id", "path", "title", "date", "org", "doc_number", "category",
                              "kind", "security", "retention", "type", "archival_code",
                              "title_html")},
    "pages": {"type": "integer"}, "score": {"type": "number"},
    "review": {"enum": ["", "待核对", "已校正"], "description":
               "核对状态：待核对＝责任者识别自原件、不是已知机构，需人工核对；已校正＝已按已知机构改正"},
    "match": {"enum": ["exact", "approximate"],
              "description": "exact：含检索词原文；approximate：只含它的近似写法（排在全部 exact 之后）"},
    "variants": {"type": "array", "items": _string(),
                 "description": "近似结果是按哪些写法找到的（错别字、识别错误、拼音、简称……）"},
    "snippets": {"type": "array", "items": {"$ref": "#/components/schemas/Snippet"}}}}
FACET_VALUE = {"type": "object", "properties": {
    "value": _string(), "count": {"type": "integer"}, "selected": {"type": "boolean"}}}
SEARCH = {"type": "object", "properties": {
    "ok": {"const": True}, "query": _string(), "total": {"type": "integer"},
    "exact_total": {"type": "integer", "description": "其中含检索词原文的结果数"},
    "suggestions": {"type": "array", "items": _string(),
                    "description": "结果很少时：档案中有的、最接近的写法（您是不是要找）"},
    "page": {"type": "integer"}, "size": {"type": "integer"}, "sort": {"enum": list(SORTS)},
    "took_ms": {"type": "number", "description": "检索用时（毫秒），只告诉密级为绝密的查阅人"},
    "notices": {"type": "array", "items": _string(), "description":
                "查询写法的说明（中文短句）：不是字段名的“词:”已按全文查找、缺少的引号或括号、"
                "多余的 OR/NOT、空的字段值、无效的日期范围……已按说明的方式检索；没有则为空"},
    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
    "facets": {"type": "object", "properties": {
        name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
        for name in FACETS}}}}
PAGE_ENTRY = {"type": "object", "properties": {
    "page": {"type": "integer"}, "start": {"type": "integer"}, "end": {"type": "integer"},
    "image": _string("扫描件和 PDF 才有：这一页原件图像的地址")}}
RECORD = {"type": "object", "properties": {
    "ok": {"const": True},
    "record": {"type": "object", "description": "著录信息、全文、分页和其他元数据",
               "properties": {**HIT["properties"], "source": _string(), "text": _string(),
                              "page_list": {"type": "array", "items": PAGE_ENTRY},
                              "meta": {"type": "object",
                                       "description": "编码、警告（warnings）、备注等"}}}}}
SIMILAR = {"type": "object", "properties": {
    "ok": {"const": True}, "id": _string(),
    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}}

SUGGESTIONS = {"type": "object", "properties": {
    "ok": {"const": True}, "query": _string(),
    "suggestions": {"type": "array", "items": {"type": "object", "properties": {
        "text": _string(), "kind": {"enum": ["人名", "机构", "名称", "题名", "文号"]}}}}}}

_NUMBER = {"type": "number"}
PAGE_HITS = {"type": "object", "properties": {
    "ok": {"const": True}, "id": _string(), "page": {"type": "integer"}, "query": _string(),
    "units": {"enum": ["px", "fraction"],
              "description": "px：按 width 缩放后的像素；fraction：占页面宽、高的比例（0～1）"},
    "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"],
                                                      "description": "按 width 缩放后页面的高度"},
    "page_size": {"type": ["object", "null"], "description": "位置框所量的页面图像的原始像素大小；"
                  "没有位置框（如 Word、文本文件，或旧索引）时为 null",
                  "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}}},
    "hits": {"type": "array", "items": {"type": "object", "properties": {
        "index": {"type": "integer", "description": "本记录中第几处匹配（从 0 起，与记录页的标记同序）"},
        "start": {"type": "integer"}, "end": {"type": "integer"},
        "text": _string("这一页文字中匹配的部分（start、end 为在这一页文字中的位置）"),
        "boxes": {"type": "array", "description": "匹配在页面图像上的位置，每行一个框",
                  "items": {"type": "object", "properties": {
                      "left": _NUMBER, "top": _NUMBER, "width": _NUMBER,
                      "height": _NUMBER}}}}}}}}

RECORD_ID = _param("record_id", "记录编号（检索结果的 id）", _string(), "path")

# corrections (role 编辑 or 管理员)
CORRECTED_FIELDS = ("title", "org", "doc_number", "date", "category", "kind", "retention",
                    "security", "persons", "notes")
CORRECTION = {"type": "object", "properties": {
    "seq": {"type": "integer"}, "field": _string("校对的著录项（页文字的校对为 null）"),
    "page": {"type": ["integer", "null"], "description": "校对的页（著录项的校对为 null）"},
    "old": _string("原来的值或文字"), "new": _string("校对后的值或文字"),
    "note": _string("校对说明"), "user": _string(), "admin": {"type": "boolean"},
    "time": {"type": "number", "description": "Unix 时间"}, "record_id": _string(),
    "reverted": {"type": ["number", "null"], "description": "撤销的时间；未撤销为 null"},
    "reverted_by": {"type": ["string", "null"]}}}
CORRECTED = {"type": "object", "properties": {
    "ok": {"const": True}, "id": _string(),
    "corrections": {"type": "array", "items": {"$ref": "#/components/schemas/Correction"}},
    "reverted": {"$ref": "#/components/schemas/Correction"},
    "applied": {"type": "boolean", "description": "已写入索引、可以检索到；false：索引正在更新，"
                                                  "这次更新完成后（或下一次 dangan index）生效"},
    "message": _string()}}
PAGE_NO = _param("page", "页码，从 1 起", {"type": "integer", "minimum": 1}, "path")
NOTE = {"note": _string("校对说明（必填：改了什么、依据什么）")}


def _body(properties: dict, required: list[str]) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


def _correction_errors() -> dict:
    return {**_errors(400, 404), "403": _json("Error", "不是编辑或管理员；密级只有管理员能校对")}


def _correct_fields() -> dict:
    return {
        "summary": "校对著录项（编辑或管理员）：给出要改的项及新值，并写校对说明；日期写成 YYYY、"
                   "YYYY-MM 或 YYYY-MM-DD；密级只有管理员能改（可低于“取最高”的结果）",
        "operationId": "correctRecord", "parameters": [RECORD_ID],
        "requestBody": _body({**{f: _string() for f in CORRECTED_FIELDS}, **NOTE}, ["note"]),
        "responses": {"200": _json("Corrected"), **_correction_errors()}}


def _json(schema_name: str, description: str = "成功") -> dict:
    return {"description": description, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def _errors(*statuses: int) -> dict:
    words = {400: "查询或参数无法理解", 401: "需要登录（匿名查阅已关闭时）",
             404: "没有这条记录（或无权查看），或原件不在了"}
    return {str(s): _json("Error", words[s]) for s in (*statuses, 401)}


def _search_params() -> list[dict]:
    params = [
        _param("q", "检索式：空格=并且，OR=或者，-词=排除，\"引号\"=精确短语，字段:值；"
                    "空则列出全部记录", _string()),
        _param("page", "页码，从 1 起", {"type": "integer", "minimum": 1, "default": 1}),
        _param("size", "每页条数", {"type": "integer", "minimum": 1, "maximum": 1000,
                                    "default": 20}),
        _param("sort", "relevance（相关度，默认）、date（日期旧→新）、-date（日期新→旧）",
               {"type": "string", "enum": list(SORTS), "default": "relevance"}),
        _param("date_from", "起始日期（含）：YYYY、YYYY-MM 或 YYYY-MM-DD", _string()),
        _param("date_to", "截止日期（含）：YYYY、YYYY-MM 或 YYYY-MM-DD", _string()),
    ]
    for name in FACETS:
        params.append(_param(
            name, f"筛选{FACET_LABELS[name]}{FACET_NOTES.get(name, '')}；可重复，"
                  "同一项内为“或”，不同项之间为“并且”",
            {"type": "array", "items": {"type": "string"}}, style="form", explode=True))
    return params


def _listing_params() -> list[dict]:
    """The search parameters of a whole result list (no paging)."""
    return [p for p in _search_params() if p["name"] not in ("page", "size")]


@lru_cache(maxsize=1)
def openapi_spec() -> dict:
    try:
        release = version("dangan")
    except PackageNotFoundError:
        release = "0"
    return {
        "openapi": "3.1.0",
        "info": {"title": "dangan 档案检索 API", "version": release,
                 "description": "检索数字化档案的全文和著录信息。所有结果都按读者的密级过滤："
                                "登录后（POST /login，会话 cookie）或带 API 令牌"
                                "（Authorization: Bearer 令牌，见 dangan tokens）按账号的密级，"
                                "未登录按配置的匿名密级；匿名查阅关闭时未登录的请求得到 401，"
                                "令牌无效、过期或被吊销也得到 401。每次读取都记入查阅登记。"},
        "security": [{}, {"bearer": []}],
        "paths": {
            "/api/search": {"get": {
                "summary": "检索", "operationId": "search", "parameters": _search_params(),
                "responses": {"200": _json("SearchResult"), **_errors(400)}}},
            "/api/suggest": {"get": {
                "summary": "输入提示：已知的人名、机构，以及题名、文号（只取自查阅人有权看的档案）",
                "operationId": "suggest",
                "parameters": [_param("q", "已输入的文字（最多 50 字）", _string()),
                               _param("size", "条数", {"type": "integer", "minimum": 1,
                                                      "maximum": 20, "default": 8})],
                "responses": {"200": _json("Suggestions"), **_errors(400)}}},
            "/api/records/{record_id}": {"get": {
                "summary": "一条记录：著录信息、全文、分页", "operationId": "record",
                "parameters": [RECORD_ID],
                "responses": {"200": _json("Record"), **_errors(404)}},
                "patch": _correct_fields()},
            "/api/records/{record_id}/pages/{page}/text": {
                "put": {"summary": "校对一页的文字（编辑或管理员）", "operationId": "correctPage",
                        "parameters": [RECORD_ID, PAGE_NO],
                        "requestBody": _body({"text": _string("这一页正确的文字"), **NOTE},
                                             ["text", "note"]),
                        "responses": {"200": _json("Corrected"), **_correction_errors()}},
                "delete": {"summary": "撤销一页文字的校对，恢复识别出的文字（note 可选）",
                           "operationId": "revertPage", "parameters": [RECORD_ID, PAGE_NO],
                           "responses": {"200": _json("Corrected"),
                                         **_correction_errors()}}},
            "/api/records/{record_id}/corrections/{field}": {"delete": {
                "summary": "撤销一个著录项的校对，恢复目录、旁注文件或正文给出的值（note 可选）",
                "operationId": "revertField",
                "parameters": [RECORD_ID, _param("field", "著录项", {
                    "type": "string", "enum": list(CORRECTED_FIELDS)}, "path")],
                "responses": {"200": _json("Corrected"), **_correction_errors()}}},
            "/api/records/{record_id}/corrections": {"get": {
                "summary": "这条记录的全部校对（含已撤销的），按时间先后",
                "operationId": "corrections", "parameters": [RECORD_ID],
                "responses": {"200": {"description": "校对记录", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "ok": {"const": True}, "id": _string(), "corrections": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Correction"}}}}}}},
                    **_errors(404)}}},
            "/api/records/{record_id}/pages/{page}.png": _page_image("png"),
            "/api/records/{record_id}/pages/{page}.jpg": _page_image("jpg"),
            "/api/records/{record_id}/pages/{page}/hits": {"get": {
                "summary": "检索词在原件某一页图像上的位置（与记录页标出的匹配相同）",
                "operationId": "pageHits",
                "parameters": [RECORD_ID, _param("page", "页码，从 1 起",
                                                 {"type": "integer", "minimum": 1}, "path"),
                               _param("q", "检索式（与检索时相同）", _string()),
                               _param("width", "按这个宽度（像素）给出位置；不给则为占页面的比例",
                                      {"type": "integer", "minimum": 1, "maximum": 10000})],
                "responses": {"200": _json("PageHits"), **_errors(400, 404)}}},
            "/api/records/{record_id}/similar": {"get": {
                "summary": "相关记录（按正文中最有区分度的词）", "operationId": "similar",
                "parameters": [RECORD_ID, _param("size", "条数", {
                    "type": "integer", "minimum": 1, "maximum": 20, "default": 5})],
                "responses": {"200": _json("Similar"), **_errors(400, 404)}}},
            "/api/export": {"get": {
                "summary": "导出整个检索结果（CSV 或 Excel，中文表头，精确结果在前）；超过 "
                           "[search] export_max 条时 400，请缩小检索范围",
                "operationId": "export",
                "parameters": [*_listing_params(),
                               _param("format", "文件格式", {"type": "string",
                                                          "enum": ["csv", "xlsx"],
                                                          "default": "csv"})],
                "responses": {"200": {"description": "CSV（UTF-8，带 BOM）或 xlsx 文件",
                                      "content": {"text/csv": {}, "application/vnd."
                                                  "openxmlformats-officedocument."
                                                  "spreadsheetml.sheet": {}}},
                              **_errors(400)}}},
            "/api/download": {"get": {
                "summary": "把所选记录（ids）或整个检索结果的原件打包成 zip，附清单.csv；"
                           "最多 [search] download_max 个",
                "operationId": "bulkDownload",
                "parameters": [_param("ids", "记录编号，逗号分隔或重复；不给时按检索参数打包",
                                      {"type": "array", "items": {"type": "string"}},
                                      style="form", explode=True), *_listing_params()],
                "responses": {"200": {"description": "zip 压缩包",
                                      "content": {"application/zip": {}}},
                              **_errors(400, 404)}}},
            "/api/openapi.json": {"get": {
                "summary": "本说明（OpenAPI 3.1）", "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 文档",
                                      "content": {"application/json": {}}}}}},
            "/records/{record_id}/download": {"get": {
                "summary": "下载原件（文件名见 Content-Disposition，中文名用 filename*）",
                "operationId": "download", "parameters": [RECORD_ID],
                "responses": {"200": {"description": "原件文件",
                                      "content": {"application/octet-stream": {}}},
                              "404": {"description": "没有这条记录，或原件已不在档案目录中"}}}},
        },
        "components": {"securitySchemes": {"bearer": {
                           "type": "http", "scheme": "bearer",
                           "description": "dangan tokens create USER 生成的令牌，以该用户身份查阅"}},
                       "schemas": {"Error": ERROR, "Snippet": SNIPPET, "Hit": HIT,
                                   "FacetValue": FACET_VALUE, "SearchResult": SEARCH,
                                   "Record": RECORD, "Similar": SIMILAR,
                                   "Suggestions": SUGGESTIONS, "PageHits": PAGE_HITS,
                                   "Correction": CORRECTION, "Corrected": CORRECTED}},
    }


def _page_image(fmt: str) -> dict:
    kind, mime = {"png": ("PNG", "image/png"), "jpg": ("JPEG", "image/jpeg")}[fmt]
    return {"get": {
        "summary": f"原件某一页的图像（扫描件和 PDF），{kind} 格式，首次生成后从缓存返回"
                   + ("（记录页显示的格式，扫描件比 PNG 小得多）" if fmt == "jpg" else ""),
        "operationId": "pageImage" if fmt == "png" else "pageImageJpeg",
        "parameters": [RECORD_ID, _param("page", "页码，从 1 起",
                                         {"type": "integer", "minimum": 1}, "path"),
                       _param("width", "宽度（像素）；其他数值取不小于它的一档",
                              {"type": "integer", "enum": list(WIDTHS), "default": 1000})],
        "responses": {"200": {"description": f"{kind} 图像", "content": {mime: {}}},
                      **_errors(400, 404)}}}
