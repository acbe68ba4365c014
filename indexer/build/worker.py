"""An extraction worker's life (see workerpool): set up, then read the files it is sent, one
at a time, under its memory limit, until told to stop or its writer is gone."""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from multiprocessing.connection import Connection, wait

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
    _exit_with_writer()
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


def _exit_with_writer() -> None:
    """Exit when the writer that started this worker is gone (killed with kill -9, say):
    orphans must not go on holding memory or files. The writer is not this process's
    parent (the fork server is), but its end of a pipe closes when it dies."""
    writer = multiprocessing.parent_process()
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            if writer is None:
                time.sleep(1)
            elif wait([writer.sentinel], 1.0):
                break
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
