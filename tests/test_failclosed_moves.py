"""Fail closed where a file's 密级 is unclear: a file whose 密级 came from its catalog row keeps it
when it is renamed (its row no longer names it), in later runs too; a sidecar's level does not
stand in for a catalog that cannot be read."""
from __future__ import annotations

from conftest import make_settings

from indexer.build.run import run_index
from indexer.search.archive import Archive, SearchRequest

CATALOG = "文件,题名,密级\nsecret.txt,关于赤松计划的报告,秘密\n"


def _levels(settings) -> dict[str, tuple[str, list[str]]]:
    archive = Archive(settings.index.dir, settings.search)
    try:
        hits = archive.search(SearchRequest(q="赤松计划", clearance="绝密", size=10)).hits
        out = {}
        for h in hits:
            record = archive.record(h.fields["id"], "绝密")
            out[record["path"]] = (record["security"], record["meta"].get("warnings") or [])
        return out
    finally:
        archive.close()


def test_a_renamed_file_keeps_the_level_its_catalog_row_gave(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "secret.txt").write_text("关于赤松计划的报告\n赤松计划由三个部分组成。\n",
                                       encoding="utf-8")
    (corpus / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    assert _levels(settings) == {"secret.txt": ("秘密", [])}
    (corpus / "secret.txt").rename(corpus / "notice.txt")  # its row names a file now gone
    assert run_index(settings).moved == 1
    (level, warnings), = [v for k, v in _levels(settings).items() if k == "notice.txt"]
    assert level == "秘密" and any("移来" in w and "秘密" in w for w in warnings)
    anonymous = Archive(settings.index.dir, settings.search)
    try:
        assert anonymous.search(SearchRequest(q="赤松计划", clearance="内部")).total == 0
    finally:
        anonymous.close()
    # a later edit of the folder's catalog (a metadata update of the file) keeps it too
    (corpus / "catalog.csv").write_text(CATALOG + "notice.txt,一份通知,\n", encoding="utf-8")
    run_index(settings)
    assert _levels(settings)["notice.txt"][0] == "秘密"
    # and a rebuild, which reads every file afresh, keeps what the move kept
    assert not run_index(settings, rebuild=True).failed
    (level, warnings), = [v for k, v in _levels(settings).items() if k == "notice.txt"]
    assert level == "秘密" and any("移来" in w and "secret.txt" in w for w in warnings)
    assert run_index(settings).unchanged == 1 and _levels(settings)["notice.txt"][0] == "秘密"
    # changed content at that place is a new file: its own catalog row and text decide
    (corpus / "notice.txt").write_text("一份普通的通知，提到赤松计划。\n", encoding="utf-8")
    run_index(settings, rebuild=True)
    assert _levels(settings)["notice.txt"][0] == "内部"


def test_a_sidecar_cannot_settle_a_level_an_unreadable_catalog_may_raise(tmp_path):
    """A catalog that cannot be read may give a file a higher 密级 than its sidecar does: the
    file fails (not searchable) unless its sidecar or a mark in its text gives 绝密, which
    nothing could raise."""
    import json

    corpus = tmp_path / "corpus"
    (corpus / "f").mkdir(parents=True)
    (corpus / "f/catalog.csv").write_text("文件,密级,密級\nlow.txt,秘密,秘密\n", encoding="utf-8")
    for name, level in (("low.txt", "公开"), ("top.txt", "绝密")):
        (corpus / "f" / name).write_text(f"关于赤松计划的报告（{name}）\n", encoding="utf-8")
        (corpus / "f" / f"{name}.json").write_text(json.dumps({"密级": level}), encoding="utf-8")
    (corpus / "f/marked.txt").write_text("绝密★启用前\n关于赤松计划的报告\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    summary = run_index(settings)
    failed = dict(summary.failed)
    assert set(failed) == {"corpus/f/low.txt"} and "密级不明" in failed["corpus/f/low.txt"]
    assert "公开" in failed["corpus/f/low.txt"]  # says why the sidecar's level is not enough
    assert {k: v[0] for k, v in _levels(settings).items()} == {"f/top.txt": "绝密",
                                                                "f/marked.txt": "绝密"}


def test_a_renamed_file_too_big_to_hash_while_planning_keeps_its_level(tmp_path, monkeypatch):
    """Files over PLAN_HASH_MAX (512 MB) are not hashed while planning, so a rename was not seen
    as a move: a plain `mv` of a 600 MB 秘密 file dropped it to 内部. A file of the size and
    modification time of one just gone is taken as moved (what a rename keeps)."""
    from indexer.build import plan

    monkeypatch.setattr(plan, "PLAN_HASH_MAX", 16)  # (these few bytes stand for 600 MB)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "secret.txt").write_text("关于赤松计划的报告\n赤松计划由三个部分组成。\n",
                                       encoding="utf-8")
    (corpus / "other.txt").write_text("另一份普通的通知，长度不同。\n", encoding="utf-8")
    (corpus / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    (corpus / "secret.txt").rename(corpus / "renamed.txt")
    summary = run_index(settings)
    assert summary.moved == 1 and summary.added == 0
    (level, warnings), = [v for k, v in _levels(settings).items() if k == "renamed.txt"]
    assert level == "秘密" and any("移来" in w for w in warnings)
