"""dangan as a clerk meets it: built by the real `dangan index`, served by `dangan serve`
(gunicorn, production settings) and asked through the JSON API with an API token of a
查阅人 whose clearance is 绝密 (every record visible, every search written to the 查阅登记)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from ..corpus import CorpusInfo
from . import dir_size
from .dangan import dangan_command
from .http import HOST, Server, free_port

READER, PASSWORD = "bench-api-reader", "bench api password 2026"


class BuildTimeout(Exception):
    """`dangan index` ran longer than the bench allows (the curve stops at the N before)."""


@dataclass
class IndexBuild:
    seconds: float  # wall clock of `dangan index`, process start included
    records: int
    size_bytes: int
    writer_peak: int  # bytes: peak RSS of the `dangan index` process
    tree_peak: int  # bytes: peak of the summed RSS of its whole process tree
    summary: str  # its `added …` line
    exit_code: int


def write_config(work: Path, workers: int) -> Path:
    config = work / "config.toml"
    config.write_text(f'[index]\ndir = "index"\n[server]\nworkers = {workers}\n',
                      encoding="utf-8")
    return config


def run_watched(cmd: list[str], cwd: Path, timeout: float | None = None
                ) -> tuple[subprocess.CompletedProcess, int, int]:
    """Run `cmd`, sampling its process tree's RSS every 50 ms: (result, peak of the process
    itself, peak of the tree's sum). Past `timeout` seconds its session is killed."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    out: dict[str, str] = {}
    readers = [threading.Thread(target=lambda k=k, s=s: out.__setitem__(k, s.read()),
                                daemon=True) for k, s in (("out", proc.stdout),
                                                          ("err", proc.stderr))]
    for r in readers:
        r.start()
    own = tree = 0
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.Error:
            members = []
        total = 0
        for p in members:
            try:
                rss = p.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            if p.pid == proc.pid:
                own = max(own, rss)
        tree = max(tree, total)
        if timeout and time.monotonic() - started > timeout:
            os.killpg(proc.pid, signal.SIGKILL)  # the session this run started
            proc.wait()
            raise BuildTimeout(f"`dangan index` still running after {timeout:.0f} s: stopped")
        time.sleep(0.05)
    for r in readers:
        r.join(timeout=10)
    done = subprocess.CompletedProcess(cmd, proc.returncode, out.get("out", ""),
                                       out.get("err", ""))
    return done, own, tree


def build(corpus: CorpusInfo, work: Path, server_workers: int,
          index_workers: int | None = 2, scheduler: str | None = None,
          timeout: float | None = None) -> IndexBuild:
    """A fresh index of the corpus in work/index through `dangan index --rebuild`."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    config = write_config(work, server_workers)
    cmd = dangan_command() + ["index", str(corpus.root), "--config", str(config), "--rebuild"]
    if index_workers:
        cmd += ["--workers", str(index_workers)]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    started = time.perf_counter()
    done, own, tree = run_watched(cmd, work, timeout)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"dangan index exited {done.returncode}: "
                           f"{(done.stderr or done.stdout).strip()[-2000:]}")
    summary = next((ln for ln in done.stdout.splitlines() if ln.startswith("added ")), "")
    records = int(summary.split()[1].rstrip(",")) if summary else 0
    return IndexBuild(seconds, records, dir_size(work / "index"), own, tree, summary,
                      done.returncode)


def token_for_reader(work: Path) -> str:
    """A 查阅人 at 绝密 and an API token for it (the token is the last line printed)."""
    config = str(work / "config.toml")
    cli = dangan_command()
    added = subprocess.run(cli + ["users", "add", READER, "--clearance", "绝密", "--password",
                                  PASSWORD, "--config", config], cwd=work, capture_output=True,
                           text=True)
    if added.returncode != 0:  # a reused build (bench.api --reuse) has the reader already
        known = subprocess.run(cli + ["users", "list", "--config", config], cwd=work,
                               check=True, capture_output=True, text=True)
        if not any(line.split("\t")[0] == READER for line in known.stdout.splitlines()):
            raise RuntimeError(f"dangan users add failed: {added.stderr.strip()[-500:]}")
    done = subprocess.run(cli + ["tokens", "create", READER, "--days", "1", "--config", config],
                          cwd=work, check=True, capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def server(work: Path, token: str) -> Server:
    port = free_port()
    cmd = dangan_command() + ["serve", "--config", str(work / "config.toml"), "--host", HOST,
                              "--port", str(port)]
    return Server("dangan", cmd, work, "/api/openapi.json", port=port,
                  headers={"Authorization": f"Bearer {token}"}, warm_line=b" ready: index of ")
