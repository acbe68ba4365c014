"""Opening corpus files without following links: the last component is opened with O_NOFOLLOW,
the opened file must be a regular file, and its real path must be the path asked for (no link
in a folder on the way), checked against the file actually opened, so a file or folder
swapped for a link after discovery fails instead of being read."""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import ExtractionError

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO put in a file's place must not block the open
_FD_DIR = "/proc/self/fd"  # where an open file can be read again by path (Linux)


class LinkRefused(ExtractionError):
    """A corpus path is a link, or not a regular file, or not where it claims to be."""


def open_fd(path: str | os.PathLike, root: str | os.PathLike | None = None) -> int:
    """A read-only descriptor of the regular file at `path`, opened without following links;
    with `root`, the file must sit at `path` under `root` with no link on the way."""
    name = os.fspath(path)
    try:
        fd = os.open(name, _FLAGS | _NONBLOCK)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise LinkRefused(f"{_shown(name)} is a symbolic link: links in the corpus are "
                              "not followed") from e
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LinkRefused(f"{_shown(name)} is not a regular file")
        if root is not None:
            _check_place(name, os.fspath(root), st)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def _check_place(name: str, root: str, st: os.stat_result) -> None:
    wanted = os.path.normpath(os.path.abspath(name))
    real = os.path.realpath(wanted)
    top = os.path.join(os.path.realpath(root), "")
    if real != wanted or not real.startswith(top):
        raise LinkRefused(f"{_shown(name)} lies behind a symbolic link (its real place is not "
                          "in the corpus folder): links in the corpus are not followed")
    try:
        here = os.stat(real, follow_symlinks=False)
    except OSError as e:
        raise LinkRefused(f"{_shown(name)} changed while it was opened") from e
    if (here.st_dev, here.st_ino) != (st.st_dev, st.st_ino):
        raise LinkRefused(f"{_shown(name)} changed while it was opened (a link was swapped in)")


def open_file(path: str | os.PathLike, root: str | os.PathLike | None = None) -> BinaryIO:
    """`open_fd` as a binary file object."""
    return os.fdopen(open_fd(path, root), "rb")


@contextmanager
def reading_path(path: str | os.PathLike, root: str | os.PathLike | None = None
                 ) -> Iterator[Path]:
    """A path that reads exactly the file `open_fd` checked, for libraries that want a path:
    the open descriptor under /proc/self/fd (a link swapped in later changes nothing), or the
    checked path itself where there is no /proc."""
    fd = open_fd(path, root)
    try:
        through = Path(_FD_DIR, str(fd))
        yield through if os.path.exists(through) else Path(path)
    finally:
        os.close(fd)


def _shown(name: str) -> str:
    """The file's name for a message (its last two components, printable)."""
    tail = os.path.join(*Path(name).parts[-2:]) if Path(name).parts else name
    return tail.encode("utf-8", "replace").decode("utf-8")
