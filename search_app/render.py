"""Plain data for the JSON API (the HTML views render the same objects)."""
from __future__ import annotations

from typing import Any

from indexer.fields import SECURITY_LEVELS
from indexer.search.archive import SearchResult

from .marking import snippet_html, title_html


def hit_json(hit) -> dict[str, Any]:
    f = hit.fields
    return {
        "id": f["id"], "path": f["path"], "title": f["title"], "date": f["date"],
        "org": f["org"], "doc_number": f["doc_number"], "category": f["category"], "kind": f["kind"],
        "security": f["security"], "retention": f["retention"], "type": f["type"],
        "pages": f["pages"], "archival_code": f["archival_code"], "review": f["review"],
        "score": hit.score,
        "match": hit.match, "variants": list(hit.variants),
        "title_html": str(title_html(hit)),
        "snippets": [snippet_json(s) for s in hit.snippets],
    }


def snippet_json(snippet) -> dict[str, Any]:
    """A text snippet has its page; one of a catalog field (备注, 人员 …) its label instead."""
    if snippet.field:
        return {"field": snippet.field, "page": None, "html": str(snippet_html(snippet))}
    return {"page": snippet.page, "html": str(snippet_html(snippet))}


def search_json(result: SearchResult) -> dict[str, Any]:
    req = result.request
    answer = {
        "ok": True,
        "query": req.q,
        "total": result.total,
        "exact_total": result.exact_total,
        "page": req.page,
        "size": req.size,
        "sort": req.sort,
        "notices": list(result.notices),
        "hits": [hit_json(h) for h in result.hits],
        "facets": {
            name: [{"value": v.value, "count": v.count, "selected": v.selected} for v in values]
            for name, values in result.facets.items()
        },
        "suggestions": list(result.suggestions),
    }
    if shows_time(result):
        answer["took_ms"] = round(result.millis, 1)
    return answer


def shows_time(result: SearchResult) -> bool:
    """How long a search took is told to 绝密 readers only: to anyone else it could betray
    work done for records they may not see."""
    return result.request.clearance == SECURITY_LEVELS[-1]


def error_json(message: str, status: int) -> dict[str, Any]:
    return {"ok": False, "error": message, "status": status}
