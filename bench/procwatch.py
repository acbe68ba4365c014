"""A `dangan index` run watched: the peak RSS of every process of its tree, sampled every
50 ms with psutil, what file of the corpus each had open at its peak, and a ceiling above
which the bench kills a process (a bomb must not take a shared machine down)."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

EVERY = 0.05  # seconds between two samples
MB = 1 << 20
FAILED = re.compile(r"^failed: (.*?): (.*)$", re.M)


@dataclass
class ProcessPeak:
    pid: int
    role: str  # writer, worker (a child of the writer), tesseract, …
    peak_mb: float = 0.0
    file: str = ""  # the corpus file it had open at its peak (relative), if any
    killed: bool = False  # by the bench, above the ceiling


@dataclass
class IndexRun:
    label: str
    exit_code: int | None
    seconds: float
    timed_out: bool
    output: str
    failed: list[tuple[str, str]] = field(default_factory=list)
    processes: list[ProcessPeak] = field(default_factory=list)
    crash: str = ""  # the last line of a traceback when the run has no summary


def watch_index(label: str, cmd: list[str], cwd: Path, corpus: Path, ceiling_mb: int,
                timeout: float) -> IndexRun:
    """Run `cmd` (a `dangan index`) and sample its process tree until it ends."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(proc.stdout.readline, b"")),
                              daemon=True)
    reader.start()
    peaks: dict[int, ProcessPeak] = {}
    root = psutil.Process(proc.pid)
    prefix = os.path.join(str(corpus), "")
    timed_out = False
    while proc.poll() is None:
        for p in _tree(root):
            _sample(p, peaks, proc.pid, prefix, ceiling_mb)
        if time.perf_counter() - started > timeout:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)  # the session this run started
            break
        time.sleep(EVERY)
    proc.wait()
    reader.join(timeout=10)
    output = b"".join(chunks).decode("utf-8", errors="replace")
    run = IndexRun(label, proc.returncode, time.perf_counter() - started, timed_out, output,
                   FAILED.findall(output), sorted(peaks.values(), key=lambda x: x.pid))
    if not re.search(r"^added \d+", output, re.M):  # no summary: the run itself failed
        errors = [ln for ln in output.splitlines() if re.match(r"\w[\w.]*(Error|Exception)", ln)]
        run.crash = (errors or output.strip().splitlines() or ["no output"])[-1]
    return run


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _sample(p: psutil.Process, peaks: dict[int, ProcessPeak], writer: int, prefix: str,
            ceiling_mb: int) -> None:
    try:
        rss = p.memory_info().rss / MB
        peak = peaks.get(p.pid)
        if peak is None:
            peak = peaks[p.pid] = ProcessPeak(p.pid, _role(p, writer))
        if rss > peak.peak_mb:
            peak.peak_mb = rss
            files = [f.path[len(prefix):] for f in p.open_files() if f.path.startswith(prefix)]
            peak.file = files[0] if files else peak.file
        if rss > ceiling_mb and not peak.killed:
            peak.killed = True
            p.kill()
    except psutil.Error:
        pass  # it ended between the listing and the sample


def _role(p: psutil.Process, writer: int) -> str:
    if p.pid == writer:
        return "writer"
    name = p.name()
    if "tesseract" in name:
        return "tesseract"
    if "python" in name or "dangan" in name:
        return "worker"
    return name
