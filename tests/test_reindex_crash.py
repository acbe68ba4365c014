"""Crash safety of `dangan index`, with real processes killed by SIGKILL at random moments:
a rerun finishes with exactly the right records, the index lock names its holder and is
cleared after a crash, and pool workers do not outlive their writer."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import top_request
from whoosh import index as whoosh_index
from whoosh.index import LockError

from indexer.search.archive import Archive

pytestmark = pytest.mark.slow

DANGAN = Path(sys.executable).parent / "dangan"
SEED = int(os.environ.get("DANGAN_CRASH_SEED", "20240611"))  # set it to explore other moments
RECORDS = 120       # the crash corpus: ~1 s to index on one core
SLOW_RECORDS = 300  # long enough for a second process to start while the first one runs
ORGS = ("新塘桥镇人民政府", "县档案局", "襄阳市公安局交通警察支队", "县教育局", "县民政局")
HAN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"  # 400 two-character markers
WAIT = 30.0  # seconds to wait for a process to reach a given state
POOL = ("--workers", "2")  # 120 jobs: extraction in a process pool, as on a real batch


# --- a generated corpus and its config --------------------------------------------------------

def marker(n: int) -> str:
    """A string that occurs in record n and nowhere else."""
    return f"{HAN[n // len(HAN)]}{HAN[n % len(HAN)]}号卷宗"


def write_records(root: Path, count: int) -> dict[str, str]:
    """`count` small, distinct UTF-8 records in six folders; returns path -> unique marker."""
    markers = {}
    for n in range(count):
        rel = f"卷{n % 6}/r{n:03d}.txt"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"{ORGS[n % len(ORGS)]}关于{marker(n)}的通知\n"
            f"第{n}号：各单位做好档案保管工作，落实保密要求，按期移交。\n"
            f"经办人王建成，{2000 + n % 24}年{n % 12 + 1}月{n % 28 + 1}日。\n",
            encoding="utf-8")
        markers[rel] = marker(n)
    return markers


def write_config(folder: Path, corpus: Path, commit_every: int = 10) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "config.toml"
    cfg.write_text(
        f'[index]\ndir = "{(folder / "index").as_posix()}"\ncommit_every = {commit_every}\n'
        f'[corpus]\npaths = ["{corpus.as_posix()}"]\n[ocr]\nenabled = false\n',
        encoding="utf-8")
    return cfg


def index_dir(cfg: Path) -> Path:
    return cfg.parent / "index"


def lock_file(cfg: Path) -> Path:
    return cfg.parent / "index.lock"


# --- running and killing dangan index -----------------------------------------------------------

def dangan_index(cfg: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DANGAN), "index", "--config", str(cfg), *args],
                          capture_output=True, text=True, timeout=120)


def start(cfg: Path, log: Path, *args: str) -> subprocess.Popen:
    """Output goes to a file: pool workers that outlive a killed run must not block a pipe."""
    with open(log, "wb") as out:
        return subprocess.Popen([str(DANGAN), "index", "--config", str(cfg), *args],
                                stdout=out, stderr=subprocess.STDOUT)


def kill_after(cfg: Path, delay: float, log: Path, *args: str) -> int | None:
    """Start a run and SIGKILL it after `delay` seconds. Returns its pid if it died holding
    the index lock (it was writing), None if it was killed before taking the lock or had
    already finished."""
    proc = start(cfg, log, *args)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)  # does nothing if it already finished
    proc.wait()
    if proc.returncode != -signal.SIGKILL:
        assert proc.returncode == 0, log.read_text(errors="replace")
        return None
    holder = lock_file(cfg).read_text().strip() if lock_file(cfg).exists() else ""
    return proc.pid if holder == str(proc.pid) else None


def kill_delays(rng: random.Random, count: int, duration: float) -> list[float]:
    """One random delay in each of `count` equal slices of (0, duration), shuffled."""
    delays = [duration * (k + rng.uniform(0.02, 0.98)) / count for k in range(count)]
    rng.shuffle(delays)
    return delays


def timed_build(cfg: Path, *args: str) -> float:
    started = time.monotonic()
    result = dangan_index(cfg, *args)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - started


# --- what a finished index must hold -------------------------------------------------------------

def records(folder: Path) -> list[dict]:
    archive = Archive(folder)
    try:
        return [h.fields for h in
                archive.search(top_request(q="", size=1000, facets=False)).hits]
    finally:
        archive.close()


def assert_exactly_the_corpus(cfg: Path, markers: dict[str, str], reference: Path) -> None:
    found = records(index_dir(cfg))
    assert Counter(r["path"] for r in found) == Counter(set(markers))  # none lost, none twice
    ids = {r["path"]: r["id"] for r in found}
    assert ids == {r["path"]: r["id"] for r in records(reference)}  # as a clean build
    archive = Archive(index_dir(cfg))
    try:
        for rel in random.Random(SEED).sample(sorted(markers), 10):
            hits = archive.search(top_request(q=f'"{markers[rel]}"', facets=False)).hits
            assert [h.fields["path"] for h in hits] == [rel], markers[rel]
    finally:
        archive.close()
    check = dangan_index(cfg, "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "ok: the index matches" in check.stdout


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped holds neither memory nor locks)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            found.append(int(status.parent.name))
    return found


def processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains `text` (forked workers keep their
    parent's command line)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        pid = int(cmdline.parent.name)
        if text in argv and pid != os.getpid() and alive(pid):
            found.append(pid)
    return found


def wait_for(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.01)
    pytest.fail(f"timed out waiting for {what}")


def wait_for_pool(proc: subprocess.Popen, log: Path) -> list[int]:
    """The pids of a running `dangan index`'s helper processes (fork server, resource
    tracker) and its pool workers (their children), once there are two workers."""
    def pool():
        assert proc.poll() is None, log.read_text(errors="replace")
        helpers = children(proc.pid)
        workers = [w for h in helpers for w in children(h)]
        return helpers + workers if len(workers) >= 2 else None
    return wait_for(pool, "the pool to start")


# --- the tests -----------------------------------------------------------------------------------

def test_a_reindex_killed_at_any_moment_is_finished_by_a_rerun(tmp_path):
    corpus = tmp_path / "corpus"
    markers = write_records(corpus, RECORDS)
    reference = write_config(tmp_path / "reference", corpus)
    duration = timed_build(reference, *POOL)
    cfg = write_config(tmp_path / "crashed", corpus)
    rng = random.Random(SEED)
    killed_writing = []
    for n, delay in enumerate(kill_delays(rng, 5, duration)):
        pid = kill_after(cfg, delay, tmp_path / f"kill{n}.log", *POOL)
        if pid:
            killed_writing.append(pid)
    assert killed_writing, "no kill landed while a run was writing: the test proved nothing"
    last = lock_file(cfg).read_text().strip()
    done = dangan_index(cfg, *POOL)
    assert done.returncode == 0, done.stderr
    if last:  # the last kill left its pid in the lock file
        assert f"cleared a lock left by process {last}" in done.stderr
    assert_exactly_the_corpus(cfg, markers, index_dir(reference))
    again = dangan_index(cfg)
    assert again.returncode == 0 and f"unchanged {RECORDS}, removed 0" in again.stdout


def test_a_rebuild_killed_at_any_moment_is_finished_by_a_rerun(tmp_path):
    corpus = tmp_path / "corpus"
    markers = write_records(corpus, RECORDS)
    reference = write_config(tmp_path / "reference", corpus)
    duration = timed_build(reference, *POOL)
    cfg = write_config(tmp_path / "rebuilt", corpus)
    shutil.copytree(index_dir(reference), index_dir(cfg))  # a complete index to rebuild
    rng = random.Random(SEED + 1)
    killed_writing = 0
    for n, delay in enumerate(kill_delays(rng, 4, duration)):
        killed_writing += bool(kill_after(cfg, delay, tmp_path / f"kill{n}.log", "--rebuild",
                                          *POOL))
        current, old = index_dir(cfg), index_dir(cfg).with_name("index.old")
        if current.exists() or not old.exists():  # else: killed between the swap's renames
            assert len(records(current)) == RECORDS  # readers never see a partial rebuild
    assert killed_writing, "no kill landed while a rebuild was writing: the test proved nothing"
    unfinished = whoosh_index.exists_in(index_dir(cfg).with_name("index.new"))
    done = dangan_index(cfg, "--rebuild", *POOL)
    assert done.returncode == 0, done.stderr
    assert ("resuming the unfinished rebuild" in done.stderr) == unfinished, done.stderr
    assert_exactly_the_corpus(cfg, markers, index_dir(reference))
    assert not index_dir(cfg).with_name("index.new").exists()
    assert not index_dir(cfg).with_name("index.old").exists()


def test_a_second_run_is_refused_and_a_dead_runs_lock_is_cleared(tmp_path):
    corpus = tmp_path / "corpus"
    write_records(corpus, SLOW_RECORDS)
    cfg = write_config(tmp_path / "data", corpus)
    first = start(cfg, tmp_path / "first.log", "--workers", "1")
    try:
        wait_for(lambda: lock_file(cfg).exists()
                 and lock_file(cfg).read_text().strip() == str(first.pid)
                 or first.poll() is not None, "the first run to take the lock")
        assert first.poll() is None, (tmp_path / "first.log").read_text()
        second = dangan_index(cfg, "--workers", "1")
        assert first.poll() is None, "the first run ended before the second one started"
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"another dangan index (pid {first.pid})" in second.stderr
        assert "wait for it to finish" in second.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert lock_file(cfg).read_text().strip() == str(first.pid)
    write_config(cfg.parent, corpus, commit_every=1000)  # the rest, quickly
    third = dangan_index(cfg)  # the kernel released the dead run's lock
    assert third.returncode == 0, third.stderr
    assert f"cleared a lock left by process {first.pid}" in third.stderr
    assert len(records(index_dir(cfg))) == SLOW_RECORDS
    assert lock_file(cfg).read_text().strip() == ""  # a finished run leaves no holder


# seconds the orphans of a killed writer get to exit: they are signalled at once (the parent
# death signal), but a machine loaded by other test processes can take seconds to run their
# exit; without the signal they would never exit
ORPHAN_GRACE = 30


def test_pool_workers_die_with_their_writer(tmp_path):
    corpus = tmp_path / "corpus"
    write_records(corpus, SLOW_RECORDS)
    cfg = write_config(tmp_path / "data", corpus)
    writer = start(cfg, tmp_path / "run.log", "--workers", "2")
    try:
        workers = wait_for_pool(writer, tmp_path / "run.log")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    deadline = time.monotonic() + ORPHAN_GRACE
    while time.monotonic() < deadline and (
            any(alive(p) for p in workers) or processes_mentioning(str(cfg))):
        time.sleep(0.05)
    assert not [p for p in workers if alive(p)], "pool workers outlived their writer"
    assert not processes_mentioning(str(cfg))


def test_a_killed_runs_workers_do_not_keep_the_index_locked(tmp_path):
    """Pool workers are forked before the writer opens the index and close inherited lock
    descriptors, so a kill -9 of the writer frees the Whoosh write lock at once."""
    corpus = tmp_path / "corpus"
    markers = write_records(corpus, SLOW_RECORDS)
    cfg = write_config(tmp_path / "data", corpus, commit_every=100_000)  # one commit, at the end
    assert dangan_index(cfg).returncode == 0
    (corpus / "卷0/r000.txt").unlink()  # a record to remove: the writer opens first
    del markers["卷0/r000.txt"]
    for path in sorted((corpus / "卷1").iterdir()):  # and work enough for the pool
        path.write_text(path.read_text(encoding="utf-8") + "补充说明。\n", encoding="utf-8")
    writer = start(cfg, tmp_path / "run.log", "--workers", "2")
    try:
        workers = wait_for_pool(writer, tmp_path / "run.log")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    # The next run's writer would fail here; asked directly, not by starting one, because a
    # run's start-up (~0.5 s) races the workers' check for a dead parent (every 1 s).
    try:
        whoosh_index.open_dir(index_dir(cfg)).writer().cancel()
        locked = None
    except LockError as e:
        locked = e
    wait_for(lambda: not any(alive(p) for p in workers), "the orphaned workers to exit",
             ORPHAN_GRACE)
    done = dangan_index(cfg)
    assert done.returncode == 0, done.stderr
    assert Counter(r["path"] for r in records(index_dir(cfg))) == Counter(set(markers))
    if locked:  # the killed run's pool workers still held the Whoosh write lock
        raise locked
