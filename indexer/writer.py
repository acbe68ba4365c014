"""The single writer: adds prepared records to Whoosh and commits in batches; the manifest rows
of a batch are written only after that batch's index commit.

Every record is added after deleting whatever the index holds for the same file (source and
path), so redoing work that was committed before a crash never duplicates a record.

Postings skip Whoosh's general-purpose pool (a tuple per posting, sorted, spilled to disk
and merged back): a batch's postings are grouped by field and term as they arrive, in
compact arrays, and written block by block straight into the segment's postings file.
"""
from __future__ import annotations

import struct
import threading
import time
import zlib
from array import array
from collections.abc import Iterable
from typing import Any

import numpy as np

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.index import LockError
from whoosh.query import And, Term
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from pickle import dumps

from .analysis import Posting, Postings, gram_names
from .codec import IndexCodec
from .lock import IndexBusyError
from .manifest import Entry, Manifest

_DOCNUM = struct.Struct("=I")  # as array("I") holds it
_NAMED = 1 << 63  # a term code with this bit: the term is spelled in the buffer's dict
COMPRESSION = 3  # zlib level of posting blocks (Whoosh's default)
PICKLE = 4  # Whoosh pickles blocks with protocol 2 (bytes via codecs.encode: 8x slower both
           # ways, 2.5x bigger); its reader takes any protocol
COMPRESS_FROM = 16  # postings in a block below which it is stored uncompressed
_CHUNK = 1 << 20
_LIST_CHUNK = 1 << 14  # postings turned into Python lists at a time while writing
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
            return None if docnum is None else s.stored_fields(docnum)

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
        self.changes += 1
        self.entries.append(entry)

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
                w = self.writer
                kept = merge_smallest(w, self.postings, self.every)
                self.postings.write(w.fieldwriter, w.schema)
                w.commit(mergetype=lambda _w, segments: kept, merge=False)
                self.writer = None
                self.commits += 1
            if self.entries or self.removed:
                self.manifest.save(self.entries, self.removed)
            self.entries, self.removed = [], []
        elif self.writer is not None:
            self.pending = _Commit(self.writer, self.postings, self.entries, self.removed)
            self.writer, self.postings = None, PostingBuffer()
            self.entries, self.removed = [], []
        elif self.entries or self.removed:
            self.manifest.save(self.entries, self.removed)
            self.entries, self.removed = [], []
        self.changes, self.started = 0, time.monotonic()

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

    def __init__(self, writer, postings: PostingBuffer, entries: list[Entry],
                 removed: list[tuple[str, str]]):
        self.entries, self.removed = entries, removed
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(writer, postings),
                                       name="dangan-commit", daemon=True)
        self.thread.start()

    def _run(self, w, postings: PostingBuffer) -> None:
        try:
            postings.write(w.fieldwriter, w.schema)
            w.commit(merge=False)
        except BaseException as e:  # handed to the main thread, which stops the run
            self.error = e
            try:
                w.cancel()
            except Exception:
                pass


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


