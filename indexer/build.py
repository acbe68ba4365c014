"""Batch (re-)indexing: plan against the manifest, extract, write once, then record the work."""
from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ocr.settings import OcrSettings
from whoosh import index as whoosh_index

from . import analysis
from .autometa import extract_metadata
from .codec import IndexCodec
from .config import Settings
from .corpus import Corpus, SourceFile, content_id, discover, file_metadata, metadata_signature
from .errors import ConfigError, DanganError, ExtractionError
from .extract import EXTRACTORS, ExtractContext, check_magic, extractor_for
from .manifest import Entry, Manifest
from .ocrcache import OcrRunner, file_digest
from .records import Record, record_fields
from .schema import USER_WORDS_FILE, build_schema, check_stamp, write_stamp
from .sources import write_sources

log = logging.getLogger("dangan.index")
_FIELDS = ("title", "doc_number", "org", "date", "category", "retention", "security",
           "archival_code")


@dataclass
class Plan:
    todo: list[tuple[SourceFile, str, Entry | None]]  # (file, meta_sig, previous entry)
    unchanged: list[Entry]
    removed: list[Entry]


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    catalog_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def plan(corpus: Corpus, manifest: Manifest) -> Plan:
    previous = manifest.entries()
    todo, unchanged = [], []
    for f in corpus.files:
        sig = metadata_signature(f)
        old = previous.pop(f.key, None)
        if (old and old.status == "ok" and old.size == f.size and old.mtime_ns == f.mtime_ns
                and old.meta_sig == sig):
            unchanged.append(old)
        else:
            todo.append((f, sig, old))
    return Plan(todo, unchanged, list(previous.values()))


def make_record(file: SourceFile, used_ids: set[str], ctx: ExtractContext) -> Record:
    """Extract one file and merge its metadata: text < catalog < sidecar."""
    extractor = extractor_for(file.path)
    if extractor is None:
        raise ExtractionError(f"unsupported file type {file.path.suffix}")
    check_magic(file.path, extractor)
    digest = file_digest(file.path)  # read once: the record id and the OCR cache key
    extracted = extractor.extract(file.path, replace(ctx, digest=digest))
    meta = extract_metadata(extracted.text) | extracted.meta | file_metadata(file)
    rid = content_id(digest)
    if rid in used_ids:
        rid = content_id(digest, f"{file.source}/{file.rel}")
    used_ids.add(rid)
    extra = {k: v for k, v in meta.items() if k not in _FIELDS}
    extra.update(encoding=extracted.encoding, warnings=list(extracted.warnings))
    return Record(
        id=rid, path=file.rel, source=file.source, text=extracted.text,
        page_starts=extracted.page_starts, type=extractor.type, meta=extra,
        **{k: str(meta[k]) for k in _FIELDS if k in meta},
    )


