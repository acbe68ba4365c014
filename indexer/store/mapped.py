"""Posting lists as flat arrays a query reads in place (memory-mapped), beside Whoosh's own.

Whoosh stores a posting list as pickled, zlib-compressed blocks: a query must decode them into
Python objects before it can use them, once per process and index version, which is most of
what a cold query costs and what makes every server worker hold its own decoded copy. So the
writer (indexer.store.postings) also writes each segment's postings as plain little-endian
arrays, in files of the segment that Whoosh assembles into its compound file with the rest:

    .dgk  every term's bytes, back to back, in (field, term) order
    .dgx  per term (and one row past the last): start in .dgk, first posting, first position
    .dgd  per posting: docnum within the segment (uint32)
    .dgw  per posting: weight (float32; the term frequency for text fields)
    .dgc  per posting: occurrences (uint32; 0 in fields without positions)
    .dgp  per occurrence: position (uint32, absolute)
    .dgm  JSON, written last: the format, each field's rows, the counts of the above

A reader maps the segment's compound file once (as Whoosh does) and takes numpy views of
those ranges: no copy, no decoding, and the pages are shared by every process reading the
index. Whoosh's files stay the store of record: a segment without these files (written
before them, or by Whoosh's own writer), or whose files do not add up, is read through Whoosh.
"""
from __future__ import annotations

import json
import logging
import mmap
from bisect import bisect_right
from collections.abc import Sequence

import numpy as np

log = logging.getLogger("dangan.index")
FORMAT = 1
EXTS = (".dgk", ".dgx", ".dgd", ".dgw", ".dgc", ".dgp")
META = ".dgm"
_SPANS = 1 << 16  # terms whose span a segment keeps (about 10 MB at most)
_FLUSH = 1 << 16  # postings buffered before they are written as arrays
_BLOCK = 64  # terms per block of the term lookup
_U32, _F32, _U64 = np.dtype("<u4"), np.dtype("<f4"), np.dtype("<u8")


class MapWriter:
    """Writes one segment's arrays while its terms are written in (field, term) order."""

    def __init__(self, storage, segment):
        self.files = {ext: segment.create_file(storage, ext) for ext in EXTS}
        self.storage, self.segment = storage, segment
        self.fields: dict[str, list] = {}
        self.field: str | None = None
        self.positional = False
        self.rows = self.postings = self.positions = self.keys = 0
        self._clear()

    def _clear(self) -> None:
        self.terms: list[bytes] = []
        self.ends: list[int] = []  # buffered postings after each buffered term
        self.ids: list[int] = []
        self.ws: list[float] = []
        self.vs: list[bytes] = []

    def start_field(self, name: str, positional: bool) -> None:
        self.field, self.positional = name, positional
        self.fields[name] = [self.rows, self.rows, positional]

    def add(self, tbytes: bytes, ids: Sequence[int], ws: Sequence[float],
            vs: Sequence[bytes]) -> None:
        """One term's postings, in docnum order; `vs` are uint32 position deltas (the n-gram
        format's values) when the field is positional."""
        self.terms.append(tbytes)
        self.ids += ids
        self.ws += ws
        if self.positional:
            self.vs += vs
        self.ends.append(len(self.ids))
        if len(self.ids) >= _FLUSH:
            self._flush()

    def finish_field(self) -> None:
        self._flush()
        self.fields[self.field][1] = self.rows

    def _flush(self) -> None:
        if not self.terms:
            return
        n = len(self.ids)
        ends = np.asarray(self.ends, dtype=np.int64)
        starts = ends - np.diff(ends, prepend=0)
        f = self.files
        f[".dgd"].write(np.asarray(self.ids, dtype=_U32).tobytes())
        f[".dgw"].write(np.asarray(self.ws, dtype=_F32).tobytes())
        if self.positional:
            counts = np.fromiter(map(len, self.vs), dtype=np.int64, count=n) // 4
            f[".dgp"].write(positions_from_deltas(b"".join(self.vs), counts).astype(_U32)
                            .tobytes())
            occurred = np.concatenate(([0], np.cumsum(counts)))
        else:
            counts = np.zeros(n, dtype=np.int64)
            occurred = np.zeros(n + 1, dtype=np.int64)
        f[".dgc"].write(counts.astype(_U32).tobytes())
        lengths = np.fromiter(map(len, self.terms), dtype=np.int64, count=len(self.terms))
        rows = np.empty((len(self.terms), 3), dtype=_U64)
        rows[:, 0] = self.keys + np.cumsum(lengths) - lengths
        rows[:, 1] = self.postings + starts
        rows[:, 2] = self.positions + occurred[starts]
        f[".dgx"].write(rows.tobytes())
        f[".dgk"].write(b"".join(self.terms))
        self.rows += len(self.terms)
        self.postings += n
        self.positions += int(occurred[-1])
        self.keys += int(lengths.sum())
        self._clear()

    def close(self) -> None:
        """The closing row and the description; the files are complete after this."""
        self._flush()
        self.files[".dgx"].write(np.asarray([[self.keys, self.postings, self.positions]],
                                            dtype=_U64).tobytes())
        for f in self.files.values():
            f.close()
        meta = {"format": FORMAT, "fields": self.fields, "rows": self.rows,
                "postings": self.postings, "positions": self.positions, "keys": self.keys}
        out = self.segment.create_file(self.storage, META)
        out.write(json.dumps(meta).encode("utf-8"))
        out.close()

    def cancel(self) -> None:
        for f in self.files.values():
            f.close()