class PostingBuffer:
    """One batch's postings, compact: per field, a term id, docnum, weight and value length per
    posting in flat arrays and the values in one bytearray (about 20 bytes a posting, a small
    dict entry per distinct term); sorted by term only when the batch is written. Postings
    arrive in docnum order, and a stable sort keeps that order within each term."""

    def __init__(self):
        self.fields: dict[str, _FieldPostings] = {}

    def _field(self, name: str) -> _FieldPostings:
        f = self.fields.get(name)
        if f is None:
            f = self.fields[name] = _FieldPostings()
        return f

    def add_compact(self, name: str, docnum: int, p: Postings) -> int:
        """Add one document's postings of one field as a worker computed them; returns the
        field length. CJK grams arrive as keys (copied whole); other terms are looked up."""
        f = self._field(name)
        f.codes.frombytes(p.keys)
        if p.terms:
            terms = f.terms
            f.codes.fromlist([_NAMED | terms.setdefault(t, len(terms)) for t in p.terms])
        f.docs.frombytes(_DOCNUM.pack(docnum) * (len(p.keys) // 8 + len(p.terms)))
        f.weights.frombytes(p.weights)
        f.sizes.frombytes(p.sizes)
        f.values += p.values
        return p.length

    def add(self, name: str, docnum: int, items: Iterable[Posting]) -> int:
        """Add one document's postings of one field; returns the field length (sum of freqs)."""
        f = self._field(name)
        terms, codes, docs, weights, sizes, values = (f.terms, f.codes, f.docs, f.weights,
                                                      f.sizes, f.values)
        length = 0
        for tbytes, freq, weight, vbytes in items:
            tid = terms.get(tbytes)
            if tid is None:
                tid = terms[tbytes] = len(terms)
            codes.append(_NAMED | tid)
            docs.append(docnum)
            weights.append(weight)
            sizes.append(len(vbytes) if vbytes else 0)
            if vbytes:
                values += vbytes
            length += freq
        return length

    def write(self, fieldwriter, schema) -> None:
        """Write every term, in order, through the segment's field writer."""
        for name in sorted(self.fields):
            fieldwriter.start_field(name, schema[name])
            self.fields[name].write(fieldwriter)
            fieldwriter.finish_field()
        self.fields.clear()


class _FieldPostings:
    """Per posting: a term code (a CJK gram's key, or _NAMED | the index of a term in
    `terms`), a docnum, a weight and a value size; the values in one bytearray."""

    __slots__ = ("terms", "codes", "docs", "weights", "sizes", "values")

    def __init__(self):
        self.terms: dict[bytes, int] = {}
        self.codes, self.docs = array("Q"), array("I")
        self.weights, self.sizes = array("f"), array("I")
        self.values = bytearray()

    def _ranks(self) -> tuple[np.ndarray, list[bytes]]:
        """Each posting's term as its rank in byte order, and the terms in that order."""
        codes = np.frombuffer(self.codes, dtype=np.uint64)
        found = np.unique(codes)
        index = np.empty(len(codes), dtype=np.uint32)
        for at in range(0, len(codes), _CHUNK):  # no int64 index the size of the batch
            index[at:at + _CHUNK] = np.searchsorted(found, codes[at:at + _CHUNK])
        del codes
        self.codes = array("Q")
        plain = int(np.searchsorted(found, np.uint64(_NAMED)))
        byname = list(self.terms)
        self.terms = {}
        spelled = gram_names(found[:plain]) + [byname[c] for c in
                                              (found[plain:] & np.uint64(_NAMED - 1)).tolist()]
        names = sorted(set(spelled))  # a gram may come as a key and, merged, as bytes
        if len(names) == len(spelled) and not byname:
            rank = np.arange(len(names), dtype=np.uint32)  # keys alone: already in order
        else:
            at = {t: k for k, t in enumerate(names)}
            rank = np.fromiter((at[t] for t in spelled), dtype=np.uint32, count=len(spelled))
        return rank[index], names

    def write(self, fieldwriter) -> None:
        keys, names = self._ranks()
        order = np.argsort(keys, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(np.bincount(keys, minlength=len(names)))))
        del keys
        docs = np.frombuffer(self.docs, dtype=np.uint32)[order]
        self.docs = array("I")
        weights = np.frombuffer(self.weights, dtype=np.float32)[order]
        self.weights = array("f")
        sizes = np.frombuffer(self.sizes, dtype=np.uint32)
        offset = np.uint32 if len(self.values) < 2**32 else np.int64
        starts = (np.cumsum(sizes, dtype=np.int64) - sizes).astype(offset)[order]
        sizes = sizes[order]
        self.sizes = array("I")
        del order
        _write_terms(fieldwriter, names, bounds, docs, weights, starts, sizes,
                     memoryview(self.values))
        self.values = bytearray()


def _write_terms(fieldwriter, names: list[bytes], bounds: np.ndarray, docs: np.ndarray,
                 weights: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                 values: memoryview) -> None:
    """Write a field's terms, in order, as Whoosh's W3 field writer would (start_term,
    add_posting per posting, finish_term): the same blocks (docnums delta-encoded per block,
    weights and values minified, pickled, zlib-compressed), block headers, term infos and
    term table rows, with the per-posting and per-block Python calls cut out. Two
    differences the reader does not see: blocks are pickled with protocol 4, and blocks of a
    few postings are stored uncompressed, as zlib costs more than it saves on them (the
    reader decompresses by each block's own flag)."""
    pw = fieldwriter._postwriter
    post, add_term = pw._postfile, fieldwriter._tindex.add
    prefix = pack_ushort(fieldwriter._fieldid)
    fixed = fieldwriter._format.fixed_value_size()
    joined = fixed is not None and fixed > 0  # values of one size: stored back to back
    limit = pw._blocklimit
    no_length, zero_length = length_to_byte(None), length_to_byte(0)
    ends = bounds[1:].tolist()
    term, start = 0, 0
    while term < len(names):  # terms a chunk of postings at a time, as Python lists
        last = min(int(np.searchsorted(bounds, start + _LIST_CHUNK, side="right")) - 1,
                   len(names))
        last = max(last, term + 1)
        stop = ends[last - 1]
        chunk = docs[start:stop]
        deltas = chunk.astype(np.int64)
        deltas[1:] -= chunk[:-1]  # within a block; a block's first docnum is stored whole
        local = bounds[term:last + 1] - start
        firsts = (np.arange(len(chunk)) - np.repeat(local[:-1], np.diff(local))) % limit == 0
        deltas[firsts] = chunk[firsts]
        ids, deltas_l = chunk.tolist(), deltas.tolist()
        ws = weights[start:stop].tolist()
        vs = ([bytes(values[s:s + n]) for s, n in zip(starts[start:stop].tolist(),
                                                      sizes[start:stop].tolist())]
              if fixed != 0 else [])
        for k in range(term, last):
            a, b = (ends[k - 1] if k else 0) - start, ends[k] - start
            ti = W3TermInfo()
            offset = post.tell()
            post.write(WHOOSH3_HEADER_MAGIC)
            weight_sum, maxweight = 0.0, 0.0
            for s in range(a, b, limit):
                e = min(s + limit, b)
                w = ws[s:e]
                low, high = min(w), max(w)
                mini_w = None if low == high == 1.0 else (w[0] if low == high else tuple(w))
                if fixed == 0:
                    mini_v = None
                else:
                    v = vs[s:e]
                    mini_v = (b"".join(v) if joined else
                              tuple(v) if all(v) else tuple(x for x in v if x))
                data = dumps((tuple(deltas_l[s:e]), mini_w, mini_v), PICKLE)
                comp = COMPRESSION if e - s >= COMPRESS_FROM else 0
                if comp:
                    data = zlib.compress(data, comp)
                info = dumps((e - s, ids[e - 1], high, comp, no_length, zero_length), PICKLE)
                post.write_int(-(len(info) + len(data)) if e == b else len(info) + len(data))
                post.write(info)
                post.write(data)
                weight_sum += sum(w)
                maxweight = max(maxweight, high)
            ti._weight, ti._df = weight_sum, b - a
            ti._minlength, ti._maxlength, ti._maxweight = None, 0, maxweight
            ti._minid, ti._maxid = ids[a], ids[b - 1]
            ti.set_extent(offset, post.tell() - offset)
            add_term(prefix + names[k], ti.to_bytes())
        term, start = last, stop


def merge_smallest(w, buffer: PostingBuffer, budget: int) -> list:
    """For the last commit: fold the smallest segments into the new one, towards at most
    MAX_SEGMENTS, but never more than `budget` records in all (the merged postings are held in
    memory like a batch's, so the writer's memory stays that of one batch). Small segments
    left by incremental runs are merged; full batches of a big build stay as they are.
    Intermediate commits never merge, so a batch commit is cheap. Returns the segments kept."""
    segments = list(w.segments)
    if len(segments) < MAX_SEGMENTS:
        return segments
    ordered = sorted(segments, key=lambda s: s.doc_count_all())
    take, total = 0, w.docnum
    for segment in ordered[:len(segments) - MAX_SEGMENTS + 2]:
        total += segment.doc_count_all()
        if total > budget and take:
            break
        take += 1
    if take < 2 and w.docnum == 0:
        return segments  # nothing worth rewriting
    for segment in ordered[:take]:
        reader = SegmentReader(w.storage, w.schema, segment)
        try:
            names = set(w.schema.names()) | {n for n in reader.indexed_field_names()
                                             if n in w.schema}
            base = w.docnum
            docmap = w.write_per_doc(names, reader)
            for name, tbytes, docnum, weight, vbytes in w._process_posts(
                    reader.iter_postings(), base, docmap):
                buffer.add(name, docnum, ((tbytes, 0, weight, vbytes),))
        finally:
            reader.close()
        w._added = True
    return ordered[take:]
