"""The parallel pipeline and the single writer: worker-side analysis gives exactly the postings
the schema's analyzers give, and an index written in many batches, by a process pool, finds
the same records as one written in one go."""
import random

import pytest
from conftest import RECORDS, make_settings, top_request, write_corpus
from whoosh import index as whoosh_index

from indexer.analysis.postings import Postings
from indexer.analysis.words import analyzer_for
from indexer.build.prepare import NGRAM_FIELDS, WORD_FIELDS, analyse
from indexer.build.run import run_index
from indexer.search.archive import Archive, SearchRequest
from indexer.store.schema import build_schema

TEXTS = [text for text, _enc in RECORDS.values()] + [
    "中华人民共和国国务院", "新政发〔2019〕3号", "鄉(xiāng)鎮(zhèn)檔案館", "王 小 明", "", "ABC 123 档案",
]
QUERIES = ["王建成", "档案保密", "人民共和国", "小明", "3号", "檔案", "道路交通安全", "乡镇", "保平安",
           "title:总结", "卜剑平 OR 李秀英"]


@pytest.mark.parametrize("text", TEXTS)
def test_worker_postings_equal_the_schema_analyzers(text):
    analyzer = analyzer_for(["卜剑平", "道路交通安全"])
    schema = build_schema(analyzer)
    fields = {name: text for name in WORD_FIELDS + NGRAM_FIELDS}
    postings = analyse(fields, analyzer)
    for name in WORD_FIELDS + NGRAM_FIELDS:
        expected = sorted(schema[name].index(text))
        assert sorted(postings[name].items() if name in postings else []) == expected, name


def corpus_of(tmp_path, copies: int):
    """The fixture corpus, copied into `copies` folders with a distinct line each."""
    root = tmp_path / "many"
    for n in range(copies):
        box = write_corpus(root / f"box{n:02d}")
        for rel, (_text, encoding) in RECORDS.items():
            line = f"\n編號{n:04d}\n" if encoding == "big5" else f"\n编号{n:04d}\n"
            if "tongzhi" in rel:
                line += f"第{n}盒附注\n"
            path = box / rel
            path.write_bytes(path.read_bytes() + line.encode(encoding))
    return root


def results(settings, query):
    archive = Archive(settings.index.dir)
    try:
        hits = archive.search(top_request(q=query, size=1000, facets=False)).hits
        return sorted(h.fields["path"] for h in hits)
    finally:
        archive.close()


def test_pool_and_batches_find_what_one_process_finds(tmp_path):
    corpus = corpus_of(tmp_path, 12)  # 72 files: the pool is used with 2 workers
    one = make_settings(tmp_path / "one" / "index", corpus)
    many = make_settings(tmp_path / "many" / "index", corpus,
                         index={"dir": str(tmp_path / "many" / "index"), "commit_every": 5})
    first = run_index(one, workers=1)
    second = run_index(many, workers=2)
    assert first.added == second.added == 72 and not second.failed
    assert first.commits == 1 and second.commits > 10
    ix = whoosh_index.open_dir(many.index.dir)
    # the last commit merged small segments, within one batch's worth of records
    assert len(ix._segments()) < second.commits
    for query in QUERIES + ["编号0007", "第3盒附注"]:
        found = results(many, query)
        assert found == results(one, query), query
        assert found, query
    assert len(results(many, "编号0007")) == 6  # one box: its 6 files, each once


def test_update_after_batches_replaces_each_record_once(tmp_path):
    corpus = corpus_of(tmp_path, 3)
    settings = make_settings(tmp_path / "d" / "index", corpus,
                             index={"dir": str(tmp_path / "d" / "index"), "commit_every": 2})
    run_index(settings, workers=2)
    target = corpus / "box01" / "公安/2019/ocr.txt"
    target.write_text("改写后的内容：赵铁柱负责档案", encoding="utf-8")
    summary = run_index(settings, workers=2)
    assert (summary.updated, summary.added, summary.unchanged) == (1, 0, 17)
    assert results(settings, "赵铁柱") == ["box01/公安/2019/ocr.txt"]
    assert "box01/公安/2019/ocr.txt" not in results(settings, "王小明")
    assert len(results(settings, "王小明")) == 2


