"""Query language: AND, quotes, OR, NOT/-, fields, dates; malformed input never crashes."""
import pytest

from indexer.errors import QueryError
from indexer.search.querylang import And, DateRange, Not, Or, Term, parse


def test_space_is_and():
    assert parse("王建成 档案保密") == And((Term("王建成"), Term("档案保密")))


def test_quotes_or_and_minus():
    node = parse('"档案 保密" OR 王建成 -交通')
    assert node == And((Or((Term("档案 保密", quoted=True), Term("王建成"))), Not(Term("交通"))))


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


@pytest.mark.parametrize("q", ['"unbalanced', "((a", "a OR", "NOT a", "a\x00b", "x" * 400])
def test_malformed_inputs_parse(q):
    assert parse(q) is not None


@pytest.mark.parametrize("q", ["AND", ":", "NOT", "，。", "OR"])
def test_nothing_searchable_is_a_clear_error(q):
    with pytest.raises(QueryError, match="没有可检索的词"):
        parse(q)


def test_too_long_and_bad_dates_are_clear_errors():
    with pytest.raises(QueryError, match="太长"):
        parse("档" * 10_000)
    with pytest.raises(QueryError, match="日期"):
        parse("date:2019-13")
    with pytest.raises(QueryError, match="不是一个存在的日期"):
        parse("date:2019-02-31")
    with pytest.raises(QueryError, match="起点晚于终点"):
        parse("date:2020..2019")


def test_empty_query_is_none():
    assert parse("   ") is None


def test_nesting_is_limited_with_a_clear_error():
    from indexer.search.querylang import MAX_DEPTH

    assert parse("(" * MAX_DEPTH + "a") == Term("a")
    assert parse("NOT " * (MAX_DEPTH - 1) + "a") is not None
    for q in ("(" * 300, "(" * (MAX_DEPTH + 1) + "a", "NOT " * 120 + "a", "-NOT " * 90 + "a"):
        with pytest.raises(QueryError, match="嵌套太深"):
            parse(q)
