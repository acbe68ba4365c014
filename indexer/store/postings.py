"""One batch's postings in compact arrays, and their writing into a segment.

Whoosh's own path (a tuple per posting through a pool that sorts, spills to disk and merges
back, then a few Python calls per posting to write blocks) is most of the cost of indexing.
Here a batch's postings are grouped by term with numpy at commit and written term by term in
Whoosh's W3 on-disk layout, which Whoosh's readers (and indexer.store.arrays) read unchanged.
"""
from __future__ import annotations

import heapq
import struct
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, groupby
from operator import itemgetter
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte

from ..analysis.analyzers import NgramFormat
from ..analysis.gramkeys import gram_names
from ..analysis.postings import Posting, Postings
from .mapped import MapWriter

_DOCNUM = struct.Struct("=I")  # as array("I") holds it
_NAMED = 1 << 63  # a term code with this bit: the term is spelled in the buffer's dict
COMPRESSION = 3  # zlib level of posting blocks (Whoosh's default)
COMPRESS_FROM = 16  # postings in a block below which it is stored uncompressed
PICKLE = 4  # Whoosh pickles blocks with protocol 2, which sends bytes through codecs.encode
            # (8x slower both ways, 2.5x bigger); its reader takes any protocol
_CHUNK = 1 << 20  # postings looked up at a time when ranking a batch's terms
_LIST_CHUNK = 1 << 14  # postings turned into Python lists at a time while writing
_NO_LENGTH, _ZERO_LENGTH = length_to_byte(None), length_to_byte(0)


class PostingBuffer:
    """One batch's postings, compact: per field, a term code, docnum, weight and value length
    per posting in flat arrays and the values in one bytearray (about 25 bytes a posting, a
    small dict entry per distinct term not sent as a key); sorted by term only when the batch
    is written. Postings arrive in docnum order, and a stable sort keeps that order within
    each term."""

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

    def write(self, fieldwriter, schema, merged: Sequence[MergedSegment] = ()) -> None:
        """Write every term, in order, through the segment's field writer; with `merged`,
        the postings of those segments too, a term at a time (never all in memory)."""
        names = set(self.fields) | {n for m in merged for n in m.fields()}
        arrays = MapWriter(fieldwriter._storage, fieldwriter._segment)
        try:
            self._write(fieldwriter, schema, merged, names, arrays)
        except BaseException:
            arrays.cancel()
            raise
        arrays.close()

    def _write(self, fieldwriter, schema, merged, names, arrays: MapWriter) -> None:
        for name in sorted(names):
            fieldwriter.start_field(name, schema[name])
            arrays.start_field(name, isinstance(schema[name].format, NgramFormat))
            out = _TermWriter(fieldwriter, arrays)
            f = self.fields.pop(name, None)
            streams = ([f.terms_in_order()] if f is not None else []) + [
                m.terms(name, out.fixed != 0) for m in merged]
            if len(streams) == 1:
                for term in streams[0]:
                    out.write(*term)
            else:  # equal terms: this batch's postings, then each merged segment's, in order
                for tbytes, group in groupby(heapq.merge(*streams, key=itemgetter(0)),
                                             key=itemgetter(0)):
                    ids, ws, vs = [], [], []
                    for _t, i, w, v in group:
                        ids += i
                        ws += w
                        vs += v
                    out.write(tbytes, ids, ws, vs)
            fieldwriter.finish_field()
            arrays.finish_field()
        self.fields.clear()


