"""The corrections a run applies, read so that a store which lost them stops the run: a
record's corrections (a raised 密级 among them) are never taken off because the store could
not be read or is another one."""
from __future__ import annotations

import sqlite3
from urllib.parse import quote

from ..config import Settings
from ..errors import ConfigError
from ..store.corrections import CORRECTIONS_FILE, Correction, current_all, held_any
from ..store.database import server_name
from ..store.manifest import MANIFEST_FILE


def corrections_in_force(settings: Settings) -> dict[tuple[str, str], tuple[Correction, ...]]:
    """Every file's corrections in force (`current_all`); ConfigError when the store holds no
    row at all while the index was built with corrections (`[database] url` changed, names an
    empty database, or the SQLite file is gone)."""
    url = settings.database.url
    fixes = current_all(settings.data_dir, url)
    if fixes:
        return fixes
    corrected = corrected_files(settings)
    if corrected and not held_any(settings.data_dir, url):
        where = (f"PostgreSQL server {server_name(url)}" if url
                 else str(settings.data_dir / CORRECTIONS_FILE))
        raise ConfigError(
            f"the index holds corrections (校对) of {corrected} file(s), but the corrections "
            f"store ({where}) holds none: [database] url names another or an empty database, "
            "or the store was moved. Not indexing: that would take the corrections off, a "
            "raised 密级 among them. Point [database] url at the store the corrections were "
            "made in (when moving from SQLite to PostgreSQL, copy corrections.sqlite's rows "
            "into it first) and run again.")
    return fixes


def corrected_files(settings: Settings) -> int:
    """Files the current index was built with corrections applied to (their manifest
    signature carries the corrections' fingerprint)."""
    path = settings.index.dir / MANIFEST_FILE
    if not path.is_file():
        return 0
    db = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=60)
    try:
        return db.execute("SELECT count(*) FROM files WHERE meta_sig LIKE '%:%'").fetchone()[0]
    except sqlite3.OperationalError:  # (no table yet)
        return 0
    finally:
        db.close()
