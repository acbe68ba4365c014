"""Opened index versions, reference-counted: a version replaced by a newer commit or a rebuild
stays open until the last search using it ends, and only then closes."""
from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..store.arrays import IndexArrays


class Version:
    """One opened index version: its searcher, its arrays and how many searches use it."""

    def __init__(self, ix: Any, searcher: Any, inode: int, analyzer: Any = None,
                 cache_bytes: int = 128 * 2**20, bound: Any = None):
        self.ix, self.searcher, self.inode = ix, searcher, inode
        self.analyzer = analyzer  # words of this version's index (analysis.words.Analyzer)
        self.arrays = IndexArrays(searcher, cache_bytes, bound)
        self.users = 0
        self.retired = False
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.searcher.close()


class Versions:
    """The current version, and the pins that keep older ones open. A thread pins one version
    for a whole library call (`pinned`), so nested calls see the same index."""

    def __init__(self):
        self.lock = threading.Lock()
        self.current: Version | None = None
        self._local = threading.local()

    def pinned(self) -> Version | None:
        return getattr(self._local, "version", None)

    def replace(self, version: Version) -> None:
        """Make `version` current (under `lock`); the old one closes when no search uses it."""
        old, self.current = self.current, version
        if old is not None:
            old.retired = True
            if old.users == 0:
                old.close()

    def acquire(self, refresh) -> Version:
        with self.lock:
            refresh()
            version = self.current
            version.users += 1
            return version

    def release(self, version: Version) -> None:
        with self.lock:
            version.users -= 1
            if version.retired and version.users == 0:
                version.close()

    @contextmanager
    def pinning(self, refresh) -> Iterator[Version]:
        """Pin the current version (refreshed first) for this thread until the block ends;
        inside another pin, the outer one's version."""
        outer = self.pinned()
        if outer is not None:
            yield outer
            return
        version = self.acquire(refresh)
        self._local.version = version
        try:
            yield version
        finally:
            self._local.version = None
            self.release(version)

    def close(self) -> None:
        with self.lock:
            if self.current is not None:
                self.current.retired = True
                if self.current.users == 0:
                    self.current.close()


def pins_version(method):
    """Run an Archive method with one index version pinned for this thread (nested calls reuse
    the outer pin): the reader it reads cannot be closed under it by a commit or a swap."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        outermost = self._versions.pinned() is None
        with self._versions.pinning(self._refresh) as version:
            result = method(self, *args, **kwargs)
        if outermost:
            self._after_call(version)
        return result

    return wrapper
