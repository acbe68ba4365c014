"""Progress lines on stderr (stdout carries only the result table)."""
from __future__ import annotations

import sys
import time

_STARTED = time.monotonic()


def say(message: str) -> None:
    """One progress line on stderr, prefixed with the seconds since the benchmark started."""
    print(f"[bench {time.monotonic() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)
