"""Corrections applied to a record (pure functions): an 编辑's 著录 values over what the file,
its catalog and its sidecar give, a corrected page text in place of the extracted one.

The record's stored meta keeps what was applied under "corrections" — who, when, the note and
the value or page text it replaced — so the record page shows 已校对 without the corrections
database, and a later run (or a revert) can take a correction off without reading the file
again. A correction made when the file held other content is held back, marked 待复核: what
an 编辑 wrote of one document (a secret one, perhaps) never becomes part of another put at its
path; only a raise of the 密级 still applies.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..fields import LABELS, SECURITY_LEVELS
from ..ingest.orgrepair import REVIEW, WARNING_HEAD
from ..store.corrections import META_FIELDS, Correction, fingerprint
from ..store.records import Record

CORRECTED = "corrections"  # key in a record's stored meta
REVIEW_WARNING = "待复核："  # starts the record warning of corrections made on other content


def signed(sig: str, current: tuple[Correction, ...]) -> str:
    """A file's metadata signature covering its corrections in force (unchanged with none)."""
    fp = fingerprint(current)
    return f"{sig}:{fp}" if fp else sig


def unsigned(sig: str) -> str:
    """The signature of the catalog row and sidecar alone."""
    return sig.split(":", 1)[0]


def page_span(text: str, starts: tuple[int, ...] | list[int], page: int) -> tuple[int, int]:
    """Where page `page` (from 1) is in the text, without the form feed that ends it."""
    a = starts[page - 1]
    b = starts[page] if page < len(starts) else len(text)
    if page < len(starts) and b > a and text[b - 1] == "\f":
        b -= 1
    return a, b


def replaced_page(text: str, starts: tuple[int, ...], page: int, new: str
                  ) -> tuple[str, tuple[int, ...]]:
    a, b = page_span(text, starts, page)
    new = new.replace("\f", "\n")
    shift = len(new) - (b - a)
    return (text[:a] + new + text[b:],
            tuple(s + shift if k >= page else s for k, s in enumerate(starts)))


def uncorrected_text(text: str, starts: tuple[int, ...], meta: dict[str, Any]
                     ) -> tuple[str, tuple[int, ...]]:
    """The text as the file gave it: every corrected page's own text put back."""
    pages = (meta.get(CORRECTED) or {}).get("pages") or {}
    for page, info in sorted(pages.items(), key=lambda kv: int(kv[0])):
        if int(page) <= len(starts):
            text, starts = replaced_page(text, starts, int(page), str(info.get("base", "")))
    return text, starts


def uncorrected(record: Record) -> Record:
    """The record without the corrections applied to it (as its stored meta lists them)."""
    info = record.meta.get(CORRECTED)
    if not info:
        return record
    text, starts = uncorrected_text(record.text, record.page_starts, record.meta)
    meta = {k: v for k, v in record.meta.items() if k != CORRECTED}
    values = {}
    for name, f in (info.get("fields") or {}).items():
        if name in META_FIELDS:
            if f.get("base") in (None, ""):
                meta.pop(name, None)
            else:
                meta[name] = f["base"]
        else:
            values[name] = f.get("base", "")
    meta["warnings"] = [w for w in meta.get("warnings") or ()
                        if not str(w).startswith(REVIEW_WARNING)]
    if not meta["warnings"] and "warnings" not in record.meta:
        del meta["warnings"]
    return replace(record, text=text, page_starts=starts, meta=meta, **values)


def corrected(record: Record, current: tuple[Correction, ...], digest: str) -> Record:
    """`record` (as the file and its metadata give it) with the corrections in force: a 管理员's
    密级 replaces the highest-of result, anyone else's may only raise it. `digest`: the file's
    content now (a correction made on other content is marked 待复核)."""
    if not current:
        return record
    meta = dict(record.meta)
    values: dict[str, str] = {}
    done: dict[str, Any] = {"fields": {}, "pages": {}}
    warnings = [w for w in meta.get("warnings") or () if not str(w).startswith(REVIEW_WARNING)]
    text, starts = record.text, record.page_starts
    held: list[str] = []
    for c in sorted(current, key=lambda c: (c.page, c.field)):
        who = {"user": c.user, "time": c.time, "note": c.note, "seq": c.seq}
        if other_content(c, digest) and (c.page or c.field != "security"):
            held.append(f"第{c.page}页文字" if c.page else LABELS.get(c.field, c.field))
            continue
        if c.page:
            if c.page > len(starts):
                warnings.append(f"{REVIEW_WARNING}第{c.page}页的校对文字未用上：原件现在只有 "
                                f"{len(starts)} 页")
                continue
            a, b = page_span(text, starts, c.page)
            done["pages"][str(c.page)] = who | {"base": text[a:b]}
            text, starts = replaced_page(text, starts, c.page, c.new)
            continue
        base = str(meta.get(c.field, "")) if c.field in META_FIELDS else getattr(record, c.field)
        value = c.new
        # only a 管理员 may lower a level, and only for the content they judged: a file that
        # changed since (or a correction of unknown content) is never lowered by it
        lowers = c.admin and bool(digest) and c.digest == digest
        if c.field == "security" and not lowers:
            value = max((base, value), key=lambda v: SECURITY_LEVELS.index(v)
                        if v in SECURITY_LEVELS else len(SECURITY_LEVELS))
            if c.admin and value != c.new:
                warnings.append(f"{REVIEW_WARNING}管理员把密级校对为{c.new}时原件是另一份内容，"
                                f"这一校对不用于现在的原件，密级仍为{value}；请管理员核对后重新校对")
        done["fields"][c.field] = who | {"base": base, "admin": c.admin}
        if c.field in META_FIELDS:
            meta[c.field] = value
        else:
            values[c.field] = value
    if "org" in done["fields"]:  # a 责任者 an 编辑 gave is checked: no longer 待核对
        meta.pop(REVIEW, None)
        warnings = [w for w in warnings if not str(w).startswith(WARNING_HEAD)]
    done["review"] = any(other_content(c, digest) for c in current)
    if held:
        warnings.append(f"{REVIEW_WARNING}原件在校对之后已经改变，对原来内容的校对（"
                        f"{'、'.join(held)}）暂不生效；请编辑对照现在的原件重新校对或撤销")
    if warnings or "warnings" in meta:
        meta["warnings"] = warnings
    meta[CORRECTED] = done
    return replace(record, text=text, page_starts=starts, meta=meta, **values)


def other_content(c: Correction, digest: str) -> bool:
    """Whether a correction was made when the file held other content than `digest`."""
    return bool(digest) and bool(c.digest) and c.digest != digest


def uncorrected_stored(stored: dict[str, Any]) -> dict[str, Any]:
    """A record's stored fields as the file gave them (page texts put back), for a run that
    rebuilds the record from the index instead of reading the file again."""
    meta = stored.get("meta") or {}
    if not meta.get(CORRECTED):
        return stored
    text, starts = uncorrected_text(stored.get("text", ""), tuple(stored["page_starts"]), meta)
    meta = {k: v for k, v in meta.items() if k != CORRECTED}
    if "warnings" in meta:
        meta["warnings"] = [w for w in meta["warnings"] if not str(w).startswith(REVIEW_WARNING)]
    return stored | {"text": text, "page_starts": list(starts), "meta": meta}