def open_or_create(index_dir: Path, fresh: bool):
    if fresh and index_dir.exists():
        shutil.rmtree(index_dir)
    if whoosh_index.exists_in(index_dir):
        check_stamp(index_dir)
        return whoosh_index.open_dir(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    write_stamp(index_dir)
    return whoosh_index.create_in(index_dir, build_schema())


def load_user_words(settings: Settings, corpus: Corpus) -> list[str]:
    words = list(settings.analysis.user_words) + sorted(corpus.names)
    if settings.analysis.user_dict:
        try:
            words += analysis.load_user_dict(settings.analysis.user_dict)
        except OSError as e:
            raise ConfigError(f"cannot read [analysis] user_dict: {e}") from e
    return words


def run_index(settings: Settings, paths: list[Path] | None = None, *, rebuild: bool = False,
              dry_run: bool = False, workers: int | None = None,
              progress: Callable[[int, int, str, bool], None] | None = None) -> Summary | Plan:
    started = time.monotonic()
    roots = list(paths or settings.corpus.paths)
    if not roots:
        raise ConfigError("no corpus folder: give one on the command line or set [corpus] paths")
    corpus = discover(roots)
    target = settings.index.dir
    if rebuild:
        target = target.with_name(target.name + ".new")
    ix = open_or_create(target, fresh=rebuild)
    manifest = Manifest(target)
    try:
        work = plan(corpus, manifest)
        if dry_run:
            return work
        words = load_user_words(settings, corpus)
        analysis.add_user_words(words)
        (target / USER_WORDS_FILE).write_text("\n".join(sorted(set(words))), encoding="utf-8")
        write_sources(target, corpus.sources)
        ctx = extract_context(settings)
        if ctx.ocr is not None and any(extractor_for(f.path) is EXTRACTORS[".png"]
                                       for f, _s, _o in work.todo):
            ctx.ocr.check()  # scans to read: a missing Tesseract is reported before any work
        try:
            summary = _write(ix, manifest, work, ctx, workers or settings.index.workers,
                             settings.index.batch_size, progress)
        finally:
            if ctx.ocr is not None:
                ctx.ocr.close()
        summary.catalog_errors = corpus.errors
    finally:
        manifest.close()
    if rebuild:
        _swap(target, settings.index.dir)
    summary.seconds = time.monotonic() - started
    return summary


def extract_context(settings: Settings) -> ExtractContext:
    """OCR (cached beside the index, so it survives a rebuild) and limits from the settings."""
    o = settings.ocr
    runner = None
    if o.enabled:
        ocr_settings = OcrSettings(languages=o.languages, timeout=o.timeout,
                                   preprocess=o.preprocess, max_pixels=o.max_pixels)
        runner = OcrRunner(ocr_settings, settings.data_dir)
    return ExtractContext(ocr=runner, max_pages=o.max_pages)


def _write(ix, manifest: Manifest, work: Plan, ctx: ExtractContext, workers: int, every: int,
           progress) -> Summary:
    summary = Summary(unchanged=len(work.unchanged), removed=len(work.removed))
    if not work.todo and not work.removed:
        return summary  # nothing changed: do not touch the index
    used_ids = {e.record_id for e in work.unchanged if e.record_id}
    procs = workers or _cpu_count()
    big = len(work.todo) >= 200 and procs > 1
    options = {"limitmb": 256, "codec": IndexCodec()}
    writer = (ix.writer(procs=procs, multisegment=True, **options) if big
              else ix.writer(**options))
    entries = []
    try:
        for old in work.removed + [old for _f, _s, old in work.todo if old]:
            if old.record_id:
                writer.delete_by_term("id", old.record_id)
        for n, (f, sig, old) in enumerate(work.todo, 1):
            entry = _index_one(writer, f, sig, used_ids, ctx)
            entries.append(entry)
            if entry.status != "ok":
                summary.failed.append((f"{f.source}/{f.rel}", entry.error))
            elif old and old.status == "ok":
                summary.updated += 1
            else:
                summary.added += 1
            if progress:
                progress(n, len(work.todo), f"{f.source}/{f.rel}", n % max(1, every) == 0)
        writer.commit()
    except BaseException:
        writer.cancel()  # a failed commit must not leave the write lock held
        raise
    manifest.save(entries + work.unchanged, [(e.source, e.path) for e in work.removed])
    return summary


def _index_one(writer, f: SourceFile, sig: str, used_ids: set[str], ctx: ExtractContext) -> Entry:
    try:
        record = make_record(f, used_ids, ctx)
    except (DanganError, OSError) as e:
        return Entry(f.source, f.rel, f.size, f.mtime_ns, sig, None, "failed", str(e))
    except Exception as e:  # a library choking on a strange file must not end the batch
        log.exception("unexpected error reading %s/%s", f.source, f.rel)
        message = f"unexpected {type(e).__name__} while reading the file: {e}"
        return Entry(f.source, f.rel, f.size, f.mtime_ns, sig, None, "failed", message)
    writer.add_document(**record_fields(record))
    return Entry(f.source, f.rel, f.size, f.mtime_ns, sig, record.id, "ok")


def _swap(new: Path, current: Path) -> None:
    """Put a freshly built index in place of the current one."""
    old = current.with_name(current.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if current.exists():
        current.rename(old)
    new.rename(current)
    if old.exists():
        shutil.rmtree(old)


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
