"""A 成文日期 in Chinese numerals misread beyond look-alikes, read again with the year the
document itself names (its 文号's): dropped 〇 or 二, a seal's strokes read into the year, 二
read as 三, 八 as 人, 日 lost; nothing guessed without such a year (pure text, no OCR)."""
import pytest

from indexer.ingest.autometa import extract_date, extract_metadata
from indexer.ingest.datefix import confused_years, repaired_dates, year_cost


@pytest.mark.parametrize("read, year, cost", [
    ("二〇〇五", 2005, 0),
    ("二二", 2022, 2),          # both 〇 dropped
    ("00五", 2005, 1),          # 二 dropped, 〇 read as 0
    ("二OO人和八", 2008, 2),    # a seal's strokes read into the year
    ("56五", 2005, 3),          # 二〇〇 read as two strays
    ("三〇〇五", 2005, 1),      # 二 read as 三
    ("二〇〇四", 2005, None),    # another last numeral: never this year
    ("二〇一五", 2005, 2),
])
def test_how_far_a_read_year_is_from_a_year(read, year, cost):
    assert year_cost(read, year) == cost


def _doc(date_line: str, number: str = "柳乡政发〔2022〕104号") -> str:
    return (f"柳溪乡人民政府文件\n{number}\n关于做好安全生产大检查工作的通知\n各村委会：\n"
            f"现将有关事项通知如下。\n特此通知。\n柳溪乡人民政府\n{date_line}\n")


@pytest.mark.parametrize("line, number, date", [
    ("二二年一月十六日", "柳乡政发〔2022〕104号", "2022-01-16"),
    ("00五年十一月六日", "红发〔2005〕80号", "2005-11-06"),
    ("56五年七月二十一日", "枫发〔2005〕149号", "2005-07-21"),
    ("二 O O 人和八年九月二十六日", "柳政发〔2008〕135号", "2008-09-26"),
    ("0一一年七月十三日", "白乡政发〔2011〕32号", "2011-07-13"),
    ("二〇一六年十月人日", "杏政发〔2016〕5号", "2016-10-08"),       # 八 read as 人
    ("二 O 一六年十一月十九晶", "龙政发〔2016〕9号", "2016-11-19"),  # 日 read as 晶
    ("二 O 二 O 年一月七日", "永民发〔2020〕56号", "2020-01-07"),     # every 〇 misread
    ("二〇一九年二月三十日", "青政发〔2019〕1号", "2019-02-20"),      # 二 read as 三
    ("二〇二二年一月十六日", "柳乡政发〔2021〕104号", "2022-01-16"),  # read as written
    ("一〇二四年三月三日", "平农发〔2024〕5号", "2024-03-03"),        # no 公文 of 1024
    ("二〇三年十二月二十六日", "永農發〔2013〕97號", "2013-12-26"),    # 一 lost, not 2003
    ("二〇九年五月一日", "青政发〔2009〕3号", "2009-05-01"),          # a 〇 lost: 2009
])
def test_a_signature_date_misread_is_read_with_the_year_of_its_document_number(
        line, number, date):
    assert extract_metadata(_doc(line, number))["date"] == date


@pytest.mark.parametrize("line, number", [
    ("二二年一月十六日", "柳乡政发〔2021〕104号"),   # the 文号 ends otherwise: no guess
    ("56四年七月二十一日", "枫发〔2005〕149号"),
    ("今年七月二十一日", "枫发〔2005〕149号"),         # prose, no year at all
    ("二〇〇五年二月三十九日", "枫发〔2005〕149号"),   # no such day, 三 as 二 or not
])
def test_no_date_is_made_up_where_the_text_does_not_almost_show_one(line, number):
    assert "date" not in extract_metadata(_doc(line, number))


def test_without_a_year_of_the_document_nothing_is_repaired():
    assert extract_date("柳溪乡人民政府\n二二年一月十六日") == ""
    assert repaired_dates("柳溪乡人民政府\n二二年一月十六日", []) == []


def test_a_date_read_as_it_is_is_not_read_again():
    text = "二〇二二年一月十六日"
    assert repaired_dates(text, [2022], [(0, len(text))]) == []


@pytest.mark.parametrize("line, number, date", [
    ("二〇一二年十一月十七日", "兰农发〔2013〕5号", "2013-11-17"),   # 三 read as 二
    ("二〇一一年五月三日", "桃发〔2012〕8号", "2012-05-03"),         # 二 read as 一
    ("二〇二三年一月二日", "桃发〔2022〕8号", "2023-01-02"),         # later than the 文号's: kept
    ("二〇一二年十一月十七日", "兰农发〔2012〕5号", "2012-11-17"),   # read as written
    ("二〇一二年十一月十七日", "兰农发〔2015〕5号", "2012-11-17"),   # no near numeral: kept
    ("二〇一二年十一月十七日", "兰农发〔2023〕5号", "2012-11-17"),   # two numerals off: kept
    ("2012年11月17日", "兰农发〔2013〕5号", "2012-11-17"),           # digits are not confused
])
def test_a_year_one_stroke_short_of_the_document_numbers_is_read_as_it(line, number, date):
    assert extract_metadata(_doc(line, number))["date"] == date


def test_a_year_put_right_keeps_the_text_the_same_length():
    text = "兰亭县农业农村局\n二〇一二年十一月十七日"
    assert confused_years(text, [2013]) == "兰亭县农业农村局\n二〇一三年十一月十七日"
    assert confused_years(text, []) == text
