"""Forgiving search under clearance: two archives, one with withheld records and one without,
must give a 公开 reader the same answers — hits, variants, suggestions, totals, facets and
completions — so nothing of a withheld record (its names, its words) shapes what they see."""
from __future__ import annotations

import pytest
from conftest import make_settings

from indexer.build.run import run_index
from indexer.search.archive import Archive, SearchRequest

PUBLIC = {
    "p/a.txt": "档案员任命通知\n赵密仁同志任档案员，负责档案保密工作。\n",
    "p/b.txt": "工作总结\n李卫东负责保密工作，王建成负责交通安全管理。\n",
    "p/c.txt": "会议纪要\n孙觉民同志参加会议，研究档案工作。\n",
    # a word more records hold than variant_threshold: searched loosely only if it named someone
    **{f"p/m{i}.txt": "馆藏通报\n" + "档案馆开放查阅。" * (i + 1) + "档案室整理案卷。" * (11 - i)
       + "档案局检查。\n" for i in range(11)},  # (each word held apart times: no scores tie)
}
# many secret names starting 赵密 (sorted before 赵密仁), 赵密德 one character from 赵密仁, and
# characters following 保 in more records than 保密 is in
CROWD = "".join(chr(0x4E00 + k) for k in range(40))
SECRET = {
    f"s/x{i}.txt": "关于孙绝密同志的审查报告\n孙绝密同志、赵密德同志参加。"
                   + "".join(f"保{c}；" for c in CROWD[:8]) + "\n"
    for i in range(3)
}
HEADER = "文件,题名,责任者,文号,日期,密级,人员\n"
PUBLIC_ROWS = ("p/a.txt,档案员任命通知,当阳市档案局,,2019-01-01,公开,赵密仁\n"
               "p/b.txt,工作总结,新塘桥镇人民政府,,2019-02-01,公开,李卫东；王建成\n"
               "p/c.txt,会议纪要,新塘桥镇人民政府,,2019-03-01,公开,孙觉民\n")
SECRET_ROWS = "".join(
    f"{path},关于孙绝密同志的审查报告,国家安全特别委员会,特密发〔2020〕{i + 1}号,2020-01-01,机密,"
    + "；".join(["孙绝密", "赵密德", *(f"赵密{c}" for c in CROWD)]) + "\n"
    for i, path in enumerate(SECRET))
# a withheld record's catalog makes that word a name (its 责任者, a person in its 人员)
SECRET["s/y.txt"] = "内部通报\n档案管理工作情况。\n"
SECRET_ROWS += "s/y.txt,内部通报,档案馆,,2020-02-01,机密,档案室\n"

QUERIES = ["赵密德", "赵密仁", "孙绝密", "孙绝", "sunjuemi", "sjm", "zmd", "档案保家", "档案保密",
           "国家安全特别委", "特密发2020 1号", "保密工作", "孙觉民", "赵密德 OR 王建成",
           "档案馆", "档案室"]
PREFIXES = ["赵", "赵密", "孙", "孙绝", "zm", "zhao", "sj", "su", "特密", "国家", "保"]


def _archive(root, secret: bool) -> Archive:
    corpus = root / "corpus"
    for rel, text in {**PUBLIC, **(SECRET if secret else {})}.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text(text, encoding="utf-8")
    (corpus / "catalog.csv").write_text(HEADER + PUBLIC_ROWS + (SECRET_ROWS if secret else ""),
                                        encoding="utf-8")
    settings = make_settings(root / "data" / "index", corpus)
    assert not run_index(settings).failed
    return Archive(settings.index.dir, settings.search)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    without = _archive(tmp_path_factory.mktemp("without"), secret=False)
    with_ = _archive(tmp_path_factory.mktemp("with"), secret=True)
    yield without, with_
    without.close()
    with_.close()


def _seen(archive, q, clearance):
    result = archive.search(SearchRequest(q=q, size=50, clearance=clearance))
    return {"total": result.total, "exact": result.exact_total,
            "suggestions": result.suggestions, "notices": result.notices,
            "hits": [(h.fields["path"], h.score, h.match, h.variants,
                      [(s.text, s.spans) for s in h.snippets]) for h in result.hits],
            "facets": {k: [(f.value, f.count) for f in v] for k, v in result.facets.items()}}


@pytest.mark.parametrize("clearance", ["公开", "内部"])
@pytest.mark.parametrize("q", QUERIES)
def test_withheld_records_do_not_change_a_search(pair, q, clearance):
    without, with_ = pair
    assert _seen(with_, q, clearance) == _seen(without, q, clearance)


@pytest.mark.parametrize("typed", PREFIXES)
def test_withheld_records_do_not_change_completions(pair, typed):
    without, with_ = pair
    assert with_.suggest(typed, "公开") == without.suggest(typed, "公开")


def test_the_reader_cleared_for_them_still_gets_them(pair):
    _without, with_ = pair
    assert "赵密德" in [c.text for c in with_.suggest("zmd", "机密")]
    found = with_.search(SearchRequest(q="孙决密", clearance="机密", size=50))
    assert "孙绝密" in found.suggestions


@pytest.mark.parametrize("q", ["赵密仁", "孙觉民", "档案保家"])
def test_variants_kept_for_a_cleared_reader_are_not_given_to_another(pair, q):
    """A term's variants are kept with the index version per clearance: asked first by a
    机密 reader (who may see the withheld names), then by a 公开 one, the second still gets
    the answer of an archive without the withheld records."""
    without, with_ = pair
    with_.search(SearchRequest(q=q, size=50, clearance="机密"))
    assert _seen(with_, q, "公开") == _seen(without, q, "公开")
