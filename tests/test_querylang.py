"""Query language: AND, quotes, OR, NOT/-, fields, dates; malformed input never crashes and is
explained in notices; only abuse (length, nesting) is an error."""
import pytest
from archive_room import DIANHUA, YIJIAO, ZONGJIE, room  # noqa: F401 (a fixture)
from conftest import top_request

from indexer.errors import QueryError
from indexer.fields import FIELDS
from indexer.search.querylang import (MAX_QUERY_CHARS, NOTHING, And, DateRange, Not, Or,
                                        Term, parse, read)


def test_space_is_and():
    assert parse("王建成 档案保密") == And((Term("王建成"), Term("档案保密")))


def test_quotes_or_and_minus():
    node = parse('"档案 保密" OR 王建成 -交通')
    assert node == And((Or((Term("档案 保密", quoted=True), Term("王建成"))), Not(Term("交通"))))


def test_a_minus_before_a_number_excludes_it_as_before_a_word():
    """档案 -2008 is 档案 NOT 2008 (it once searched for "-2008", finding what it meant to
    leave out); a number with a dash inside (0717-3217083, 2008-07-02) stays one term."""
    assert parse("档案 -2008") == parse("档案 NOT 2008") == And((Term("档案"), Not(Term("2008"))))
    assert parse("档案 -0717") == And((Term("档案"), Not(Term("0717"))))
    assert parse("0717-3217083") == Term("0717-3217083")
    assert parse("2008-07-02") == Term("2008-07-02")


def test_a_doc_number_field_typed_with_its_number_apart_is_one_doc_number():
    """文号:当档发2008 7号 (the number typed apart, as clerks type 文号) is one 文号, searched
    loosely; a word after a 文号 is still a word of its own."""
    assert parse("文号:当档发2008 7号") == Term("当档发2008 7号", "doc_number")
    assert parse("文号:当档发2008年 第7号") == Term("当档发2008年 第7号", "doc_number")
    assert parse("文号:当档发2008 档案") == And((Term("当档发2008", "doc_number"), Term("档案")))
    assert parse("题名:总结 7号") == And((Term("总结", "title"), Term("7号")))


def test_a_field_before_brackets_applies_to_each_term_inside():
    """题名:(总结 OR 报告) once said the field was empty and searched both words anywhere."""
    query = read("题名:(总结 OR 报告)")
    assert query.node == Or((Term("总结", "title"), Term("报告", "title"))) and not query.notices
    assert parse("人员:(王建成 -卜剑平) 档案") == And((
        And((Term("王建成", "persons"), Not(Term("卜剑平", "persons")))), Term("档案")))
    assert parse("门类:(文书 OR 公安)") == Or((Term("文书", "category", True),
                                             Term("公安", "category", True)))
    assert parse("题名:(总结 文号:3号)") == And((Term("总结", "title"), Term("3号", "doc_number")))


def test_fields_chinese_and_english():
    assert parse("题名:工作总结") == Term("工作总结", "title")
    assert parse("文号:新政发〔2019〕3号") == Term("新政发〔2019〕3号", "doc_number")
    assert parse("门类:文书") == Term("文书", "category", True)
    assert parse("date:2015..2019") == DateRange(20150101, 20191231)
    assert parse("日期:2019-05") == DateRange(20190501, 20190531)
    assert parse("日期:二〇一九年二月") == DateRange(20190201, 20190228)
    assert parse("date:2008年7月2日..2008年7月") == DateRange(20080702, 20080731)


def test_unknown_field_is_plain_text():
    assert parse("时间:2019") == Term("时间:2019")


def test_unknown_field_is_plain_text_and_the_notice_lists_the_field_names():
    query = read("电话:0717")
    assert query.node == Term("电话:0717")
    (notice,) = query.notices
    assert notice.startswith("“电话”不是字段名，已按全文查找“电话:0717”。可用字段：题名、")
    assert all(label in notice for label in ("责任者", "文号", "人员", "备注", "日期", "正文"))
    # a second unknown name is told without the list again; a field that cannot limit a
    # search (页数) says so; a time or a lone colon names nothing
    first, second, pages = read("电话：0717 手机:139 页数:3").notices
    assert second == "“手机”不是字段名，已按全文查找“手机:139”。" and "可用字段" in first
    assert pages.startswith("“页数”不能用来限定查找范围，已按全文查找“页数:3”")
    assert read("10:30 :档案").notices == ()


