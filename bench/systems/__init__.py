"""The systems under test: each builds an index over the corpus and answers the query mix."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..corpus import CorpusInfo
from ..queries import Query


class BuildError(Exception):
    """A system could not build its index; the benchmark reports it and goes on."""


@dataclass(frozen=True)
class BuildStats:
    seconds: float  # wall clock, reading the corpus included
    records: int  # records in the index
    size_bytes: int  # everything in the index folder (or database file)
    note: str = ""


class System(Protocol):
    name: str

    def build(self, corpus: CorpusInfo) -> BuildStats:
        """Index the corpus from scratch."""

    def top(self, query: Query) -> int:
        """The timed call: the first 10 hits and the total; returns the total."""

    def matches(self, query: Query) -> set[str]:
        """Every matching record path (untimed, for recall and precision)."""

    def close(self) -> None: ...


def dir_size(path: Path) -> int:
    """Bytes of all files under `path` (or of `path` itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def make_system(name: str, work: Path, workers: int | None) -> System:
    """The system called `name`, working in its own folder under `work`."""
    if name == "dangan":
        from .dangan import DanganSystem

        return DanganSystem(work / "dangan", workers)
    if name == "sqlite":
        from .sqlite import SqliteSystem

        return SqliteSystem(work / "sqlite")
    if name == "naive":
        from .naive import NaiveSystem

        return NaiveSystem(work / "naive")
    raise ValueError(f"unknown system {name!r}: choose from dangan, sqlite, naive")


SYSTEMS = ("dangan", "sqlite", "naive")
