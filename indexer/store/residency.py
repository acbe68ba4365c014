"""Bounds the pages of the memory-mapped index that one process holds resident.

A worker reads the index through memory maps: each page it touches is a page of the kernel's
page cache, shared by every process, but it counts in that worker's RSS (and peak RSS) until
the map is dropped, so a long-running worker ends up "holding" most of a large index. When the
file-backed pages the process holds grow past a bound, the touched pages of the index's maps
are released (madvise MADV_DONTNEED): they stay in the page cache, and the next read of one is
a minor fault, not a disk read."""
from __future__ import annotations

import mmap
import os
import threading
from collections.abc import Iterable

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def file_resident_bytes() -> int:
    """Bytes of file-backed (and shared) pages this process holds resident (the third field
    of /proc/self/statm), or 0 where that is unknown. Read through a descriptor kept open per
    process (a check follows every read of the index: opening the file each time cost more
    than a small read)."""
    try:
        return int(os.pread(_statm(), 200, 0).split()[2]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


_STATM: dict[int, int] = {}  # pid → an open descriptor of its /proc/<pid>/statm


def _statm() -> int:
    pid = os.getpid()  # a forked worker opens its own: /proc/self named its parent then
    if pid not in _STATM:
        _STATM[pid] = os.open(f"/proc/{pid}/statm", os.O_RDONLY | os.O_CLOEXEC)
    return _STATM[pid]


def release(maps: Iterable) -> int:
    """Drop this process's resident pages of `maps` (mmap objects); the maps stay usable.
    Returns how many were released (a closed map is skipped)."""
    done = 0
    for m in maps:
        try:
            m.madvise(mmap.MADV_DONTNEED)
            done += 1
        except (ValueError, OSError, AttributeError):  # closed, or no madvise here
            continue
    return done


class MappedBound:
    """Releases the index's mapped pages whenever the process holds more than `limit` bytes of
    file-backed pages beyond its floor (what it held when the bound was made, or right after
    the last release: the shared libraries and what other threads touched meanwhile).
    `limit` 0: never."""

    def __init__(self, limit: int, resident=file_resident_bytes):
        self.limit = limit
        self.resident = resident
        self.floor = resident() if limit else 0
        self.releases = 0
        self._lock = threading.Lock()

    def check(self, maps: Iterable) -> bool:
        """Release the maps' pages if the bound is passed; True when it did."""
        if not self.limit or self.resident() - self.floor <= self.limit:
            return False
        if not self._lock.acquire(blocking=False):  # another thread is releasing them
            return False
        try:
            if self.resident() - self.floor <= self.limit:
                return False
            release(maps)
            self.releases += 1
            self.floor = self.resident()
            return True
        finally:
            self._lock.release()


def index_maps(leaves, segment_maps) -> list:
    """The mmap objects an open index reads through: each segment's compound file (as Whoosh
    mapped it) and the files our array reader mapped itself."""
    out, seen = [], set()
    for (reader, _offset), mapped in zip(leaves, segment_maps):
        storage = getattr(reader, "_storage", None)
        files = getattr(storage, "a", storage)
        for m in [getattr(files, "_source", None),
                  *(getattr(b, "obj", None) for b in (mapped.buffers.values()
                                                      if mapped is not None else ()))]:
            if isinstance(m, mmap.mmap) and id(m) not in seen:
                seen.add(id(m))
                out.append(m)
    return out
