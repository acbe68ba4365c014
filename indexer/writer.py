"""The single writer: adds prepared records to Whoosh and commits in batches; the manifest rows
of a batch are written only after that batch's index commit.

Every record is added after deleting whatever the index holds for the same file (source and
path), so redoing work that was committed before a crash never duplicates a record.
"""
from __future__ import annotations

import time
from typing import Any

from whoosh.query import And, Term
from whoosh.reading import SegmentReader

from .analysis import Posting
from .codec import IndexCodec
from .manifest import Entry, Manifest

MAX_SEGMENTS = 8  # the final commit merges the smallest segments down to this many
WRITER_MB = 128   # Whoosh's posting buffer before it spills sorted runs to disk


class BatchWriter:
    def __init__(self, ix, manifest: Manifest, every: int, seconds: float, empty: bool):
        self.ix, self.manifest = ix, manifest
        self.every, self.seconds = max(1, every), seconds
        self.empty = empty  # nothing indexed yet: no deletes needed
        self.writer = None
        self.entries: list[Entry] = []
        self.removed: list[tuple[str, str]] = []
        self.commits = 0

    def _w(self):
        if self.writer is None:
            self.writer = self.ix.writer(limitmb=WRITER_MB, codec=IndexCodec())
            self.started = time.monotonic()
            self.changes = 0
        return self.writer

    def stored(self, source: str, path: str) -> dict[str, Any] | None:
        """The stored fields of the committed record of a file, if any."""
        with self.ix.searcher() as s:
            docnum = s.document_number(source=source, path=path)
            return None if docnum is None else s.stored_fields(docnum)

    def delete(self, source: str, path: str) -> None:
        if not self.empty:
            self._w().delete_by_query(And([Term("source", source), Term("path", path)]))
            self.changes += 1

    def remove(self, entry: Entry) -> None:
        self.delete(entry.source, entry.path)
        self.removed.append(entry.key)

    def add(self, fields: dict[str, Any], postings: dict[str, list[Posting]],
            entry: Entry) -> None:
        self.delete(fields["source"], fields["path"])
        add_analysed(self._w(), fields, postings)
        self.changes += 1
        self.entries.append(entry)

    def note(self, entry: Entry) -> None:
        """A manifest row with no index change of its own (a failure, a touched file)."""
        self.entries.append(entry)

    def due(self) -> bool:
        return self.writer is not None and (
            self.changes >= self.every or time.monotonic() - self.started >= self.seconds)

    def commit(self, final: bool = False) -> None:
        if self.writer is not None:
            self.writer.commit(mergetype=merge_smallest if final else None, merge=False)
            self.writer = None
            self.commits += 1
            self.empty = False
        if self.entries or self.removed:
            self.manifest.save(self.entries, self.removed)
        self.entries, self.removed = [], []

    def cancel(self) -> None:
        if self.writer is not None:
            self.writer.cancel()  # a failed commit must not leave the write lock held
            self.writer = None


def add_analysed(w, fields: dict[str, Any], postings: dict[str, list[Posting]]) -> None:
    """SegmentWriter.add_document, taking the analysed fields' postings as computed by a worker
    (the same tuples `field.index(value)` gives) instead of analysing the text again."""
    w._check_state()
    schema, pdw, docnum, add_post = w.schema, w.perdocwriter, w.docnum, w.pool.add
    pdw.start_doc(docnum)
    try:
        for name in sorted(fields):
            value = fields[name]
            field = schema[name]
            length = 0
            if field.indexed:
                items = postings[name] if name in postings else field.index(value)
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in items:
                    if scorable:
                        length += freq
                    add_post((name, tbytes, docnum, weight, vbytes))
            pdw.add_field(name, field, value if field.stored else None, length)
            if field.column_type is not None:
                pdw.add_column_value(name, field.column_type, field.to_column_value(value))
    except Exception:
        pdw.cancel_doc()
        raise
    pdw.finish_doc()
    w._added = True
    w.docnum += 1


def merge_smallest(writer, segments):
    """Merge policy of the last commit: fold the smallest segments into the new one until at
    most MAX_SEGMENTS remain (intermediate commits never merge, so a batch commit is cheap)."""
    if len(segments) < MAX_SEGMENTS:
        return list(segments)
    ordered = sorted(segments, key=lambda s: s.doc_count_all())
    take = len(segments) - MAX_SEGMENTS + 2
    for segment in ordered[:take]:
        writer.add_reader(SegmentReader(writer.storage, writer.schema, segment))
    return ordered[take:]
