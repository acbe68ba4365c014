"""The one date module: every form archives write, checked against the calendar."""
import pytest

from indexer import dates


@pytest.mark.parametrize("written, iso", [
    ("2019", "2019"), ("2019-05", "2019-05"), ("2019-5", "2019-05"), ("2019-05-12", "2019-05-12"),
    ("2019/5/12", "2019-05-12"), ("2019.05.12", "2019-05-12"), ("20190512", "2019-05-12"),
    ("201905", "2019-05"), ("2019年", "2019"), ("2019年5月", "2019-05"),
    ("2019年5月12日", "2019-05-12"), ("2019 年 5 月 12 日", "2019-05-12"),
    ("二〇一九年五月十二日", "2019-05-12"), ("二〇〇八年七月2日", "2008-07-02"),
    ("一九九七年十二月三十一日", "1997-12-31"), ("二〇二〇年二月二十九日", "2020-02-29"),
    ("二○一六年", "2016"), ("2016年十月", "2016-10"),
])
def test_written_forms_are_read(written, iso):
    assert dates.parse(written).iso == iso
    assert dates.normalise(written) == iso


@pytest.mark.parametrize("written", [
    "2019-02-31", "2019-13", "20190230", "二〇一九年二月三十日", "2019年0月", "2021-02-29",
    "19", "公元前", "2019-05-12-01", "2019年五十月", "",
])
def test_impossible_or_unknown_dates_are_refused(written):
    with pytest.raises(dates.DateError):
        dates.parse(written)
    assert dates.normalise(written) == ""


def test_numbers_and_bounds():
    assert dates.number("2019-05-12") == 20190512
    assert dates.number("2019") == 20190101
    assert dates.number("not a date") == 0
    assert dates.parse("2019-02").last_day() == 20190228
    assert dates.parse("2020-02").last_day() == 20200229
    assert dates.parse("2019").last_day() == 20191231


def test_chinese_and_digit_spellings_round_trip():
    for iso in ("2016", "2008-07", "2008-07-02", "1997-12-31", "2020-10-20"):
        d = dates.parse(iso)
        assert dates.parse(d.chinese()) == d
        assert dates.parse(d.digits()) == d
    assert dates.parse("2016").chinese() == "二〇一六年"
    assert dates.parse("2008-07-02").chinese() == "二〇〇八年七月二日"
    assert dates.parse("2020-10-20").chinese() == "二〇二〇年十月二十日"


def test_dates_are_found_in_text_with_their_place():
    text = "会议于二〇〇八年七月2日召开，通知2019年5月12日印发，2019年2月30日有误。"
    found = [(text[a:b], d.iso) for a, b, d in dates.find(text)]
    assert found == [("二〇〇八年七月2日", "2008-07-02"), ("2019年5月12日", "2019-05-12")]
