"""The local pool of extraction processes: started clean, watched, killed and replaced.

Workers come from multiprocessing's fork server, a process started (exec'd, not forked) when
the first pool opens, which has loaded the extraction code and jieba's dictionary once: a
worker is a fork of it, never of the writer, so it cannot inherit a lock that one of the
writer's threads (background commit, progress bar) held at that moment. Each worker reads one
file at a time under an address-space limit ([index] worker_memory_mb); a file that takes
longer than [index] file_timeout has its worker killed and replaced and is reported failed;
a file that kills its worker is tried again on a fresh one, then reported failed.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait
from typing import Any

from ..errors import DanganError
from .plan import Job
from .prepare import Prepared, WorkerSetup
from .worker import serve

log = logging.getLogger("dangan.index")
Task = tuple[Job, "dict[str, Any] | None"]
START_METHOD = "forkserver"  # tests that patch worker code in-process use "fork"
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PRELOAD = ["__main__", "indexer.build.workerboot"]  # loaded once by the fork server for every worker
CRASHES_ALLOWED = 2  # a file that kills its worker this many times is reported as failed
START_ATTEMPTS = 3  # workers in a row that die before they are ready: the run stops
START_TIMEOUT = 120.0  # seconds a new worker may take to get ready
QUEUED = 4  # files sent to a worker at once (it starts the next as soon as one is done)


class WorkerStartError(DanganError):
    """Extraction processes die as they start: the run cannot go on."""

    exit_code = 3


class _Worker:
    """One worker process, its end of the pipe and the files sent to it (the first is being
    read since `since`, the others wait in the pipe)."""

    def __init__(self, ctx, setup: WorkerSetup, inherited_fds: tuple[int, ...]):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child, setup, inherited_fds),
                                   name="dangan-extract", daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.tasks: deque[Task] = deque()
        self.since = time.monotonic()  # started; once ready: began its current file

    def give(self, task: Task) -> None:
        self.conn.send(task)
        if not self.tasks:
            self.since = time.monotonic()
        self.tasks.append(task)

    def finished(self, at: float) -> Task:
        """The current file is done (at `at`, the worker's clock): the next one began."""
        self.since = at
        return self.tasks.popleft()

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
        self.process.close()

    def how_it_ended(self) -> str:
        code = self.process.exitcode
        if code is not None and code < 0:
            try:
                return f"信号 {signal.Signals(-code).name}"
            except ValueError:
                return f"信号 {-code}"
        return f"退出码 {code}"


class WorkerPool:
    """`workers` extraction processes; map_unordered yields a Prepared for every task."""

    def __init__(self, setup: WorkerSetup, workers: int, file_timeout: float = 0.0,
                 inherited_fds: tuple[int, ...] = ()):
        self.setup = setup
        self.file_timeout = file_timeout
        # a forked worker closes the writer's lock descriptors; the fork server's never had them
        self.inherited_fds = inherited_fds if START_METHOD == "fork" else ()
        self.ctx = multiprocessing.get_context(START_METHOD)
        if START_METHOD == "forkserver":
            # the fork server inherits this environment: its numeric libraries must not
            # start thread pools (it forks; and workers are one file, one core, each)
            for name in THREAD_VARIABLES:
                os.environ.setdefault(name, "1")
            self.ctx.set_forkserver_preload(PRELOAD)
        self.failed_starts = 0
        self.workers = [self._start() for _ in range(max(1, workers))]

    def _start(self) -> _Worker:
        return _Worker(self.ctx, self.setup, self.inherited_fds)

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[Prepared]:
        source = iter(tasks)
        self._retry: deque[Task] = deque()  # files sent to a worker that died, to send again
        self._crashes: dict[int, int] = {}
        more = True  # the source may hold more tasks

        def dispatch() -> None:
            nonlocal more
            for worker in self.workers:
                while worker.ready and len(worker.tasks) < QUEUED:
                    task = self._retry.popleft() if self._retry else (
                        next(source, None) if more else None)
                    if task is None:
                        more = False
                        return
                    if worker.tasks and task[1] is not None:
                        # a stored record can outgrow the pipe's buffer: sent to a busy
                        # worker, it would block this process until that file is done
                        self._retry.appendleft(task)
                        break
                    worker.give(task)

        while True:
            dispatch()
            if not more and not self._retry and not any(w.tasks for w in self.workers):
                return
            wait(self._waitables(), self._next_deadline())
            results: list[Prepared] = []
            for n, worker in enumerate(self.workers):
                if self._check(worker, results):
                    self.workers[n] = self._start()
            dispatch()  # before the results are handed on: no worker idles while they are written
            yield from results

    def _waitables(self) -> list:
        return [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]

    def _next_deadline(self) -> float | None:
        """Seconds until the first worker would be late (None: no deadline)."""
        ends = []
        for w in self.workers:
            if not w.ready:
                ends.append(w.since + START_TIMEOUT)
            elif w.tasks and self.file_timeout:
                ends.append(w.since + self.file_timeout)
        return max(0.0, min(ends) - time.monotonic()) if ends else None

    def _check(self, worker: _Worker, results: list[Prepared]) -> bool:
        """Take what `worker` sent; True when it is gone and must be replaced."""
        while worker.conn.poll():
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                break
            if message[0] == "ready":
                worker.ready, worker.since = True, time.monotonic()
                self.failed_starts = 0
            elif message[0] == "done":
                _kind, result, retiring, at = message
                worker.finished(at)
                results.append(result)
                if retiring:  # grown big: a fresh worker takes its place and its queue
                    self._retry.extend(worker.tasks)
                    worker.stop()
                    return True
        if not worker.process.is_alive():
            self._died(worker, results)
            return True
        if not worker.ready and time.monotonic() - worker.since > START_TIMEOUT:
            worker.stop(kill=True)
            self._start_failed(f"no answer in {START_TIMEOUT:.0f}s")
            return True
        if worker.tasks and self.file_timeout and \
                time.monotonic() - worker.since > self.file_timeout:
            job = worker.tasks.popleft()[0]
            log.warning("%s/%s took more than %gs: its worker is stopped", job.file.source,
                        job.file.rel, self.file_timeout)
            worker.stop(kill=True)
            self._retry.extend(worker.tasks)
            results.append(Prepared(job, error=timeout_message(self.file_timeout), lasting=True))
            return True
        return False

    def _died(self, worker: _Worker, results: list[Prepared]) -> None:
        how = worker.how_it_ended()
        worker.stop(kill=True)
        if not worker.ready:
            self._start_failed(how)
            return
        if not worker.tasks:  # it had nothing to do (its parent watch fired?)
            return
        task = worker.tasks.popleft()
        self._retry.extend(worker.tasks)  # never started: no blame
        n = self._crashes[id(task)] = self._crashes.get(id(task), 0) + 1
        log.warning("an extraction process died (%s) reading %s/%s", how,
                    task[0].file.source, task[0].file.rel)
        if n >= CRASHES_ALLOWED:
            results.append(Prepared(task[0], error=crash_message(n, how, self.setup.memory_mb),
                                    lasting=True))
        else:
            self._retry.append(task)

    def _start_failed(self, how: str) -> None:
        self.failed_starts += 1
        if self.failed_starts >= START_ATTEMPTS:
            raise WorkerStartError(f"extraction processes die as they start ({how}); "
                                   "see the messages above")

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []


def timeout_message(seconds: float) -> str:
    return (f"处理超时（超过 [index] file_timeout = {seconds:g} 秒），已中止；"
            "文件过大或解码卡住，需要时可调大该值")


def crash_message(times: int, how: str, memory_mb: int) -> str:
    limit = (f"内存超过 [index] worker_memory_mb 限制（{memory_mb} MB）" if memory_mb
             else "内存耗尽")
    return (f"读取这个文件的进程意外终止（{how}），共 {times} 次：可能是{limit}，"
            "或解码程序崩溃")
