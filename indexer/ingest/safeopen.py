"""Opening corpus files without following links, at index time and at request time: every
folder under the corpus root and the file are opened with O_NOFOLLOW one by one, the opened
file must be a regular file inside the root with no other hard link, so a file or folder
swapped for a link after discovery fails instead of being read."""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import ExtractionError

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | _CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO put in a file's place must not block the open
_FD_DIR = "/proc/self/fd"  # where an open file can be read again by path (Linux)


class LinkRefused(ExtractionError):
    """A corpus path is a link, or not a regular file, or not where it claims to be."""


HARD_LINK = "硬链接：与其他文件共用同一份内容，出于安全不予索引；请复制为独立文件"


class HardLinkRefused(LinkRefused):
    """A corpus file has other hard links (st_nlink > 1): its content may be a file outside the
    corpus, or a 绝密 file elsewhere in it, which O_NOFOLLOW cannot see."""


def open_fd(path: str | os.PathLike, root: str | os.PathLike | None = None) -> int:
    """A read-only descriptor of the regular file at `path`, opened without following links;
    with `root`, `path` must lie under `root` and is opened folder by folder from it (`open_under`)."""
    name = os.fspath(path)
    if root is not None:
        rel = os.path.relpath(os.path.abspath(name), os.path.abspath(os.fspath(root)))
        if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
            raise LinkRefused(f"{_shown(name)} is not in the corpus folder")
        return open_under(root, rel.replace(os.sep, "/"), shown=name)
    try:
        fd = os.open(name, _FLAGS | _NONBLOCK)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise LinkRefused(f"{_shown(name)} is a symbolic link: links in the corpus are "
                              "not followed") from e
        raise
    return _regular(fd, name)


def open_under(root: str | os.PathLike, rel: str, shown: str | os.PathLike = "") -> int:
    """A read-only descriptor of the regular file `rel` (forward slashes) under `root`: every
    folder on the way and the file itself are opened with O_NOFOLLOW, each relative to the one
    before, so the file read is the one checked whatever is renamed meanwhile. A component
    not found as written is tried as GB18030 bytes (names copied from Chinese Windows, which
    discovery shows decoded). LinkRefused for a link anywhere on the way; FileNotFoundError
    when it is gone."""
    shown = os.fspath(shown) or rel
    parts = rel.split("/")
    if not rel or any(p in ("", ".", "..") for p in parts):
        raise LinkRefused(f"{_shown(shown)}: not a path inside the corpus folder")
    folder = os.open(os.fspath(root), os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        for part in parts[:-1]:
            inner = _open_at(part, folder, _DIR_FLAGS, shown)
            os.close(folder)
            folder = inner
        fd = _open_at(parts[-1], folder, _FLAGS | _NONBLOCK, shown)
    finally:
        os.close(folder)
    fd = _regular(fd, shown)
    _check_inside(fd, os.fspath(root), shown)
    return fd


def _open_at(part: str, folder: int, flags: int, shown: str) -> int:
    names = [os.fsencode(part)]
    try:
        names.append(part.encode("gb18030"))
    except UnicodeEncodeError:
        pass
    for n, name in enumerate(names):
        try:
            return os.open(name, flags, dir_fd=folder)
        except FileNotFoundError:
            if n == len(names) - 1:
                raise
        except OSError as e:
            if _is_link(name, folder):  # ELOOP for a file, ENOTDIR for a folder link
                raise LinkRefused(f"{_shown(shown)} lies behind a symbolic link: links in the "
                                  "corpus are not followed") from e
            raise
    raise FileNotFoundError(errno.ENOENT, "not found", shown)


def _is_link(name: bytes, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _regular(fd: int, shown: str) -> int:
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LinkRefused(f"{_shown(shown)} is not a regular file")
        if st.st_nlink > 1:
            raise HardLinkRefused(f"{_shown(shown)}: {HARD_LINK}")
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def _check_inside(fd: int, root: str, shown: str) -> None:
    """Belt and braces: where the kernel says the open file is lies under the resolved root."""
    try:
        where = os.readlink(f"{_FD_DIR}/{fd}")
    except OSError:
        return  # no /proc: the walk already kept every step under the root
    base = os.path.realpath(root)
    if os.path.commonpath([where, base]) != base:
        os.close(fd)
        raise LinkRefused(f"{_shown(shown)} is not in the corpus folder")


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
