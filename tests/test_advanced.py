"""高级检索: the form writes the ordinary query syntax, searches with it, and offers only the
values and 密级 the reader may see."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from conftest import admin_client
from werkzeug.datastructures import MultiDict

from search_app.advanced import compose


def test_the_form_values_become_the_query_syntax_a_clerk_can_type():
    args = MultiDict({"words": "档案 OR 交通", "title": "工作总结", "org": "新塘桥镇人民政府",
                      "persons": "王建成", "doc_number": "新政发〔2019〕3号",
                      "date_from": "2015", "date_to": "2019-06", "category": "文书",
                      "security": "内部", "notes": "  "})
    assert compose(args) == ("档案 OR 交通 题名:工作总结 责任者:新塘桥镇人民政府 人员:王建成 "
                             "文号:新政发〔2019〕3号 日期:2015..2019-06 门类:文书 密级:内部")
    assert compose(MultiDict({"title": "年终 总结"})) == '题名:"年终 总结"'
    assert compose(MultiDict({"org": 'a"b(c'})) == '责任者:"a b(c"'
    assert compose(MultiDict({"title": "OR"})) == '题名:"OR"'
    assert compose(MultiDict({"date_to": "2019"})) == "日期:..2019"
    assert compose(MultiDict()) == ""


def test_a_doc_number_typed_loosely_is_written_as_documents_write_it():
    """当档发2008 7号 in the form's 文号 box was quoted and then found nothing: it is written
    当档发〔2008〕7号, which the record's 文号 holds; what is no 文号 stays as typed."""
    for typed in ("当档发2008 7号", "当档发2008年第7号", "当档发(2008)7号"):
        assert compose(MultiDict({"doc_number": typed})) == "文号:当档发〔2008〕7号", typed
    assert compose(MultiDict({"doc_number": "档案 7"})) == '文号:"档案 7"'


def test_searching_from_the_form_lands_on_the_results_with_the_query_in_the_box(app):
    c = admin_client(app)
    r = c.get("/advanced/search", query_string={"title": "总结", "org": "公安", "date_from": "2021"})
    assert r.status_code == 303
    q = parse_qs(urlsplit(r.headers["Location"]).query)["q"][0]
    assert q == "题名:总结 责任者:公安 日期:2021.."
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert 'value="题名:总结 责任者:公安 日期:2021.."' in page
    assert "交警支队工作总结" in page and "公安交通管理工作总结" in page
    assert "新塘桥镇2019年度档案工作总结" not in page  # 责任者 is not 公安
    assert c.get("/advanced/search", query_string={"title": "总结", "preview": "1"}).get_json() \
        == {"ok": True, "q": "题名:总结"}
    assert c.get("/advanced/search").headers["Location"] == "/advanced"  # nothing filled in


def test_the_form_offers_only_what_the_reader_may_see(app):
    anonymous = app.test_client().get("/advanced").get_data(as_text=True)
    security = anonymous.split('id="adv-security"')[1].split("</select>")[0]
    assert '<option value="公开">' in security and "内部" not in security
    assert 'id="adv-title"' in anonymous and '<label for="adv-title">题名</label>' in anonymous
    admin = admin_client(app).get("/advanced").get_data(as_text=True)
    security = admin.split('id="adv-security"')[1].split("</select>")[0]
    assert '<option value="绝密">' in security
    categories = admin.split('id="adv-category"')[1].split("</select>")[0]
    assert '<option value="公安">' in categories and '<option value="文书">' in categories
    anon_categories = anonymous.split('id="adv-category"')[1].split("</select>")[0]
    assert '<option value="文书">' in anon_categories
    assert '<option value="公安">' in anon_categories  # big5.txt is 公开 and 公安
    assert "高级检索" in app.test_client().get("/").get_data(as_text=True)
