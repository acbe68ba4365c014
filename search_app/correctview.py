"""What the record page shows of corrections: 已校对 marks (who, when, why) on fields and pages,
待复核, and for an 编辑 or 管理员 the 校对 forms' current values."""
from __future__ import annotations

import time

from flask_login import current_user

from indexer.build.corrected import page_span
from indexer.fields import SECURITY_LEVELS
from indexer.store.corrections import FIELDS

from .corrections import LABELS, _field_value


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def correction_view(rec: dict) -> dict:
    done = (rec.get("meta") or {}).get("corrections") or {}
    fields = {name: info | {"label": LABELS.get(name, name), "when": _when(info["time"])}
              for name, info in (done.get("fields") or {}).items()}
    pages = {int(n): info | {"when": _when(info["time"])}
             for n, info in (done.get("pages") or {}).items()}
    view = {"corrected_fields": fields, "corrected_pages": pages,
            "corrected_labels": {f["label"]: f for f in fields.values()},
            "review": bool(done.get("review")), "correcting": current_user.may_correct}
    if current_user.may_correct:
        starts = [p["start"] for p in rec["page_list"]]
        view["page_texts"] = {n: rec["text"][slice(*page_span(rec["text"], starts, n))]
                              for n in range(1, len(starts) + 1)}
        view["correct_fields"] = [
            {"name": n, "label": LABELS[n], "value": _field_value(rec, n)}
            for n in FIELDS if n != "security"]
        if current_user.is_admin:
            top = SECURITY_LEVELS.index(current_user.clearance)
            view["security_choices"] = SECURITY_LEVELS[:top + 1]
    return view
