"""Forgiving search, in Chinese: what clerks type that is not literally in the record still finds
it — labelled approximate, after every exact hit, saying what it was found by."""
from __future__ import annotations

import pytest
from conftest import archive_over, make_settings

from indexer.build.run import run_index
from indexer.search.archive import Archive, SearchRequest
from indexer.search.lexicon import short_forms, within_one
from indexer.search.variants import docnum_forms

RECORDS = {
    "a/zongjie.txt": "新塘桥镇2019年度档案工作总结\n由卜剑平负责档案室日常管理，王建成同志负责档案保密工作，"
                     "并抓好交通安全管理。\n",
    "a/ocr.txt": "档案移交清单\n经办人：王建戍（签字）\n移交单位：档案室\n",
    "a/other.txt": "工作简报\n王建国同志到村检查春耕生产。王建华同志参加。\n",
    "b/dangyang.txt": "关于开展档案执法检查的通知\n当档发〔2008〕7号\n各乡镇：现将有关事项通知如下。\n",
    "b/dangyang17.txt": "关于档案库房建设的批复\n当档发〔2008〕17号\n同意建设。\n",
    "b/banyue.txt": "半月镇人民政府关于计划生育工作的报告\n全镇计划生育工作稳步推进。\n",
    "b/dates.txt": "会议纪要\n二〇一六年七月二日召开会议，研究交通管理工作。\n",
    "b/dates2.txt": "情况汇报\n2008年7月2日发生交通事故一起。\n",
    "c/secret.txt": "关于钱学明同志任职的决定\n经研究，决定钱学明同志任档案局局长。\n",
}
CATALOG = (
    "文件,题名,责任者,文号,日期,密级,人员,备注\n"
    "a/zongjie.txt,2019年度档案工作总结,新塘桥镇人民政府,,2019-12-20,公开,卜剑平；王建成,\n"
    "a/ocr.txt,档案移交清单,新塘桥镇人民政府,,2019-05-01,公开,,\n"
    "b/dangyang.txt,关于开展档案执法检查的通知,当阳市档案局,当档发〔2008〕7号,2008-03-01,公开,,\n"
    "b/dangyang17.txt,关于档案库房建设的批复,当阳市档案局,当档发〔2008〕17号,2008-06-01,公开,,\n"
    "b/banyue.txt,关于计划生育工作的报告,半月镇人民政府,,2010-01-01,公开,,\n"
    "c/secret.txt,关于钱学明同志任职的决定,当阳市档案局,当档发〔2009〕1号,2009-01-01,机密,钱学明,\n"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    a = archive_over(tmp_path_factory, RECORDS, CATALOG, "forgiving")
    yield a
    a.close()


def search(archive, q, **kw):
    return archive.search(SearchRequest(q=q, size=50, clearance="绝密", **kw))


def exact(archive, q) -> set[str]:
    return {h.fields["path"] for h in search(archive, q).hits if h.match == "exact"}


def approximate(archive, q) -> dict[str, tuple[str, ...]]:
    return {h.fields["path"]: h.variants for h in search(archive, q).hits
            if h.match == "approximate"}


@pytest.mark.parametrize("typed, meant, path", [
    ("王建城", "王建成", "a/zongjie.txt"),      # a homophone typed for a known name
    ("卜建平", "卜剑平", "a/zongjie.txt"),
    ("档案保秘", "档案保密", "a/zongjie.txt"),
    ("交通安全管里", "交通安全管理", "a/zongjie.txt"),
])
def test_one_character_off_finds_the_record_meant(archive, typed, meant, path):
    assert exact(archive, typed) == set()
    found = approximate(archive, typed)
    assert path in found and meant in found[path]


def test_an_ocr_misread_is_found_by_the_right_name_after_the_exact_hits(archive):
    result = search(archive, "王建成")
    paths = [h.fields["path"] for h in result.hits]
    assert paths[0] == "a/zongjie.txt" and result.hits[0].match == "exact"
    ocr = next(h for h in result.hits if h.fields["path"] == "a/ocr.txt")
    assert ocr.match == "approximate" and ocr.variants == ("王建戍",)
    assert result.exact_total == 1 and result.total == len(result.hits)
    # another name one character away that the text holds (王建国, 王建华) is another person,
    # not a misreading: its record is not offered
    assert "a/other.txt" not in paths


def test_the_variant_is_highlighted_in_the_snippet(archive):
    ocr = next(h for h in search(archive, "王建成").hits if h.fields["path"] == "a/ocr.txt")
    marked = [s.text[a:b] for s in ocr.snippets for a, b in s.spans]
    assert marked == ["王建戍"]


@pytest.mark.parametrize("typed", ["wangjiancheng", "wang jian cheng", "wjc", "wáng jiàn chéng",
                                   "Wángjiànchéng"])
def test_pinyin_and_initials_of_a_name(archive, typed):
    found = approximate(archive, typed)
    assert "a/zongjie.txt" in found and "王建成" in found["a/zongjie.txt"]


def test_pinyin_of_a_polyphone_surname():
    from indexer.analysis.phonetic import pinyin_keys
    assert "bujianping" in pinyin_keys("卜剑平")
    assert "shanjianping" in pinyin_keys("单建平")  # 单 as a surname reads shan
    assert "zengguofan" in pinyin_keys("曾国藩") and "xieming" in pinyin_keys("解明")


@pytest.mark.parametrize("typed, meant, path", [
    ("当阳档案局", "当阳市档案局", "b/dangyang.txt"),
    ("半月镇政府", "半月镇人民政府", "b/banyue.txt"),
    ("计生", "计划生育", "b/banyue.txt"),
])
def test_short_forms_and_abbreviations(archive, typed, meant, path):
    found = approximate(archive, typed)
    assert path in found and meant in found[path]


def test_short_forms_of_organisations():
    assert "当阳档案局" in short_forms("当阳市档案局")
    assert "半月镇政府" in short_forms("半月镇人民政府")
    assert "当阳县委" in short_forms("中共当阳县委员会")


@pytest.mark.parametrize("typed", ["当档发2008 7号", "当档发2008年7号", "当档发(2008)第7号"])
def test_a_loosely_typed_doc_number_finds_its_record_first(archive, typed):
    result = search(archive, typed)
    assert result.hits and result.hits[0].fields["path"] == "b/dangyang.txt"


def test_doc_number_forms():
    assert docnum_forms("当档发2008年7号") == ["当档发〔2008〕7号"]
    assert docnum_forms("当档发(2008)第07号") == ["当档发〔2008〕7号"]
    assert docnum_forms("2008年7号") == ["〔2008〕7号"]
    assert docnum_forms("档案工作") == []


def test_exact_hits_always_come_before_approximate_ones(archive):
    for q in ["王建成", "档案保秘", "当阳档案局", "计生"]:
        matches = [h.match for h in search(archive, q).hits]
        assert matches == sorted(matches, key=lambda m: m != "exact"), q


def test_variants_can_be_turned_off(archive):
    from dataclasses import replace
    strict = Archive(archive.dir, replace(archive.settings, variants=False))
    try:
        assert strict.search(SearchRequest(q="王建城", clearance="绝密")).total == 0
    finally:
        strict.close()


def test_a_quoted_phrase_is_searched_exactly(archive):
    assert search(archive, '"王建城"').total == 0


def test_a_known_name_one_off_is_suggested(archive):
    """王建城: the name the catalog gives (王建成) is offered first, before 王建戍, which only
    the OCR of one record holds."""
    suggestions = search(archive, "王建城").suggestions
    assert suggestions[0] == "王建成" and "王建戍" in suggestions[1:], suggestions


def test_names_with_control_or_format_characters_are_not_offered():
    from indexer.search.lexicon import build
    lexicon = build(["王\x07建\x1b成", "王建\u202e成", "赵\u200b明", "王建成"],
                    ["当阳\x00档案局"], [])
    # (the normaliser drops bidi overrides and zero-width spaces, as it does in records)
    assert lexicon.names == {"王建成", "赵明"} and lexicon.orgs == frozenset()


def test_levenshtein_one():
    assert within_one("王建成", "王建城") and within_one("王建成", "王成")
    assert not within_one("王建成", "李建城")


@pytest.mark.parametrize("typed, path", [
    ("2016年", "b/dates.txt"),                # digits typed, Chinese numerals written
    ("2016年7月2日", "b/dates.txt"),
    ("二〇〇八年七月二日", "b/dates2.txt"),     # and the reverse
    ("二零零八年七月二日", "b/dates2.txt"),
])
def test_a_date_in_digits_finds_it_in_chinese_numerals_exactly(archive, typed, path):
    assert path in exact(archive, typed)
    hit = next(h for h in search(archive, typed).hits if h.fields["path"] == path)
    assert any(s.spans for s in hit.snippets)  # the date as written is highlighted


def test_date_spellings():
    from indexer.dates import spellings
    assert "二〇一六年" in spellings("2016年") and "2016年" in spellings("二〇一六年")
    assert "2008年7月2日" in spellings("二〇〇八年七月二日")
    assert spellings("档案") == ["档案"]


def test_completions_offer_names_titles_and_doc_numbers(archive):
    names = [c.text for c in archive.suggest("王建", "绝密")]
    assert names[0] == "王建成"  # the catalog's name before names only found in the text
    # another name the text holds is offered; the catalog's name misread (戍 for 成) is not
    assert "王建国" in names and "王建戍" not in names
    assert ("王建成", "人名") in [(c.text, c.kind) for c in archive.suggest("wjc", "绝密")]
    assert ("当阳市档案局", "机构") in [(c.text, c.kind) for c in archive.suggest("当阳", "绝密")]
    numbers = {c.text for c in archive.suggest("当档发", "绝密") if c.kind == "文号"}
    assert numbers == {"当档发〔2008〕7号", "当档发〔2008〕17号", "当档发〔2009〕1号"}
    assert archive.suggest("关于计划", "公开")[0].text == "关于计划生育工作的报告"


def test_completions_never_reveal_a_withheld_record(archive):
    assert "钱学明" in [c.text for c in archive.suggest("钱学", "机密")]
    for typed in ["钱学", "qxm", "qianxueming", "关于钱", "当档发〔2009"]:
        offered = [c.text for c in archive.suggest(typed, "公开")]
        assert not any("钱学明" in t or "2009" in t for t in offered), (typed, offered)
    # nor do variants or suggestions of a search
    result = archive.search(SearchRequest(q="钱学名", clearance="公开"))
    assert result.total == 0 and result.suggestions == ()


def test_the_writer_keeps_the_names_its_records_hold(archive):
    from indexer.analysis.names import NAMES_FILE
    names = set((archive.dir / NAMES_FILE).read_text(encoding="utf-8").splitlines())
    assert {"王建戍", "王建国"} <= names  # found by the segmenter in the text, not in a catalog
    assert "档案" not in names and "工作" not in names


def test_pinyin_finds_a_name_only_the_text_holds(archive):
    found = approximate(archive, "wangjianguo")
    assert "a/other.txt" in found and found["a/other.txt"] == ("王建国",)


def test_a_long_term_with_two_characters_off_finds_the_record(archive):
    found = approximate(archive, "半月填人民政付")  # 镇 misread as 填 and 府 typed as 付
    assert "b/banyue.txt" in found and "半月镇人民政府" in found["b/banyue.txt"]


def test_the_work_spent_on_variants_is_bounded(archive):
    """A 500-character term once took minutes (an alignment per place, then per pair of
    places); now long terms get none and every search has a budget of lookups and of the
    grams it checks."""
    from indexer.analysis.confusions import lookalikes
    from indexer.search import approximate, known
    from indexer.search.querylang import parse

    text = RECORDS["a/zongjie.txt"] * 6
    queries = [text[:500], " ".join(text[i:i + 3] for i in range(0, 360, 3)),
               " OR ".join(text[i:i + 4] for i in range(0, 400, 4)),
               " ".join(text[i:i + 20] for i in range(3, 163, 20))]  # 8 terms of 20: ~3,900 grams
    with archive.pinned() as (_searcher, arrays):
        for q in queries:
            forgiving = approximate.Forgiving(
                arrays, None, {}, known.archive_lexicon(arrays, archive.dir), 10, [],
                lookalikes)
            forgiving.expand(parse(q[:500]))
            assert len(forgiving._counts) <= approximate.MAX_LOOKUPS
            assert forgiving.pairs <= approximate.MAX_PAIRS
            assert forgiving.terms <= approximate.MAX_TERMS
    assert exact(archive, text[:500]) == {"a/zongjie.txt"}  # and the search itself answers


def test_completion_kinds():
    from indexer.search.lexicon import build
    from indexer.search.suggest import known_names
    lex = build(["当阳市", "王建成", "欧阳建国"], ["当阳市档案局"], [])
    kinds = {c.text: c.kind for c in known_names(lex, "当阳", 8) + known_names(lex, "王", 8)}
    assert kinds == {"当阳市": "名称", "当阳市档案局": "机构", "王建成": "人名"}


def test_pinyin_typed_for_a_name_marks_the_name_in_the_snippet(archive):
    hit = next(h for h in search(archive, "wangjiancheng").hits
               if h.fields["path"] == "a/zongjie.txt")
    assert [s.text[a:b] for s in hit.snippets for a, b in s.spans] == ["王建成"]


def test_a_term_asked_again_gets_the_same_variants_and_hits(archive):
    """The variants of a term are kept with the index version (a clerk paging or choosing a
    facet asks the same terms again): the second answer is the first one."""
    def seen():
        result = search(archive, "交通安全管里 王建城")
        return [(h.fields["path"], h.match, h.variants, h.score) for h in result.hits]
    first = seen()
    assert first and first == seen()
    assert exact(archive, "王建城") == set() and "a/zongjie.txt" in approximate(archive, "王建城")


def test_counts_read_from_where_the_rest_of_a_name_stands_are_exact_counts(archive):
    """Variants one character off are counted from where the rest of the term occurs (one gram
    more read), and the term's own occurrences are left out only for its misreadings."""
    from indexer.analysis.confusions import lookalikes
    from indexer.search import approximate, known

    with archive.pinned() as (_searcher, arrays):
        def forgiving():
            return approximate.Forgiving(
                arrays, None, {}, known.archive_lexicon(arrays, archive.dir), 10, [],
                lookalikes)
        fresh = forgiving()
        truth = {t: fresh.count(t) for t in ("王建戍", "王建国", "王建华", "王建成", "王建设")}
        assert truth == {"王建戍": 1, "王建国": 1, "王建华": 1, "王建成": 1, "王建设": 0}
        gapped = forgiving()
        assert gapped.fits("王建", "", besides="王建成")  # others than 王建成 stand there
        assert {t: gapped.count(t) for t in truth} == truth
        assert gapped.count("王建戍", "title") == 0 and gapped.count("王建戍", "text") == 1
        only = forgiving()
        assert not only.fits("交通安", "管理", besides="交通安全管理")  # only the term itself
        assert only.fits("交通安", "管理") and only.count("交通安全管理") == 1


def _hits_over(tmp_path, files: dict[str, str], q: str):
    """The hits of `q` (绝密) in an archive of these UTF-8 files alone."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    a = Archive(settings.index.dir, settings.search)
    try:
        return a.search(SearchRequest(q=q, size=50, clearance="绝密")).hits
    finally:
        a.close()


def test_a_common_term_also_finds_the_records_ocr_misread_it_in(tmp_path):
    """国有资产 in twelve records (plenty: no typos or homophones are looked for) and read by
    OCR as 固有资产 in one (固/国: a confusion of our own OCR table): that one is listed too,
    approximate, after all twelve exact hits, saying what it was found by."""
    hits = _hits_over(tmp_path, {**{f"j{k:02d}.txt": f"第{k}次会议纪要\n清查国有资产，落实责任。\n"
                                    for k in range(12)},
                                 "misread.txt": "工作简报\n全镇固有资产清查工作稳步推进。\n"}, "国有资产")
    labels = [(h.fields["path"], h.match) for h in hits]
    assert [m for _p, m in labels] == ["exact"] * 12 + ["approximate"]
    assert labels[-1][0] == "misread.txt" and hits[-1].variants == ("固有资产",)
    assert any("固有资产" in s.text[a:b] for s in hits[-1].snippets for a, b in s.spans)


@pytest.mark.parametrize("misread", ["已院成整改", "已完成登改", "已完咸整改"])
def test_a_common_phrase_finds_what_ocr_made_of_it_whatever_the_confusion(tmp_path, misread):
    """已完成整改 in twelve records; one scan read a character inside it as one that makes no
    Chinese there (院 for 完 is in no confusion table of ours: what that record holds there
    is read back from its text). That record is found, approximate, after every exact hit;
    records holding 未完成整改 — a real phrase one character off, the opposite of what was
    asked — are not."""
    files = {f"j{k:02d}.txt": f"第{k}次督查通报\n问题已完成整改，验收合格。\n" for k in range(12)}
    files.update({f"w{k}.txt": f"督查通报{k}\n尚有问题未完成整改，限期办结。\n" for k in range(3)})
    files["misread.txt"] = f"工作简报\n全镇问题{misread}，验收合格。\n"
    hits = _hits_over(tmp_path, files, "已完成整改")
    labels = [(h.fields["path"], h.match) for h in hits]
    assert [m for _p, m in labels] == ["exact"] * 12 + ["approximate"]
    assert labels[-1][0] == "misread.txt" and hits[-1].variants == (misread,)


def test_the_middle_of_a_common_three_character_term_is_read_too(tmp_path):
    """河长制 in twelve records, 河仗制 in one scan (仗 for 长: in no confusion table of ours;
    no alignment finds a middle character, so the characters that join both neighbours are
    counted), 河长办 in two (another word: not a misreading of the middle)."""
    files = {f"j{k:02d}.txt": f"第{k}期简报\n全面推行河长制，落实责任。\n" for k in range(12)}
    files.update({f"o{k}.txt": f"通知{k}\n河长办负责日常工作。\n" for k in range(2)})
    files["misread.txt"] = "工作简报\n全面推行河仗制，落实责任。\n"
    hits = _hits_over(tmp_path, files, "河长制")
    assert [(h.match, h.fields["path"]) for h in hits][12:] == [("approximate", "misread.txt")]
    assert hits[-1].variants == ("河仗制",)


def test_a_term_few_records_hold_finds_what_ocr_made_of_it_inside_too(tmp_path):
    """基本农田 in four records only (fewer than variant_threshold: searched loosely), 基木农田
    in one scan (木 for 本: in no confusion table of ours): that scan is found, approximate,
    after the four (a new clerk's finding: only common terms were read so)."""
    files = {f"j{k}.txt": f"第{k}期简报\n划定基本农田保护区。\n" for k in range(4)}
    files["misread.txt"] = "工作简报\n北山村基木农田划定工作已经结束。\n"
    hits = _hits_over(tmp_path, files, "基本农田")
    assert [(h.match, h.fields["path"]) for h in hits][4:] == [("approximate", "misread.txt")]
    assert hits[-1].variants == ("基木农田",)


def test_what_follows_a_common_fragment_is_not_taken_for_its_misreading(tmp_path):
    """提高业 (of 提高业务, twelve records): the records that go on 提高了 or 提高乡镇 hold
    language, not what OCR made of it — no approximate hits (a term's end is not read back)."""
    files = {f"j{k:02d}.txt": f"第{k}期培训简报\n提高业务能力。\n" for k in range(12)}
    files.update({f"o{k}.txt": f"工作简报{k}\n{rest}。\n" for k, rest in
                  enumerate(["提高了工作效率", "提高乡镇档案管理水平", "提高全民素质"])})
    hits = _hits_over(tmp_path, files, "提高业")
    assert [h.match for h in hits] == ["exact"] * 12


def test_a_year_in_chinese_numerals_is_not_varied_into_other_years(tmp_path):
    """〇一六年 (part of 二〇一六年): another numeral is another year — no approximate hits of
    〇一二年 or 〇一八年; the record that holds it is found exactly."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for year in ("二〇一六", "二〇一二", "二〇一八"):
        (corpus / f"{year}.txt").write_text(f"{year}年档案工作总结\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    a = Archive(settings.index.dir, settings.search)
    try:
        result = a.search(SearchRequest(q="〇一六年", size=50, clearance="绝密"))
    finally:
        a.close()
    assert [(h.fields["path"], h.match) for h in result.hits] == [("二〇一六.txt", "exact")]
    assert result.suggestions == ()


def test_a_name_meant_is_searched_instead_of_every_change_of_what_was_typed(archive):
    """半月镇政府 is a short form of 半月镇人民政府, which a record holds: that organisation is
    searched, not also each one-character change of the short form (半月镇政协 …)."""
    from indexer.analysis.confusions import lookalikes
    from indexer.search import approximate as loose
    from indexer.search import known
    from indexer.search.querylang import parse

    found = approximate(archive, "半月镇政府")
    assert found == {"b/banyue.txt": ("半月镇人民政府",)}
    with archive.pinned() as (_searcher, arrays):
        forgiving = loose.Forgiving(arrays, None, {}, known.archive_lexicon(arrays, archive.dir),
                                    10, [], lookalikes)
        forgiving.expand(parse("半月镇政府"))
        assert set(forgiving.found) == {"半月镇人民政府"}
        assert not forgiving._changed and not forgiving._gaps  # (no change looked for)


def test_the_characters_after_one_are_the_same_read_off_the_pair_counts(archive):
    """For a reader who may see every record, the characters that follow 王 or 管 (what a
    typo is tried as, commonest first) come from the version's pair counts, no term table
    read; they must be those a reader limited to the same records gets by counting."""
    from indexer.analysis.confusions import lookalikes
    from indexer.search import approximate, known

    with archive.pinned() as (_searcher, arrays):
        def forgiving(visible):
            return approximate.Forgiving(
                arrays, visible, {}, known.archive_lexicon(arrays, archive.dir), 10, [],
                lookalikes, reader="all live")
        everyone, counted = forgiving(None), forgiving(arrays.live())
        for ch in "王管镇档":
            got = everyone.followers(ch)
            assert got == counted.followers(ch) and got, ch
            assert list(got.values()) == sorted(got.values(), reverse=True)
        assert "建" in everyone.followers("王") and "理" in everyone.followers("管")


@pytest.mark.parametrize("typed", ["王建城", "wangjiancheng", "wang jian cheng"])
def test_a_name_typed_wrong_also_finds_the_scan_that_misread_the_name(archive, typed):
    """王建城 (or its pinyin) is read as the known name 王建成, and 王建成 as OCR misread it
    (王建戍 in the 移交清单) is searched too, as typing 王建成 would: the typo does not lose
    the misread record."""
    found = approximate(archive, typed)
    assert "王建成" in found["a/zongjie.txt"]
    assert found["a/ocr.txt"] == ("王建戍",)
