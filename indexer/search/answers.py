"""What the search library is asked and answers: a search request, its hits and facets, a
listing for an export; a request checked before it is searched."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..analysis.normalize import fold_value
from ..config import SearchSettings
from ..errors import QueryError
from ..fields import SECURITY_LEVELS
from ..store.records import FOLDED_FACETS
from ..store.schema import FACETS
from .highlight import Snippet, Span

SORTS = ("relevance", "date", "-date")


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    page: int = 1
    size: int = 20
    sort: str = "relevance"
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    facets: bool = True
    snippets: bool = True
    # the highest 密级 the reader may see: always said, never defaulted (a forgotten one must
    # not mean 绝密)
    clearance: str = field(kw_only=True)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    fields: dict[str, Any]
    score: float
    snippets: list[Snippet]
    title_spans: list[Span]  # the query's hits in fields["title"]
    match: str = "exact"  # "approximate": found only through a variant (listed in `variants`)
    variants: tuple[str, ...] = ()  # what an approximate hit was found by instead of the query

    @property
    def nbytes(self) -> int:
        """About what a kept hit costs in memory (the cache's measure)."""
        return 2 * (sum(len(str(v)) for v in self.fields.values())
                    + sum(len(s.text) for s in self.snippets)) + 600


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    millis: float
    exact_total: int = -1  # hits that matched the query as typed (-1: same as total)
    suggestions: tuple[str, ...] = ()  # closest known names / words when there are few hits
    notices: tuple[str, ...] = ()  # how the query was read where it was not as typed (Chinese)


@dataclass(frozen=True)
class Listing:
    """Every hit of a search, for an export: stored fields plus "match" per row."""

    request: SearchRequest
    total: int
    exact_total: int
    rows: list[dict[str, Any]]


class TooManyHits(QueryError):
    """A listing asked for more hits than the limit allows (narrow the search)."""

    def __init__(self, message: str, total: int, limit: int):
        super().__init__(message)
        self.total, self.limit = total, limit


def validated(req: SearchRequest, settings: SearchSettings) -> SearchRequest:
    """`req` with its filters folded as the index holds them; QueryError (a clear message
    in Chinese) for a sort, size, page, filter or clearance outside what is allowed."""
    if req.sort not in SORTS:
        raise QueryError(f"sort 只能是 {' / '.join(SORTS)}，收到 {req.sort!r}")
    if not 1 <= req.size <= settings.max_size:
        raise QueryError(f"size 必须在 1 到 {settings.max_size} 之间")
    if req.page < 1 or req.page * req.size > 100_000:
        raise QueryError("page 超出范围")
    unknown = set(req.filters) - set(FACETS)
    if unknown:
        raise QueryError(f"未知的筛选项 {', '.join(sorted(unknown))}；可用：{', '.join(FACETS)}")
    if req.clearance not in SECURITY_LEVELS:
        raise QueryError(f"未知的密级 {req.clearance!r}")
    filters = {k: tuple(fold_value(v) if k in FOLDED_FACETS else v.strip()
                        for v in vs if v.strip()) for k, vs in req.filters.items()}
    return SearchRequest(**{**req.__dict__, "filters": filters})
