"""Writes indexer/analysis/radicals.tsv: the unified ideograph each CJK radical and stroke
stands for (Unicode's EquivalentUnifiedIdeograph.txt, from Debian's unicode-data package:
`tools/system-deps.sh radicals`). The normaliser folds them: a PDF's text layer that spells 民
as ⺠ (U+2EA0, CJK Radicals Supplement, which NFKC leaves alone) is then found by 民.

Usage: python tools/radicals.py [--source FILE] [--out FILE]
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/unicode/EquivalentUnifiedIdeograph.txt")
OUT = REPO / "indexer" / "analysis" / "radicals.tsv"
_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([0-9A-F]{4,6})")


def read(source: Path) -> dict[int, int]:
    """Code point → unified ideograph, ranges expanded."""
    table = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if m:
            first = int(m.group(1), 16)
            last = int(m.group(2) or m.group(1), 16)
            for cp in range(first, last + 1):
                table[cp] = int(m.group(3), 16)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.source.exists():
        raise SystemExit(f"{args.source} is missing: run tools/system-deps.sh radicals")
    table = read(args.source)
    rows = [f"{cp:04X}\t{chr(cp)}\t{chr(to)}" for cp, to in sorted(table.items())]
    header = f"# tools/radicals.py from {args.source.name}: code point, radical, ideograph"
    args.out.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    print(f"{len(rows)} radicals and strokes written to {args.out}")


if __name__ == "__main__":
    main()
