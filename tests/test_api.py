"""The JSON API: answer shape, errors, filters, dates, records and URL round-trips."""
from urllib.parse import urlencode

import pytest

from indexer.store.schema import FACETS

HIT_KEYS = {"id", "path", "title", "date", "org", "doc_number", "category", "security",
            "score", "snippets", "match", "variants"}
ZONGJIE = "文书/2019/zongjie.txt"


def search(client, status=200, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def paths(data) -> set[str]:
    return {h["path"] for h in data["hits"]}


def test_search_answer_has_the_documented_shape(client):
    data = search(client, q="王建成")
    assert data["ok"] is True and data["query"] == "王建成"
    assert (data["total"], data["page"], data["size"]) == (1, 1, 20)
    hit = data["hits"][0]
    assert HIT_KEYS <= set(hit)
    assert hit["path"] == ZONGJIE
    assert hit["title"] == "新塘桥镇2019年度档案工作总结"
    assert (hit["date"], hit["org"], hit["category"], hit["security"]) == (
        "2019-12-20", "新塘桥镇人民政府", "文书", "公开")
    assert isinstance(hit["score"], float) and hit["score"] > 0
    assert hit["snippets"] and hit["snippets"][0]["page"] == 1
    assert "<mark>王建成</mark>" in hit["snippets"][0]["html"]
    assert hit["match"] == "exact" and hit["variants"] == []
    assert data["exact_total"] == 1 and data["suggestions"] == []
    assert set(data["facets"]) == set(FACETS)
    for values in data["facets"].values():
        for v in values:
            assert set(v) >= {"value", "count", "selected"}
            assert isinstance(v["count"], int) and v["selected"] is False


def test_chinese_is_sent_as_utf8_not_escapes(client):
    body = client.get("/api/search", query_string={"q": "王建成"}).get_data()
    assert "王建成".encode("utf-8") in body and b"\\u" not in body


def test_snippet_knows_the_page_of_its_hit(client):
    data = search(client, q="管理力量")
    assert paths(data) == {"公安/2021/jiaojing.txt"}
    assert data["hits"][0]["snippets"][0]["page"] == 2


def test_simplified_query_marks_traditional_original(client):
    data = search(client, q="档案保密")
    assert "文书/2021/xiangzhen.txt" in paths(data)
    html = next(h for h in data["hits"] if h["path"] == "文书/2021/xiangzhen.txt")
    assert "<mark>檔案保密</mark>" in html["snippets"][0]["html"]


def test_doc_number_with_brackets_is_found(client):
    data = search(client, q="新政发〔2019〕3号")
    assert paths(data) == {"文书/2019/tongzhi.txt"}
    assert data["hits"][0]["doc_number"] == "新政发〔2019〕3号"


def test_empty_query_lists_everything_newest_first(client):
    data = search(client)
    assert data["total"] == 6 and len(data["hits"]) == 6
    dated = [h["date"] for h in data["hits"] if h["date"]]
    assert dated == sorted(dated, reverse=True)
    assert data["hits"][0]["path"] == "公安/2021/big5.txt"


def test_sort_by_date_oldest_first(client):
    data = search(client, q="总结", sort="date")
    dated = [h["date"] for h in data["hits"] if h["date"]]
    assert dated == sorted(dated) and data["hits"][0]["path"] == ZONGJIE


def test_pages_do_not_overlap(client):
    first = search(client, q="工作", size=2)
    second = search(client, q="工作", size=2, page=2)
    assert first["total"] == second["total"] == 6
    assert second["page"] == 2 and len(second["hits"]) == 2
    assert not paths(first) & paths(second)


@pytest.mark.parametrize("params, words", [
    ({"size": "0"}, "size"),
    ({"size": "1001"}, "size"),
    ({"size": "abc"}, "size"),
    ({"page": "0"}, "page"),
    ({"page": "x"}, "page"),
    ({"sort": "newest"}, "sort"),
    ({"date_from": "2019-13"}, "日期"),
    ({"date_to": "yesterday"}, "日期"),
])
def test_bad_parameters_are_400_with_a_message(client, params, words):
    data = search(client, status=400, **params)
    assert data["ok"] is False and data["status"] == 400
    assert words in data["error"]


MALFORMED = [
    '"unbalanced', '王建成"', ":", "题名:", "文号：", "AND", "OR OR", "NOT", "(((", ")", "-", "--",
    "王建成 -", "(王建成 OR", "日期:2019..2015", "日期:abc", "日期:..", "\\", "%", "*", "'",
    "<script>alert(1)</script>", "王" * 10240, "档案 " * 2000, "档案 " * 160,
    "\x00\x01王建成\x1f", "\u3000\u3000", "题名:\"\"", "年度:", "id:", "密级:绝密",
]


@pytest.mark.parametrize("q", MALFORMED, ids=lambda q: repr(q[:12]))
def test_malformed_queries_never_fail_the_server(client, q):
    response = client.get("/api/search", query_string={"q": q})
    data = response.get_json()
    assert response.status_code in (200, 400), data
    if response.status_code == 400:
        assert data["ok"] is False and data["error"].strip()
    else:
        assert data["ok"] is True and isinstance(data["total"], int)


def test_control_characters_are_ignored_not_fatal(client):
    assert paths(search(client, q="\x00\x01王建成\x1f")) == {ZONGJIE}


def test_overlong_query_says_so(client):
    assert "太长" in search(client, status=400, q="王" * 10240)["error"]


@pytest.mark.parametrize("q", ["(" * 300, "(" * 40 + "王建成", "NOT " * 120 + "王建成",
                               "-NOT " * 90 + "王建成", "(NOT " * 80])
def test_deeply_nested_queries_are_a_400_not_a_crash(client, q):
    """Brackets or NOTs nested past 32 levels are abuse, answered with a clear message (they
    once took the parser past Python's recursion limit: a 500 and thousands of log lines)."""
    assert "嵌套太深" in search(client, status=400, q=q)["error"]
    page = client.get("/", query_string={"q": q})
    assert page.status_code == 400 and "嵌套太深" in page.get_data(as_text=True)


@pytest.mark.parametrize("q", ["((王建成", '"王建成', "(((((((((王建成)", "NOT NOT 王建成 卜剑平"])
def test_ordinary_malformed_queries_are_still_searched(client, q):
    assert search(client, q=q)["total"] >= 1


@pytest.mark.parametrize("q, total, notice", [
    ("电话:0717 OR 李秀英", 1, "“电话”不是字段名，已按全文查找“电话:0717”。可用字段：题名、"),
    ('"王建成', 1, "缺少后引号"),
    ("(王建成 OR 李秀英", 2, "缺少 1 个右括号"),
    ("王建成 OR", 1, "“OR”后面缺少检索词"),
    ("王建成 题名:", 1, "“题名:”后面没有要查找的内容"),
    ("王建成 日期:2019..2015", 1, "起点晚于终点"),
    ("!!!", 0, "查询中没有可检索的词"),
    ("。，、", 0, "查询中没有可检索的词"),
])
def test_malformed_syntax_is_explained_in_notices_and_searched(client, q, total, notice):
    data = search(client, q=q)
    assert data["ok"] is True and data["total"] == total
    assert any(notice in n for n in data["notices"]), data["notices"]


def test_a_correct_query_has_no_notices(client):
    assert search(client, q="人员:王建成 OR 人員:李秀英")["notices"] == []


def test_a_hit_matched_only_in_a_catalog_field_has_that_fields_snippet(client):
    (hit,) = search(client, q="李秀英")["hits"]  # only among the catalog's persons
    assert hit["snippets"] == [{"field": "人员", "page": None, "html": "<mark>李秀英</mark>"}]
    (hit,) = search(client, q="王建成")["hits"]  # in the text as well: the text is shown
    assert [s["page"] for s in hit["snippets"]] == [1] and "field" not in hit["snippets"][0]


def test_facet_filter_narrows_results_and_counts(client):
    everything = search(client, q="工作")
    police = search(client, q="工作", category="公安")
    assert 0 < police["total"] < everything["total"]
    assert {h["category"] for h in police["hits"]} == {"公安"}
    category = {v["value"]: v for v in police["facets"]["category"]}
    assert category["公安"]["selected"] and category["公安"]["count"] == police["total"]
    assert category["文书"]["count"] == 3  # a facet's own choice does not hide its other values
    years = {v["value"]: v["count"] for v in police["facets"]["year"]}
    assert years == {"2021": 2}  # other facets count only the narrowed results


def test_values_of_one_facet_or_and_different_facets_and(client):
    both = search(client, category=["公安", "文书"])
    assert both["total"] == 5
    narrowed = search(client, category=["公安", "文书"], year="2019")
    assert paths(narrowed) == {ZONGJIE, "文书/2019/tongzhi.txt"}


def test_unknown_facet_value_gives_nothing_but_stays_selected(client):
    data = search(client, category="不存在")
    assert data["total"] == 0
    assert {"value": "不存在", "count": 0, "selected": True} in data["facets"]["category"]


def test_date_from_and_date_to(client):
    assert paths(search(client, date_from="2021-02-01")) == {"公安/2021/big5.txt"}
    assert paths(search(client, date_to="2020")) >= {ZONGJIE, "文书/2019/tongzhi.txt"}
    assert all(h["date"] < "2020" for h in search(client, date_to="2020")["hits"])
    window = search(client, date_from="2019-06", date_to="2019-12-31")
    assert paths(window) == {ZONGJIE}


def test_chinese_facet_value_round_trips_through_a_percent_encoded_url(client):
    org = "襄阳市公安局交通警察支队"
    url = "/api/search?" + urlencode({"q": "总结", "org": org})
    assert "%E8%A5%84" in url and org not in url
    data = client.get(url).get_json()
    assert paths(data) == {"公安/2021/jiaojing.txt"}
    chosen = [v for v in data["facets"]["org"] if v["selected"]]
    assert chosen == [{"value": org, "count": 1, "selected": True}]


def test_record_by_id(client):
    hit = search(client, q="管理力量")["hits"][0]
    response = client.get(f"/api/records/{hit['id']}")
    assert response.status_code == 200
    data = response.get_json()
    record = data["record"]
    assert data["ok"] and record["id"] == hit["id"] and record["path"] == hit["path"]
    assert "管理力量" in record["text"]
    assert [p["page"] for p in record["page_list"]] == [1, 2]
    second = record["page_list"][1]
    assert "管理力量" in record["text"][second["start"]:second["end"]]
    assert record["meta"]["encoding"] == "utf-8"


def test_unknown_record_is_a_json_404(client):
    response = client.get("/api/records/0000000000000000")
    assert response.status_code == 404
    data = response.get_json()
    assert data["ok"] is False and data["status"] == 404 and data["error"]


def test_unknown_api_path_and_wrong_method_answer_json(client):
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["ok"] is False
    posted = client.post("/api/search", data={"q": "王建成"})
    assert posted.status_code == 405 and posted.get_json()["status"] == 405


def test_a_misspelt_name_is_answered_with_approximate_hits_and_a_suggestion(client):
    data = search(client, q="王建城")  # 城 typed for 成
    assert data["exact_total"] == 0 and data["total"] == len(data["hits"]) >= 1
    hit = next(h for h in data["hits"] if h["path"] == ZONGJIE)
    assert hit["match"] == "approximate" and hit["variants"] == ["王建成"]
    assert "<mark>王建成</mark>" in hit["snippets"][0]["html"]
    assert "王建成" in data["suggestions"]


def test_suggest_completes_names_titles_and_doc_numbers(client):
    response = client.get("/api/suggest", query_string={"q": "卜剑"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] is True and data["query"] == "卜剑"
    assert {"text": "卜剑平", "kind": "人名"} in data["suggestions"]
    numbers = client.get("/api/suggest", query_string={"q": "新政发"}).get_json()
    assert {"text": "新政发〔2019〕3号", "kind": "文号"} in numbers["suggestions"]
    # a 文号 typed loosely up to its year, or the year alone, completes it too
    for typed in ("新政发2019", "新政发(2019", "新政发2019年", "2019"):
        got = client.get("/api/suggest", query_string={"q": typed}).get_json()["suggestions"]
        assert {"text": "新政发〔2019〕3号", "kind": "文号"} in got, typed
    assert client.get("/api/suggest", query_string={"q": ""}).get_json()["suggestions"] == []


def test_suggest_refuses_bad_sizes_and_long_input(client):
    for params in ({"q": "王", "size": "0"}, {"q": "王", "size": "x"}, {"q": "王" * 51}):
        response = client.get("/api/suggest", query_string=params)
        assert response.status_code == 400 and response.get_json()["ok"] is False
