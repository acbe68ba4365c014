"""The extraction worker pool: workers never forked from a process with threads, a file that
hangs is stopped after [index] file_timeout, a file that kills its worker or runs out of
memory fails alone with the reason, and the batch goes on."""
import os
import resource
import signal
import threading
import time
from pathlib import Path

from conftest import make_settings
from test_lifeline import kill_and_see_go

import indexer.ingest.textfile
from indexer.build.run import run_index


def write_files(corpus: Path, names: list[str]) -> Path:
    corpus.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(names):
        (corpus / name).write_text(f"第{n}号记录：新塘县档案局关于档案移交的通知", encoding="utf-8")
    return corpus


def faulty_extract(faults: dict):
    """TextExtractor.extract, but the files named in `faults` do what it says (in the
    worker: tests using this patch need forked_workers)."""
    real = indexer.ingest.textfile.TextExtractor.extract

    def extract(self, path, ctx):
        fault = faults.get(Path(os.path.realpath(path)).name)  # read through /proc/self/fd
        if fault:
            fault()
        return real(self, path, ctx)

    return extract


def _status(pid: int) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_workers_are_never_forked_from_a_process_with_threads(tmp_path):
    """A worker forked from the writer while one of its threads (the background commit,
    the progress bar) held a lock would wait for that lock for ever."""
    from indexer.build.memory import descendants

    corpus = write_files(tmp_path / "c", [f"r{n:02d}.txt" for n in range(12)])
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)  # as the writer's commit thread
    busy.start()
    forked = {}  # worker pid -> threads of the process it was forked from

    def progress(done, total, pages, current):
        for pid in descendants(os.getpid()):
            parent = int(_status(pid).get("PPid", "0"))
            if _cmdline(pid) and _cmdline(pid) == _cmdline(parent):  # forked, not exec'd
                forked[pid] = int(_status(parent).get("Threads", "0"))

    try:
        summary = run_index(make_settings(tmp_path / "d" / "index", corpus,
                                          ocr={"enabled": False}), workers=2,
                            progress=progress)
    finally:
        stop.set()
    assert summary.added == 12
    assert forked, "no worker process was seen"
    assert set(forked.values()) == {1}, forked


def test_a_file_that_hangs_is_stopped_and_the_batch_goes_on(tmp_path, monkeypatch,
                                                            forked_workers):
    corpus = write_files(tmp_path / "c", ["a.txt", "hangs.txt", "b.txt", "c.txt", "d.txt"])
    monkeypatch.setattr(indexer.ingest.textfile.TextExtractor, "extract",
                        faulty_extract({"hangs.txt": lambda: time.sleep(3600)}))
    settings = make_settings(tmp_path / "d" / "index", corpus, ocr={"enabled": False},
                             index={"dir": str(tmp_path / "d" / "index"), "file_timeout": 3})
    summary = run_index(settings, workers=2)
    assert summary.added == 4
    assert summary.failed == [("c/hangs.txt", summary.failed[0][1])]
    assert "处理超时（超过 [index] file_timeout = 3 秒）" in summary.failed[0][1]


def test_a_file_that_kills_its_worker_fails_alone_saying_why(tmp_path, monkeypatch,
                                                             forked_workers):
    corpus = write_files(tmp_path / "c", ["a.txt", "kills.txt", "b.txt", "c.txt"])
    monkeypatch.setattr(indexer.ingest.textfile.TextExtractor, "extract", faulty_extract(
        {"kills.txt": lambda: os.kill(os.getpid(), signal.SIGKILL)}))
    summary = run_index(make_settings(tmp_path / "d" / "index", corpus,
                                      ocr={"enabled": False}), workers=2)
    assert summary.added == 3
    ((path, reason),) = summary.failed
    assert path == "c/kills.txt"
    assert "SIGKILL" in reason and "[index] worker_memory_mb" in reason


def test_a_file_past_the_memory_limit_fails_alone_and_the_writer_is_not_limited(
        tmp_path, monkeypatch, forked_workers):
    from indexer.build.memory import status_mb

    limit_mb = int(status_mb("VmSize")) + 1024  # a worker forked from here starts this big
    corpus = write_files(tmp_path / "c", ["a.txt", "bomb.txt", "b.txt", "c.txt"])
    # a decoder that asks for twice the limit at once (untouched, so harmless unlimited)
    monkeypatch.setattr(indexer.ingest.textfile.TextExtractor, "extract", faulty_extract(
        {"bomb.txt": lambda: bytearray(2 * limit_mb << 20)}))
    writer_limit = resource.getrlimit(resource.RLIMIT_AS)
    settings = make_settings(tmp_path / "d" / "index", corpus, ocr={"enabled": False},
                             index={"dir": str(tmp_path / "d" / "index"),
                                    "worker_memory_mb": limit_mb})
    summary = run_index(settings, workers=1)
    assert summary.added == 3
    assert summary.failed == [
        ("c/bomb.txt", summary.failed[0][1])]
    assert f"内存超过 [index] worker_memory_mb 限制（{limit_mb} MB）" in summary.failed[0][1]
    assert resource.getrlimit(resource.RLIMIT_AS) == writer_limit


STUCK_WRITER = '''
import os, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
import indexer.ingest.textfile

real = indexer.ingest.textfile.TextExtractor.extract


def extract(self, path, ctx):
    if Path(os.path.realpath(path)).name == "stuck.txt":
        Path({pid_file!r}).write_text(str(os.getpid()))
        sum(range(10 ** 15))  # C code that never lets another thread of the worker run
    return real(self, path, ctx)


# module level: the fork server imports this file too, so its workers are patched
indexer.ingest.textfile.TextExtractor.extract = extract

if __name__ == "__main__":
    from indexer.build.run import run_index
    from indexer.config import settings_from_dict

    settings = settings_from_dict({{"index": {{"dir": {index!r}}}, "ocr": {{"enabled": False}}}},
                                  base=Path({index!r}).parent)
    run_index(settings, paths=[Path({corpus!r})], workers=1)
'''


def _gone(pid: int) -> bool:
    """No such process, or only its exit status is left (a zombie nobody has reaped)."""
    return _status(pid).get("State", "Z").startswith("Z")


def test_a_worker_goes_with_its_killed_writer_even_when_stuck_in_c_code(tmp_path):
    """The writer killed with kill -9 while its worker runs C code that holds the GIL (a
    decoder stuck in a loop): the worker goes too, instead of running on as an orphan."""
    import subprocess
    import sys

    corpus = write_files(tmp_path / "c", ["stuck.txt"])
    pid_file = tmp_path / "worker.pid"
    script = tmp_path / "writer.py"
    script.write_text(STUCK_WRITER.format(
        repo=str(Path(__file__).resolve().parents[1]), pid_file=str(pid_file),
        index=str(tmp_path / "d" / "index"), corpus=str(corpus)))
    writer = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path)
    worker = None
    try:
        for _ in range(1200):  # until the worker is stuck (a minute at most)
            if pid_file.exists() and pid_file.read_text():
                worker = int(pid_file.read_text())
                break
            assert writer.poll() is None, "the writer ended before its worker got stuck"
            time.sleep(0.05)
        assert worker is not None, "the worker never started the file"
        kill_and_see_go(writer, worker, "the worker outlived its writer")
    finally:
        writer.kill()
        if worker is not None and not _gone(worker):
            os.kill(worker, signal.SIGKILL)
