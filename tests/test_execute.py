"""The array executor's ordering: pages of a ranked list are consistent slices of one order."""
import numpy as np

from indexer.search.execute import top_by_date, top_by_score


def test_top_by_score_is_one_order_for_every_limit():
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(30, 300))
        score = rng.integers(0, 4, size=n).astype(np.float64)  # many ties
        candidates = np.sort(rng.choice(10_000, size=n, replace=False)).astype(np.int64)
        full = top_by_score(score, candidates, n)
        assert [d for _s, d in full] == sorted(candidates.tolist(),
                                               key=lambda d: (-score[candidates.tolist().index(d)], d))
        for limit in (1, 7, 20, n // 2):
            assert top_by_score(score, candidates, limit) == full[:limit]


def test_top_by_date_newest_first_and_oldest_first_with_undated_last():
    class Arrays:
        def numbers(self, field):
            return np.array([20190101, 0, 20210315, 20190101, 19980101], dtype=np.int64)

    candidates = np.arange(5, dtype=np.int64)
    newest = [d for _s, d in top_by_date(Arrays(), candidates, 5, newest_first=True)]
    oldest = [d for _s, d in top_by_date(Arrays(), candidates, 5, newest_first=False)]
    assert newest == [2, 0, 3, 4, 1]
    assert oldest == [4, 0, 3, 2, 1]


def test_union_of_sorted_docnums_is_their_sorted_distinct_set():
    from indexer.search.execute import union
    rng = np.random.default_rng(5)
    for _ in range(200):
        parts = [np.unique(rng.integers(0, 500, rng.integers(0, 60))).astype(np.int64)
                 for _ in range(rng.integers(0, 5))]
        expected = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        assert union(parts).tolist() == expected.tolist()
