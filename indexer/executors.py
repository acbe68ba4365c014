"""Where extraction runs: in this process, in a local process pool, or on a Dask cluster.

Every executor takes (job, stored record) pairs and yields `Prepared` results as they finish,
keeping only a bounded number of jobs in flight, so memory stays flat however big the batch.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from . import analysis
from .plan import Job
from .prepare import Prepared, WorkerSetup, prepare

log = logging.getLogger("dangan.index")
Task = tuple[Job, "dict[str, Any] | None"]
CRASHES_ALLOWED = 2  # a file that kills its worker this many times is reported as failed


class Executor(Protocol):
    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[Prepared]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """One file at a time in this process (one worker, or too little work for a pool)."""

    def __init__(self, setup: WorkerSetup):
        self.setup = setup

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[Prepared]:
        for job, stored in tasks:
            yield prepare(job, self.setup, stored)

    def close(self) -> None:
        pass


class PoolExecutor:
    """A pool of local processes; a worker that dies takes only its own files down."""

    def __init__(self, setup: WorkerSetup, workers: int, inherited_fds: tuple[int, ...] = ()):
        self.setup = setup
        self.workers = workers
        self.inherited_fds = inherited_fds
        analysis.warm_up()  # forked workers share the loaded dictionary instead of each reading it
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker,
                                   initargs=(os.getpid(), self.inherited_fds))
        pool.submit(int).result()  # fork every worker now, before the writer opens the index
        return pool

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[Prepared]:
        pending: dict[Future, Task] = {}
        crashes: dict[int, int] = {}
        retry: list[Task] = []
        source = iter(tasks)
        window = self.workers * 4
        while True:
            while len(pending) < window:
                task = retry.pop() if retry else next(source, None)
                if task is None:
                    break
                pending[self.pool.submit(prepare, task[0], self.setup, task[1])] = task
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = pending.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    n = crashes[id(task)] = crashes.get(id(task), 0) + 1
                    if n >= CRASHES_ALLOWED:
                        yield Prepared(task[0], error="the extraction process crashed on this "
                                                       "file (killed or out of memory)")
                    else:
                        retry.append(task)
            if broken:
                log.warning("an extraction process died; restarting the pool")
                retry.extend(pending.values())
                pending.clear()
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new_pool()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _init_worker(parent: int, inherited_fds: tuple[int, ...]) -> None:
    """In a pool worker: let go of the parent's locks, and exit if the parent dies
    (a writer killed with kill -9 must not leave orphans holding memory or a lock)."""
    for fd in set(inherited_fds) | _lock_fds():
        try:
            os.close(fd)
        except OSError:
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _lock_fds() -> set[int]:
    """Descriptors of lock files (ours, Whoosh's WRITELOCK) this process inherited."""
    found = set()
    try:
        for name in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{name}")
            except OSError:
                continue
            if target.endswith(("WRITELOCK", ".lock")):
                found.add(int(name))
    except OSError:  # no /proc: the explicitly passed descriptors only
        pass
    return found


def make_executor(setup: WorkerSetup, workers: int, jobs: int, scheduler: str | None = None,
                  inherited_fds: tuple[int, ...] = ()) -> Executor:
    if scheduler:
        from .distributed import DaskExecutor

        return DaskExecutor(setup, scheduler)
    if workers <= 1 or jobs < 2 * workers:
        return InlineExecutor(setup)
    return PoolExecutor(setup, workers, inherited_fds)
