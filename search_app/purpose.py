"""用途 of a download: with `[auth] download_purpose = true`, an original above 公开 (alone or in a
zip) is handed out only after the reader says what it is for; the 查阅登记 keeps it."""
from __future__ import annotations

from flask import current_app, request

from indexer.errors import QueryError
from indexer.fields import SECURITY_LEVELS

MAX_CHARS = 200
MIN_CHARS = 2


class PurposeRequired(QueryError):
    """A download that needs a stated 用途 came without one (or with a useless one)."""


def needs_purpose(records: list[dict]) -> bool:
    if not current_app.extensions["dangan.settings"].auth.download_purpose:
        return False
    return any(r.get("security", SECURITY_LEVELS[1]) != SECURITY_LEVELS[0] for r in records)


def stated_purpose(records: list[dict]) -> dict:
    """{"purpose": …} for the register when these records need one, {} when they do not;
    PurposeRequired when they need one and the request states none."""
    if not needs_purpose(records):
        return {}
    purpose = " ".join(request.args.get("purpose", "").split())[:MAX_CHARS]
    if len(purpose) < MIN_CHARS:
        raise PurposeRequired("下载密级高于公开的原件须填写用途（purpose，至少 2 个字），"
                              "例如“核对工资档案”")
    return {"purpose": purpose}
