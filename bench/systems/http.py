"""Servers under gunicorn for the API bench: start, wait until they answer, the workers' memory
from /proc, the OS page cache of their files dropped, one timed GET, stop."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

HOST = "127.0.0.1"
KB = 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM (peak RSS) and RssAnon (private memory, not file pages a memory-mapped
    index shares with every process) of a process in bytes, from /proc/PID/status; {} when
    gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM", "RssAnon"):
                    out[key] = int(value.split()[0]) * KB
    except (OSError, ValueError):
        pass
    return out


def proc_pss(pid: int) -> int:
    """Proportional set size (shared pages split between their users) in bytes, or 0."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * KB
    except (OSError, ValueError):
        pass
    return 0


def drop_page_cache(folder: Path) -> int:
    """Ask the kernel to drop the cached pages of every file under `folder`
    (posix_fadvise DONTNEED: no root needed; pages mapped or dirty stay). Returns files."""
    count = 0
    for path in [folder] if folder.is_file() else folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)  # dirty pages cannot be dropped
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            finally:
                os.close(fd)
    return count


def resident_bytes(folder: Path) -> int | None:
    """Bytes of the files under `folder` in the page cache (util-linux `fincore`), or None."""
    files = [str(p) for p in ([folder] if folder.is_file() else folder.rglob("*"))
             if p.is_file() and not p.is_symlink()]
    total = 0
    for start in range(0, len(files), 200):
        try:
            done = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES",
                                   *files[start:start + 200]], capture_output=True, text=True,
                                  timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0:
            return None
        total += sum(int(x) for x in done.stdout.split() if x.isdigit())
    return total


@dataclass
class WorkerMemory:
    pid: int
    peak_rss: int = 0  # VmHWM at the end of the run (the kernel's own peak)
    sampled_rss: int = 0  # the highest VmRSS the sampler saw
    pss: int = 0  # at the end of the run
    sampled_anon: int = 0  # the highest RssAnon the sampler saw (the worker's own memory)


@dataclass
class Server:
    """A gunicorn master started with `cmd`; its workers' memory watched while it runs."""
    name: str
    cmd: list[str]
    cwd: Path
    ready_path: str
    env: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    port: int = 0
    warm_line: bytes = b""  # each worker logs this when warmed up (waited for when set)
    warm_seconds: float = 0.0  # from the start until every worker logged it
    proc: subprocess.Popen | None = None
    workers: dict[int, WorkerMemory] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    def start(self, expected_workers: int, timeout: float = 120) -> None:
        self.log = (self.cwd / f"{self.name}-serve.log").open("wb")
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd,
                                     env={**os.environ, **self.env}, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited {self.proc.returncode}, "
                                   f"see {self.log.name}")
            if len(self._worker_pids()) >= expected_workers and self._answers():
                break
            time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"{self.name} server did not answer within {timeout:.0f} s")
        if self.warm_line:  # steady state: a query is cold, not a worker's first
            while self.log_text().count(self.warm_line) < expected_workers:
                if b"not warmed up" in self.log_text() or \
                        time.monotonic() > deadline + 10 * timeout:
                    self.stop()
                    raise RuntimeError(f"{self.name} workers not warmed up, see "
                                       f"{self.log.name}")
                time.sleep(0.2)
        self.warm_seconds = time.monotonic() - started
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def log_text(self) -> bytes:
        self.log.flush()
        return Path(self.log.name).read_bytes()

    def _answers(self) -> bool:
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
            conn.request("GET", self.ready_path, headers=self.headers)
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            return False

    def _worker_pids(self) -> list[int]:
        try:
            return [c.pid for c in psutil.Process(self.proc.pid).children()]
        except psutil.Error:
            return []

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.read_memory()
            self._stop.wait(0.1)

    def read_memory(self) -> None:
        for pid in self._worker_pids():
            status = proc_status(pid)
            if not status:
                continue
            w = self.workers.setdefault(pid, WorkerMemory(pid))
            w.peak_rss = max(w.peak_rss, status.get("VmHWM", 0))
            w.sampled_rss = max(w.sampled_rss, status.get("VmRSS", 0))
            w.sampled_anon = max(w.sampled_anon, status.get("RssAnon", 0))
            w.pss = proc_pss(pid) or w.pss

    def get(self, path: str) -> tuple[float, int, bytes]:
        """(seconds from connecting to the last byte, status, body) of one GET on a new
        connection (a request may land on any worker, as a clerk's does)."""
        started = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            conn.request("GET", path, headers=self.headers)
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        return time.perf_counter() - started, response.status, body

    def stop(self) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join(timeout=5)
        if self.proc is not None and self.proc.poll() is None:
            self.read_memory()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