class MergedSegment:
    """The postings of an existing segment whose documents were copied into the segment being
    written (at `base`, or through `docmap` when it had deletions: deleted ones are dropped).
    Terms are read in order from the terms table and blocks decoded whole. The reader must
    read its files, not map them: Whoosh copies a mapped file whole into memory when it
    opens it, so a merge would hold every merged segment's postings at once."""

    def __init__(self, reader, schema, base: int, docmap: dict[int, int] | None = None):
        self.reader, self.schema, self.base, self.docmap = reader, schema, base, docmap

    def fields(self) -> list[str]:
        return [n for n in self.reader.indexed_field_names() if n in self.schema]

    def terms(self, name: str, with_values: bool) -> Iterator[tuple]:
        """(term, docnums, weights, values) per term of a field, in order, renumbered."""
        if name not in self.fields():
            return
        terms = self.reader._terms
        fmt = self.schema[name].format
        fixed = fmt.fixed_value_size()
        for (fieldname, tbytes), info in terms.items_from(name, b""):
            if fieldname != name:
                break
            if info.is_inlined():  # never written by dangan; Whoosh can inline tiny lists
                ids, ws, vs = (list(x) for x in info.inlined_postings())
            else:
                ids, ws, vs = self._read(terms._codec.postings_reader(terms._postfile, info, fmt),
                                         fixed, with_values)
            ids, ws, vs = self._renumber(ids, ws, vs if with_values else [])
            if ids:  # not when every document holding it was deleted
                yield tbytes, ids, ws, vs

    @staticmethod
    def _read(m, fixed: int | None, with_values: bool) -> tuple[list, list, list]:
        """A posting list, block by block, decoded from the block data directly."""
        ids, ws, vs = [], [], []
        while m.is_active():
            m._read_data()
            deltas, weights, values = m._data
            n = m._blocklength
            ids += accumulate(deltas)
            ws += ([1.0] * n if weights is None else [weights] * n
                   if isinstance(weights, float) else weights)
            if with_values:
                vs += (values if fixed is None or fixed < 0 else
                       [values[k * fixed:(k + 1) * fixed] for k in range(n)])
            m._next_block()
        return ids, ws, vs

    def _renumber(self, ids: list[int], ws: list, vs: list) -> tuple[list, list, list]:
        if self.docmap is None:
            return [d + self.base for d in ids], ws, vs
        keep = [k for k, d in enumerate(ids) if d in self.docmap]
        return ([self.docmap[ids[k]] for k in keep], [ws[k] for k in keep],
                [vs[k] for k in keep] if vs else [])


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

    def terms_in_order(self) -> Iterator[tuple[bytes, list[int], list[float], list[bytes]]]:
        """(term, docnums, weights, values) per term, in byte order; the buffer is emptied
        as the arrays it held are sorted, and lists made a chunk of postings at a time."""
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
        values = memoryview(self.values)
        ends = bounds[1:].tolist()
        term, start = 0, 0
        while term < len(names):
            last = min(int(np.searchsorted(bounds, start + _LIST_CHUNK, side="right")) - 1,
                       len(names))
            last = max(last, term + 1)
            stop = ends[last - 1]
            ids, ws = docs[start:stop].tolist(), weights[start:stop].tolist()
            vs = [bytes(values[s:s + n]) for s, n in zip(starts[start:stop].tolist(),
                                                         sizes[start:stop].tolist())]
            for k in range(term, last):
                a, b = (ends[k - 1] if k else 0) - start, ends[k] - start
                yield names[k], ids[a:b], ws[a:b], vs[a:b]
            term, start = last, stop
        values.release()
        self.values = bytearray()


class _TermWriter:
    """Writes terms as Whoosh's W3 field writer would (start_term, add_posting per posting,
    finish_term): the same blocks (docnums delta-encoded per block, weights and values
    minified, pickled, zlib-compressed), block headers, term infos and term table rows, with
    the per-posting and per-block Python calls cut out. Two differences the reader does not
    see: blocks are pickled with protocol 4, and blocks of a few postings are stored
    uncompressed, as zlib costs more than it saves on them (the reader decompresses by each
    block's own flag)."""

    def __init__(self, fieldwriter, arrays: MapWriter):
        self.arrays = arrays
        pw = fieldwriter._postwriter
        self.post, self.add_term = pw._postfile, fieldwriter._tindex.add
        self.prefix = pack_ushort(fieldwriter._fieldid)
        self.fixed = fieldwriter._format.fixed_value_size()
        self.joined = self.fixed is not None and self.fixed > 0  # values back to back
        self.limit = pw._blocklimit

    def write(self, tbytes: bytes, ids: list[int], ws: list[float], vs: list[bytes]) -> None:
        """One term's postings, in docnum order."""
        post, fixed, limit = self.post, self.fixed, self.limit
        ti = W3TermInfo()
        offset = post.tell()
        post.write(WHOOSH3_HEADER_MAGIC)
        weight_sum, maxweight, n = 0.0, 0.0, len(ids)
        for s in range(0, n, limit):
            e = min(s + limit, n)
            block = ids[s:e]
            deltas = [block[0]] + [b - a for a, b in zip(block, block[1:])]
            w = ws[s:e]
            low, high = min(w), max(w)
            mini_w = None if low == high == 1.0 else (w[0] if low == high else tuple(w))
            if fixed == 0:
                mini_v = None
            else:
                v = vs[s:e]
                mini_v = (b"".join(v) if self.joined else
                          tuple(v) if all(v) else tuple(x for x in v if x))
            data = dumps((tuple(deltas), mini_w, mini_v), PICKLE)
            comp = COMPRESSION if e - s >= COMPRESS_FROM else 0
            if comp:
                data = zlib.compress(data, comp)
            info = dumps((e - s, block[-1], high, comp, _NO_LENGTH, _ZERO_LENGTH), PICKLE)
            post.write_int(-(len(info) + len(data)) if e == n else len(info) + len(data))
            post.write(info)
            post.write(data)
            weight_sum += sum(w)
            maxweight = max(maxweight, high)
        ti._weight, ti._df = weight_sum, n
        ti._minlength, ti._maxlength, ti._maxweight = None, 0, maxweight
        ti._minid, ti._maxid = ids[0], ids[-1]
        ti.set_extent(offset, post.tell() - offset)
        self.add_term(self.prefix + tbytes, ti.to_bytes())
        self.arrays.add(tbytes, ids, ws, vs)
