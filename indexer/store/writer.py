"""The single writer: adds prepared records to Whoosh and commits in batches; the manifest rows
of a batch are written only after that batch's index commit.

Every record is added after deleting whatever the index holds for the same file (source and
path), so redoing work that was committed before a crash never duplicates a record.

A batch's postings are buffered compactly and written by indexer.postings; its stored
fields, columns and field lengths go through Whoosh's per-document writer.
"""
from __future__ import annotations

import logging
import os
import math
import threading
import time
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.query import And, Term
from whoosh.reading import SegmentReader

from ..analysis.names import NAMES_FILE, name_like
from ..analysis.postings import Postings
from .arrays import column_value
from .codec import IndexCodec
from .lock import IndexBusyError
from .manifest import Entry, Manifest
from .postings import MergedSegment, PostingBuffer

log = logging.getLogger("dangan.index")
MERGE_FACTOR = 10  # segments of one size merged into one of the next
MAX_SEGMENTS = 8  # the final commit merges the smallest segments down to this many


class BatchWriter:
    """Adds records and commits them in batches. A batch's postings are written to disk in
    a background thread while the next batch is being received (the extraction workers are
    never left waiting for a commit); records that arrive meanwhile have their postings
    buffered and their stored fields kept until the next segment writer can open."""

    def __init__(self, ix, manifest: Manifest, every: int, seconds: float,
                 indexed: set[tuple[str, str]]):
        self.ix, self.manifest = ix, manifest
        self.schema = ix.schema  # read once: ix.schema reads the newest table of contents
        self.every, self.seconds = max(1, every), seconds
        self.indexed = indexed  # (source, path) of the records committed before this run
        self.writer = None
        self.postings = PostingBuffer()
        self.entries: list[Entry] = []
        self.removed: list[tuple[str, str]] = []
        self.commits = 0
        self.changes, self.started = 0, time.monotonic()
        self.pending: _Commit | None = None  # the batch being committed in the background
        self.waiting: list[tuple[dict[str, Any], dict[str, int]]] = []  # per-doc parts
        self.deletes: list[tuple[str, str]] = []  # deletions waiting for a writer
        self.names: set[str] = set()  # name-like words of the records added (names.txt)

    def _w(self):
        if self.writer is None:
            try:
                self.writer = self.ix.writer(codec=IndexCodec())
            except LockError:
                raise IndexBusyError(f"the index in {self.ix.storage.folder} is locked by "
                                     "another writer; wait for it to finish") from None
        return self.writer

    def _poll(self) -> None:
        if self.pending is not None and not self.pending.thread.is_alive():
            self._settle()

    def _settle(self) -> None:
        """Wait for the background commit; save its manifest rows (only now that its records
        are on disk); open the next writer and give it what arrived in the meantime."""
        done, self.pending = self.pending, None
        done.thread.join()
        if done.error is not None:
            raise done.error
        self.commits += 1
        if done.entries or done.removed:
            self.manifest.save(done.entries, done.removed)
        self._save_names()
        if self.deletes or self.waiting:
            w = self._w()
            for source, path in self.deletes:
                _delete(w, source, path)
            for fields, lengths in self.waiting:
                add_per_doc(w, fields, lengths)
        self.deletes, self.waiting = [], []

    def stored(self, source: str, path: str) -> dict[str, Any] | None:
        """The stored fields of the committed record of a file, if any."""
        if self.pending is not None:  # not while a commit is replacing the table of contents
            self._settle()
        with self.ix.searcher() as s:
            docnum = s.document_number(source=source, path=path)
            if docnum is None:
                return None
            fields = dict(s.stored_fields(docnum))
            boxes = column_value(s.reader(), s.schema, "boxes", docnum)
            if boxes:
                fields["boxes"] = boxes
            return fields

    def delete(self, source: str, path: str) -> None:
        """Delete the committed record of a file, if there is one (looked up only then)."""
        if (source, path) in self.indexed:
            self._poll()
            if self.pending is not None:
                self.deletes.append((source, path))
            else:
                _delete(self._w(), source, path)
            self.indexed.discard((source, path))
            self.changes += 1

    def remove(self, entry: Entry) -> None:
        self.delete(entry.source, entry.path)
        self.removed.append(entry.key)

    def add(self, fields: dict[str, Any], postings: dict[str, Postings],
            entry: Entry) -> None:
        self.delete(fields["source"], fields["path"])
        self._poll()
        if self.pending is not None:
            docnum = len(self.waiting)  # the next segment's, which starts at 0
            self.waiting.append((fields, add_postings(self.schema, self.postings, docnum,
                                                      fields, postings)))
        else:
            w = self._w()
            add_per_doc(w, fields, add_postings(w.schema, self.postings, w.docnum, fields,
                                                postings))
        self.names |= name_like(w.decode("utf-8") for field in ("text", "title")
                                if field in postings for w in postings[field].terms)
        self.changes += 1
        self.entries.append(entry)

    def replace(self, fields: dict[str, Any], postings: dict[str, Postings],
                entry: Entry) -> None:
        """Add a record in place of the one the index holds for its file, committed before
        this run or in it."""
        if self.pending is not None:
            self._settle()
        _delete(self._w(), fields["source"], fields["path"])
        self.indexed.discard((fields["source"], fields["path"]))
        self.add(fields, postings, entry)

    def note(self, entry: Entry) -> None:
        """A manifest row with no index change of its own (a failure, a touched file)."""
        self.entries.append(entry)

    def due(self) -> bool:
        return self.changes > 0 and (
            self.changes >= self.every or time.monotonic() - self.started >= self.seconds)

    def commit(self, final: bool = False) -> None:
        """Commit what was added so far: in the background (the manifest rows are saved once
        it is on disk), or, for the final commit, here, merging small segments."""
        if self.pending is not None:
            self._settle()
        if final:
            if self.writer is None and len(self.ix._segments()) >= MAX_SEGMENTS:
                self._w()  # the last batch was committed already: a writer just for the merge
            if self.writer is not None:
                write_segment(self.writer, self.postings, self.every, final=True)
                self.writer = None
                self.commits += 1
            self._save_rows()
        elif self.writer is not None:
            self.pending = _Commit(self.writer, self.postings, self.every, self.entries,
                                   self.removed)
            self.writer, self.postings = None, PostingBuffer()
            self.entries, self.removed = [], []
        else:
            self._save_rows()
        self.changes, self.started = 0, time.monotonic()

    def settle(self) -> None:
        """Commit what was added and wait until it is on disk and its manifest rows are saved,
        without the final merge (a one-record change while the index is being searched: the
        tiered merges of later commits fold its small segment in)."""
        self.commit()
        if self.pending is not None:
            self._settle()

    def _save_rows(self) -> None:
        """The manifest rows gathered so far (their records, if any, are committed), and the
        names their records hold."""
        if self.entries or self.removed:
            self.manifest.save(self.entries, self.removed)
        self.entries, self.removed = [], []
        self._save_names()

    def _save_names(self) -> None:
        """Add the name-like words of the records committed so far to names.txt (names of
        records removed since stay: a search checks a name against the records it may read)."""
        path = Path(self.ix.storage.folder) / NAMES_FILE
        known = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
        if self.names - known:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text("\n".join(sorted(known | self.names)), encoding="utf-8")
            os.replace(tmp, path)
        self.names = set()

    def mark_matched(self) -> None:
        """After the last commit and manifest save: the two describe the same records."""
        segments = self.ix._segments()  # the latest table of contents, no segment opened
        self.manifest.set_matched(self.ix.latest_generation(),
                                  sum(s.doc_count() for s in segments))

    def cancel(self) -> None:
        if self.pending is not None:  # a commit under way finishes (its rows are not saved:
            self.pending.thread.join()  # the next run finds its records in the index)
            self.pending = None
        if self.writer is not None:
            self.writer.cancel()  # a failed commit must not leave the write lock held
            self.writer = None


