"""Opening a record's original file at request time, never through a link (safeopen), with the
messages a reader sees when it cannot be read."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import RecordNotFound
from .safeopen import LinkRefused, open_under

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
    rel = record.get("path", "")
    if not rel or any(p in ("", ".", "..") for p in rel.split("/")):
        raise RecordNotFound(MOVED)
    try:
        fd = open_under(root, rel)
    except LinkRefused as e:
        raise RecordNotFound(LINKED) from e
    except OSError as e:
        raise RecordNotFound(MOVED) from e
    return Original(os.fdopen(fd, "rb"), display_name(rel.rsplit("/", 1)[-1]), os.fstat(fd))


def display_name(name: str) -> str:
    """A file name for people: one that is not UTF-8 on disk (kept with surrogate escapes) is
    read as GB18030, the usual encoding of names copied from Chinese Windows."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("gb18030", "replace")


def original_size(record: dict, sources: dict[str, str]) -> tuple[str, int] | None:
    """(name, size in bytes) of a record's original, or None when it cannot be read safely."""
    try:
        with open_original(record, sources) as original:
            return original.name, original.stat.st_size
    except RecordNotFound:
        return None

