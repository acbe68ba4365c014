"""Index pages a process holds mapped (indexer.store.residency): let go past [search]
mapped_mb, the answers unchanged after; the posting cache sized by [search] cache_mb."""
import gc
from pathlib import Path

from test_mapped_postings import built

from indexer.config import SearchSettings
from indexer.search.archive import Archive, SearchRequest
from indexer.store.residency import MappedBound, file_resident_bytes, index_maps
from indexer.store.schema import write_stamp

QUERIES = ["王建成", "档案保密", "乡镇档案", "新政发〔2019〕3号", "档案"]


def mapped_rss(folder: Path) -> int:
    """Bytes of this process's resident pages of files under `folder` (/proc/self/smaps)."""
    total, inside = 0, False
    root = str(folder.resolve())
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as f:
        for line in f:
            head = line.split()
            if head and "-" in head[0] and len(head) >= 5:  # a mapping's first line
                inside = len(head) >= 6 and head[5].startswith(root)
            elif inside and line.startswith("Rss:"):
                total += int(head[1]) * 1024
    return total


def answers(archive):
    return {q: [h.fields["id"] for h in archive.search(
        SearchRequest(q=q, clearance="绝密", size=50)).hits] for q in QUERIES}


def forget(archive) -> None:
    """Empty the version's cache (alignments, hits, postings kept for searches asked again)."""
    with archive.pinned() as (_s, arrays):
        arrays._cache.clear()


def test_mapped_pages_are_let_go_past_the_bound_and_answers_stay(tmp_path):
    built(tmp_path, n=60)
    write_stamp(tmp_path)
    gc.collect()  # the writer's own readers (their maps are not the archive's)
    archive = Archive(tmp_path, SearchSettings(mapped_mb=1))
    archive._bound.limit = 2**40  # far beyond what this index holds
    expected = answers(archive)
    assert any(expected.values())
    with archive.pinned() as (_s, arrays):
        maps = arrays.mapped_files()
        assert maps and len(maps) == len({id(m) for m in maps})
        assert len(index_maps(arrays.leaves, arrays.maps)) == len(maps)
    assert mapped_rss(tmp_path) > 0  # the searches touched pages of the index,
    assert archive._bound.releases == 0  # less than the bound: kept
    archive._bound.limit = 1  # a byte: every call now passes it
    archive._bound.floor = 0
    forget(archive)  # (what the searches kept: asked again, they read the index again)
    assert answers(archive) == expected
    assert archive._bound.releases >= len(QUERIES)
    assert mapped_rss(tmp_path) == 0  # let go after the last search
    forget(archive)
    assert answers(archive) == expected  # read again through the same maps
    archive.close()


def test_a_bound_of_zero_keeps_every_page(tmp_path):
    built(tmp_path, n=60)
    write_stamp(tmp_path)
    archive = Archive(tmp_path, SearchSettings(mapped_mb=0))
    archive._bound.floor = -10**12  # as if far past any bound
    answers(archive)
    assert archive._bound.releases == 0 and mapped_rss(tmp_path) > 0
    archive.close()


def test_the_bound_counts_from_its_floor_and_zero_never_releases():
    held = [100]

    class Map:
        def __init__(self):
            self.advised = 0

        def madvise(self, option):
            self.advised += 1
            held[0] = 40

    m = Map()
    bound = MappedBound(50, resident=lambda: held[0])
    assert bound.floor == 100
    held[0] = 150
    assert not bound.check([m]) and m.advised == 0  # 50 past the floor: not beyond
    held[0] = 151
    assert bound.check([m]) and m.advised == 1 and bound.releases == 1
    assert bound.floor == 40  # what was left after the release
    held[0] = 80
    assert not bound.check([m])
    off = MappedBound(0, resident=lambda: 10**12)
    assert not off.check([m]) and m.advised == 1
    assert file_resident_bytes() > 0


def test_the_cache_is_sized_by_the_setting(tmp_path):
    built(tmp_path, n=20)
    write_stamp(tmp_path)
    archive = Archive(tmp_path, SearchSettings(cache_mb=3))
    with archive.pinned() as (_s, arrays):
        assert arrays.cache_bytes == 3 * 2**20 and arrays._cache.maxsize == 3 * 2**20
    archive.close()


def test_one_long_call_stays_within_the_bound_too(tmp_path):
    """The bound is checked after each read of the index inside a call, not only at its end."""
    built(tmp_path, n=60)
    write_stamp(tmp_path)
    archive = Archive(tmp_path, SearchSettings(mapped_mb=1))
    with archive.pinned() as (_s, arrays):
        assert arrays.bound is archive._bound
        archive._bound.limit, archive._bound.floor = 1, 0
        before = archive._bound.releases
        arrays.postings("text_ng", "档案")  # a read (a cache miss): checked at once
        assert archive._bound.releases == before + 1
        arrays.postings("text_ng", "档案")  # cached: nothing read, nothing checked
        assert archive._bound.releases == before + 1
        found = arrays.occurs_at("text_ng", "档案", *arrays.positions("text_ng", "档案"))
        assert found.all() and archive._bound.releases >= before + 2
    archive.close()
