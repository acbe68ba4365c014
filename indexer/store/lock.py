"""One indexing run at a time per index: an advisory lock file beside the index.

The lock is an OS file lock (released by the kernel when its holder dies, even by kill -9);
the file also names the holder's pid, so a lock left by a dead process is recognised, cleared
and logged, while a live writer makes a second run exit with a clear message.
"""
from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from ..errors import DanganError
from ..private import private_dir

log = logging.getLogger("dangan.index")


class IndexBusyError(DanganError):
    exit_code = 2


class IndexLock:
    def __init__(self, index_dir: Path):
        self.path = index_dir.with_name(index_dir.name + ".lock")
        self.fd: int | None = None

    def __enter__(self) -> IndexLock:
        private_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            os.close(fd)
            raise IndexBusyError(
                f"another dangan index (pid {holder or '?'}) is writing to {self.path.parent}; "
                "wait for it to finish, then run this again") from None
        stale = _read(fd)
        if stale and stale != str(os.getpid()):
            log.warning("cleared a lock left by process %s, which is no longer running", stale)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, 64).decode(errors="replace").strip()
