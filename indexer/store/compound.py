"""Files of a compound segment read in place, not copied.

Whoosh (2.7.4, no longer maintained) maps a segment's compound file and then opens each file
in it as a `BufferFile`, which wraps the mapped range in `io.BytesIO` — a private copy of the
whole file. Every server worker thus held its own copy of every segment's postings and term
tables, read from disk at open: 533 MB per worker at 100,000 records, before any search.
`install()` makes the compound storage hand out files that read the mapped range itself
(the pages are the kernel's page cache, shared by every process reading the index)."""
from __future__ import annotations

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.structfile import BufferFile

_whoosh_open_file = CompoundStorage.open_file


class _View:
    """A read-only file object over a memoryview: the reads BytesIO offers, without its copy."""

    def __init__(self, buf: memoryview):
        self.buf = buf
        self.pos = 0

    def read(self, n: int | None = -1) -> bytes:
        end = len(self.buf) if n is None or n < 0 else min(len(self.buf), self.pos + n)
        out = bytes(self.buf[self.pos:end]) if end > self.pos else b""
        self.pos = max(self.pos, end)
        return out

    def readline(self, limit: int = -1) -> bytes:
        rest = bytes(self.buf[self.pos:] if limit < 0 else self.buf[self.pos:self.pos + limit])
        at = rest.find(b"\n")
        line = rest if at < 0 else rest[:at + 1]
        self.pos += len(line)
        return line

    def seek(self, pos: int, whence: int = 0) -> int:
        base = (0, self.pos, len(self.buf))[whence]
        if base + pos < 0:
            raise ValueError("negative seek position")
        self.pos = base + pos
        return self.pos

    def tell(self) -> int:
        return self.pos

    def write(self, _data) -> int:
        raise OSError("a segment file is read-only")

    def close(self) -> None:
        self.buf = memoryview(b"")


class ViewFile(BufferFile):
    """Whoosh's BufferFile over a mapped range, reading it in place."""

    def __init__(self, buf: memoryview, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _View(buf)

    def subset(self, position, length, name=None):
        return ViewFile(self._buf[position:position + length], name=name or self._name)


def _open_file(self, name, *args, **kwargs):
    if self.is_closed or not getattr(self, "_source", None):
        return _whoosh_open_file(self, name, *args, **kwargs)
    offset, length = self.range(name)
    return ViewFile(memoryview(self._source)[offset:offset + length], name=name)


def install() -> None:
    """Read compound segment files in place (idempotent)."""
    CompoundStorage.open_file = _open_file
