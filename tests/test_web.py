"""The HTML pages: hits and highlights, facet links, sorting, paging, record page, errors."""
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from test_api import MALFORMED


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Page(HTMLParser):
    """The parts of a rendered page the tests look at: links (with text and place) and URLs."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.links: list[dict] = []  # {"href", "text", "class", "within": enclosing classes}
        self.urls: list[str] = []  # every src, href and form action
        self._stack: list[tuple[str, str]] = []  # open (tag, class)
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.urls += [attrs[k] for k in ("src", "href", "action") if attrs.get(k)]
        if tag == "a":
            within = {c for _t, cls in self._stack for c in cls.split()}
            link = {"href": attrs.get("href", ""), "text": "", "class": attrs.get("class", ""),
                    "within": within}
            self.links.append(link)
            self._open.append(link)
        if tag not in VOID:
            self._stack.append((tag, attrs.get("class") or ""))

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            self._open.pop()
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for link in self._open:
            link["text"] += data

    def link(self, text: str, within: str = "") -> dict:
        """The one link (inside an element of class `within`) whose text starts with `text`."""
        found = [a for a in self.links if a["text"].strip().startswith(text)
                 and (not within or within in a["within"])]
        assert len(found) == 1, (text, [a["text"] for a in self.links])
        return found[0]

    def facet(self, value: str) -> dict:
        """The facet link for a value (its text is a check mark, the value and the count)."""
        found = [a for a in self.links if "facets" in a["within"]
                 and re.fullmatch(rf"✓?{re.escape(value)}\d+", a["text"].strip())]
        assert len(found) == 1, (value, [a["text"] for a in self.links])
        return found[0]

    def total(self) -> int:
        m = re.search(r"共 <strong>(\d+)</strong> 条记录", self.html)
        return int(m.group(1)) if m else 0

    def paths(self) -> list[str]:
        return re.findall(r'<p class="path">([^<]*)</p>', self.html)

    def dates(self) -> list[str]:
        return re.findall(r'<span class="k">日期</span>([^<]*)</span>', self.html)


def get(client, url, status=200, **params) -> Page:
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def test_search_page_shows_hits_with_metadata(client):
    page = get(client, "/", q="新政发〔2019〕3号")
    assert page.total() == 1
    assert page.paths() == ["文书/2019/tongzhi.txt"]
    assert "关于做好道路交通安全工作的通知" in page.html
    assert "<mark>新政发〔2019〕3号</mark>" in page.html
    assert "2019-05-12" in page.html and "新塘桥镇人民政府" in page.html
    assert re.search(r'class="badge sec-\d"[^>]*>内部<', page.html)
    assert 'lang="zh-CN"' in page.html and 'charset="utf-8"' in page.html


def test_simplified_query_highlights_traditional_original(client):
    page = get(client, "/", q="档案保密")
    assert page.total() == 3
    assert "<mark>檔案保密</mark>" in page.html  # the traditional record, as written
    assert "<mark>档案保密</mark>" in page.html


def test_title_is_highlighted_and_links_to_the_record_with_the_query(client):
    page = get(client, "/", q="交警")
    link = page.link("交警支队工作总结")
    assert "<mark>交警</mark>支队工作总结" in page.html
    assert link["href"].startswith("/records/")
    assert parse_qs(urlsplit(link["href"]).query)["q"] == ["交警"]


def test_snippet_is_labelled_with_its_page(client):
    page = get(client, "/", q="管理力量")
    assert re.search(r'<span class="page">第2页</span>[^<]*<mark>管理力量</mark>', page.html)


def test_query_markup_is_escaped(client):
    page = get(client, "/", q="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in page.html
    assert "&lt;script&gt;" in page.html


def test_empty_query_lists_everything_newest_first(client):
    page = get(client, "/")
    assert page.total() == 6
    assert page.paths()[0] == "公安/2021/big5.txt"
    assert page.dates() == sorted(page.dates(), reverse=True)
    assert '<strong aria-current="true">日期新→旧</strong>' in page.html


def test_sort_links_reorder_the_hits(client):
    page = get(client, "/", q="总结")
    oldest = get(client, page.link("日期旧→新")["href"])
    assert oldest.dates() == sorted(oldest.dates()) and len(oldest.dates()) == 4
    newest = get(client, oldest.link("日期新→旧")["href"])
    assert newest.dates() == sorted(newest.dates(), reverse=True)
    again = get(client, newest.link("相关度")["href"])
    assert again.paths() == page.paths()


def test_facet_link_toggles_a_filter_with_a_chip(client):
    page = get(client, "/", q="工作")
    assert page.total() == 6
    href = page.facet("公安")["href"]
    assert "%E5%85%AC%E5%AE%89" in href and "公安" not in href  # percent-encoded UTF-8
    narrowed = get(client, href)
    assert narrowed.total() == 2
    assert set(narrowed.paths()) == {"公安/2021/jiaojing.txt", "公安/2021/big5.txt"}
    chip = narrowed.link("门类：公安")
    selected = [a for a in narrowed.links if "selected" in a["class"]]
    assert [a["text"].strip() for a in selected] == ["✓公安2"]
    # clicking the selected value again, or the chip, removes the filter
    for undo in (selected[0]["href"], chip["href"]):
        back = get(client, undo)
        assert back.total() == 6 and "门类：公安" not in back.html


def test_values_within_a_facet_or_and_across_facets_and(client):
    police = get(client, get(client, "/").facet("公安")["href"])
    both = get(client, police.facet("文书")["href"])
    assert both.total() == 5
    assert "门类：公安" in both.html and "门类：文书" in both.html
    year = get(client, both.facet("2019")["href"])
    assert year.total() == 2 and "年度：2019" in year.html
    assert set(year.paths()) == {"文书/2019/zongjie.txt", "文书/2019/tongzhi.txt"}


def test_values_with_url_metacharacters_survive_the_links(client):
    odd = "甲+乙&丙 #1%"
    page = get(client, "/", org=odd)
    assert page.total() == 0 and page.link(f"责任者：{odd}")
    both = get(client, page.facet("新塘桥镇人民政府")["href"])
    assert both.total() == 3  # OR within the facet: the odd value matched nothing
    assert parse_qs(urlsplit(both.facet("新塘桥镇人民政府")["href"]).query)["org"] == [odd]
    only = get(client, both.link(f"责任者：{odd}")["href"])
    assert only.total() == 3 and "甲+乙" not in only.html


def test_query_form_keeps_the_chosen_filters(client):
    page = get(client, "/", q="总结", org="襄阳市公安局交通警察支队")
    assert page.total() == 1
    assert '<input type="hidden" name="org" value="襄阳市公安局交通警察支队">' in page.html


def test_date_range_shows_removable_chips(client):
    page = get(client, "/", date_from="2021-02-01")
    assert page.paths() == ["公安/2021/big5.txt"]
    assert get(client, page.link("日期从：2021-02-01")["href"]).total() == 6


def test_pagination_links(client):
    first = get(client, "/", q="工作", size="2")
    assert len(first.paths()) == 2 and "显示第 1–2 条" in first.html
    assert {a["text"].strip() for a in first.links} >= {"2", "3", "下一页"}
    assert '<span class="off">上一页</span>' in first.html
    second = get(client, first.link("下一页")["href"])
    assert '<strong aria-current="page">2</strong>' in second.html
    assert not set(second.paths()) & set(first.paths())
    assert get(client, second.link("上一页")["href"]).paths() == first.paths()
    third = get(client, second.link("3", within="pager")["href"])
    assert '<span class="off">下一页</span>' in third.html
    assert get(client, third.link("上一页")["href"]).paths() == second.paths()
    seen = first.paths() + second.paths() + third.paths()
    assert len(set(seen)) == 6


def test_choosing_a_filter_on_a_later_page_starts_again_at_page_one(client):
    third = get(client, "/", q="工作", size="2", page="3")
    narrowed = get(client, third.facet("公安")["href"])
    assert narrowed.total() == 2 and len(narrowed.paths()) == 2
    assert "page=" not in narrowed.link("门类：公安")["href"]


def test_record_page_has_pages_metadata_and_highlight(client):
    search = get(client, "/", q="管理力量")
    record = get(client, search.link("交警支队工作总结")["href"])
    assert "<h2>第1页" in record.html and "<h2>第2页" in record.html
    assert "第2页 <span class=\"page-hits\">（1 处匹配）</span>" in record.html
    page2 = record.html.split('id="page-2"')[1]
    page1 = record.html.split('id="page-1"')[1].split('id="page-2"')[0]
    assert "<mark>管理力量</mark>" in page2 and "<mark>" not in page1
    for label, value in (("档号", "0456-GA·2021-C-0001"), ("密级", "秘密"), ("页数", "2"),
                         ("路径", "公安/2021/jiaojing.txt"), ("编码", "utf-8")):
        assert f'<th scope="row">{label}</th><td>{value}</td>' in record.html
    back = record.link("← 返回检索“管理力量”")["href"]
    assert get(client, back).paths() == ["公安/2021/jiaojing.txt"]


def test_record_page_highlights_traditional_text_for_a_simplified_query(client):
    search = get(client, "/", q="档案保密")
    record = get(client, search.link("鄉鎮政府年終工作總結")["href"])
    assert "<mark>檔案保密</mark>" in record.html


def test_record_page_marks_every_term_of_the_query_language(client):
    search = get(client, "/", q="管理力量 OR 肇事逃逸 -王建成")
    record = get(client, search.link("交警支队工作总结")["href"])
    assert "<mark>管理力量</mark>" in record.html and "<mark>肇事逃逸</mark>" in record.html
    assert "<strong>2</strong> 处匹配" in record.html


def test_record_page_marks_catalog_values_that_matched(client):
    search = get(client, "/", q="卜剑平")
    record = get(client, search.link("新塘桥镇2019年度档案工作总结")["href"])
    assert '<th scope="row">人物</th><td><mark>卜剑平</mark>；王建成</td>' in record.html


def test_record_page_without_or_with_a_broken_query_has_no_marks(client):
    href = get(client, "/", q="王建成").link("新塘桥镇2019年度档案工作总结")["href"]
    plain = get(client, urlsplit(href).path)
    assert "王建成" in plain.html and "<mark>" not in plain.html
    broken = get(client, urlsplit(href).path, q='"')
    assert "<mark>" not in broken.html


def test_unknown_record_is_a_chinese_404_page(client):
    page = get(client, "/records/0000000000000000", status=404)
    assert "没有编号为 0000000000000000 的记录" in page.html and "未找到" in page.html
    assert 'lang="zh-CN"' in page.html
    assert "没有找到这个页面" in get(client, "/no/such/page", status=404).html


def test_wrong_method_on_a_page_is_a_chinese_405_page(client):
    response = client.post("/", data={"q": "王建成"})
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "不支持这种请求方法" in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ['"', ":", "AND", "日期:2019..2015", "王" * 10240])
def test_malformed_query_shows_the_message_with_400(client, q):
    page = get(client, "/", status=400, q=q)
    assert '<p class="error" role="alert">查询有误：' in page.html
    assert 'name="q"' in page.html  # the form is still there to correct the query


def test_bad_parameter_on_the_page_is_a_400_message(client):
    page = get(client, "/", status=400, q="王建成", size="abc")
    assert "size" in page.html and 'value="王建成"' in page.html


@pytest.mark.parametrize("q", MALFORMED, ids=lambda q: repr(q[:12]))
def test_no_query_breaks_the_page(client, q):
    assert client.get("/", query_string={"q": q}).status_code in (200, 400)


def test_pages_use_no_external_resources(client):
    search = get(client, "/", q="档案保密")
    record = get(client, search.link("鄉鎮政府年終工作總結")["href"])
    pages = [search, record, get(client, "/", status=400, q='"'),
             get(client, "/records/nope", status=404)]
    for page in pages:
        assert page.urls
        for url in page.urls:
            assert not re.match(r"(?i)(https?:)?//", url), url
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    text = css.get_data(as_text=True)
    assert "@import" not in text and "http" not in text
    assert "Noto Sans CJK SC" in text and "mark" in text
