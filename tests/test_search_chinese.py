"""Chinese regression suite: every record containing the typed string, and only those."""
import pytest
from conftest import top_request

from indexer.errors import IndexVersionError, QueryError, RecordNotFound
from indexer.search.archive import Archive, SearchRequest

ZONGJIE = "文书/2019/zongjie.txt"
TONGZHI = "文书/2019/tongzhi.txt"
XIANGZHEN = "文书/2021/xiangzhen.txt"
JIAOJING = "公安/2021/jiaojing.txt"
BIG5 = "公安/2021/big5.txt"
OCR = "公安/2019/ocr.txt"


def paths(archive, q, **kw):
    """The records that hold `q` exactly (approximate hits, found through a variant of the
    query, are left out: they come after every exact one)."""
    result = archive.search(top_request(q=q, size=100, **kw))
    assert result.total == len(result.hits)
    exact = [h for h in result.hits if h.match == "exact"]
    assert result.hits[:len(exact)] == exact and result.exact_total == len(exact)
    return {h.fields["path"] for h in exact}


def snippets(archive, q, path):
    result = archive.search(top_request(q=q, size=100))
    return [s for h in result.hits if h.fields["path"] == path for s in h.snippets]


def test_word_buried_in_a_longer_token(archive):
    assert paths(archive, "人民共和国") == {ZONGJIE}


def test_names_unknown_to_the_dictionary(archive):
    assert paths(archive, "王建成") == {ZONGJIE}
    assert paths(archive, "小明") == {OCR}
    assert paths(archive, "剑平") == {ZONGJIE}


def test_simplified_query_finds_traditional_records_and_the_reverse(archive):
    expected = {ZONGJIE, XIANGZHEN, OCR}
    assert paths(archive, "档案保密") == expected
    assert paths(archive, "檔案保密") == expected
    assert paths(archive, "交通违法") == {BIG5}


def test_ocr_text_with_spaces_between_characters(archive):
    assert paths(archive, "档案管理工作计划") == {OCR}


def test_document_number_with_digits_and_brackets(archive):
    assert paths(archive, "〔2019〕3号") == {TONGZHI}
    assert paths(archive, "文号:新政发〔2019〕3号") == {TONGZHI}
    assert paths(archive, "3号") == {TONGZHI}


def test_quoted_phrase_is_exact_and_contiguous(archive):
    assert paths(archive, '"卜剑平负责"') == {ZONGJIE}
    assert paths(archive, '"档案保密工作"') == {XIANGZHEN, OCR}


def test_no_false_positives_for_scattered_characters(archive):
    assert paths(archive, "管理计划") == set()
    assert paths(archive, "档案保护") == set()
    # what is found instead is labelled, and says what it was found by
    loose = archive.search(top_request(q="档案保护", size=100)).hits
    assert loose and all(h.match == "approximate" and h.variants for h in loose)
    assert all("档案保护" not in v for h in loose for v in h.variants)


def test_one_character_query_and_folded_characters(archive):
    assert paths(archive, "著") == {XIANGZHEN}
    assert paths(archive, "着力") == {XIANGZHEN}


def test_words_broken_across_a_page_break(archive):
    assert paths(archive, "路面管理") == {JIAOJING}


def marked(snip) -> list[str]:
    """The hit strings of a snippet (its spans, which the web app wraps in <mark>)."""
    return [snip.text[a:b] for a, b in snip.spans]


def test_highlight_lands_on_original_traditional_characters(archive):
    assert "檔案保密" in [m for s in snippets(archive, "档案保密", XIANGZHEN) for m in marked(s)]


def test_snippet_knows_its_page(archive):
    (snip,) = snippets(archive, "肇事逃逸", JIAOJING)
    assert snip.page == 2 and marked(snip) == ["肇事逃逸"]


def test_and_or_not(archive):
    assert paths(archive, "档案保密 王建成") == {ZONGJIE}
    assert paths(archive, "王建成 OR 小明") == {ZONGJIE, OCR}
    assert paths(archive, "档案保密 -王建成") == {XIANGZHEN, OCR}
    assert paths(archive, "档案保密 NOT 小明") == {ZONGJIE, XIANGZHEN}


def test_title_and_org_fields(archive):
    assert paths(archive, "题名:交通") == {TONGZHI, BIG5}
    assert paths(archive, "责任者:交通警察支队") == {JIAOJING}


