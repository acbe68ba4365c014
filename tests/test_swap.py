"""A rebuilt index is swapped in atomically: the index folder is never missing, not even for
the moment between two renames."""
import threading

from indexer.build.run import _swap, exchange


def test_two_folders_are_exchanged_in_one_step(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "which").write_text("a")
    (b / "which").write_text("b")
    assert exchange(a, b)  # Linux file systems used here support it
    assert (a / "which").read_text() == "b" and (b / "which").read_text() == "a"


def test_the_index_folder_is_never_missing_during_swaps(tmp_path):
    current = tmp_path / "index"
    current.mkdir()
    (current / "gen").write_text("0")
    missing, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            if not (current / "gen").exists():
                missing.append(1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for n in range(1, 300):
            new = tmp_path / "index.new"
            new.mkdir()
            (new / "gen").write_text(str(n))
            _swap(new, current)
    finally:
        stop.set()
        watcher.join()
    assert (current / "gen").read_text() == "299"
    assert not (tmp_path / "index.new").exists() and not (tmp_path / "index.old").exists()
    assert missing == []
