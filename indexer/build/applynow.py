"""A correction made searchable at once: one file's record rewritten from what the index stores
(no extraction, no catalog read), with the file's corrections in force, by the same single
writer a run uses — unless a run holds the index (then that run, or the next, applies it).
"""
from __future__ import annotations

import logging
import time
from dataclasses import fields as dataclass_fields, replace
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from ..config import Settings
from ..store.corrections import Corrections
from ..store.lock import IndexBusyError, IndexLock
from ..store.manifest import Entry, Manifest
from ..store.records import Record, record_fields
from ..store.schema import USER_WORDS_FILE
from ..store.writer import BatchWriter
from .corrected import corrected, signed, uncorrected, unsigned
from .prepare import WorkerSetup, analyse, setup_analyzer

log = logging.getLogger("dangan.index")
_RECORD_FIELDS = {f.name for f in dataclass_fields(Record)}
WAIT = 3.0  # seconds a correction waits for the index lock
_ENTRY = "source, path, size, mtime_ns, meta_sig, record_id, status, error, digest"


def apply_now(settings: Settings, store: Corrections, source: str, path: str,
              wait: float = WAIT) -> bool:
    """Rewrite the record of (source, path) with its corrections in force and commit; False
    when the index is busy (a run is writing) or holds no record of the file."""
    index_dir = settings.index.dir
    lock = _locked(index_dir, wait)
    if lock is None:
        return False
    try:
        if not whoosh_index.exists_in(index_dir):
            return False
        ix = whoosh_index.open_dir(index_dir)
        manifest = Manifest(index_dir)
        try:
            row = manifest.db.execute(f"SELECT {_ENTRY} FROM files WHERE source = ? AND "
                                      "path = ? AND status = 'ok'", (source, path)).fetchone()
            if row is None:
                return False
            return _rewrite(ix, manifest, Entry(*row), store.current(source, path))
        finally:
            manifest.close()
    except IndexBusyError:  # a Whoosh writer of another kind holds the index
        return False
    finally:
        lock.__exit__(None, None, None)


def _locked(index_dir: Path, wait: float) -> IndexLock | None:
    """The index lock, waited for up to `wait` seconds (another correction being applied holds
    it a fraction of a second; an indexing run, far longer): None if still busy."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return IndexLock(index_dir).__enter__()
        except IndexBusyError:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)


def _rewrite(ix, manifest: Manifest, entry: Entry, current: tuple) -> bool:
    batch = BatchWriter(ix, manifest, 1, 0, {entry.key})
    stored = batch.stored(entry.source, entry.path)  # with its page boxes
    if stored is None:
        return False
    record = Record(**{k: v for k, v in stored.items() if k in _RECORD_FIELDS
                       and k != "page_starts"},
                    page_starts=tuple(stored.get("page_starts") or (0,)))
    record = corrected(uncorrected(record), current, entry.digest or "")
    fields = record_fields(record)
    postings = analyse(fields, setup_analyzer(WorkerSetup(_user_words(ix.storage.folder))))
    try:
        batch.add(fields, postings, replace(entry, meta_sig=signed(unsigned(entry.meta_sig),
                                                                   current)))
        batch.settle()
        batch.mark_matched()
    except BaseException:
        batch.cancel()
        raise
    return True


def _user_words(folder: str) -> tuple[str, ...]:
    """The words the index was built with (a run writes them beside it)."""
    path = Path(folder) / USER_WORDS_FILE
    if not path.is_file():
        return ()
    return tuple(sorted(set(path.read_text(encoding="utf-8").split("\n")) - {""}))
