"""Memory of extraction processes: the per-worker limit ([index] worker_memory_mb) and peaks.

The limit is RLIMIT_AS: an allocation past it fails (Python raises MemoryError, a C decoder
gets NULL and usually gives up), so a decompression bomb fails its file instead of taking
the machine. It counts address space, not resident memory; a worker's start-up size is
measured in README ("Limits").
"""
from __future__ import annotations

import resource
from pathlib import Path

MB = 1 << 20


def limit_memory(mb: int) -> None:
    """Limit this process (and programs it starts, e.g. Tesseract) to `mb` MB of address
    space; 0 = no limit. Never call it in the writer."""
    if mb > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mb * MB if hard == resource.RLIM_INFINITY else min(mb * MB, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def memory_limit_mb() -> int:
    """This process's address-space limit in MB, 0 when there is none."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    return 0 if soft == resource.RLIM_INFINITY else soft // MB


def out_of_memory_message() -> str:
    """Why a file failed with MemoryError, naming the limit when one applies."""
    limit = memory_limit_mb()
    if limit:
        return (f"内存超过 [index] worker_memory_mb 限制（{limit} MB）：文件解码后过大，"
                "未能读取（解压炸弹或超大页面？）")
    return "内存不足，未能读取这个文件"


def status_mb(field: str, pid: int | str = "self") -> float:
    """A memory figure of a process from /proc/PID/status in MB (VmHWM: peak resident,
    VmPeak: peak address space, VmSize, VmRSS); 0.0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak resident memory of a process (VmHWM) in MB: what a benchmark reports per
    process. Not ru_maxrss: Linux carries that over exec from the parent."""
    peak = status_mb("VmHWM", pid)
    if not peak and pid == "self":
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return peak


def descendants(pid: int) -> list[int]:
    """The pids of a process's children, their children and so on (from /proc)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(int(line.split()[1]) for line in status.read_text().splitlines()
                        if line.startswith("PPid:"))
        except (OSError, StopIteration, ValueError):
            continue
        children.setdefault(ppid, []).append(int(status.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class PeakWatcher:
    """Polls a process and its descendants (a `dangan index` run, its fork server and
    workers) and keeps each one's peak resident memory (VmHWM) in MB, by pid, with its
    command line. For benchmarks: use as a context manager around the run."""

    def __init__(self, pid: int, every: float = 0.1):
        import threading

        self.pid, self.every = pid, every
        self.peaks: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.every)

    def poll(self) -> None:
        for pid in [self.pid, *descendants(self.pid)]:
            peak = status_mb("VmHWM", pid)
            if peak:
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak)
                if pid not in self.names:
                    try:
                        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                        self.names[pid] = b" ".join(argv).decode(errors="replace")[:120]
                    except OSError:
                        self.names[pid] = "?"

    def __enter__(self) -> PeakWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