class _Commit:
    """One batch's segment, written and committed in a thread."""

    def __init__(self, writer, postings: PostingBuffer, every: int, entries: list[Entry],
                 removed: list[tuple[str, str]]):
        self.entries, self.removed = entries, removed
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(writer, postings, every),
                                       name="dangan-commit", daemon=True)
        self.thread.start()

    def _run(self, w, postings: PostingBuffer, every: int) -> None:
        try:
            write_segment(w, postings, every)
        except BaseException as e:  # handed to the main thread, which stops the run
            self.error = e
            try:
                w.cancel()  # release the write lock
            except Exception:  # the commit's own error is the one to report
                log.exception("could not cancel the failed commit")


def _delete(w, source: str, path: str) -> None:
    w.delete_by_query(And([Term("source", source), Term("path", path)]))


def add_postings(schema, buffer: PostingBuffer, docnum: int, fields: dict[str, Any],
                 postings: dict[str, Postings]) -> dict[str, int]:
    """Buffer the postings of a record's indexed fields (as a worker computed them, or
    analysed here for fields it did not); returns each field's length."""
    lengths = {}
    for name, value in fields.items():
        field = schema[name]
        if field.indexed:
            if name in postings:
                length = buffer.add_compact(name, docnum, postings[name])
            else:
                length = buffer.add(name, docnum, field.index(value))
            lengths[name] = length if field.scorable else 0
    return lengths