# every name the field registry gives a searchable field (simplified, traditional, English)
FIELD_NAMES = [(name, f.name) for f in FIELDS if f.query for name in f.names]


@pytest.mark.parametrize("name, field", FIELD_NAMES, ids=[n for n, _f in FIELD_NAMES])
def test_every_name_of_every_searchable_field_is_read_as_that_field(name, field):
    value = "2019" if field in ("date", "year") else "總結"
    for typed in (name, name.upper(), _full_width(name)):
        query = read(f"{typed}:{value}")
        assert query.notices == (), typed
        if field == "date":
            assert query.node == DateRange(20190101, 20191231)
        else:
            assert query.node.field == field and query.node.text == value


def _full_width(name: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)


def test_chinese_aliases_for_persons_notes_and_org():
    assert parse("人员:王建成") == parse("persons:王建成") == parse("人員:王建成") == Term(
        "王建成", "persons")
    assert parse("作者:新塘桥镇") == parse("責任者:新塘桥镇") == Term("新塘桥镇", "org")
    assert parse("備註:补登") == parse("notes:补登") == Term("补登", "notes")
    assert parse("題名:總結") == Term("總結", "title")
    assert parse("文號:〔2019〕3号") == Term("〔2019〕3号", "doc_number")


@pytest.mark.parametrize("q, node, notice", [
    ('"档案 保密', Term("档案 保密", quoted=True), "缺少后引号，已把“档案 保密”当作一个短语查找"),
    ('题名:"工作总结', Term("工作总结", "title", True), "缺少后引号"),
    ('王建成"', Term('王建成"'), "有一个多余的引号，已忽略"),
    ("(王建成 OR 卜剑平", Or((Term("王建成"), Term("卜剑平"))), "缺少 1 个右括号"),
    ("王建成) 档案", And((Term("王建成"), Term("档案"))), "多余的右括号“)”已忽略"),
    ("王建成 OR", Term("王建成"), "“OR”后面缺少检索词，已忽略这个 OR"),
    ("OR 王建成", Term("王建成"), "“OR”前面缺少检索词"),
    ("王建成 OR OR 卜剑平", Or((Term("王建成"), Term("卜剑平"))), "连着写了两个 OR"),
    ("王建成 AND", Term("王建成"), "“AND”后面缺少检索词"),
    ("王建成 NOT", Term("王建成"), "“NOT”后面缺少检索词，已忽略这个 NOT"),
    ("王建成 -", Term("王建成"), "“-”后面缺少检索词"),
    ("王建成 () 档案", And((Term("王建成"), Term("档案"))), "括号里没有检索词"),
    ('王建成 ""', Term("王建成"), "引号里没有内容"),
    ("题名: 总结", Term("总结", "title"), "“题名:”和“总结”之间有空格，已按“题名:总结”查找"),
    ("王建成 题名:", Term("王建成"), "“题名:”后面没有要查找的内容"),
    ("王建成 人员：", Term("王建成"), "“人员:”后面没有要查找的内容"),
    ("档案 日期:2019..2015", Term("档案"), "日期范围 2019..2015 的起点晚于终点；已忽略这个日期条件"),
    ("档案 date:2019-13", Term("档案"), "已忽略这个日期条件"),
    ("档案 日期:2019-02-31", Term("档案"), "不是一个存在的日期"),
])
def test_malformed_syntax_is_explained_and_the_rest_searched(q, node, notice):
    query = read(q)
    assert query.node == node
    assert any(notice in n for n in query.notices), query.notices


def test_correct_queries_have_no_notices():
    for q in ('"档案 保密" OR 王建成 -交通', "(王建成 OR 卜剑平) NOT 交通", "题名:总结 日期:2019",
              "王建成 AND 卜剑平", "档案 - 交通", "新政发〔2019〕3号", "", "NOT NOT 王建成"):
        assert read(q).notices == (), q


@pytest.mark.parametrize("q", ['"unbalanced', "((a", "a OR", "NOT a", "a\x00b", "x" * 400])
def test_malformed_inputs_parse(q):
    assert parse(q) is not None


@pytest.mark.parametrize("q", ["AND", ":", "NOT", "，。", "OR", '"', "题名:", "日期:2020..2019"])
def test_nothing_searchable_matches_nothing_and_says_so(q):
    query = read(q)
    assert query.node == NOTHING
    assert query.notices[-1].startswith("查询中没有可检索的词")


