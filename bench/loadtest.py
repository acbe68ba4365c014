"""Searches under a re-index: a real `dangan serve` over a copy of the generated corpus (plus
one large 绝密 record for the timing measure), searched from several threads while `dangan
index` commits every 20 records on updated files and then `dangan index --rebuild` swaps."""
from __future__ import annotations

import http.client
import json
import re
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from .progress import say
from .systems.dangan import dangan_command
from .web import Server

HIDDEN_PHRASE = "隐秘计时词组"  # only in the large 绝密 record
ABSENT_PHRASE = "无此计时词组"  # in no record
LARGE_CHARS = 600_000  # characters of the large 绝密 record
ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Closed|Exception))\b")


def add_hidden_record(corpus: Path) -> None:
    """机要/large.txt: about LARGE_CHARS characters of the corpus's own text with the hidden
    phrase in every paragraph, 绝密 in its folder's catalog."""
    paragraphs = [p for f in sorted(corpus.glob("000/*.txt"))[:40]
                  for p in f.read_text(encoding="utf-8").splitlines() if p]
    out, size, i = [], 0, 0
    while size < LARGE_CHARS:
        para = f"{paragraphs[i % len(paragraphs)]}{HIDDEN_PHRASE}。"
        out.append(para)
        size += len(para) + 1
        i += 1
    folder = corpus / "机要"
    folder.mkdir()
    (folder / "large.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
    (folder / "catalog.csv").write_text("文件,题名,密级\nlarge.txt,计时用大件,绝密\n",
                                        encoding="utf-8")


def write_config(work: Path, corpus: Path, commit_every: int | None = None) -> Path:
    config = work / "config.toml"
    every = f"commit_every = {commit_every}\n" if commit_every else ""
    config.write_text(f'[index]\ndir = "index"\n{every}[corpus]\npaths = '
                      + json.dumps([str(corpus)], ensure_ascii=False) + "\n", encoding="utf-8")
    return config


def dangan(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(dangan_command() + [*args, "--config", str(config)], cwd=config.parent,
                          capture_output=True, text=True)


def hidden_id(config: Path) -> str:
    """The large record's id, read as the archive machine's console reads (every 密级)."""
    done = dangan(config, "search", HIDDEN_PHRASE, "--json")
    return json.loads(done.stdout)["hits"][0]["id"]


class Load:
    """Threads searching in a loop; counts per phase of requests, 5xx and other errors."""

    def __init__(self, server: Server, queries: list[str], threads: int):
        self.server, self.queries = server, queries
        self.phase = "warm-up"
        self.counts: dict[str, Counter] = {}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(i,), daemon=True)
                        for i in range(threads)]

    def _loop(self, i: int) -> None:
        conn, n = self.server.connect(), i
        while not self.stop.is_set():
            q = self.queries[n % len(self.queries)]
            n += len(self.threads)
            phase = self.phase
            try:
                conn.request("GET", f"/api/search?q={quote(q)}&size=20")
                response = conn.getresponse()
                response.read()
                kind = "5xx" if response.status >= 500 else "ok"
            except (OSError, http.client.HTTPException):
                kind = "other"
                conn.close()
                conn = self.server.connect()
            with self.lock:
                self.counts.setdefault(phase, Counter())[kind] += 1
        conn.close()

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)


def concurrent_load(server: Server, config: Path, corpus: Path, queries: list[str],
                    threads: int, update: int) -> dict:
    """The phases: searching alone, under an incremental run committing every 20 records on
    `update` changed files, under a rebuild, and alone again."""
    log = config.parent / "serve.log"
    phases, exits = [], {}

    def phase(name: str, work) -> None:
        load.phase = name
        offset = log.stat().st_size
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
        with log.open("rb") as f:
            f.seek(offset)
            new = f.read().decode("utf-8", errors="replace")
        kinds = Counter(m.group(1).rsplit(".", 1)[-1] for line in new.splitlines()
                        if (m := ERROR_LINE.match(line)))
        time.sleep(0.5)  # the requests of this phase still in flight
        c = load.counts.get(name, Counter())
        phases.append({"name": name, "seconds": seconds, "requests": sum(c.values()),
                       "5xx": c["5xx"], "other": c["other"], "kinds": dict(kinds)})
        say(f"{name}: {phases[-1]}")

    def run(name: str, *args: str):
        def work():
            exits[name] = dangan(config, "index", *args).returncode
        return work

    files = sorted(p for p in corpus.glob("[0-9]*/*.txt"))[:update]
    with Load(server, queries, threads) as load:
        phase("searches alone", lambda: time.sleep(5))
        for i, f in enumerate(files):  # our own copy of the generated corpus
            with f.open("a", encoding="utf-8") as out:
                out.write(f"补充说明第{i}号：本件已更新。\n")
        write_config(config.parent, corpus, commit_every=20)
        phase(f"dangan index, {len(files)} updated", run("dangan index", ))
        phase("dangan index --rebuild", run("dangan index --rebuild", "--rebuild"))
        phase("searches alone, after", lambda: time.sleep(5))
    return {"phases": phases, "index_exits": exits}
