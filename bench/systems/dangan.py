"""dangan itself: built with the real `dangan index` command, queried through the search library."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from indexer.config import SearchSettings
from indexer.fields import SECURITY_LEVELS
from indexer.search.archive import Archive, SearchRequest

from ..corpus import CorpusInfo
from ..progress import say
from ..queries import Query
from . import BuildError, BuildStats, dir_size

REPO = Path(__file__).resolve().parents[2]
MAX_DEPTH = 100_000  # the library refuses page * size beyond this


def dangan_command() -> list[str]:
    """The installed console script next to this Python, else the one on PATH, run with this
    checkout's code first on its path (the script imports whichever checkout the package was
    installed from: a bench run in another working copy measured that one's code)."""
    beside = Path(sys.executable).parent / "dangan"
    found = str(beside) if beside.exists() else shutil.which("dangan")
    if not found:
        return [sys.executable, "-c", "from search_app.cli import main; main()"]
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return ["env", f"PYTHONPATH={path}", found]


TIMED_SNIPPETS = True  # the timed search makes snippets, as the web page asks


class DanganSystem:
    name = "dangan"

    def __init__(self, work: Path, workers: int | None):
        self.work = work
        self.workers = workers
        self.archive: Archive | None = None

    def build(self, corpus: CorpusInfo) -> BuildStats:
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        config = self.work / "config.toml"
        config.write_text('[index]\ndir = "index"\n', encoding="utf-8")
        cmd = dangan_command() + ["index", str(corpus.root), "--config", str(config), "--rebuild"]
        if self.workers:
            cmd += ["--workers", str(self.workers)]
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=self.work, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise BuildError(f"dangan index exited {done.returncode}: "
                             f"{(done.stderr or done.stdout).strip()[-2000:]}")
        summary = done.stdout.strip().splitlines()
        say(f"dangan index: {summary[0] if summary else '(no summary)'}")
        note = f"{len(summary) - 1} files failed" if done.returncode == 1 else ""
        # a page as large as the total gives the full match set in one call (untimed)
        self.archive = Archive(self.work / "index", replace(SearchSettings(), max_size=MAX_DEPTH))
        return BuildStats(seconds, self.archive.count(), dir_size(self.work / "index"), note)

    def _search(self, query: Query, page: int, size: int, snippets: bool = False):
        return self.archive.search(SearchRequest(q=query.text, page=page, size=size,
                                                 facets=False, snippets=snippets,
                                                 clearance=SECURITY_LEVELS[-1]))

    def top(self, query: Query) -> int:
        """The reported number of exact matches (approximate hits, found through variants
        of the query and listed after them, are scored by `make bench-messy`)."""
        return self._search(query, 1, 10, snippets=TIMED_SNIPPETS).exact_total

    def matches(self, query: Query) -> set[str]:
        """Every exact match in one page as large as the total (what the engine matched)."""
        return set(self.ranked(query))

    def ranked(self, query: Query) -> list[str]:
        total = self._search(query, 1, 1).total
        size = max(1, min(total, MAX_DEPTH))
        return [hit.fields["path"] for hit in self._search(query, 1, size).hits
                if hit.match == "exact"]

    def paged(self, query: Query, size: int, max_pages: int) -> list[str]:
        """Paths shown on pages 1, 2, … of `size` hits, as a reader paging through sees them."""
        shown, page = [], 1
        while page <= max_pages and page * size <= MAX_DEPTH:
            result = self._search(query, page, size)
            shown += [hit.fields["path"] for hit in result.hits if hit.match == "exact"]
            if page * size >= result.exact_total:
                break
            page += 1
        return shown

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
