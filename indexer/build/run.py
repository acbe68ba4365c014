"""Batch (re-)indexing: plan against the manifest, extract in parallel, write once.

Extraction and analysis run in workers (a local process pool, or a Dask cluster); this
process is the single writer. It commits every `commit_every` records or `commit_seconds`,
and writes the manifest rows of a batch only after that batch's commit, so a run killed at any
moment is finished by running it again: nothing lost, nothing duplicated.
"""
from __future__ import annotations

import logging
import os
import resource
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ocr.settings import OcrSettings
from whoosh import index as whoosh_index

from ..analysis.words import load_user_dict
from ..config import Settings
from ..errors import ConfigError, IndexVersionError
from ..ingest.extract import EXTRACTORS
from ..ingest.extracted import ExtractContext
from ..ingest.ocrcache import OcrRunner
from ..ingest.sourcefile import content_id
from ..private import private_dir
from .fixes import corrections_in_force
from ..store.lock import IndexLock
from ..store.manifest import Entry, Manifest
from ..store.schema import (CATALOG_NAMES_FILE, USER_WORDS_FILE, add_boxes_field,
                            build_schema, check_stamp, write_stamp)
from ..store.sources import read_sources, write_sources
from ..store.swap import exchange
from ..store.writer import BatchWriter
from .committed import committed_files
from .corpus import Corpus, Notes, check_roots, discover
from .executors import make_executor
from .failing import UNCHANGED, failed_status, reading_stamp
from .orgsettle import settle_orgs
from .plan import Job, Plan, make_plan
from .prepare import EXTRACTED, FLOOR, FLOOR_FROM, Prepared, WorkerSetup
from .prerender import ToRender, prerender, wanted
from .scratch import Scratch, scratch_path

log = logging.getLogger("dangan.index")
Progress = Callable[[int, int, int, str], None]  # files done, files to do, pages, current file


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: Notes = field(default_factory=Notes)  # links skipped, catalog problems
    pages: int = 0
    ocr_pages: int = 0
    ocr_seconds: float = 0.0     # summed over workers
    worker_seconds: float = 0.0  # all extraction work, OCR included, summed over workers
    commits: int = 0
    peak_mb: float = 0.0         # the writer process's peak resident memory
    worker_peak_mb: float = 0.0  # the largest peak resident memory of a local worker
    page_images: int = 0  # page images made for the server's cache ([index] page_images)
    page_image_seconds: float = 0.0
    seconds: float = 0.0


def run_index(settings: Settings, paths: list[Path] | None = None, *, rebuild: bool = False,
              dry_run: bool = False, workers: int | None = None, scheduler: str | None = None,
              progress: Progress | None = None, retry_failed: bool = False) -> Summary | Plan:
    started = time.monotonic()
    roots = list(paths or settings.corpus.paths)
    if not roots:
        raise ConfigError("no corpus folder: give one on the command line or set [corpus] paths")
    check_roots(roots)
    current = settings.index.dir
    if dry_run:
        return _dry_plan(discover(roots), current, rebuild, corrections_in_force(settings),
                         None if retry_failed else failed_status(True, reading_stamp(settings)))
    with IndexLock(current) as lock:
        recover_swap(current)
        target = _rebuild_dir(current) if rebuild else current
        ix = open_or_create(target)
        manifest = Manifest(target)
        scratch = Scratch(scratch_path(current))  # the listing and the plan, on disk
        try:
            corpus = discover(roots, scratch)
            indexed = committed_files(ix, manifest, scratch.db)
            stamp = reading_stamp(settings)
            work = make_plan(corpus, manifest, verify=True, fixes=corrections_in_force(settings),
                             failing=None if retry_failed else failed_status(True, stamp))
            if rebuild:  # the 密级 moves kept: a fresh reading of the file would forget them
                work.floors = carried_floors(current)
            summary = Summary(unchanged=len(work.unchanged) + len(work.touched))
            summary.warnings = corpus.warnings
            summary.failed += corpus.failed  # names that cannot be told apart
            summary.failed += [(f"{e.source}/{e.path}", f"{e.error}（{UNCHANGED}）")
                               for e in work.failing]
            words = load_user_words(settings, corpus)  # the workers' analyzer, then searches'
            (target / USER_WORDS_FILE).write_text("\n".join(sorted(set(words))),
                                                  encoding="utf-8")
            (target / CATALOG_NAMES_FILE).write_text("\n".join(sorted(corpus.names)),
                                                     encoding="utf-8")
            write_sources(target, corpus.sources)
            setup = worker_setup(settings, words)
            _check_ocr(setup, work)
            keep_ocr = None
            if scheduler and setup.ocr is not None:  # pages read on other hosts: keep here too
                setup = replace(setup, return_ocr=True)
                keep_ocr = OcrRunner(setup.ocr, setup.cache_dir)
            n = workers or settings.index.workers or _cpu_count()
            # workers start before any index writer opens, so they never hold its lock
            executor = make_executor(setup, n, len(work.jobs), scheduler, (lock.fd,),
                                     settings.index.file_timeout)
            batch = BatchWriter(ix, manifest, settings.index.commit_every,
                                settings.index.commit_seconds, indexed)
            images: list[ToRender] | None = [] if settings.index.page_images else None
            try:
                _write(batch, work, executor, summary, progress, keep_ocr,
                       lambda b: settle_orgs(b, setup), images, stamp)
            except BaseException:
                batch.cancel()
                raise
            finally:
                executor.close()
                if keep_ocr is not None:
                    keep_ocr.close()
            if images:  # the records are committed: their first page views are made now
                done = prerender(images, read_sources(target), settings.data_dir,
                                 settings.server.render_timeout, n)
                summary.page_images, summary.page_image_seconds = done.pages, done.seconds
        finally:
            scratch.close()
            manifest.close()
        if rebuild:
            _swap(target, current)
    summary.peak_mb = peak_memory_mb()
    summary.seconds = time.monotonic() - started
    return summary


