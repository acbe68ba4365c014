"""The work done for one file in an extraction worker: read (OCR through the cache), merge the
metadata, analyse the text. Runs in a local process pool or on a Dask worker; what it returns
is all the single writer needs, so the writer never segments text itself.
"""
from __future__ import annotations

import logging
import os
import posixpath
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ocr.settings import OcrSettings

from ..analysis.normalize import fold_value
from ..analysis.postings import Postings, ngram_postings, word_postings
from ..analysis.words import Analyzer, analyzer_for
from ..errors import DanganError, DependencyError, ExtractionError
from ..fields import SECURITY_LEVELS
from ..ingest.autometa import document_kind, extract_metadata
from ..ingest.catalog import read_sidecar
from ..ingest.extract import check_magic, extractor_for
from ..ingest.extracted import ExtractContext, Extracted
from ..ingest.levels import SHOWN, first_page_lines, highest, text_mark, unclear_mark
from ..ingest.ocrcache import OcrRunner, file_digest
from ..ingest.orgrepair import REVIEW, WARNING_HEAD, known_organisations, reviewed
from ..ingest.pageboxes import encode as encode_boxes
from ..ingest.safeopen import reading_path
from ..ingest.sourcefile import METADATA_WARNING, RESERVED_META, content_id, file_metadata
from ..store.records import Record, record_fields
from .corrected import corrected, uncorrected_stored
from .memory import out_of_memory_message
from .plan import Job

log = logging.getLogger("dangan.index")
FIELDS = ("title", "doc_number", "org", "date", "category", "kind", "retention", "security",
          "archival_code")
WORD_FIELDS = ("title", "text")
NGRAM_FIELDS = ("title_ng", "text_ng", "doc_number_ng", "org_ng", "meta_ng")
EXTRACTED = "extracted"  # key in a record's stored meta: what the file itself said
FLOOR, FLOOR_FROM = "security_floor", "moved_from"  # in EXTRACTED: the 密级 a move kept
assert EXTRACTED in RESERVED_META  # a catalog or sidecar never writes it


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker needs besides the job (sent once per worker, or with each task)."""

    user_words: tuple[str, ...] = ()
    ocr: OcrSettings | None = None
    cache_dir: Path | None = None
    max_pages: int = 2000
    return_ocr: bool = False  # send OCR'd pages back with the result (workers on other hosts)
    max_text_chars: int = 2_000_000
    max_inflated_mb: int = 100
    memory_mb: int = 0  # each local worker process's address-space limit (0: none)
    organisations: tuple[str, ...] = ()  # [index] organisations: known 责任者 besides catalogs'
    configured_words: tuple[str, ...] = ()  # [analysis] user_words (of user_words: not catalogs')


@dataclass
class Prepared:
    """One job's outcome: the record's index fields and their postings, or the error."""

    job: Job
    digest: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    postings: dict[str, Postings] = field(default_factory=dict)
    error: str | None = None
    lasting: bool = False  # the error is the file's own (its content, a limit): not transient
    pages: int = 0
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    ocr_cache: list = field(default_factory=list)  # (key, PageText, size): setup.return_ocr
    seconds: float = 0.0
    peak_mb: float = 0.0  # the worker process's peak resident memory so far (local pool)


_state: dict[str, Any] = {}


def configure(setup: WorkerSetup) -> ExtractContext:
    """This process's extraction context for `setup` (made once per process and setup)."""
    if _state.get("pid") != os.getpid():  # forked: the parent's SQLite connection is not
        _state.clear()                     # ours to use, nor even to close (SQLite's rule)
    if _state.get("setup") != setup:
        if _state.get("ctx") is not None and _state["ctx"].ocr is not None:
            _state["ctx"].ocr.close()
        runner = OcrRunner(setup.ocr, setup.cache_dir) if setup.ocr is not None else None
        _state.update(pid=os.getpid(), setup=setup, analyzer=analyzer_for(setup.user_words),
                      orgs=configured_organisations(setup),
                      ctx=ExtractContext(
            ocr=runner, max_pages=setup.max_pages, max_text_chars=setup.max_text_chars,
            max_inflated_mb=setup.max_inflated_mb))
    return _state["ctx"]


def configured_organisations(setup: WorkerSetup) -> frozenset[str]:
    """The organisations the configuration names: every record may be checked against them
    (the catalogs' names only against records of their level: orgsettle)."""
    return known_organisations(setup.configured_words, setup.organisations)


def setup_analyzer(setup: WorkerSetup) -> Analyzer:
    """The words of the run `setup` belongs to (its user words), as `configure` made them."""
    configure(setup)
    return _state["analyzer"]


