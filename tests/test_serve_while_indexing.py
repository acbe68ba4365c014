"""A real `dangan serve` (two gunicorn workers) answers every API search while a real
`dangan index` commits every two records into the index it reads, and then while a
`--rebuild` swaps a new index in: no failed answer, no record counted twice or lost, and the
new records are found once their commit lands."""
import json
import subprocess
import threading
import time

import pytest
import requests
from test_server import dangan_command, serving
from test_writer import corpus_of

pytestmark = [pytest.mark.server, pytest.mark.slow]
QUERIES = ("档案", "王建成", "人民政府", "编号0001", "交通")
NEW = "批次乙新增档案"  # in the files added while the server runs


def api_total(base: str, q: str) -> int:
    answer = requests.get(f"{base}/api/search", params={"q": q, "size": 5}, timeout=30)
    assert answer.status_code == 200, (q, answer.status_code, answer.text[:300])
    data = answer.json()
    assert data["ok"], data
    return data["total"]


def test_server_answers_through_commits_and_a_rebuild_swap(tmp_path):
    corpus = corpus_of(tmp_path, 4)
    index_dir = tmp_path / "data" / "index"
    config = tmp_path / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps(index_dir.as_posix())}\ncommit_every = 2\n"
                      f"[corpus]\npaths = [{json.dumps(corpus.as_posix())}]\n"
                      "[server]\nworkers = 2\n[auth]\nanonymous_clearance = \"绝密\"\n",
                      encoding="utf-8")

    def index(*args: str) -> None:
        done = subprocess.run(dangan_command() + ["index", "--config", str(config), *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr

    index()
    with serving(config, tmp_path) as (base, _proc, _first, _port):
        before = {q: api_total(base, q) for q in QUERIES}
        assert all(before.values()), before
        assert api_total(base, NEW) == 0
        errors: list[str] = []
        seen: dict[str, set[int]] = {q: set() for q in QUERIES}
        asked = [0]
        stop = threading.Event()

        def ask_forever(n: int) -> None:
            while not stop.is_set():
                q = QUERIES[n % len(QUERIES)]
                n += 1
                try:
                    seen[q].add(api_total(base, q))
                    asked[0] += 1
                except Exception as e:  # a 500, a dropped connection, a wrong answer
                    errors.append(f"{q}: {e!r}")

        threads = [threading.Thread(target=ask_forever, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        try:
            # a new batch of files: committed two records at a time while the server reads
            for n in range(6):
                box = corpus / "批次乙" / f"{n:02d}.txt"
                box.parent.mkdir(exist_ok=True)
                box.write_text(f"{NEW}第{n}件，经办人王建成。\n", encoding="utf-8")
            index()
            deadline = time.monotonic() + 20
            while api_total(base, NEW) != 6 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert api_total(base, NEW) == 6
            index("--rebuild")  # a whole new index swapped in under the readers
            time.sleep(1)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
        assert not errors, errors[:5]
        assert asked[0] > 20
        # counts only ever moved between the old and the new archive's: nothing doubled
        after = {q: api_total(base, q) for q in QUERIES}
        for q in QUERIES:
            assert seen[q] <= {before[q], after[q]} | set(range(before[q], after[q] + 1)), q
        assert after["王建成"] == before["王建成"] + 6
        assert after["编号0001"] == before["编号0001"]
        assert api_total(base, NEW) == 6
