"""Which dangan code was measured: the git commit, and whether its code had local changes."""
from __future__ import annotations

import subprocess
from pathlib import Path

CODE_DIRS = ("indexer", "search_app", "ocr")


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                              timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def code_version(repo: Path) -> str:
    """`<short commit>` or `<short commit>+changes` (uncommitted edits in the code folders)."""
    commit = _git(repo, "rev-parse", "--short", "HEAD") or "unknown"
    changed = _git(repo, "status", "--porcelain", "--", *CODE_DIRS)
    return commit + ("+changes" if changed else "")
