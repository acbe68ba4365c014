"""A compound segment's files are read in place from the mapped file (indexer.store.compound),
not copied into each process: the reads answer as Whoosh's own copy did, and opening an index
costs no private memory in proportion to its postings."""
import io
import os
import random

from test_segments_whoosh import make_fields, ours
from whoosh.filedb.compound import CompoundStorage

from indexer.store.compound import ViewFile, _View


def test_view_reads_as_bytesio_does():
    rng = random.Random(3)
    data = bytes(rng.randrange(256) for _ in range(5000)).replace(b"\x07", b"\n")
    view, copy = _View(memoryview(data)), io.BytesIO(data)
    for _ in range(2000):
        op = rng.choice(["read", "readall", "seek", "seek1", "seek2", "readline", "tell"])
        if op == "read":
            n = rng.randrange(0, 300)
            assert view.read(n) == copy.read(n)
        elif op == "readall" and rng.random() < 0.05:
            assert view.read() == copy.read()
        elif op == "seek":
            p = rng.randrange(0, 6000)  # past the end too
            assert view.seek(p) == copy.seek(p)
        elif op == "seek1":
            p = rng.randrange(-min(copy.tell(), 100), 100)
            assert view.seek(p, 1) == copy.seek(p, 1)
        elif op == "seek2":
            p = -rng.randrange(0, 200)
            assert view.seek(p, 2) == copy.seek(p, 2)
        elif op == "readline":
            assert view.readline() == copy.readline()
        assert view.tell() == copy.tell()


def _private_kb() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("RssAnon"))


def test_segment_files_are_read_in_place_and_answer_the_same(tmp_path):
    rng = random.Random(11)
    records = [make_fields(k, rng) for k in range(30)]
    ix = ours(tmp_path, records, [])
    compound = [s for s in ix._segments() if s.is_compound()]
    assert compound, "the writer makes compound segments"
    with ix.reader() as r:
        leaf = next(leaf for leaf, _o in r.leaf_readers() if leaf._segment.is_compound())
        storage = leaf._storage.a
        assert isinstance(storage, CompoundStorage) and storage._source is not None
        for name in storage.list():
            ours_f = storage.open_file(name)
            assert isinstance(ours_f, ViewFile)
            whole = ours_f.read()
            assert whole == bytes(memoryview(storage._source)[slice(*_span(storage, name))])
            assert ours_f.get(3, 5) == whole[3:8]
            sub = ours_f.subset(2, 10)
            assert isinstance(sub, ViewFile) and sub.read() == whole[2:12]
            ours_f.close()
        # every term answers as before: a document search through Whoosh's own matchers
        for field, btext in list(leaf.all_terms())[:200]:
            m = leaf.postings(field, btext)
            assert m.is_active() and leaf.doc_frequency(field, btext) >= 1


def test_opening_a_large_segment_costs_no_copy_of_it(tmp_path):
    """A 4 MB file inside a mapped compound file: opened, it adds well under its size to the
    process's private memory (Whoosh's BufferFile copied it whole)."""
    blob = os.urandom(4 << 20)
    path = tmp_path / "c.seg"
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(tmp_path))
    out = storage.create_file("blob.bin")
    out.write(blob)
    out.close()
    CompoundStorage.assemble(storage.create_file(path.name), storage, ["blob.bin"])
    compound = CompoundStorage(storage.open_file(path.name), use_mmap=True)
    assert compound._source is not None
    before = _private_kb()
    f = compound.open_file("blob.bin")
    grew = _private_kb() - before
    assert grew < 1024, f"opening copied {grew} KB"
    assert f.get(100, 16) == blob[100:116]
    f.close()
    compound.close()


def _span(storage, name):
    offset, length = storage.range(name)
    return offset, offset + length