def _write(batch: BatchWriter, work: Plan, executor, summary: Summary,
           progress: Progress | None, keep_ocr: OcrRunner | None = None,
           settle: Callable[[BatchWriter], int] | None = None,
           images: list[ToRender] | None = None, stamp: str = "") -> None:
    for entry in work.removed:
        batch.remove(entry)
        summary.removed += 1
    for source, path in work.orphans:
        batch.delete(source, path)
    for entry in work.touched:
        batch.note(entry)
    total = len(work.jobs)
    tasks = ((job, _stored(batch, job)) for job in work.jobs)  # read one at a time
    for done, result in enumerate(executor.map_unordered(tasks), 1):
        _apply(batch, result, summary, stamp)
        if images is not None and not result.error:
            f = result.job.file
            item = wanted(result.fields, f.size, f.mtime_ns)
            images += [item] if item else []
        if keep_ocr is not None and result.ocr_cache:
            keep_ocr.store(result.ocr_cache)
        if batch.due():
            batch.commit()
        if progress:
            progress(done, total, summary.pages,
                     f"{result.job.file.source}/{result.job.file.rel}")
    batch.commit(final=True)
    if settle is not None and settle(batch):  # records whose 责任者 the whole run settles
        batch.commit(final=True)
    batch.mark_matched()
    summary.commits = batch.commits


def _stored(batch: BatchWriter, job: Job):
    if job.kind in ("metadata", "moved") and job.old is not None:
        return batch.stored(job.old.source, job.old.path)
    return None


def _apply(batch: BatchWriter, r: Prepared, summary: Summary, stamp: str = "") -> None:
    job, f = r.job, r.job.file
    summary.pages += r.pages
    summary.ocr_pages += r.ocr_pages
    summary.ocr_seconds += r.ocr_seconds
    summary.worker_seconds += r.seconds
    summary.worker_peak_mb = max(summary.worker_peak_mb, r.peak_mb)
    if r.error:
        batch.delete(f.source, f.rel)  # what the file held before is no longer true
        if job.kind == "moved":
            batch.remove(job.old)
        batch.note(Entry(f.source, f.rel, f.size, f.mtime_ns, job.meta_sig, None,
                         failed_status(r.lasting, stamp), r.error, r.digest or None))
        summary.failed.append((f"{f.source}/{f.rel}", r.error))
        return
    rid = record_id(r.digest, f.source, f.rel)
    r.fields["id"] = rid
    batch.add(r.fields, r.postings, Entry(f.source, f.rel, f.size, f.mtime_ns, job.meta_sig,
                                          rid, "ok", None, r.digest))
    if job.kind == "moved":
        batch.remove(job.old)
        summary.moved += 1
    elif job.kind in ("changed", "metadata", "repair"):
        summary.updated += 1
    else:
        summary.added += 1