def test_searches_never_fail_during_commits_and_a_rebuild_swap(tmp_path):
    import threading

    corpus = corpus_of(tmp_path, 10)
    index_dir = tmp_path / "d" / "index"
    settings = make_settings(index_dir, corpus, index={"dir": str(index_dir), "commit_every": 3})
    run_index(settings, [corpus / "box00"], workers=1)
    archive = Archive(index_dir)
    errors, totals, stop = [], [], threading.Event()

    def search_forever():
        while not stop.is_set():
            try:
                totals.append(archive.search(top_request(q="档案", size=5)).total)
            except Exception as e:  # any failure a reader would see
                errors.append(repr(e))

    reader = threading.Thread(target=search_forever)
    reader.start()
    try:
        run_index(settings, workers=2)  # many small commits, then the final merge
        run_index(settings, workers=2, rebuild=True)  # a new folder swapped in
        run_index(settings, workers=2, rebuild=True)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert len(totals) > 10 and min(totals) >= 3  # never an empty or broken answer
    # 3 records per box; a deleted or merged-away record is never counted
    assert archive.search(top_request(q="档案", size=5)).total == max(totals) == 30
    archive.close()


def test_deleted_records_leave_hits_totals_and_facets(tmp_path):
    import os

    corpus = write_corpus(tmp_path / "c")
    settings = make_settings(tmp_path / "d" / "index", corpus)
    run_index(settings)
    os.remove(corpus / "公安/2021/big5.txt")  # 公开, 公安, 2021: deleted in place, not merged
    run_index(settings)
    ix = whoosh_index.open_dir(settings.index.dir)
    with ix.reader() as r:
        assert r.has_deletions()
    archive = Archive(settings.index.dir)
    result = archive.search(top_request(q="交通", size=20))
    assert "公安/2021/big5.txt" not in [h.fields["path"] for h in result.hits]
    assert result.total == len(result.hits) == 2
    facets = {f: {v.value: v.count for v in values} for f, values in result.facets.items()}
    assert facets["category"] == {"文书": 1, "公安": 1}
    assert archive.search(top_request(q="大隊")).total == 0
    archive.close()


def test_pages_read_by_a_remote_worker_are_kept_by_the_writer(tmp_path):
    """A worker on another host sends the pages it OCR'd back with the record; the writer's
    own cache keeps them, so this machine never reads that scan again."""
    from ocr_images import text_image

    from indexer.build.plan import Job
    from indexer.build.prepare import WorkerSetup, prepare
    from indexer.ingest.ocrcache import OcrRunner
    from ocr.settings import OcrSettings
    from indexer.build.corpus import discover

    folder = tmp_path / "scans"
    folder.mkdir()
    text_image(["档案保密工作"]).save(folder / "page.png", dpi=(300, 300))
    file = discover([folder]).files[0]
    remote = WorkerSetup(ocr=OcrSettings(), cache_dir=tmp_path / "worker-cache", return_ocr=True)
    done = prepare(Job("new", file, ""), remote)
    assert done.error is None and done.ocr_pages == 1 and len(done.ocr_cache) == 1
    assert "档案保密" in done.fields["text"].replace(" ", "")
    home = OcrRunner(OcrSettings(), tmp_path / "writer-cache")
    home.store(done.ocr_cache)

    def must_not_render():
        raise AssertionError("the page was OCR'd again")

    again = home.page(done.digest, 0, must_not_render)
    assert again.text == done.ocr_cache[0][1].text and home.hits == 1
    local = WorkerSetup(ocr=OcrSettings(), cache_dir=tmp_path / "worker-cache")
    assert prepare(Job("new", file, ""), local).ocr_cache == []  # local workers share the cache
    home.close()


def test_a_readers_scores_are_those_of_an_index_of_what_they_may_see(tmp_path):
    """Relevance statistics (document frequencies, average lengths) count only the records
    the reader may see: a 公开 reader's scores equal those from an index holding only the
    公开 records, so no score reveals how many hidden records contain a word."""
    import shutil

    full = write_corpus(tmp_path / "a" / "c")
    public = write_corpus(tmp_path / "b" / "c")
    everything = make_settings(tmp_path / "a" / "index", full)
    run_index(everything)
    archive = Archive(everything.index.dir)
    hidden = [h.fields["path"] for h in archive.search(top_request(q="", size=100)).hits
              if h.fields["security"] != "公开"]
    assert hidden
    for rel in hidden:
        (public / rel).unlink()
    shutil.copy(full / "catalog.csv", public / "catalog.csv")
    only_public = make_settings(tmp_path / "b" / "index", public)
    run_index(only_public)
    small = Archive(only_public.index.dir)
    for q in ("档案", "交通安全", "工作总结", "王建成 OR 公安"):
        seen = {h.fields["path"]: h.score for h in
                archive.search(SearchRequest(q=q, size=100, clearance="公开")).hits}
        alone = {h.fields["path"]: h.score for h in small.search(top_request(q=q, size=100)).hits}
        assert seen == pytest.approx(alone), q
        assert seen, q
    archive.close()
    small.close()


POOL = ("档案王建成乡镇檔案館鄉著帐〇々" "\U00020001\U0002A701" "ABCxyzİß0123٣" "_-，。、 \n\t()（）"
        "ΑΩαω" "ＡＢ１２" "①" "\u3000")