def test_date_range_in_query_and_parameters(archive):
    assert paths(archive, "date:2019..2019") == {ZONGJIE, TONGZHI}
    assert paths(archive, "", date_from="2021-02", date_to="2021-12") == {BIG5}


def test_ranking_prefers_title_matches(archive):
    result = archive.search(top_request(q="交通"))
    titles = [h.fields["title"] for h in result.hits]
    assert "交通" in titles[0]


def test_date_sort(archive):
    result = archive.search(top_request(q="", sort="-date", size=100))
    dates = [h.fields["date"] for h in result.hits if h.fields["date"]]
    assert dates == sorted(dates, reverse=True)
    result = archive.search(top_request(q="", sort="date", size=100))
    dates = [h.fields["date"] for h in result.hits if h.fields["date"]]
    assert dates == sorted(dates)


def test_facets_count_the_whole_result_set_and_multi_select(archive):
    result = archive.search(top_request(q="工作", size=1))
    category = {v.value: v.count for v in result.facets["category"]}
    assert category["文书"] == 3 and category["公安"] == 2
    narrowed = archive.search(top_request(q="工作", filters={"category": ("公安",)}))
    assert narrowed.total == 2
    # counts for other values of the selected facet stay visible (OR within a facet)
    category = {v.value: (v.count, v.selected) for v in narrowed.facets["category"]}
    assert category["公安"] == (2, True) and category["文书"] == (3, False)
    both = archive.search(top_request(q="工作", filters={"category": ("公安", "文书"),
                                                          "year": ("2021",)}))
    assert both.total == 3


def test_clearance_filter_hides_records_everywhere(archive):
    public = archive.search(SearchRequest(q="", size=100, clearance="公开"))
    assert {h.fields["security"] for h in public.hits} == {"公开"}
    assert all(v.value == "公开" for v in public.facets["security"])
    assert sum(v.count for v in public.facets["category"]) == public.total
    secret_id = archive.search(top_request(q="肇事逃逸")).hits[0].fields["id"]
    with pytest.raises(RecordNotFound):
        archive.record(secret_id, clearance="内部")
    assert archive.record(secret_id, "绝密")["path"] == JIAOJING


def test_record_has_pages_and_metadata(archive):
    rid = archive.search(top_request(q="肇事逃逸")).hits[0].fields["id"]
    record = archive.record(rid, "绝密")
    assert [p["page"] for p in record["page_list"]] == [1, 2]
    assert record["org"] == "襄阳市公安局交通警察支队" and record["security"] == "秘密"


def test_bad_requests_are_query_errors(archive):
    for req in (top_request(q="a", size=0), top_request(q="a", sort="x"),
                top_request(q="a", page=0), top_request(q="a", filters={"x": ("y",)})):
        with pytest.raises(QueryError):
            archive.search(req)


def test_index_from_another_analysis_version_is_refused(built_index, tmp_path):
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(built_index.index.dir, copy)
    (copy / "dangan.json").write_text('{"analysis_version": "0"}')
    with pytest.raises(IndexVersionError, match="--rebuild"):
        Archive(copy)


def test_punctuation_between_words_is_not_bridged(archive):
    # 防事故、保平安 is in the text; 故保 is not
    assert paths(archive, "防事故保平安") == set()
    assert paths(archive, "防事故、保平安") == {JIAOJING}
    assert paths(archive, "防事故，保平安") == {JIAOJING}  # any punctuation between


def test_punctuation_in_the_query_needs_punctuation_in_the_text(archive):
    # 档案室日常管理 is in the text: a character, not punctuation, between 档案 and 日常
    assert paths(archive, "档案，日常") == set()
    assert paths(archive, "档案室，日常") == set()
    assert paths(archive, "一年来，我镇") == {ZONGJIE}  # 一年来，我镇 is


def test_repeated_characters_need_the_whole_run(archive):
    assert paths(archive, "档案档案") == set()


def test_totals_count_every_match_not_just_the_top(archive):
    # the scored pass must not prune matches that cannot reach the first page
    for q in ("工作", "档案", "交通", "王建成 OR 小明 OR 交通"):
        result = archive.search(top_request(q=q, size=1, facets=False))
        everything = archive.search(top_request(q=q, size=100, facets=False))
        assert result.total == everything.total == len(everything.hits)


