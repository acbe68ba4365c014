"""Files and folders only their owner may read (0600 / 0700): everything dangan stores (the
index, thumbnails, OCR cache, accounts, the register) holds record text or secrets."""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("dangan.web")


def private_dir(path: Path) -> Path:
    """Make `path` and its missing parents with mode 0700 (Path.mkdir gives parents the
    default mode); an existing folder is left as it is."""
    missing = [path]
    while not path.exists():
        path = path.parent
        missing.append(path)
    for folder in reversed(missing):  # an existing file in the way: FileExistsError
        folder.mkdir(mode=0o700, exist_ok=True)
    return missing[0]


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