def prepare(job: Job, setup: WorkerSetup, stored: dict[str, Any] | None = None) -> Prepared:
    """Extract (or, for a metadata change or a move, rebuild from `stored`) and analyse."""
    started = time.perf_counter()
    ctx = configure(setup)
    analyzer = _state["analyzer"]
    ocr = ctx.ocr
    before = (ocr.misses, ocr.seconds) if ocr else (0, 0.0)
    out = Prepared(job)
    try:
        if stored is not None and isinstance((stored.get("meta") or {}).get(EXTRACTED), dict):
            record = from_stored(job, uncorrected_stored(stored))
            out.digest = job.digest or (job.old.digest if job.old else "") or ""
        else:
            with reading_path(job.file.path, job.file.root) as path:  # links never followed
                out.digest = job.digest or file_digest(path)
                record = extract_record(job, replace(ctx, digest=out.digest), path)
        record = with_known_org(record, _state["orgs"], own_organisation(job))
        if job.kind == "moved" and stored is not None:
            record = kept_level(record, uncorrected_stored(stored))
        elif job.floor and content_id(out.digest, f"{job.file.source}/{job.file.rel}") == \
                job.floor[2]:  # a rebuild: what a move kept, kept for the same content
            record = kept_level(record, {"security": job.floor[0], "path": job.floor[1]})
        out.fields = record_fields(corrected(record, job.corrections, out.digest))
        out.postings = analyse(out.fields, analyzer)
        out.pages = len(record.page_starts)
    except (DanganError, OSError) as e:
        out.error = str(e)  # a missing program or an I/O error is not the file's: tried again
        out.lasting = isinstance(e, DanganError) and not isinstance(e, DependencyError)
    except MemoryError:  # a decoder asked for more than the worker may have
        out.error, out.lasting = out_of_memory_message(), True
    except Exception as e:  # a library choking on a strange file must not end the batch
        log.exception("unexpected error reading %s/%s", job.file.source, job.file.rel)
        out.error = f"unexpected {type(e).__name__} while reading the file: {e}"
        out.lasting = True
    if ocr:
        out.ocr_pages = ocr.misses - before[0]
        out.ocr_seconds = ocr.seconds - before[1]
        fresh = ocr.take_fresh()
        if setup.return_ocr:
            out.ocr_cache = fresh
    out.seconds = time.perf_counter() - started
    return out


def extract_record(job: Job, ctx: ExtractContext, through: Path | None = None) -> Record:
    """Read the file (through `through`, the checked open file, when given); metadata: layout
    of the text < catalog < sidecar, but 密级: the highest of the three."""
    path = job.file.path
    extractor = extractor_for(path)
    if extractor is None:
        raise ExtractionError(f"unsupported file type {path.suffix}")
    through = through or path
    try:
        check_magic(through, extractor)
        extracted = cap_text(extractor.extract(through, ctx), ctx.max_text_chars)
    except ExtractionError as e:  # messages name the file by the name it was read through
        if through == path:
            raise
        message = str(e).replace(str(through), posixpath.basename(job.file.rel))
        raise ExtractionError(message.removeprefix(f"{through.name}: ")) from e
    ends = extracted.page_starts[1] if len(extracted.page_starts) > 1 else None
    auto = extract_metadata(extracted.text, ends) | extracted.meta
    extra = {"encoding": extracted.encoding, "warnings": list(extracted.warnings),
             EXTRACTED: auto}
    return merged_record(job, extracted.text, extracted.page_starts, extractor.type, auto,
                         extra, boxes=encode_boxes(extracted.boxes))


def own_organisation(job: Job) -> str:
    """The 责任者 the record's own catalog row or sidecar gives (folded), or '': the only
    catalog name a record is checked against while it is read. Other rows' names wait for
    the run's end (orgsettle), where every record's final 密级 is known: a row's name may
    belong to a file its sidecar or its text marks higher than the catalog says."""
    given = job.file.catalog.get("org")
    if job.file.sidecar:
        try:
            given = read_sidecar(job.file.path, job.file.root).get("org", given)
        except DanganError:  # reported where the record's metadata is read
            pass
    return fold_value(str(given or ""))


def with_known_org(record: Record, known: frozenset[str], own: str = "") -> Record:
    """The record with a 责任者 read from its text checked against the organisations the
    archive knows (here: the configured ones and the record's own catalog or sidecar
    value): put right when one character off one of them, else marked 待核对 when not one
    of them (a catalog's or sidecar's own 责任者 is kept as given, unmarked)."""
    read = (record.meta.get(EXTRACTED) or {}).get("org", "")
    value = fold_value(record.org)
    if not value or value != fold_value(read) or value == own:
        return record
    org, status, warning = reviewed(record.org, known)
    return with_review(replace(record, org=org), status, warning)


def with_review(record: Record, status: str, warning: str) -> Record:
    """The record with its 核对状态 and 责任者 warning (any earlier one replaced)."""
    meta = {k: v for k, v in record.meta.items() if k != REVIEW}
    warnings = [w for w in meta.get("warnings") or () if not str(w).startswith(WARNING_HEAD)]
    if warning:
        warnings.append(warning)
    if warnings or "warnings" in meta:
        meta["warnings"] = warnings
    if status:
        meta[REVIEW] = status
    return replace(record, meta=meta)