def carried_floors(current: Path) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(source, path) → (密级, moved from, record id) of the current index's records whose 密级
    a move kept (prepare.kept_level): a rebuild keeps it for the same content at the same
    place, as later runs of an index do, until a 管理员 corrects it."""
    if not whoosh_index.exists_in(current):
        return {}
    out = {}
    with whoosh_index.open_dir(current).searcher() as s:
        for stored in s.all_stored_fields():
            auto = (stored.get("meta") or {}).get(EXTRACTED) or {}
            if isinstance(auto, dict) and auto.get(FLOOR):
                out[stored["source"], stored["path"]] = (auto[FLOOR], auto.get(FLOOR_FROM, ""),
                                                         stored["id"])
    return out


def record_id(digest: str, source: str, path: str) -> str:
    """A record's id: a function of the file's content and where it is, so the same corpus
    gives the same ids however the work was ordered, interrupted or resumed; stable while
    the file is unchanged (two copies of one scan in two folders are two records)."""
    return content_id(digest, f"{source}/{path}")


def worker_setup(settings: Settings, words: list[str]) -> WorkerSetup:
    o, i = settings.ocr, settings.index
    ocr = (OcrSettings(languages=o.languages, timeout=o.timeout, preprocess=o.preprocess,
                       max_pixels=o.max_pixels, max_file_pixels=o.max_file_pixels,
                       engine=o.engine)
           if o.enabled else None)
    return WorkerSetup(tuple(sorted(set(words))), ocr, settings.data_dir, o.max_pages,
                       max_text_chars=i.max_text_chars, max_inflated_mb=i.max_inflated_mb,
                       memory_mb=i.worker_memory_mb, organisations=i.organisations,
                       configured_words=tuple(settings.analysis.user_words))


def extract_context(settings: Settings) -> ExtractContext:
    """OCR (cached beside the index, so it survives a rebuild) and limits from the settings."""
    setup = worker_setup(settings, [])
    runner = OcrRunner(setup.ocr, setup.cache_dir) if setup.ocr is not None else None
    return ExtractContext(ocr=runner, max_pages=setup.max_pages,
                          max_text_chars=setup.max_text_chars,
                          max_inflated_mb=setup.max_inflated_mb)


def _check_ocr(setup: WorkerSetup, work: Plan) -> None:
    """Create the shared OCR cache before workers open it; scans to read: a missing
    Tesseract is reported before any work."""
    if setup.ocr is None:
        return
    runner = OcrRunner(setup.ocr, setup.cache_dir)
    try:
        scans = tuple(s for s, e in EXTRACTORS.items() if e is EXTRACTORS[".png"])
        if work.any_job_with_suffix(scans):
            runner.check()
    finally:
        runner.close()


def open_or_create(index_dir: Path):
    if whoosh_index.exists_in(index_dir):
        check_stamp(index_dir)
        ix = whoosh_index.open_dir(index_dir)
        add_boxes_field(ix)
        return ix
    private_dir(index_dir)
    write_stamp(index_dir)
    return whoosh_index.create_in(index_dir, build_schema())


def load_user_words(settings: Settings, corpus: Corpus) -> list[str]:
    words = (list(settings.analysis.user_words) + list(settings.index.organisations)
             + sorted(corpus.names))
    if settings.analysis.user_dict:
        try:
            words += load_user_dict(settings.analysis.user_dict)
        except OSError as e:
            raise ConfigError(f"cannot read [analysis] user_dict: {e}") from e
    return words


def _dry_plan(corpus: Corpus, current: Path, rebuild: bool, fixes=None,
              failing: str | None = None) -> Plan:
    """The plan, without creating or changing anything."""
    if rebuild or not whoosh_index.exists_in(current):
        return make_plan(corpus, None, fixes=fixes)
    check_stamp(current)
    manifest = Manifest(current)
    try:
        committed_files(whoosh_index.open_dir(current), manifest, corpus.db)
        return make_plan(corpus, manifest, verify=True, fixes=fixes, failing=failing)
    finally:
        manifest.close()


def _rebuild_dir(current: Path) -> Path:
    """Where a rebuild writes; an unfinished rebuild (killed) is resumed, not restarted."""
    new = current.with_name(current.name + ".new")
    if whoosh_index.exists_in(new):
        try:
            check_stamp(new)
            log.warning("resuming the unfinished rebuild in %s", new)
            return new
        except IndexVersionError:
            pass
    if new.exists():
        shutil.rmtree(new)
    return new


def _swap(new: Path, current: Path) -> None:
    """Put a freshly built index in place of the current one (readers reopen on their own).
    The two folders are exchanged in one step (renameat2 RENAME_EXCHANGE), so `current` is
    never missing; where the file system cannot, by two renames (recover_swap finishes them
    after a crash)."""
    old = current.with_name(current.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if current.exists() and exchange(new, current):
        new.rename(old)  # a crash before this leaves the previous index as .new: a later
    else:                # --rebuild resumes from it, which is correct for any complete index
        if current.exists():
            current.rename(old)
        new.rename(current)
    shutil.rmtree(old, ignore_errors=True)




def recover_swap(current: Path) -> None:
    """Finish a swap that a killed run left half done (the new index was complete)."""
    old = current.with_name(current.name + ".old")
    new = current.with_name(current.name + ".new")
    if not current.exists() and old.exists():
        if new.exists():
            log.warning("finishing the swap of a rebuilt index interrupted by a crash")
            new.rename(current)
        else:
            old.rename(current)
    if current.exists() and old.exists():
        shutil.rmtree(old, ignore_errors=True)


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over
    exec from the parent, so a process started by a big one reports the parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


__all__ = ["Plan", "Summary", "run_index", "extract_context", "open_or_create"]
