"""The Record dataclass and the pure mapping from a record to index fields."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import dates
from ..analysis.normalize import fold_value
from ..errors import ExtractionError
from ..fields import DEFAULT_SECURITY, FACETS, SECURITY_LEVELS
from .schema import security_level

# facets whose values are words (not a level, a year or a file type): one value for 鎮 and 镇
FOLDED_FACETS = frozenset(f for f in FACETS if f not in ("security", "year", "type"))


@dataclass(frozen=True)
class Record:
    id: str
    path: str  # relative to the corpus root, forward slashes
    source: str  # the corpus root folder it came from
    text: str
    page_starts: tuple[int, ...] = (0,)
    title: str = ""
    doc_number: str = ""
    org: str = ""
    date: str = ""
    category: str = ""
    retention: str = ""
    kind: str = ""  # 文种: 通知, 决定, 报告 … (catalog, else the title's ending)
    security: str = DEFAULT_SECURITY
    type: str = ""
    archival_code: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    boxes: bytes = b""  # where the text is drawn on the page images (ingest/pageboxes.py)

    @property
    def year(self) -> str:
        return self.date[:4] if re.match(r"\d{4}", self.date) else ""


def searchable_metadata(record: Record) -> str:
    """Catalog values a clerk may search by that are not in the text: persons, notes, 档号."""
    values = [record.meta.get("persons", ""), record.meta.get("notes", ""), record.archival_code]
    return "\n".join(str(v) for v in values if v)


def record_fields(record: Record) -> dict[str, Any]:
    """Index fields of a record (pure; the writer only writes what this returns). A 密级 that
    is not one of the levels is an error, never a default (levels.parse_level reads written
    values before they get here)."""
    security = record.security or DEFAULT_SECURITY
    if security not in SECURITY_LEVELS:
        raise ExtractionError(f"密级 \"{security[:40]}\" 不是五个级别之一（{'、'.join(SECURITY_LEVELS)}）")
    doc = {
        "id": record.id,
        "path": record.path,
        "source": record.source,
        "title": record.title,
        "title_ng": record.title,
        "text": record.text,
        "text_ng": record.text,
        "doc_number": record.doc_number,
        "doc_number_ng": record.doc_number,
        "org": record.org,
        "org_ng": record.org,
        "meta_ng": searchable_metadata(record),
        "archival_code": record.archival_code,
        "date": record.date,
        "date_num": dates.number(record.date),
        "year": record.year,
        "category": record.category,
        "retention": record.retention,
        "kind": record.kind,
        "security": security,
        "security_level": security_level(security),
        "type": record.type,
        "pages": len(record.page_starts),
        "page_starts": list(record.page_starts),
        "meta": dict(record.meta),
        "boxes": record.boxes,
    }
    for name in FACETS:  # a facet the Record has no attribute for comes from its catalog row
        if name not in doc:
            doc[name] = str(record.meta.get(name, ""))
        if name in FOLDED_FACETS:
            doc[name] = fold_value(doc[name])
    return {k: v for k, v in doc.items()
            if (v != "" and v != b"") or k in ("text", "title")}
