"""indexer.build.lifeline: a process that asked for it is killed by the kernel when its
parent dies, and leaves at once when what it works for is gone already."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[1])
CHILD = (f"import sys, time; sys.path.insert(0, {REPO!r})\n"
         "from indexer.build.lifeline import die_with_parent\n"
         "die_with_parent()\nprint('ready', flush=True)\ntime.sleep(3600)\n")
# the parent starts the child, says its pid, and waits for ever
PARENT = ("import subprocess, sys, time\n"
          "child = subprocess.Popen([sys.executable, '-c', sys.argv[1]], stdout=subprocess.PIPE)\n"
          "assert child.stdout.readline() == b'ready\\n'\n"
          "print(child.pid, flush=True)\ntime.sleep(3600)\n")


def _gone(pid: int) -> bool:
    """No such process, or a zombie nobody has reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


def kill_and_see_go(parent: subprocess.Popen, child: int, what: str) -> None:
    """Kill `parent` with SIGKILL and wait for `child` to go (the kernel kills it at once;
    a loaded machine is allowed 30 s)."""
    parent.kill()
    parent.wait()
    for _ in range(600):
        if _gone(child):
            break
        time.sleep(0.05)
    assert _gone(child), what


def test_the_child_goes_when_its_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE)
    child = int(parent.stdout.readline())
    try:
        assert not _gone(child)
        kill_and_see_go(parent, child, "the child outlived its parent")
    finally:
        parent.kill()
        if not _gone(child):
            os.kill(child, signal.SIGKILL)


def test_a_child_whose_work_is_gone_already_leaves_at_once():
    code = (f"import sys; sys.path.insert(0, {REPO!r})\n"
            "from indexer.build.lifeline import die_with_parent\n"
            "die_with_parent(lambda: False)\nprint('still here')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stdout == b""
