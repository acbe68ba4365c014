"""An extraction worker's life (see workerpool): set up, then read the files it is sent, one
at a time, under its memory limit, until told to stop or its writer is gone."""
from __future__ import annotations

import multiprocessing
import os
import time
from multiprocessing.connection import Connection

from .lifeline import die_with_parent
from .memory import limit_memory, out_of_memory_message, peak_rss_mb, status_mb
from .prepare import Prepared, WorkerSetup, prepare, setup_analyzer

RETIRE_SHARE = 0.75  # a worker that grew past this share of its memory limit is replaced


def serve(conn: Connection, setup: WorkerSetup, inherited_fds: tuple[int, ...]) -> None:
    """A worker's life: set up, then read one file per task until told to stop."""
    for fd in set(inherited_fds) | _lock_fds():
        try:
            os.close(fd)
        except OSError:
            pass
    # the writer killed (kill -9, say): the kernel kills its fork server (see workerboot)
    # and then this worker, whatever it is doing; orphans must not hold memory or files
    die_with_parent(_writer_alive)
    limit_memory(setup.memory_mb)
    # the dictionary was loaded by the fork server; the run's words are added here, not on
    # a file's clock
    setup_analyzer(setup).warm_up()
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the writer is gone
            return
        if task is None:
            return
        result = prepare(task[0], setup, task[1])
        result.peak_mb = peak_rss_mb()
        # grown near its limit (fragmented, or a decoder's leftovers): make way for a fresh one
        retire = bool(setup.memory_mb) and status_mb("VmPeak") > RETIRE_SHARE * setup.memory_mb
        try:
            conn.send(("done", result, retire, time.monotonic()))
        except MemoryError:
            conn.send(("done", Prepared(task[0], error=out_of_memory_message()), True,
                       time.monotonic()))
            return
        if retire:
            return


def _writer_alive() -> bool:
    """Whether the writer that started this worker is still there (its end of a pipe
    closes when it dies; it is not this process's parent, the fork server is)."""
    writer = multiprocessing.parent_process()
    return writer is None or writer.is_alive()


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
