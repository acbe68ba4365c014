"""Entry point: `python -m bench.corrections [--n 2000] [--edits 30]` — how long a correction
takes to be searchable.

Over an index of the synthetic corpus (built with the real `dangan index`), through Flask's test
client in one process (the server's own work, without the network), an 编辑 with an API token
corrects records one after another: a 人员 value holding a new name (PATCH), then a page text
holding another (PUT), each followed at once by a search for the new word, which must find the
record (it counts as "searchable" only then). Reverts are timed the same way. The time of a
change includes storing it, its audit row and rewriting the record in the index (delete, add,
commit, manifest row). Progress goes to stderr, the table to stdout. It never asserts.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from indexer.config import load_settings

from .corpus import ensure_corpus
from .progress import say
from .report import aligned
from .web import OUT, REPO, build_index, pct

EDITOR = "bench-editor"
HAN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.corrections",
                                description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=2000, help="records in the corpus (default 2000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--edits", type=int, default=30, help="records corrected (default 30)")
    p.add_argument("--seeds", type=Path, default=Path("../shared/seeds"),
                   help="seed texts used when corpus/ is missing (relative to the repo root)")
    return p.parse_args(argv)


def make_app(config: Path):
    from search_app.app import create_app

    app = create_app(load_settings(config))
    accounts = app.extensions["dangan.accounts"]
    if accounts.get(EDITOR) is None:
        accounts.add(EDITOR, "bench password", "编辑", "绝密")
    _token, secret = app.extensions["dangan.tokens"].create(EDITOR, 1)
    return app, {"Authorization": f"Bearer {secret}"}


def word(rng: random.Random) -> str:
    return "校" + "".join(rng.choice(HAN) for _ in range(5))


def timed(client, headers, method: str, url: str, body, q: str, found: bool
          ) -> tuple[float, float]:
    """(seconds of the change, seconds until a search for `q` answers as expected)."""
    started = time.perf_counter()
    r = getattr(client, method)(url, json=body, headers=headers)
    changed = time.perf_counter() - started
    if r.status_code != 200 or not r.get_json()["applied"]:
        raise SystemExit(f"{method} {url}: HTTP {r.status_code} {r.get_data(as_text=True)[:300]}")
    hits = client.get("/api/search", query_string={"q": f'"{q}"'}, headers=headers).get_json()
    if (hits["exact_total"] > 0) != found:
        raise SystemExit(f"after {method} {url}: a search for {q} found {hits['exact_total']}")
    return changed, time.perf_counter() - started


def run(app, headers, edits: int, seed: int) -> dict[str, list[tuple[float, float]]]:
    rng = random.Random(seed)
    client = app.test_client()
    listing = client.get("/api/search", query_string={"size": 1000}, headers=headers).get_json()
    records = rng.sample([h["id"] for h in listing["hits"]], min(edits, len(listing["hits"])))
    out: dict[str, list[tuple[float, float]]] = {k: [] for k in (
        "PATCH 人员", "PUT page 1 text", "DELETE page text (revert)",
        "DELETE field correction (revert)")}
    for i, rid in enumerate(records, 1):
        say(f"record {i}/{len(records)}")
        name, text_word = word(rng), word(rng)
        out["PATCH 人员"].append(timed(client, headers, "patch", f"/api/records/{rid}",
                                     {"persons": name, "note": "bench"}, name, True))
        page = client.get(f"/api/records/{rid}", headers=headers).get_json()["record"]
        first = page["page_list"][0]
        text = page["text"][first["start"]:first["end"]].rstrip("\f") + text_word
        out["PUT page 1 text"].append(timed(client, headers, "put",
                                            f"/api/records/{rid}/pages/1/text",
                                            {"text": text, "note": "bench"}, text_word, True))
        out["DELETE page text (revert)"].append(timed(
            client, headers, "delete", f"/api/records/{rid}/pages/1/text", None, text_word,
            False))
        out["DELETE field correction (revert)"].append(timed(
            client, headers, "delete", f"/api/records/{rid}/corrections/persons", None, name,
            False))
    return out


def render(times: dict[str, list[tuple[float, float]]]) -> str:
    table = [("change", "n", "change p50 ms", "change p95 ms", "searchable p50 ms",
              "searchable p95 ms")]
    for label, pairs in times.items():
        change, searchable = [a for a, _ in pairs], [b for _, b in pairs]
        table.append((label, str(len(pairs)), f"{pct(change, 50) * 1000:.0f}",
                      f"{pct(change, 95) * 1000:.0f}", f"{pct(searchable, 50) * 1000:.0f}",
                      f"{pct(searchable, 95) * 1000:.0f}"))
    return "\n".join(aligned(table))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    seeds = args.seeds if args.seeds.is_absolute() else REPO / args.seeds
    corpus = ensure_corpus(OUT, args.n, args.seed, REPO, seeds)
    config = build_index(OUT / f"corrections-{args.n}", [corpus.root])
    app, headers = make_app(config)
    times = run(app, headers, args.edits, args.seed)
    print(f"dangan corrections bench: {args.n} synthetic records, {args.edits} records "
          "corrected, Flask test client in one process; 'searchable': from sending the change "
          "to a search that finds (or, after a revert, no longer finds) the new word")
    print(render(times))


if __name__ == "__main__":
    main()