def test_catalog_persons_are_searchable(archive):
    # 王建成 and 卜剑平 are in the catalog's persons column of the summary, as well as its text
    assert paths(archive, "李秀英") == {BIG5}  # only in the catalog, not in the text
    assert paths(archive, "0456-GA") == {JIAOJING, BIG5}  # 档号


def test_one_character_queries_find_every_record_with_the_character(archive):
    from indexer.analysis.normalize import normalize_text

    from conftest import RECORDS

    for char in ("档", "镇", "号", "总", "平", "著"):
        expected = {p for p, (text, _e) in RECORDS.items()
                    if normalize_text(char) in normalize_text(text)}
        assert expected and paths(archive, f"正文:{char}") == expected, char


def test_field_query_highlights_the_title(archive):
    hit = archive.search(top_request(q="题名:交警")).hits[0]
    assert [hit.fields["title"][a:b] for a, b in hit.title_spans] == ["交警"]


def test_snippet_never_opens_inside_a_pinyin_annotation(archive):
    for snip in snippets(archive, "档案保密", XIANGZHEN):
        body = snip.text.lstrip("…")
        assert not body.startswith(("é", "(", "i", "ā")), snip.text


def test_extracted_title_loses_ocr_spaces(archive):
    (hit,) = archive.search(top_request(q="小明")).hits
    assert hit.fields["title"] == "乡镇档案管理工作计划"


@pytest.mark.parametrize("q, sort", [("工作", "relevance"), ("", "-date"), ("", "date"),
                                     ("档", "relevance")])
def test_paging_shows_every_record_exactly_once(archive, q, sort):
    total = archive.search(top_request(q=q, size=1, sort=sort, facets=False)).total
    seen = []
    for page in range(1, total + 1):
        result = archive.search(top_request(q=q, size=1, page=page, sort=sort, facets=False))
        seen.extend(h.fields["id"] for h in result.hits)
    assert len(seen) == len(set(seen)) == total


def test_similar_records_share_distinctive_words_within_clearance(archive):
    by_path = {h.fields["path"]: h.fields for h in
               archive.search(top_request(q="", size=100, facets=False)).hits}
    big5 = by_path["公安/2021/big5.txt"]["id"]  # 公开: 公安交通管理工作總結
    similar = [h.fields["path"] for h in archive.similar(big5, "绝密")]
    assert similar and similar[0] in ("公安/2021/jiaojing.txt", "文书/2019/tongzhi.txt")
    assert "公安/2021/big5.txt" not in similar
    # jiaojing.txt is 秘密: a 内部 reader never sees it among the similar records
    assert "公安/2021/jiaojing.txt" in similar
    public = [h.fields["path"] for h in archive.similar(big5, clearance="内部")]
    assert "公安/2021/jiaojing.txt" not in public and public
    with pytest.raises(RecordNotFound):
        archive.similar(by_path["公安/2021/jiaojing.txt"]["id"], clearance="内部")


def test_the_library_has_no_default_clearance(archive):
    """A caller that forgets the reader's clearance gets an error, never 绝密."""
    rid = archive.search(top_request(q="肇事逃逸")).hits[0].fields["id"]
    with pytest.raises(TypeError, match="clearance"):
        SearchRequest(q="肇事逃逸")
    with pytest.raises(TypeError, match="clearance"):
        archive.record(rid)
    with pytest.raises(TypeError, match="clearance"):
        archive.similar(rid)
    with pytest.raises(QueryError, match="未知的密级"):
        archive.record(rid, "最高")


class _Spy:
    """Counts calls of one method of an object while delegating to it (no behaviour change)."""

    def __init__(self, monkeypatch, owner, name):
        self.calls = []
        real = getattr(owner, name)

        def spy(*args, **kw):
            self.calls.append(args)
            return real(*args, **kw)

        monkeypatch.setattr(owner, name, spy)