def cap_text(extracted: Extracted, limit: int) -> Extracted:
    """The first `limit` characters of a record's text (0: all), with a warning when cut:
    a record of millions of characters slows every search that finds it."""
    if not limit or len(extracted.text) <= limit:
        return extracted
    starts = tuple(s for s in extracted.page_starts if s < limit) or (0,)
    warning = f"正文过长，只索引了前 {limit:,} 个字符（[index] max_text_chars）"
    boxes = extracted.boxes[:len(starts)]
    if boxes and boxes[-1] is not None:
        boxes = (*boxes[:-1], boxes[-1].cut(limit - starts[len(boxes) - 1]))
    return replace(extracted, text=extracted.text[:limit], page_starts=starts,
                   warnings=(*extracted.warnings, warning), boxes=boxes)


def kept_level(record: Record, before: dict[str, Any]) -> Record:
    """A moved file keeps the higher of the 密级 it had at its old path and what its new path
    gives (fail closed: renaming a file, which drops its catalog row, never lowers it). The
    level is kept with what the file itself said (FLOOR), so later metadata updates keep it."""
    old = str(before.get("security") or "")
    if old not in SECURITY_LEVELS or highest([old, record.security]) == record.security:
        return record
    meta = dict(record.meta)
    meta[EXTRACTED] = {**(meta.get(EXTRACTED) or {}), FLOOR: old, FLOOR_FROM: before.get("path")}
    meta["warnings"] = [*(meta.get("warnings") or ()),
                        floor_warning(meta[EXTRACTED], record.security)]
    return replace(record, security=old, meta=meta)


def floor_warning(auto: dict[str, Any], given: str) -> str:
    return (f"{METADATA_WARNING}文件从 {auto.get(FLOOR_FROM, '')} 移来：原来的密级是{auto[FLOOR]}，"
            f"新位置的目录或附注给出{given}，按较高的{auto[FLOOR]}；如确应降低，请管理员校对密级")


def from_stored(job: Job, stored: dict[str, Any]) -> Record:
    """The indexed record at its (possibly new) path with its current catalog metadata (its
    密级 mark read again from the text: an index made before a mark was known keeps none)."""
    meta = dict(stored["meta"])
    starts = tuple(stored["page_starts"])
    auto = dict(meta[EXTRACTED])
    auto["security"] = text_mark(first_page_lines(stored["text"],
                                                  starts[1] if len(starts) > 1 else None))
    meta[EXTRACTED] = {k: v for k, v in auto.items() if v}
    return merged_record(job, stored["text"], starts, stored["type"], meta[EXTRACTED], meta,
                         boxes=stored.get("boxes") or b"")


def merged_record(job: Job, text: str, page_starts: tuple[int, ...], type_: str,
                  auto: dict[str, Any], stored_meta: dict[str, Any],
                  boxes: bytes = b"") -> Record:
    f = job.file
    notes: list[str] = []
    given = file_metadata(f, notes, marked=auto.get("security") or "")
    meta = {k: v for k, v in auto.items() if k not in (FLOOR, FLOOR_FROM)} | given
    meta["security"] = highest([given.get("security"), auto.get("security")])
    unclear = unclear_mark(first_page_lines(text, page_starts[1] if len(page_starts) > 1
                                            else None))
    if unclear and meta["security"] != SECURITY_LEVELS[-1]:
        raise ExtractionError(
            f"第一页写着“密级：{unclear[:SHOWN]}”，不是五个级别之一（{'、'.join(SECURITY_LEVELS)}），"
            "它可能高于目录或附注所给的密级：为免降低，未收录；请更正原件，或在目录、附注中写明绝密")
    if auto.get(FLOOR) and highest([auto[FLOOR], meta["security"]]) != meta["security"]:
        notes.append(floor_warning(auto, meta["security"]))  # a move's level, kept
        meta["security"] = auto[FLOOR]
    if not meta.get("kind"):
        meta["kind"] = document_kind(str(meta.get("title", "")))
    extra = {k: v for k, v in stored_meta.items() if k in ("encoding", EXTRACTED)}
    warnings = [w for w in stored_meta.get("warnings") or ()
                if not str(w).startswith(METADATA_WARNING)] + notes
    if warnings or "warnings" in stored_meta:
        extra["warnings"] = warnings
    extra |= {k: v for k, v in meta.items() if k not in FIELDS and k not in RESERVED_META}
    return Record(id="", path=f.rel, source=f.source, text=text, page_starts=page_starts,
                  type=type_, meta=extra, boxes=boxes,
                  **{k: str(meta[k]) for k in FIELDS if k in meta})


def analyse(fields: dict[str, Any], analyzer: Analyzer) -> dict[str, Postings]:
    """Postings of every analysed field: exactly what the schema's analyzers would give
    (word fields segmented by the run's `analyzer`)."""
    out = {}
    for name in WORD_FIELDS:
        if fields.get(name):
            out[name] = word_postings(fields[name], analyzer)
    for name in NGRAM_FIELDS:
        if fields.get(name):
            out[name] = ngram_postings(fields[name])
    return out
