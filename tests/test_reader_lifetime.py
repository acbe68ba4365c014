"""A reader stays open until the last search using it ends: searches from several threads never
fail while a run commits every few records and a rebuild swaps a new index in."""
import threading

import pytest
from test_writer import corpus_of

from conftest import make_settings
from indexer.build.run import run_index
from indexer.search.archive import Archive, SearchRequest

pytestmark = pytest.mark.slow
QUERIES = ("档案", "交通", "王建成", "编号0003", "人民政府")


def test_many_threads_search_through_small_commits_and_rebuild_swaps(tmp_path):
    corpus = corpus_of(tmp_path, 12)
    index_dir = tmp_path / "d" / "index"
    settings = make_settings(index_dir, corpus, index={"dir": str(index_dir), "commit_every": 2})
    run_index(settings, workers=2)
    archive = Archive(index_dir, settings.search)
    changed: set[str] = set()  # records of these files are replaced while the readers run
    errors: list[str] = []
    answers = [0]
    stop = threading.Event()

    def search_forever(n: int):
        i = n
        while not stop.is_set():
            q = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                result = archive.search(SearchRequest(q=q, size=20, clearance="绝密"))
                for hit in result.hits:  # read as the record page does, a moment later
                    if hit.fields["path"] not in changed:
                        archive.record(hit.fields["id"], "绝密")
                answers[0] += 1
            except Exception as e:  # any failure a reader would see (a 500 in the web app)
                errors.append(f"{q}: {e!r}")

    def rewrite(boxes: range, word: str):
        for n in boxes:
            for name in ("公安/2019/ocr.txt", "文书/2019/zongjie.txt"):
                changed.add(f"box{n:02d}/{name}")
                path = corpus / f"box{n:02d}" / name
                path.write_text(f"{word}：第{n}盒档案交通人民政府", encoding="utf-8")

    readers = [threading.Thread(target=search_forever, args=(n,)) for n in range(4)]
    for t in readers:
        t.start()
    try:
        rewrite(range(0, 6), "改写")
        run_index(settings, workers=2)  # 12 updates, a commit every 2 records, merges
        run_index(settings, workers=2, rebuild=True)  # a new folder swapped in
        rewrite(range(6, 12), "再改")
        run_index(settings, workers=2)
        run_index(settings, workers=2, rebuild=True)
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert errors == [], errors[:5]
    assert answers[0] > 20
    assert archive.search(SearchRequest(q="再改", size=5, clearance="绝密")).total == 12
    archive.close()
