"""Page images made while indexing ([index] page_images): the image the record page shows
first (SHOWN_FORMAT at DEFAULT_WIDTH) of every page of each scan or PDF added or changed, put
into the server's own cache, so a reader's first view is a cache hit.

Each page is made exactly as the server makes it (pageimages.page_thumbnail: the original
opened safely, a child process with the render time and memory limits, the file written
atomically), so a crash leaves no half image and a page not done is made on first view.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import DanganError
from ..ingest.pageimages import DEFAULT_WIDTH, SHOWN_FORMAT, has_page_images, page_thumbnail
from ..ingest.pagerender import SLOTS

log = logging.getLogger("dangan.index")


@dataclass(frozen=True)
class ToRender:
    """A record whose pages to make, and its file as indexed (pageimages' `Indexed`)."""

    record: dict
    size: int
    mtime_ns: int

    @property
    def record_id(self) -> str:
        return self.record["id"]


def wanted(fields: dict, size: int, mtime_ns: int) -> ToRender | None:
    """What to render of a record just written (None: a record without page images)."""
    if not has_page_images(fields):
        return None
    keep = ("id", "type", "pages", "source", "path")
    return ToRender({k: fields.get(k) for k in keep}, size, mtime_ns)


@dataclass
class Rendered:
    pages: int = 0  # images made (or found already made)
    failed: int = 0  # pages that could not be made (the server will say why)
    seconds: float = 0.0


def prerender(items: Iterable[ToRender], sources: dict[str, str], cache_dir: Path,
              timeout: float, threads: int = SLOTS) -> Rendered:
    """Make the shown image of every page of `items` (at most SLOTS at a time, the limit
    pagerender keeps per process)."""
    started = time.monotonic()
    jobs = [(item, page) for item in items for page in range(1, int(item.record["pages"]) + 1)]
    done = Rendered()

    def one(job: tuple[ToRender, int]) -> bool:
        item, page = job
        try:
            page_thumbnail(item.record, sources, item, page, DEFAULT_WIDTH, cache_dir,
                           timeout, SHOWN_FORMAT)
            return True
        except DanganError as e:  # a page that cannot be made now is made (or refused) later
            log.warning("page image of %s/%s page %d: %s", item.record["source"],
                        item.record["path"], page, e)
            return False

    with ThreadPoolExecutor(max(1, min(threads, SLOTS))) as pool:
        for ok in pool.map(one, jobs):
            done.pages += ok
            done.failed += not ok
    done.seconds = time.monotonic() - started
    return done