def positions_from_deltas(deltas: bytes, counts: np.ndarray) -> np.ndarray:
    """Absolute positions (int64) from the n-gram format's values back to back: uint32
    deltas restarting at each posting, `counts` occurrences per posting."""
    running = np.cumsum(np.frombuffer(deltas, dtype=_U32).astype(np.int64))
    first = np.cumsum(counts) - counts  # each posting's first occurrence
    before = np.where(first > 0, running[np.maximum(first - 1, 0)], 0)
    return running - np.repeat(before, counts)


class SegmentMap:
    """Read side of one segment's arrays (numpy views of the mapped file)."""

    def __init__(self, buffers: dict[str, memoryview], meta: dict):
        self.fields = {name: (lo, hi, positional)
                       for name, (lo, hi, positional) in meta["fields"].items()}
        self.buffers = buffers  # the mapped ranges (indexer.store.residency releases them)
        self.keys = buffers[".dgk"]
        rows = np.frombuffer(buffers[".dgx"], dtype=_U64).reshape(-1, 3)
        self.key_at, self.doc_at, self.pos_at = rows[:, 0], rows[:, 1], rows[:, 2]  # views
        self.docs = np.frombuffer(buffers[".dgd"], dtype=_U32)
        self.weights = np.frombuffer(buffers[".dgw"], dtype=_F32)
        self.counts = np.frombuffer(buffers[".dgc"], dtype=_U32)
        self.positions = np.frombuffer(buffers[".dgp"], dtype=_U32)
        self._terms = _Terms(self)
        self._firsts: dict[str, list[bytes]] = {}  # field -> first term of each block
        self._spans: dict[tuple[str, bytes], tuple | None] = {}  # span(), at most _SPANS

    @classmethod
    def open(cls, reader) -> SegmentMap | None:
        """The arrays of a segment reader's segment; None when it has none (or they do not
        add up: that segment is then read through Whoosh)."""
        segment = getattr(reader, "_segment", None)
        if segment is None:  # an empty index: no segment at all
            return None
        name = segment.make_filename(META)
        storage = reader._storage
        files = getattr(storage, "a", storage)  # OverlayStorage(compound, folder)
        try:
            if not files.file_exists(name):
                return None
            f = files.open_file(name)
            try:
                meta = json.loads(bytes(f.read()))
            finally:
                f.close()
            if meta.get("format") != FORMAT:
                return None
            buffers = {ext: _buffer(files, segment.make_filename(ext)) for ext in EXTS}
            sizes = {".dgk": meta["keys"], ".dgx": (meta["rows"] + 1) * 24,
                     ".dgd": meta["postings"] * 4, ".dgw": meta["postings"] * 4,
                     ".dgc": meta["postings"] * 4, ".dgp": meta["positions"] * 4}
            if any(len(buffers[ext]) != size for ext, size in sizes.items()):
                raise ValueError("array files of unexpected size")
            return cls(buffers, meta)
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("segment %s: posting arrays unreadable (%s); reading it through "
                        "Whoosh", segment.segment_id(), e)
            return None

    def _row(self, field: str, tbytes: bytes) -> int | None:
        span = self.fields.get(field)
        if span is None:
            return None
        lo, hi, _positional = span
        r, term = self._find(field, tbytes, lo, hi)
        return r if term == tbytes else None

    def _find(self, field: str, tbytes: bytes, lo: int, hi: int) -> tuple[int, bytes | None]:
        """The first row of the field whose term is not below `tbytes` (hi when none), and
        that term: a bisect over every _BLOCK-th term (kept as a list), then over the block's
        terms, read as one slice of the key bytes."""
        firsts = self._firsts.get(field)
        if firsts is None:
            firsts = self._firsts[field] = [self._terms[r] for r in range(lo, hi, _BLOCK)]
        b = bisect_right(firsts, tbytes) - 1
        if b < 0:
            return lo, self._terms[lo] if lo < hi else None
        r0 = lo + b * _BLOCK
        at = self.key_at[r0:min(r0 + _BLOCK, hi) + 1].tolist()
        base = at[0]
        chunk = bytes(self.keys[base:at[-1]])
        a, z = 0, len(at) - 1  # bisect_left over the block's terms
        while a < z:
            m = (a + z) // 2
            if chunk[at[m] - base:at[m + 1] - base] < tbytes:
                a = m + 1
            else:
                z = m
        if a < len(at) - 1:
            return r0 + a, chunk[at[a] - base:at[a + 1] - base]
        return r0 + a, self._terms[r0 + a] if r0 + a < hi else None

    def doc_frequency(self, field: str, tbytes: bytes) -> int:
        r = self._row(field, tbytes)
        return 0 if r is None else int(self.doc_at[r + 1] - self.doc_at[r])

    def postings(self, field: str, tbytes: bytes):
        """(docnums, weights) within the segment, or None when the term is not in it."""
        r = self._row(field, tbytes)
        if r is None:
            return None
        d0, d1 = self.doc_at[r], self.doc_at[r + 1]
        return self.docs[d0:d1], self.weights[d0:d1]

    def span(self, field: str, tbytes: bytes) -> tuple[int, int, int, int] | None:
        """(first posting, end of postings, first position, end of positions) of a term in
        the arrays, or None when the term is not in the segment; kept (a phrase and a search
        for variants ask for the same grams again and again)."""
        key = (field, tbytes)
        if key in self._spans:
            return self._spans[key]
        r = self._row(field, tbytes)
        span = None if r is None else (int(self.doc_at[r]), int(self.doc_at[r + 1]),
                                       int(self.pos_at[r]), int(self.pos_at[r + 1]))
        if len(self._spans) >= _SPANS:
            self._spans.clear()  # (threads may race to fill it, not corrupt it)
        self._spans[key] = span
        return span

    def positional(self, field: str) -> bool:
        return field in self.fields and self.fields[field][2]

    def occurrences(self, field: str, tbytes: bytes):
        """(docnums, weights, docnum per occurrence, position per occurrence), or None."""
        r = self._row(field, tbytes)
        if r is None:
            return None
        d0, d1 = self.doc_at[r], self.doc_at[r + 1]
        docs = self.docs[d0:d1]
        occ_docs = np.repeat(docs, self.counts[d0:d1])
        return docs, self.weights[d0:d1], occ_docs, self.positions[self.pos_at[r]:
                                                                   self.pos_at[r + 1]]

    def prefix_frequencies(self, field: str, prefix: bytes) -> tuple[list[bytes], np.ndarray]:
        """The terms of a field starting with `prefix`, in order, and the documents holding
        each (deleted ones included), read off the term rows at once."""
        r, terms = self._prefixed(field, prefix)
        if not terms:
            return [], np.zeros(0, dtype=np.int64)
        return terms, (self.doc_at[r + 1:r + len(terms) + 1] -
                       self.doc_at[r:r + len(terms)]).astype(np.int64)

    def pair_codes(self, field: str) -> np.ndarray:
        """The field's terms of two characters of the Basic Multilingual Plane outside ASCII
        and Latin (three UTF-8 bytes each: every CJK character), as sorted uint32 codes
        `first << 16 | second` (term order is byte order, which these codes keep)."""
        return self.pair_frequencies(field)[0]

    def pair_frequencies(self, field: str) -> tuple[np.ndarray, np.ndarray]:
        """`pair_codes` and, for each, the documents holding it (deleted ones included)."""
        span = self.fields.get(field)
        if span is None:
            return np.zeros(0, dtype=_U32), np.zeros(0, dtype=np.int64)
        lo, hi, _positional = span
        at = self.key_at[lo:hi + 1].astype(np.int64)
        rows = np.flatnonzero(np.diff(at) == 6)
        if not len(rows):
            return np.zeros(0, dtype=_U32), np.zeros(0, dtype=np.int64)
        keys = np.frombuffer(self.keys, dtype=np.uint8)
        b = keys[at[rows][:, None] + np.arange(6)].astype(np.uint32)
        three = ((b[:, 0] & 0xF0) == 0xE0) & ((b[:, 3] & 0xF0) == 0xE0)
        b, rows = b[three], rows[three] + lo
        first = ((b[:, 0] & 0x0F) << 12) | ((b[:, 1] & 0x3F) << 6) | (b[:, 2] & 0x3F)
        second = ((b[:, 3] & 0x0F) << 12) | ((b[:, 4] & 0x3F) << 6) | (b[:, 5] & 0x3F)
        counts = (self.doc_at[rows + 1] - self.doc_at[rows]).astype(np.int64)
        return (first << 16 | second).astype(_U32), counts

    def expand_prefix(self, field: str, prefix: bytes) -> list[bytes]:
        """The terms of a field starting with `prefix`, in order."""
        return self._prefixed(field, prefix)[1]

    def _prefixed(self, field: str, prefix: bytes) -> tuple[int, list[bytes]]:
        """(the row of the first, the terms) of a field starting with `prefix`, in order."""
        span = self.fields.get(field)
        if span is None:
            return 0, []
        lo, hi, _positional = span
        first = r = self._find(field, prefix, lo, hi)[0]
        out = []
        while r < hi:
            term = self._terms[r]
            if not term.startswith(prefix):
                break
            out.append(term)
            r += 1
        return first, out


class _Terms:
    """The term bytes of each row, as a sequence bisect can search."""

    def __init__(self, m: SegmentMap):
        self.m = m

    def __len__(self) -> int:
        return len(self.m.key_at) - 1

    def __getitem__(self, r: int) -> bytes:
        at = self.m.key_at
        return bytes(self.m.keys[at[r]:at[r + 1]])


def _buffer(files, name: str) -> memoryview:
    """A read-only view of a segment file: a range of the compound file's map, or a map of
    the file itself when the segment is not compound."""
    if hasattr(files, "range"):  # a compound file: read in place only when Whoosh mapped it
        source = getattr(files, "_source", None)
        if source is None:
            raise ValueError("compound file not memory-mapped")
        offset, length = files.range(name)
        return memoryview(source)[offset:offset + length]
    path = files._fpath(name)  # FileStorage
    with open(path, "rb") as f:
        if f.seek(0, 2) == 0:
            return memoryview(b"")
        return memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
