"""Runs the app under gunicorn (the production WSGI server)."""
from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication

from indexer.config import Settings


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

    def load(self):
        from .app import create_app

        return create_app(self.settings)


def serve(settings: Settings, host: str, port: int) -> None:
    os.umask(0o077)  # thumbnails and the register: readable by the server's account only
    _Gunicorn(settings, host, port).run()
