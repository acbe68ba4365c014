"""Where extraction runs: in a local pool of worker processes, or on a Dask cluster.

Every executor takes (job, stored record) pairs and yields `Prepared` results as they finish,
keeping only a bounded number of jobs in flight, so memory stays flat however big the batch.
Files are never read in the writer's own process: the worker limits (memory, time) hold for
every file, and a decoder that crashes or hangs takes only its worker down.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from .plan import Job
from .prepare import Prepared, WorkerSetup
from .workerpool import CRASHES_ALLOWED, WorkerPool

Task = tuple[Job, "dict[str, Any] | None"]
__all__ = ["CRASHES_ALLOWED", "Executor", "NoWork", "WorkerPool", "make_executor"]


class Executor(Protocol):
    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[Prepared]: ...

    def close(self) -> None: ...


class NoWork:
    """A run with nothing to read starts no process."""

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[Prepared]:
        return iter(())

    def close(self) -> None:
        pass


def make_executor(setup: WorkerSetup, workers: int, jobs: int, scheduler: str | None = None,
                  inherited_fds: tuple[int, ...] = (), file_timeout: float = 0.0) -> Executor:
    """A Dask executor for `scheduler`; else a pool of min(workers, jobs) processes (at
    least one: even a single file is read under the workers' limits)."""
    if scheduler:
        from .distributed import DaskExecutor

        return DaskExecutor(setup, scheduler)
    if jobs == 0:
        return NoWork()
    return WorkerPool(setup, min(max(1, workers), jobs), file_timeout, inherited_fds)
