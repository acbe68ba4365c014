"""Why a hit matched: a hit found only in a catalog field (人员, 备注, 文号, 责任者, 档号, 题名)
shows that field with the match marked, labelled with the field's name, not the start of its
text (which holds no match)."""
from archive_room import DIANHUA, YIJIAO, room  # noqa: F401 (a fixture)
from conftest import top_request

from indexer.search.matched import field_snippets, field_terms
from indexer.search.querylang import parse


def hit(archive, q, path):
    result = archive.search(top_request(q=q, size=100))
    found = [h for h in result.hits if h.fields["path"] == path]
    assert found, (q, [h.fields["path"] for h in result.hits])
    return found[0]


def shown(snip) -> tuple[str, list[str]]:
    return snip.field, [snip.text[a:b] for a, b in snip.spans]


def test_a_name_only_in_the_notes_shows_the_notes_with_the_name_marked(room):
    (snip, *_rest) = hit(room, "王建成", YIJIAO).snippets
    assert shown(snip) == ("备注", ["王建成"]) and snip.page == 0
    assert snip.text == "经办人王建成，1998年补登"


def test_a_name_only_among_the_persons_shows_the_persons(room):
    (snip,) = hit(room, "刘芳", YIJIAO).snippets
    assert shown(snip) == ("人员", ["刘芳"])
    assert snip.text == "張志強；刘芳"


def test_a_simplified_query_marks_the_traditional_catalog_value(room):
    (snip,) = hit(room, "人员:张志强", YIJIAO).snippets
    assert shown(snip) == ("人员", ["張志強"])
    (snip,) = hit(room, "當陽市檔案局", YIJIAO).snippets  # 责任者 is kept as its facet lists it
    assert shown(snip) == ("责任者", ["当阳市档案局"])


def test_doc_number_archival_code_and_title_matches(room):
    assert shown(hit(room, "当档发〔2009〕2号", YIJIAO).snippets[0]) == ("文号", ["当档发〔2009〕2号"])
    assert shown(hit(room, "文號:档发〔2009〕2", YIJIAO).snippets[0]) == ("文号", ["档发〔2009〕2"])
    assert shown(hit(room, "档号:0789-WS·2009-Y-0002", YIJIAO).snippets[0]) == (
        "档号", ["0789-WS·2009-Y-0002"])
    assert shown(hit(room, "移交清册", YIJIAO).snippets[0]) == ("题名", ["移交清冊"])


def test_several_fields_each_get_a_snippet_in_the_registry_order(room):
    snips = hit(room, "王建成 OR 当档发〔2009〕2号 OR 刘芳", YIJIAO).snippets
    assert [shown(s) for s in snips] == [("人员", ["刘芳"]), ("备注", ["王建成"]),
                                         ("文号", ["当档发〔2009〕2号"])]


def test_a_match_in_the_text_keeps_the_text_snippets(room):
    (snip,) = hit(room, "清点", YIJIAO).snippets
    assert shown(snip) == ("", ["清点"]) and snip.page == 1
    # the summary has 王建成 in its text as well as among its persons: its text is shown
    snips = room.search(top_request(q="王建成")).hits
    texts = [s for h in snips if h.fields["path"] != YIJIAO for s in h.snippets]
    assert texts and all(s.field == "" and s.page == 1 for s in texts)


def test_no_query_word_in_any_field_keeps_the_start_of_the_text(room):
    (snip,) = hit(room, "门类:文书 -清点 年度:2008", DIANHUA).snippets
    assert snip.field == "" and not snip.spans and snip.text.startswith("关于更换值班电话")


def test_a_negated_word_is_no_reason_for_a_hit():
    assert field_terms(parse("-王建成 人员:刘芳 OR 备注:补登 日期:2009")) == {
        "persons": ["刘芳", "补登"], "notes": ["刘芳", "补登"], "archival_code": ["刘芳", "补登"]}


def test_field_snippets_cut_long_values_around_the_match():
    notes = "甲" * 300 + "王建成" + "乙" * 300
    (snip,) = field_snippets({"meta": {"notes": notes}}, {"notes": ["王建成"]}, 3, 60)
    assert snip.text.startswith("…") and snip.text.endswith("…") and len(snip.text) < 70
    assert shown(snip) == ("备注", ["王建成"])
    (snip,) = field_snippets({"meta": {"persons": ["卜剑平", "王建成"]}},
                             {"persons": ["王建成"]}, 3, 60)
    assert snip.text == "卜剑平；王建成"


def test_an_approximate_hit_found_in_a_catalog_field_shows_the_variant_marked(room):
    """王建城 (a typo) finds 王建成 written only in the notes: the notes show what was found."""
    found = hit(room, "王建城", YIJIAO)
    assert found.match == "approximate" and "王建成" in found.variants
    assert shown(found.snippets[0]) == ("备注", ["王建成"])


def test_a_date_typed_in_chinese_numerals_marks_the_field_that_writes_it_in_digits(room):
    """一九九八年 finds 1998年 in the 备注 (one date, two writings): that field is shown with it
    marked, as for 1998年 typed, not the unmarked start of the text."""
    for typed in ("一九九八年", "1998年"):
        (snip, *_rest) = hit(room, typed, YIJIAO).snippets
        assert shown(snip) == ("备注", ["1998年"]), typed
