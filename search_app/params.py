"""Turns request arguments into a SearchRequest, with messages a person understands."""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

from indexer.config import SearchSettings
from indexer.errors import QueryError
from indexer.search.archive import SearchRequest
from indexer.fields import FACETS, LABELS

PARAMS = ("q", "page", "size", "sort", "date_from", "date_to") + FACETS
FACET_LABELS = {name: LABELS[name] for name in FACETS}


def _int(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"参数 {name} 必须是整数，收到 {raw!r}") from None


def search_request(args: MultiDict, settings: SearchSettings, clearance: str) -> SearchRequest:
    filters = {name: tuple(v for v in args.getlist(name) if v.strip()) for name in FACETS}
    return SearchRequest(
        q=args.get("q", ""),
        page=_int(args, "page", 1),
        size=_int(args, "size", settings.default_size),
        sort=args.get("sort", "relevance") or "relevance",
        filters={k: v for k, v in filters.items() if v},
        date_from=args.get("date_from", ""),
        date_to=args.get("date_to", ""),
        clearance=clearance,
    )
