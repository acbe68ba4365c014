"""What the index recorded of one original (size, mtime, record id), read from the manifest
read-only, so the web app can tell the file on disk is still the one that was indexed."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .manifest import MANIFEST_FILE

BUSY_TIMEOUT = 5.0  # seconds to wait while `dangan index` writes a batch of rows


@dataclass(frozen=True)
class IndexedFile:
    """The fingerprint of a file as it was when its record was written."""

    size: int
    mtime_ns: int
    record_id: str | None
    digest: str | None = None  # the content hash (what corrections note they were made on)


def indexed_file(index_dir: Path, source: str, path: str) -> IndexedFile | None:
    """The manifest's row for (source, path) when it is a file indexed without error, else
    None (no manifest, no row, a failed file, or a manifest that cannot be read). Opened per
    call, read-only: a rebuild that swaps in a new index folder is seen at once, and a web
    worker never writes (nor creates) the manifest."""
    manifest = Path(index_dir) / MANIFEST_FILE
    if not manifest.is_file():
        return None
    uri = f"file:{quote(str(manifest.resolve()))}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
        try:
            row = db.execute("SELECT size, mtime_ns, record_id, digest FROM files "
                             "WHERE source = ? AND path = ? AND status = 'ok'",
                             (source, path)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    return IndexedFile(int(row[0]), int(row[1]), row[2], row[3]) if row else None
