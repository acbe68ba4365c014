"""The names an archive knows, across commits: a search after a commit must know the names of
the records just added and forget those of records removed — per clearance, never offering a
withheld record's names — although most of what was known is carried over, not looked up
again."""
from __future__ import annotations

from conftest import make_settings

from indexer.build.run import run_index
from indexer.search import execute
from indexer.search.archive import Archive, SearchRequest

HEADER = "文件,题名,责任者,文号,日期,密级,人员\n"
ROWS = {
    "a.txt": ("档案工作总结\n欧阳建明同志负责档案室日常管理。\n",
              "a.txt,档案工作总结,新塘桥镇人民政府,,2019-01-01,公开,欧阳建明\n"),
    "b.txt": ("会议纪要\n司马秀英同志参加会议，研究档案工作。\n",
              "b.txt,会议纪要,新塘桥镇人民政府,,2019-02-01,公开,司马秀英\n"),
    "c.txt": ("工作简报\n诸葛卫东同志到村检查档案工作。\n",
              "c.txt,工作简报,新塘桥镇人民政府,,2019-03-01,公开,诸葛卫东\n"),
}
ADDED = {
    "d.txt": ("工作简报\n上官文华同志到村检查档案工作。\n",
              "d.txt,工作简报,新塘桥镇人民政府,,2019-04-01,公开,上官文华\n"),
    "s.txt": ("关于审查的报告\n东方明亮同志参加审查工作。\n",
              "s.txt,关于审查的报告,国家安全委员会,,2019-05-01,机密,东方明亮\n"),
}


def _write(corpus, rows):
    """The records' files; the catalog lists every record of both runs from the start (a
    catalog naming new people changes the segmenter's words, and so every record)."""
    for name, (text, _row) in rows.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "catalog.csv").write_text(
        HEADER + "".join(r for _t, r in {**ROWS, **ADDED}.values()), encoding="utf-8")


def _offered(archive, typed, clearance):
    return {c.text for c in archive.suggest(typed, clearance)}


def test_names_follow_the_records_across_commits(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write(corpus, ROWS)
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    archive = Archive(settings.index.dir, settings.search)
    try:
        assert "司马秀英" in _offered(archive, "司马", "公开")
        assert "欧阳建明" in _offered(archive, "ouyang", "公开")
        # a commit: one record removed, one added, one withheld record added
        (corpus / "b.txt").unlink()
        _write(corpus, {k: v for k, v in {**ROWS, **ADDED}.items() if k != "b.txt"})
        assert not run_index(settings).failed
        lookups = []
        real = execute.docs
        monkeypatch.setattr(execute, "docs", lambda *a, **k: lookups.append(a[1]) or real(*a, **k))
        assert "上官文华" in _offered(archive, "shangguan", "公开")  # added
        # (that first search after the commit built the 公开 lexicon: names whose record is
        # still there were not looked up again, the new record's were)
        built = [repr(node) for node in lookups]
        assert not any("'欧阳'" in n and "'建明'" in n for n in built)
        assert any("'上官'" in n and "'文华'" in n for n in built)
        assert "司马秀英" not in _offered(archive, "司马", "公开")  # removed
        assert "欧阳建明" in _offered(archive, "ouyang", "公开")  # still there
        assert "东方明亮" not in _offered(archive, "dongfang", "公开")  # withheld
        assert "东方明亮" in _offered(archive, "dongfang", "机密")
        found = archive.search(SearchRequest(q="上官文化", clearance="公开"))
        assert [h.fields["path"] for h in found.hits] == ["d.txt"]
        assert found.hits[0].match == "approximate" and found.hits[0].variants == ("上官文华",)
    finally:
        archive.close()
