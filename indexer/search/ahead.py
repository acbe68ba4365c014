"""After a run (`dangan index`): the variants of the names the archive knows, worked out for each clearance's
records and written beside the index (indexer.search.vartable), so that the first clerk to
search a name after a re-index does not wait while its misreadings are looked for."""
from __future__ import annotations

import logging
import time

from ..config import Settings
from ..store.lock import IndexBusyError, IndexLock
from .archive import Archive

log = logging.getLogger("dangan.index")

SECONDS = 600  # at most this long per run: names left are worked out when searched
LEAST_SECONDS = 30  # … and as long as the run itself took, but at least this


def budget(run_seconds: float) -> float:
    """How long a run's variant table may take: as long as the run did (a batch of a few
    scans is not held up for minutes), at least LEAST_SECONDS, at most SECONDS."""
    return min(SECONDS, max(LEAST_SECONDS, run_seconds))


def write_variant_table(settings: Settings, seconds: float = SECONDS) -> tuple[int, float]:
    """(names and words worked out, seconds); (0, 0.0) with variants off, or when another run has
    taken the index meanwhile (it writes its own). Under the index lock: the table is of the
    version the run left. A failure here leaves the committed index as it is (its searches
    work variants out as they come) and is logged."""
    if not settings.search.variants:
        return 0, 0.0
    started = time.monotonic()
    try:
        with IndexLock(settings.index.dir):
            archive = Archive(settings.index.dir, settings.search)
            try:
                names, whole = archive.write_variant_table(seconds)
            finally:
                archive.close()
    except IndexBusyError:
        return 0, 0.0
    except Exception:  # noqa: BLE001 - the index is committed; this only makes it faster
        log.exception("the known names' variants were not worked out ahead")
        return 0, time.monotonic() - started
    if not whole:
        log.warning("known names' variants: %d worked out in %d s; the rest are worked out "
                    "when searched", names, seconds)
    return names, time.monotonic() - started
