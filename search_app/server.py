"""Runs the app under gunicorn (the production WSGI server)."""
from __future__ import annotations

import gc
import os
import sys
import threading
import time

from gunicorn.app.base import BaseApplication

from indexer.config import Settings

WARM_QUERY = "档案"  # any words: what matters is that the dictionary and the index are loaded


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, host: str, port: int):
        self.settings = settings
        self.bind = f"{host}:{port}"
        super().__init__()

    def load_config(self):
        self.cfg.set("bind", self.bind)
        self.cfg.set("workers", max(1, self.settings.server.workers))
        self.cfg.set("threads", 4)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("accesslog", "-")
        self.cfg.set("timeout", 60)
        # a query of 500 Chinese characters is 4,500 bytes of URL (gunicorn's default line of
        # 4,094 answered an English 414 page); 8,190 is the most gunicorn allows
        self.cfg.set("limit_request_line", 8190)
        # gunicorn's control socket is one per user (~/.gunicorn/gunicorn.ctl): two servers on one
        # machine would share it, and dangan does not use it
        self.cfg.set("control_socket_disable", True)
        self.cfg.set("post_worker_init", _warm)

    def load(self):
        from .app import create_app

        return create_app(self.settings)


def _warm(worker) -> None:
    """Load the word dictionary, open the index and gather the names every clearance may know
    in each worker as it starts, in the
    background: otherwise each worker's first search after a start took about 2 s (the first
    clerk to search waited for it). A request that comes meanwhile waits for the same load, as
    before; a worker told to stop does not wait for it. A failure here (no index yet) is left
    to the first request."""
    threading.Thread(target=_load, args=(worker.wsgi, worker.pid), name="dangan-warm",
                     daemon=True).start()


def _load(app, pid: int) -> None:
    from indexer.fields import SECURITY_LEVELS
    from indexer.search.archive import SearchRequest

    started = time.perf_counter()
    try:
        archive = app.extensions["dangan.archive"]
        # the names each clearance's readers may know (read once per index version and
        # clearance: seconds on a large archive), the highest first: it reads every name's
        # postings, which the others then find in memory
        for clearance in reversed(SECURITY_LEVELS):
            archive.search(SearchRequest(q=WARM_QUERY, size=1, clearance=clearance))
        records = archive.count()
        gc.collect()  # what the warm-up loaded (dictionary, lexicons) is kept for good: the
        gc.freeze()  # collector no longer walks it, so no search waits while it does
    except Exception as e:  # noqa: BLE001 - the first request reports it properly
        print(f"dangan: worker {pid} not warmed up ({type(e).__name__}: {e})",
              file=sys.stderr, flush=True)
        return
    print(f"dangan: worker {pid} ready: index of {records} records loaded in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def serve(settings: Settings, host: str, port: int) -> None:
    os.umask(0o077)  # thumbnails and the register: readable by the server's account only
    _Gunicorn(settings, host, port).run()
