"""Where each corpus root lives, remembered beside the index (records name a root + a path)."""
from __future__ import annotations

import json
from pathlib import Path

SOURCES_FILE = "sources.json"


def write_sources(index_dir: Path, sources: dict[str, Path]) -> None:
    known = read_sources(index_dir)
    known.update({name: str(path) for name, path in sources.items()})
    (index_dir / SOURCES_FILE).write_text(json.dumps(known, ensure_ascii=False, indent=1),
                                          encoding="utf-8")


def read_sources(index_dir: Path) -> dict[str, str]:
    try:
        return json.loads((index_dir / SOURCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
