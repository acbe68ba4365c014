"""Files only their owner may read (mode 0600): the account store and the register."""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("dangan.web")


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 unless it exists; take group and other access away
    from one that has it (SQLite then gives its -wal and -shm files the same mode)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            try:
                path.chmod(0o600)
                log.warning("%s was readable by other users: made it 0600", path)
            except PermissionError:
                log.warning("%s is readable by other users and not ours to change", path)
    return path
