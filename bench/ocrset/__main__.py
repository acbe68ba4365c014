"""`python -m bench.ocrset [--out DIR] [--seed N] [--groups a,b] [--limit N]`: write the set."""
from __future__ import annotations

import argparse
from pathlib import Path

from .build import DEFAULT_SEED, GROUPS, generate

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "out" / "ocrset"


def main() -> None:
    p = argparse.ArgumentParser(description="Generate the neutral OCR evaluation set.")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--groups", help="comma-separated subset of: " + ", ".join(GROUPS))
    p.add_argument("--limit", type=int, default=0, help="at most this many files per group")
    args = p.parse_args()
    groups = args.groups.split(",") if args.groups else None
    files = generate(args.out, args.seed, groups, args.limit)
    print(f"{len(files)} files in {args.out}")


if __name__ == "__main__":
    main()