def add_per_doc(w, fields: dict[str, Any], lengths: dict[str, int]) -> None:
    """SegmentWriter.add_document minus the postings (buffered by add_postings for the
    document number this gives the record)."""
    w._check_state()
    schema, pdw, docnum = w.schema, w.perdocwriter, w.docnum
    pdw.start_doc(docnum)
    try:
        for name in sorted(fields):
            value = fields[name]
            field = schema[name]
            pdw.add_field(name, field, value if field.stored else None, lengths.get(name, 0))
            if field.column_type is not None:
                pdw.add_column_value(name, field.column_type, field.to_column_value(value))
    except Exception:
        pdw.cancel_doc()
        raise
    pdw.finish_doc()
    w._added = True
    w.docnum += 1


def write_segment(w, postings: PostingBuffer, every: int, final: bool = False) -> None:
    """Write a batch as a new segment and commit it, folding in the segments `to_merge`
    picks: their documents are copied, their postings streamed term by term beside the
    batch's, so merging costs no more memory than the batch."""
    kept, merged = to_merge(list(w.segments), w.docnum, every, final), []
    storage = FileStorage(w.storage.folder, supports_mmap=False)  # see MergedSegment
    try:
        names = set(w.schema.names())
        for segment in [s for s in w.segments if s not in kept]:
            m = MergedSegment(SegmentReader(storage, w.schema, segment), w.schema, w.docnum)
            merged.append(m)
            m.docmap = w.write_per_doc(names | set(m.fields()), m.reader)
            w._added = True
        postings.write(w.fieldwriter, w.schema, merged)
    finally:
        for m in merged:
            m.reader.close()
    w.commit(mergetype=lambda _w, segments: kept, merge=False)


def to_merge(segments: list, batch: int, every: int, final: bool) -> list:
    """The segments to keep as they are (the others are merged into the new one).

    Tiered: segments are grouped by size (up to 10x `every` records, up to 100x, ...); a
    group of MERGE_FACTOR becomes one segment of the next size, so a big build ends with a
    few dozen segments at most and each record is rewritten about log10(N / every) times.
    These merges happen in background commits only. The final commit of a run folds the
    smallest segments, up to one batch of records, while there are MAX_SEGMENTS or more
    (the small segments incremental runs leave)."""
    counts = [s.doc_count_all() for s in segments]
    merge: set[int] = set()
    if not final:  # tiers merge in the background, never keeping the end of a run waiting
        tiers: dict[int, list[int]] = {}
        for k, n in enumerate(counts):
            tiers.setdefault(int(math.log10(max(n, every) / every)), []).append(k)
        full = sorted(t for t, members in tiers.items() if len(members) >= MERGE_FACTOR)
        if full:
            merge.update(tiers[full[0]])
    elif len(segments) >= MAX_SEGMENTS:
        total = batch
        for k in sorted(range(len(segments)), key=counts.__getitem__):
            total += counts[k]
            if total > every and merge:
                break
            merge.add(k)
        if len(merge) < 2 and batch == 0:
            merge.clear()  # one segment rewritten alone: nothing gained
    return [s for k, s in enumerate(segments) if k not in merge]
