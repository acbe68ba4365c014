"""Opening a record's original file at request time, never through a link (safeopen) and only
while it is still the file that was indexed, with the messages a reader sees when it cannot be
read."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from ..errors import RecordNotFound
from .safeopen import HardLinkRefused, LinkRefused, open_under

MOVED = "这条记录的原件已不在档案目录中，请重新索引"
LINKED = "这条记录的原件已被换成链接（符号链接），出于安全不予读取：请档案管理员检查档案目录并重新索引"
CHANGED = "这条记录的原件在索引之后已被更改，请重新索引后再查看"
HARD_LINKED = ("这条记录的原件是一个硬链接（同一文件在别处还有名字），出于安全不予读取："
               "请档案管理员检查档案目录，换成文件的独立副本后重新索引")
UNINDEXED = "这条记录的原件在索引清单中没有登记，无法确认它仍是索引时的文件，请重新索引后再查看"


class Indexed(Protocol):
    """What the index recorded of the file (the manifest's row: see store/indexedfiles.py)."""

    size: int
    mtime_ns: int
    record_id: str | None


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


def open_original(record: dict, sources: dict[str, str], indexed: Indexed | None) -> Original:
    """The source file of a record, opened for reading from the index's own list of corpus
    roots (never from a path a client sent). RecordNotFound when it is gone, is not a regular
    file, when it or any folder between it and its corpus root is a link, when it has another
    name (a hard link: to a file of another 密级, or outside the corpus), or when it is not the
    file that was indexed (`indexed`, None when unknown): its size or modification time differ,
    so what it holds now was never read, nor its 密级 decided."""
    root = sources.get(record.get("source", ""))
    if not root:
        raise RecordNotFound("这条记录的原件所在目录未登记")
    rel = record.get("path", "")
    if not rel or any(p in ("", ".", "..") for p in rel.split("/")):
        raise RecordNotFound(MOVED)
    try:
        fd = open_under(root, rel)
    except HardLinkRefused as e:
        raise RecordNotFound(HARD_LINKED) from e
    except LinkRefused as e:
        raise RecordNotFound(LINKED) from e
    except OSError as e:
        raise RecordNotFound(MOVED) from e
    try:
        stat = os.fstat(fd)
        _check_indexed(record, stat, indexed)
    except BaseException:
        os.close(fd)
        raise
    return Original(os.fdopen(fd, "rb"), display_name(rel.rsplit("/", 1)[-1]), stat)


def _check_indexed(record: dict, stat: os.stat_result, indexed: Indexed | None) -> None:
    """Refuse an open file that is not the one indexed (checked on the open file: fstat)."""
    if stat.st_nlink > 1:
        raise RecordNotFound(HARD_LINKED)
    if indexed is None:
        raise RecordNotFound(UNINDEXED)
    if indexed.record_id and record.get("id") and indexed.record_id != record["id"]:
        raise RecordNotFound(CHANGED)  # the path was indexed again, as another record
    if (stat.st_size, stat.st_mtime_ns) != (indexed.size, indexed.mtime_ns):
        raise RecordNotFound(CHANGED)


def display_name(name: str) -> str:
    """A file name for people: one that is not UTF-8 on disk (kept with surrogate escapes) is
    read as GB18030, the usual encoding of names copied from Chinese Windows."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("gb18030", "replace")


def original_size(record: dict, sources: dict[str, str],
                  indexed: Indexed | None) -> tuple[str, int] | None:
    """(name, size in bytes) of a record's original, or None when it cannot be read safely."""
    try:
        with open_original(record, sources, indexed) as original:
            return original.name, original.stat.st_size
    except RecordNotFound:
        return None