def test_only_abuse_is_an_error():
    with pytest.raises(QueryError, match="太长"):
        parse("档" * 10_000)
    assert parse("档" * MAX_QUERY_CHARS) == Term("档" * MAX_QUERY_CHARS)


def test_empty_query_is_none():
    assert parse("   ") is None


def test_nesting_is_limited_with_a_clear_error():
    from indexer.search.querylang import MAX_DEPTH

    assert parse("(" * MAX_DEPTH + "a") == Term("a")
    assert parse("NOT " * (MAX_DEPTH - 1) + "a") is not None
    for q in ("(" * 300, "(" * (MAX_DEPTH + 1) + "a", "NOT " * 120 + "a", "-NOT " * 90 + "a"):
        with pytest.raises(QueryError, match="嵌套太深"):
            parse(q)


# --- end to end, over a real index: the archive room's catalog gives 人员 and 备注 -------------

def paths(archive, q):
    result = archive.search(top_request(q=q, size=100))
    return {h.fields["path"] for h in result.hits}


@pytest.mark.parametrize("q", ["人员:张志强", "persons:张志强", "人員:張志強", "PERSONS:刘芳",
                               "人物:刘芳"])
def test_persons_by_every_name(room, q):
    assert paths(room, q) == {YIJIAO}


@pytest.mark.parametrize("q", ["备注:补登", "notes:补登", "備註:補登", "备考:补登"])
def test_notes_by_every_name(room, q):
    assert paths(room, q) == {YIJIAO}


def test_org_title_doc_number_and_text_by_their_other_names(room):
    assert paths(room, "作者:当阳市档案局") == paths(room, "责任者:当阳市档案局") == {DIANHUA, YIJIAO}
    assert paths(room, "機構:當陽市") == {DIANHUA, YIJIAO}
    assert paths(room, "題名:移交清冊") == paths(room, "标题:移交清册") == {YIJIAO}
    assert paths(room, "文號:〔2008〕7号") == paths(room, "发文字号:当档发〔2008〕7号") == {DIANHUA}
    assert paths(room, "全文:清点") == paths(room, "text:清點") == {YIJIAO}
    assert paths(room, "檔號:0789-WS·2009-Y-0002") == {YIJIAO}
    assert paths(room, "成文日期:2008 题名:电话") == {DIANHUA}


def test_a_field_name_limits_the_search_to_that_field(room):
    assert paths(room, "补登") == {YIJIAO}
    assert paths(room, "题名:补登") == paths(room, "正文:王建成 移交清册") == set()
    assert ZONGJIE in paths(room, "人员:王建成")  # the summary's catalog lists him


def test_a_word_that_names_no_field_is_still_found_as_text_and_told(room):
    result = room.search(top_request(q="电话:0717"))
    assert {h.fields["path"] for h in result.hits} == {DIANHUA}
    assert result.notices[0].startswith("“电话”不是字段名，已按全文查找“电话:0717”。可用字段：")


def test_malformed_syntax_is_searched_and_explained_end_to_end(room):
    result = room.search(top_request(q='(王建成 OR 刘芳 "档案 日期:2019..2015'))
    assert {h.fields["path"] for h in result.hits} == set()  # "档案 日期:2019..2015" is a phrase
    result = room.search(top_request(q='(王建成 OR 刘芳 日期:2019..2015'))
    assert {h.fields["path"] for h in result.hits} == {ZONGJIE, YIJIAO}
    assert len(result.notices) == 2 and "起点晚于终点" in result.notices[0]
    assert "右括号" in result.notices[1]
    nothing = room.search(top_request(q="题名:"))
    assert nothing.total == 0 and nothing.hits == [] and len(nothing.notices) == 2
    assert room.search(top_request(q="王建成")).notices == ()


def test_wildcards_are_explained_not_silently_dropped():
    """王* was searched as 王 with no word said: the answer says * and ? are no wildcards."""
    for q in ("王*", "档案?", "档案＊"):
        query = read(q)
        assert len(query.notices) == 1 and "不是通配符" in query.notices[0], q
    assert read("王建成").notices == ()


def test_people_listed_as_a_catalog_lists_them_are_each_looked_for():
    """人员:王建成；卜剑平 (the catalog's own separator) found nothing: it is both of them."""
    both = And((Term("王建成", "persons"), Term("卜剑平", "persons")))
    for sep in ("；", ";", "、", "，"):
        assert parse(f"人员:王建成{sep}卜剑平") == both, sep
    assert parse('人员:"王建成；卜剑平"') == Term("王建成；卜剑平", "persons", quoted=True)