def test_a_withheld_record_is_answered_like_an_unknown_one_reading_nothing(archive, monkeypatch):
    """An id above the reader's clearance is looked up among the records they may see only:
    nothing of the record is read, exactly as for an id that does not exist."""
    with archive.pinned() as (searcher, _arrays):
        rid = archive.search(top_request(q="肇事逃逸")).hits[0].fields["id"]  # 秘密
        reads = _Spy(monkeypatch, searcher, "stored_fields")
        documents = _Spy(monkeypatch, searcher, "document")
        for record_id in (rid, "0123456789abcdef"):
            with pytest.raises(RecordNotFound, match="没有编号为"):
                archive.record(record_id, "内部")
        assert reads.calls == [] and documents.calls == []
        assert archive.record(rid, "秘密")["path"] == JIAOJING and len(reads.calls) == 1


def test_records_above_clearance_cost_no_phrase_positions_nor_scores(archive, monkeypatch):
    """A phrase found only above the reader's clearance is matched among visible records only:
    no position list is read and nothing is scored, as for a phrase found nowhere."""
    # (the first search of a clearance reads which known names its records hold: once)
    archive.search(SearchRequest(q="档案", clearance="内部"))
    with archive.pinned() as (_searcher, arrays):
        positions = _Spy(monkeypatch, arrays, "positions")
        gathered = _Spy(monkeypatch, arrays, "occurrences_in")
        probed = _Spy(monkeypatch, arrays, "occurs_at")
        lengths = _Spy(monkeypatch, arrays, "lengths")
        for q in ("肇事逃逸嫌疑车辆", "逃逸嫌疑的摩托艇"):  # only in the 秘密 record; nowhere
            result = archive.search(SearchRequest(q=q, clearance="内部"))
            assert result.total == 0 and not result.hits
        assert positions.calls == [] and lengths.calls == []
        assert gathered.calls == [] and probed.calls == []
        assert archive.search(top_request(q="肇事逃逸嫌疑车辆")).total == 1
        # (the spies see a phrase's positions read, whole or probed, when it is visible)
        assert positions.calls or (gathered.calls and probed.calls)


def test_a_text_layer_spelt_with_cjk_radicals_is_found_by_the_ideographs(tmp_path):
    from conftest import make_settings

    from indexer.build.run import run_index
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "jiyao.txt").write_text("西河镇人⺠政府会议纪要\n镇⻓司⻢燕主持会议。\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    archive = Archive(settings.index.dir, settings.search)
    try:
        for q in ("西河镇人民政府", "镇长", "司马燕"):
            result = archive.search(top_request(q=q))
            assert [h.match for h in result.hits] == ["exact"], q
        snip = archive.search(top_request(q="司马燕")).hits[0].snippets[0]
        assert [snip.text[a:b] for a, b in snip.spans] == ["司⻢燕"]  # marked as written
    finally:
        archive.close()


def test_a_facet_value_in_traditional_script_or_with_ocr_spaces_is_one_value(tmp_path):
    """半月鎮人民政府 (a traditional red header) and 半月镇 人民政府 (OCR spacing) are listed as
    one 责任者 with 半月镇人民政府, and `责任者:` / the facet filter find all three either way."""
    from conftest import make_settings

    from indexer.build.run import run_index
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, org in (("a.txt", "半月镇人民政府"), ("b.txt", "半月鎮人民政府"),
                      ("c.txt", "半月镇 人民政府")):
        (corpus / name).write_text(f"关于档案工作的通知\n{name}\n", encoding="utf-8")
    (corpus / "catalog.csv").write_text(
        "文件,责任者,门类,密级,日期\na.txt,半月镇人民政府,文书,机密,2008-07-02\n"
        "b.txt,半月鎮人民政府,文書,机密,2008-07-02\nc.txt,半月镇 人民政府,文书,机密,2008-07-02\n",
        encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    archive = Archive(settings.index.dir, settings.search)
    try:
        result = archive.search(top_request(q="通知"))
        assert [(v.value, v.count) for v in result.facets["org"]] == [("半月镇人民政府", 3)]
        assert [(v.value, v.count) for v in result.facets["category"]] == [("文书", 3)]
        # typed in traditional script or a year in Chinese numerals: the values as kept
        for q in ("门类:文書", "门类:文书", "密级:機密", "密級:機密", "年度:二〇〇八", "年度:二〇〇八年"):
            assert archive.search(top_request(q=q)).total == 3, q
        chosen = archive.search(top_request(q="通知", filters={"org": ("半月鎮人民政府",)}))
        assert chosen.total == 3 and chosen.facets["org"][0].selected
    finally:
        archive.close()
