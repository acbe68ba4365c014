"""Opening a record's original file at request time, never through a link: every folder under
the corpus root and the file itself are opened one by one with O_NOFOLLOW, each relative to the
one before (openat), so the file read is the one checked, whatever is renamed meanwhile."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from .errors import RecordNotFound

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
# O_NONBLOCK: a FIFO put in a file's place must not hang the request (it is refused below)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
MOVED = "这条记录的原件已不在档案目录中，请重新索引"
LINKED = "这条记录的原件已被换成链接（符号链接），出于安全不予读取：请档案管理员检查档案目录并重新索引"


@dataclass
class Original:
    """An open original: the file object (read from it, never from the path), its name and
    its fstat."""

    file: BinaryIO
    name: str
    stat: os.stat_result

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Original:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_original(record: dict, sources: dict[str, str]) -> Original:
    """The source file of a record, opened for reading from the index's own list of corpus
    roots (never from a path a client sent). RecordNotFound when it is gone, is not a regular
    file, or when it or any folder between it and its corpus root is a link."""
    root = sources.get(record.get("source", ""))
    if not root:
        raise RecordNotFound("这条记录的原件所在目录未登记")
    parts = PurePosixPath(record.get("path", "")).parts
    if not parts or any(p in ("", ".", "..", "/") for p in parts):
        raise RecordNotFound(MOVED)
    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise RecordNotFound(MOVED) from e
    try:
        for part in parts[:-1]:
            inner = _open_at(part, folder, _DIR_FLAGS)
            os.close(folder)
            folder = inner
        fd = _open_at(parts[-1], folder, _FILE_FLAGS)
    finally:
        os.close(folder)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise RecordNotFound(MOVED)
    _check_inside(fd, root)
    os.set_blocking(fd, True)
    return Original(os.fdopen(fd, "rb"), display_name(parts[-1]), info)


def display_name(name: str) -> str:
    """A file name for people: one that is not UTF-8 on disk (kept with surrogate escapes) is
    read as GB18030, the usual encoding of names copied from Chinese Windows."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("gb18030", "replace")


def _open_at(name: str, folder: int, flags: int) -> int:
    try:
        return os.open(name, flags, dir_fd=folder)
    except OSError as e:
        if _is_link(name, folder):  # ELOOP for a file, ENOTDIR for a folder link
            raise RecordNotFound(LINKED) from e
        raise RecordNotFound(MOVED) from e


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _check_inside(fd: int, root: str) -> None:
    """Belt and braces: where the kernel says the open file is lies under the resolved root."""
    try:
        where = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return  # no /proc: the walk above already kept every step under the root
    base = os.path.realpath(root)
    if os.path.commonpath([where, base]) != base:
        os.close(fd)
        raise RecordNotFound(LINKED)


def original_size(record: dict, sources: dict[str, str]) -> tuple[str, int] | None:
    """(name, size in bytes) of a record's original, or None when it cannot be read safely."""
    try:
        with open_original(record, sources) as original:
            return original.name, original.stat.st_size
    except RecordNotFound:
        return None