@pytest.mark.parametrize("seed", range(40))
def test_array_ngrams_equal_the_tokenizer(seed):
    """The array-built n-gram postings of mixed-script text (CJK, extension B, Latin, digits,
    Greek, full-width forms, underscores, punctuation, spaces) equal what the schema's n-gram
    analyzer indexes, gram for gram and position for position."""
    rng = random.Random(seed)
    text = "".join(rng.choice(POOL) for _ in range(rng.randint(0, 80)))
    field = build_schema()["text_ng"]
    assert sorted(analyse({"text_ng": text}, analyzer_for()).get("text_ng", Postings([], b"", b"", b"", 0))
                  .items()) == sorted(field.index(text)), text


def test_a_disk_full_during_a_background_commit_stops_the_run_and_a_rerun_completes(
        tmp_path, monkeypatch):
    """A batch is written in a background thread while the next one is received. When that
    write fails (the disk fills), the run stops with the error, the index lock is released,
    the failed batch's manifest rows are not saved, and the next run indexes exactly the
    records that were lost: each record once."""
    import errno

    import indexer.store.writer as writer

    corpus = corpus_of(tmp_path, 4)  # 24 files
    index_dir = tmp_path / "d" / "index"
    settings = make_settings(index_dir, corpus, index={"dir": str(index_dir), "commit_every": 5})
    real_write, calls = writer.PostingBuffer.write, []

    def write_until_the_disk_fills(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args)

    monkeypatch.setattr(writer.PostingBuffer, "write", write_until_the_disk_fills)
    with pytest.raises(OSError, match="No space left"):
        run_index(settings, workers=1)
    monkeypatch.setattr(writer.PostingBuffer, "write", real_write)
    kept = whoosh_index.open_dir(index_dir).doc_count()
    assert kept == 10  # the two batches committed before the failure
    summary = run_index(settings, workers=1)  # the lock was released; nothing to clear
    assert summary.added == 14 and not summary.failed
    assert whoosh_index.open_dir(index_dir).doc_count() == 24
    assert len(results(settings, "编号0002")) == 6  # one box's files, each once


class _Seg:
    def __init__(self, n):
        self.n = n

    def doc_count_all(self):
        return self.n


def test_merge_policy_is_tiered_and_bounded():
    from indexer.store.writer import MAX_SEGMENTS, MERGE_FACTOR, to_merge

    batches = [_Seg(1000) for _ in range(MERGE_FACTOR)]
    big = [_Seg(11_000) for _ in range(3)]
    # ten batch-sized segments: merged into the next commit's segment; bigger ones kept
    assert to_merge(big + batches, 1000, 1000, final=False) == big
    # fewer than ten of a size: an intermediate commit merges nothing
    assert to_merge(big + batches[:5], 1000, 1000, final=False) == big + batches[:5]
    # the final commit never starts a tier merge (it would keep the end of the run waiting)
    assert len(to_merge(big + batches, 1000, 1000, final=True)) >= len(big + batches) - 1
    # the final commit folds small leftovers of incremental runs, within one batch of records
    small = [_Seg(n) for n in (5, 3, 40, 7, 900, 2, 6, 4)]
    kept = to_merge(big + small, 0, 1000, final=True)
    assert len(kept) < MAX_SEGMENTS + 3 and all(s in kept for s in big)
    assert sum(s.n for s in big + small if s not in kept) <= 1000
    # one segment is never rewritten alone for nothing
    full = big + [_Seg(1000) for _ in range(5)]
    assert to_merge(full, 0, 1000, final=True) == full


def test_tiered_merges_keep_segments_few_and_find_what_one_process_finds(tmp_path):
    corpus = corpus_of(tmp_path, 12)  # 72 files
    one = make_settings(tmp_path / "one" / "index", corpus)
    many = make_settings(tmp_path / "many" / "index", corpus,
                         index={"dir": str(tmp_path / "many" / "index"), "commit_every": 2})
    run_index(one, workers=1)
    summary = run_index(many, workers=2)
    assert summary.commits >= 36
    segments = whoosh_index.open_dir(many.index.dir)._segments()
    assert len(segments) <= 12  # 36 batches: merged by tens, not kept one by one
    assert sum(s.doc_count() for s in segments) == 72
    for query in QUERIES + ["编号0007", "第3盒附注"]:
        assert results(many, query) == results(one, query), query
    # records deleted in merged segments stay deleted; replaced ones are found once
    for box in ("box03", "box07"):
        (corpus / box / "公安/2019/ocr.txt").write_text("改写：赵铁柱负责档案", encoding="utf-8")
    run_index(many, workers=2)
    run_index(one, workers=1)
    assert len(results(many, "赵铁柱")) == 2
    for query in QUERIES:
        assert results(many, query) == results(one, query), query
