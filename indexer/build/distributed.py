"""The `--scheduler` executor: extraction, OCR and analysis on a Dask cluster, written here.

The worker setup (dictionary words, OCR settings, cache folder) is scattered to every worker
once, not sent with each file. Dask re-runs a task whose worker died (up to its
`allowed-failures`); a file it finally gives up on, or that raises, becomes a failed result,
and the batch goes on. Only a lost scheduler ends the run (committed work is kept).
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

from ..analysis.analyzers import ANALYSIS_VERSION
from ..errors import ConfigError, DanganError, DependencyError
from .plan import Job
from .prepare import Prepared, WorkerSetup, configure, prepare

log = logging.getLogger("dangan.index")
Task = tuple[Job, "dict[str, Any] | None"]
CONNECT_TIMEOUT = 10.0   # seconds to reach the scheduler
WORKERS_TIMEOUT = 60.0   # seconds to wait for a first worker to join
MIN_WINDOW = 8           # tasks in flight: 4 per worker thread, at least this many
RESUBMITS = 3            # a task cancelled because the cluster lost the setup is sent again
_configure_lock = threading.Lock()


class DaskExecutor:
    """Sends each file to the cluster behind `address`; yields results as they finish."""

    def __init__(self, setup: WorkerSetup, address: str, timeout: float | None = None):
        try:
            from distributed import Client
        except ImportError as e:
            raise DependencyError("--scheduler needs Dask: pip install 'dask[distributed]'"
                                  ) from e
        self.address = address
        self.setup = setup
        self._threads, self._counted = 0, 0.0
        timeout = timeout or CONNECT_TIMEOUT
        _probe(address, timeout)
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except OSError as e:
            raise ConfigError(f"cannot connect to the Dask scheduler at {address}: {e}") from e
        try:
            self._wait_for_workers()
            check_workers(self.client.run(describe_worker, on_error="return"), address)
            self._scatter()
        except BaseException:
            self.client.close()
            raise
        log.info("extracting on the Dask cluster at %s (%d worker threads)", address,
                 sum(self.client.nthreads().values()))

    def _wait_for_workers(self) -> None:
        if self.client.nthreads():
            return
        log.warning("the Dask scheduler at %s has no workers; waiting up to %.0fs",
                    self.address, WORKERS_TIMEOUT)
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except TimeoutError as e:
            raise ConfigError(f"the Dask scheduler at {self.address} has no workers: start "
                              f"some with `dask worker {self.address}`") from e

    def _scatter(self) -> None:
        self._setup = self.client.scatter(self.setup, broadcast=True, hash=False)

    def _window(self) -> int:
        """4 tasks in flight per worker thread (recounted every few seconds: workers come
        and go), at least MIN_WINDOW."""
        if time.monotonic() - self._counted > 5:
            self._threads = sum(self.client.nthreads().values())
            self._counted = time.monotonic()
        return max(MIN_WINDOW, 4 * self._threads)

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[Prepared]:
        from distributed import as_completed

        source = iter(tasks)
        pending: dict[Any, tuple[Task, int]] = {}  # future -> (task, times sent)
        finished = as_completed(loop=self.client.loop, with_results=True, raise_errors=False)

        def send(task: Task, sent: int = 0) -> None:
            future = self.client.submit(prepare_on_worker, task[0], self._setup, task[1],
                                        pure=False)
            pending[future] = (task, sent + 1)
            finished.add(future)

        def refill() -> None:
            while len(pending) < self._window():
                task = next(source, None)
                if task is None:
                    return
                send(task)

        refill()
        for future, result in finished:
            task, sent = pending.pop(future)
            if future.status == "cancelled":
                self._lost(task, sent, result, send)
            else:
                yield self._outcome(task[0], future, result)
            refill()

    def _lost(self, task: Task, sent: int, error: Any, send) -> None:
        """A cancelled task: the scheduler is gone (end the run), or every worker holding the
        setup died (scatter it again and resend)."""
        if (getattr(error, "reason", "") == "scheduler-connection-lost"
                or self.client.status != "running"):
            raise DanganError(f"lost the connection to the Dask scheduler at {self.address}; "
                              "what was committed is kept: run dangan index again to finish")
        if sent > RESUBMITS:
            raise DanganError(f"the Dask cluster at {self.address} lost the same task {sent} "
                              f"times ({error}); check the workers and run dangan index again")
        if self._setup.status != "finished":
            log.warning("the Dask workers holding the worker setup died; sending it again")
            self._wait_for_workers()
            self._scatter()
        send(task, sent)

    @staticmethod
    def _outcome(job: Job, future, result: Any) -> Prepared:
        if future.status == "finished":
            return result
        from distributed import KilledWorker

        error = future.exception()  # `result` is (type, exception, traceback) here
        if isinstance(error, KilledWorker):
            return Prepared(job, error="a Dask worker died each time it read this file "
                                       "(killed or out of memory); Dask gave up on it",
                            lasting=True)
        return Prepared(job, error=f"the Dask worker failed on this file: "
                                   f"{type(error).__name__}: {error}")

    def close(self) -> None:
        self.client.close()  # the cluster goes on serving others


def prepare_on_worker(job: Job, setup: WorkerSetup, stored: dict[str, Any] | None) -> Prepared:
    """`prepare` in a Dask worker, whose threads must not set up the process all at once."""
    with _configure_lock:
        configure(setup)
    return prepare(job, setup, stored)


def describe_worker() -> dict[str, Any]:
    """What a worker must share with this process for its results to fit the index."""
    return {"analysis": ANALYSIS_VERSION}


def check_workers(answers: dict[str, Any], address: str) -> None:
    """Refuse a cluster whose workers cannot run dangan, or analyse text differently."""
    broken = {w: a for w, a in answers.items() if isinstance(a, BaseException)}
    if broken:
        worker, error = next(iter(broken.items()))
        what = str(error) if type(error) is Exception else f"{type(error).__name__}: {error}"
        raise ConfigError(
            f"{len(broken)} Dask worker(s) of {address} cannot run dangan (e.g. {worker}: "
            f"{what}); install this project, same version, on every worker machine and start "
            "`dask worker` with its Python")
    wrong = sorted(w for w, a in answers.items() if a.get("analysis") != ANALYSIS_VERSION)
    if wrong:
        raise ConfigError(
            f"Dask worker(s) {', '.join(wrong)} run another version of dangan (analysis "
            f"version differs from {ANALYSIS_VERSION}); install the same version everywhere")


def _probe(address: str, timeout: float) -> None:
    """ConfigError, within `timeout` seconds, unless a Dask scheduler answers at `address`
    (the Client itself can hang for ever on a port that accepts and stays silent)."""
    try:
        identity = asyncio.run(asyncio.wait_for(_identity(address, timeout), timeout))
    except Exception as e:  # unknown scheme, refused, timed out, or a stranger's protocol
        reason = "no answer" if isinstance(e, TimeoutError) else f"{type(e).__name__}: {e}"
        raise ConfigError(f"cannot reach the Dask scheduler at {address} ({reason}); start it "
                          "with `dask scheduler` or correct --scheduler, e.g. "
                          "tcp://10.0.0.5:8786") from e
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        raise ConfigError(f"{address} is not a Dask scheduler")


async def _identity(address: str, timeout: float) -> Any:
    from distributed.comm import connect
    from distributed.security import Security

    # TLS, if Dask's own config asks for it, as the Client would
    comm = await connect(address, timeout=timeout,
                         **Security().get_connection_args("client"))
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()
