"""Indexing on a real Dask cluster (scheduler and workers as processes on 127.0.0.1): the same
index as a local run; a killed worker, a lost scheduler or a wrong address loses no file."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import make_settings, top_request, write_corpus
from test_build import all_records

from indexer.build import distributed as dangan_dask
from indexer.build.corpus import discover
from indexer.build.plan import make_plan
from indexer.build.prepare import WorkerSetup
from indexer.build.run import run_index
from indexer.errors import ConfigError, DanganError
from indexer.search.archive import Archive

distributed = pytest.importorskip("distributed")
REPO = Path(__file__).parent.parent
DASK = [sys.executable, "-m", "dask"]


def _start(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    # own session: cleanup can signal the process and anything it started
    with log.open("wb") as out:
        return subprocess.Popen(DASK + args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, **(env or {})})


def _stop(procs: list[subprocess.Popen]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        for p in procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + wait
        for p in procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass


class Cluster:
    """A scheduler and one-thread workers, no nannies (a killed worker stays dead)."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        self.address = ""
        self.client = None

    def start(self, workers: int) -> None:
        info = self.tmp / "scheduler.json"
        self.procs.append(_start(["scheduler", "--host", "127.0.0.1", "--port", "0",
                                  "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                                  "--scheduler-file", str(info), "--idle-timeout", "600"],
                                 self.tmp / "scheduler.log"))
        deadline = time.monotonic() + 30
        while not info.exists() or not info.read_text().strip().endswith("}"):
            assert self.procs[0].poll() is None, (self.tmp / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.address = json.loads(info.read_text())["address"]
        for _ in range(workers):
            self.add_worker()
        self.client = distributed.Client(self.address, timeout=10, set_as_default=False)
        self.client.wait_for_workers(workers, timeout=30)

    def add_worker(self, env: dict[str, str] | None = None) -> None:
        n = len(self.procs)
        self.procs.append(_start(["worker", self.address, "--host", "127.0.0.1", "--nthreads",
                                  "1", "--nworkers", "1", "--no-nanny", "--no-dashboard",
                                  "--dashboard-address", "127.0.0.1:0", "--death-timeout",
                                  "30", "--local-directory", str(self.tmp / f"worker{n}")],
                                 self.tmp / f"worker{n}.log", env))

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        _stop(self.procs[1:])  # workers first: a worker told to stop while the scheduler
        _stop(self.procs[:1])  # closes can hang in its own shutdown


@contextmanager
def dask_cluster(tmp: Path, workers: int = 2):
    """A running Cluster; every process it started is stopped at the end, whatever happened."""
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(tmp)
    try:
        cluster.start(workers)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with dask_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


def _search_ids(settings, q: str) -> set[str]:
    archive = Archive(settings.index.dir)
    try:
        return {h.fields["id"] for h in archive.search(top_request(q=q, size=100)).hits}
    finally:
        archive.close()


def test_index_on_the_cluster_equals_a_local_run(tmp_path, cluster):
    address = cluster.address
    corpus = write_corpus(tmp_path / "c")
    local = make_settings(tmp_path / "local" / "index", corpus)
    remote = make_settings(tmp_path / "remote" / "index", corpus)
    assert not run_index(local).failed
    summary = run_index(remote, scheduler=address)
    assert summary.added == 6 and not summary.failed
    assert all_records(remote) == all_records(local)  # same paths, ids and stored fields
    for q in ("王小明", "档案保密", "新政发〔2019〕3号", "檔案"):
        assert _search_ids(remote, q) == _search_ids(local, q) != set(), q
    again = run_index(remote, scheduler=address)  # incremental: nothing sent to the cluster
    assert (again.added, again.unchanged) == (0, 6)


def test_a_task_that_raises_is_a_failed_file_not_the_end(tmp_path, cluster):
    address = cluster.address
    corpus = write_corpus(tmp_path / "c")
    jobs = make_plan(discover([corpus]), None).jobs
    not_a_dir = tmp_path / "cache"
    not_a_dir.write_text("a file where the workers expect the OCR cache folder")
    from ocr.settings import OcrSettings

    executor = dangan_dask.DaskExecutor(WorkerSetup(ocr=OcrSettings(), cache_dir=not_a_dir),
                                        address)
    try:
        results = list(executor.map_unordered((job, None) for job in jobs))
    finally:
        executor.close()
    assert sorted(r.job.file.rel for r in results) == sorted(j.file.rel for j in jobs)
    assert {r.error for r in results} == {
        "the Dask worker failed on this file: FileExistsError: [Errno 17] File exists: "
        f"'{not_a_dir}'"}


@pytest.mark.parametrize("workers", [2, 1], ids=["one-of-two", "the-only-one-replaced"])
def test_a_worker_killed_mid_run_loses_no_file(tmp_path, workers, caplog):
    corpus = tmp_path / "c"
    corpus.mkdir()
    line = "新塘桥镇人民政府关于档案工作的总结，王建成同志负责档案保密和查阅登记。\n"
    (corpus / "a-big.txt").write_text(line * 8000, encoding="utf-8")  # about a second
    for n in range(30):
        (corpus / f"r{n:02d}.txt").write_text(f"第{n}号记录：经办人王小明{n}\n" + line * 300,
                                               encoding="utf-8")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    with dask_cluster(tmp_path / "dask", workers) as cluster:
        client = cluster.client
        pids = client.run(os.getpid)
        killed = []

        def progress(done, total, pages, current):
            if done >= 3 and not killed:
                busy = {w: len(keys) for w, keys in client.processing().items() if keys}
                assert busy, "no task in flight to lose"
                victim = max(busy, key=busy.get)
                os.kill(pids[victim], signal.SIGKILL)
                killed.append(done)
                if workers == 1:  # the worker setup scattered to it is lost with it
                    cluster.add_worker()

        summary = run_index(settings, scheduler=cluster.address, progress=progress)
        assert killed and killed[0] < 31
        assert len(client.nthreads()) == workers - (workers > 1)  # it died, a new one came
    if workers == 1:
        assert "holding the worker setup died; sending it again" in caplog.text
    assert not summary.failed, summary.failed
    assert summary.added == 31
    assert len(all_records(settings)) == 31
    assert len(_search_ids(settings, "王小明")) == 30


def test_a_lost_scheduler_ends_the_run_and_a_rerun_finishes_it(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    line = "新塘桥镇人民政府关于档案工作的总结，王建成同志负责档案保密和查阅登记。\n"
    for n in range(30):
        (corpus / f"r{n:02d}.txt").write_text(f"第{n}号记录：经办人王小明{n}\n" + line * 300,
                                               encoding="utf-8")
    index = tmp_path / "d" / "index"
    settings = make_settings(index, corpus, index={"dir": str(index), "commit_every": 5})
    with dask_cluster(tmp_path / "dask1", 1) as cluster:

        def progress(done, total, pages, current):
            if done == 12:
                os.kill(cluster.procs[0].pid, signal.SIGKILL)

        with pytest.raises(DanganError, match="lost the connection to the Dask scheduler"):
            run_index(settings, scheduler=cluster.address, progress=progress)
    kept = len(all_records(settings))
    assert 10 <= kept < 30  # the batches committed before the loss
    with dask_cluster(tmp_path / "dask2", 1) as cluster:
        summary = run_index(settings, scheduler=cluster.address)
    assert not summary.failed and summary.added + summary.unchanged == 30
    assert len(all_records(settings)) == 30
    assert len(_search_ids(settings, "王小明")) == 30


BLOCK_DANGAN = """import sys


class NoDangan:  # as on a machine where the project is not installed
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] == "indexer":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, NoDangan)
"""


def test_a_worker_without_the_project_is_refused_at_start(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(BLOCK_DANGAN)
    with dask_cluster(tmp_path / "dask", 1) as cluster:
        cluster.add_worker({"PYTHONPATH": str(tmp_path / "site")})
        cluster.client.wait_for_workers(2, timeout=30)
        with pytest.raises(ConfigError, match=r"1 Dask worker\(s\) of .* cannot run dangan "
                                              r"\(e.g. tcp://.*No module named 'indexer'"):
            dangan_dask.DaskExecutor(WorkerSetup(), cluster.address)


@pytest.fixture()
def quick_connect(monkeypatch):
    monkeypatch.setattr(dangan_dask, "CONNECT_TIMEOUT", 2.0)


def _listener(reply: bytes | None):
    """A port that accepts connections and answers `reply`, or stays silent."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            if reply is not None:
                conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    return server


@pytest.mark.parametrize("kind", ["refused", "silent", "ssh"])
def test_a_wrong_scheduler_address_is_a_config_error_within_seconds(tmp_path, kind,
                                                                     quick_connect):
    if kind == "refused":
        server = socket.socket()
        server.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    else:
        server = _listener(None if kind == "silent" else b"SSH-2.0-OpenSSH_9.2p1\r\n")
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    settings = make_settings(tmp_path / "d" / "index", write_corpus(tmp_path / "c"))
    started = time.monotonic()
    try:
        with pytest.raises(ConfigError, match="Dask scheduler at " + address):
            run_index(settings, scheduler=address)
    finally:
        server.close()
    assert time.monotonic() - started < 5


def test_a_scheduler_address_without_port_is_a_config_error():
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler at nowhere"):
        dangan_dask.DaskExecutor(WorkerSetup(), "nowhere")


def test_workers_that_cannot_run_dangan_or_differ_are_refused():
    ok = {"analysis": dangan_dask.ANALYSIS_VERSION}
    dangan_dask.check_workers({"tcp://a:1": ok, "tcp://b:1": ok}, "tcp://s:8786")
    with pytest.raises(ConfigError, match="cannot run dangan.*No module named 'indexer'"):
        dangan_dask.check_workers({"tcp://a:1": ok,
                                   "tcp://b:1": ModuleNotFoundError("No module named 'indexer'")},
                                  "tcp://s:8786")
    with pytest.raises(ConfigError, match="tcp://b:1 run another version"):
        dangan_dask.check_workers({"tcp://a:1": ok, "tcp://b:1": {"analysis": "0"}},
                                  "tcp://s:8786")
