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


def test_snippet_is_labelled_with_its_page_and_links_to_it(client):
    page = get(client, "/", q="管理力量")
    assert re.search(r'<a class="page" href="[^"]*#page-2"[^>]*>第2页</a>[^<]*<mark>管理力量</mark>',
                     page.html)
    link = page.link("第2页")
    assert link["href"].startswith("/records/") and link["href"].endswith("#page-2")
    assert parse_qs(urlsplit(link["href"]).query)["q"] == ["管理力量"]


def test_title_link_opens_the_record_at_the_first_page_with_a_hit(client):
    page = get(client, "/", q="管理力量")
    assert urlsplit(page.link("交警支队工作总结")["href"]).fragment == "page-2"
    first_page = get(client, "/", q="王建成").link("新塘桥镇2019年度档案工作总结")["href"]
    assert urlsplit(first_page).fragment == ""  # the record opens at its top, page 1


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


def test_back_to_the_search_keeps_filters_dates_sort_and_page(client):
    """A clerk narrowed 工作 to one record (门类, a year range, newest first): the record
    page's 返回检索 — and a 相关记录 opened from it — go back to that one hit, not to all."""
    args = {"q": "工作", "category": "公安", "date_from": "2021-02", "sort": "-date"}
    search = get(client, "/", **args)
    assert search.total() == 1
    record = get(client, search.link("公安交通管理工作总结")["href"])
    back = get(client, record.link("← 返回检索“工作”")["href"])
    assert back.total() == 1 and back.paths() == ["公安/2021/big5.txt"]
    assert parse_qs(urlsplit(record.link("← 返回检索“工作”")["href"]).query) == {
        k: [v] for k, v in args.items()}
    plain = "/records/" + search.link("公安交通管理工作总结")["href"].split("/records/")[1]
    plain = plain.split("?")[0]
    assert get(client, plain).html.count('<p class="back"><a href="/">') == 2  # from elsewhere
    tampered = get(client, plain, back="x=1&q=王&next=//evil.example")
    assert tampered.html.count('<a href="/?q=%E7%8E%8B">← 返回检索') == 2  # unknown ones dropped


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
    assert '<th scope="row">人员</th><td><mark>卜剑平</mark>；王建成</td>' in record.html


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


@pytest.mark.parametrize("q", ["王" * 10240, "(" * 40 + "王建成"])
def test_abusive_query_shows_the_message_with_400(client, q):
    page = get(client, "/", status=400, q=q)
    assert re.search(r'<div class="error" role="alert">\s*<p><strong>查询有误：</strong>.+</p>',
                     page.html)
    assert 'name="q"' in page.html  # the form is still there to correct the query
    assert '<details class="syntax" open>' in page.html  # with the syntax help open


@pytest.mark.parametrize("q, notice", [
    ('"', "有一个多余的引号，已忽略"), (":", "查询中没有可检索的词"),
    ("AND", "“AND”前面缺少检索词"), ("档案 日期:2019..2015", "起点晚于终点；已忽略这个日期条件"),
    ("电话:0717", "“电话”不是字段名，已按全文查找“电话:0717”。可用字段：题名、"),
])
def test_malformed_query_is_explained_above_the_results(client, q, notice):
    page = get(client, "/", q=q)
    notices = re.search(r'<div class="notices" role="status">(.*?)</div>', page.html, re.S)
    assert notices and re.search(rf"<li>[^<]*{re.escape(notice)}", notices.group(1)), page.html[:3000]
    assert page.html.index('class="notices"') < page.html.index('id="result-count"')
    assert 'aria-invalid' not in page.html


def test_a_correct_query_has_no_notices(client):
    assert 'class="notices"' not in get(client, "/", q="人员:王建成").html


def test_a_hit_matched_only_in_a_catalog_field_shows_it_labelled(client):
    page = get(client, "/", q="李秀英")
    assert re.search(r'<p class="snippet field-snippet"><span class="field"[^>]*>人员</span>'
                     r'<mark>李秀英</mark></p>', page.html), page.html
    assert "#page-0" not in page.html and "第0页" not in page.html


def test_bad_parameter_on_the_page_is_a_400_message(client):
    page = get(client, "/", status=400, q="王建成", size="abc")
    assert "size" in page.html and 'value="王建成"' in page.html


@pytest.mark.parametrize("q", MALFORMED, ids=lambda q: repr(q[:12]))
def test_no_query_breaks_the_page(client, q):
    assert client.get("/", query_string={"q": q}).status_code in (200, 400)


def test_pages_use_no_external_resources(client):
    search = get(client, "/", q="档案保密")
    record = get(client, search.link("鄉鎮政府年終工作總結")["href"])
    pages = [search, record, get(client, "/", status=400, q="(" * 40),
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


# --- issue 5: the front end a clerk would choose to use ---------------------------------

def test_malformed_query_stays_in_the_box(client):
    page = get(client, "/", q="档案 日期:2019..2015")
    assert 'value="档案 日期:2019..2015"' in page.html and 'class="notices"' in page.html
    page = get(client, "/", status=400, q="(" * 40 + "档案")
    assert 'value="' + "(" * 40 + '档案"' in page.html and 'aria-invalid="true"' in page.html


def test_syntax_help_is_collapsible_without_javascript(client):
    page = get(client, "/", q="王建成")
    help_ = page.html.split('<details class="syntax">')[1].split("</details>")[0]
    for example in ("引号", "空格", "OR", "-交通", "题名:总结", "日期:2015..2019"):
        assert example in help_, example


def test_hit_shows_kind_pages_and_type(client):
    page = get(client, "/", q="新政发〔2019〕3号")
    assert '<span class="k">文种</span>通知' in page.html
    assert "1 页 · 文本" in page.html


def test_kind_facet_is_listed_and_round_trips_percent_encoded(client):
    page = get(client, "/")
    href = page.facet("总结")["href"]
    assert "kind=%E6%80%BB%E7%BB%93" in href  # 总结, percent-encoded UTF-8
    narrowed = get(client, href)
    assert narrowed.total() == 4 and "文种：总结" in narrowed.html
    assert '<h3 id="facet-kind">文种</h3>' in narrowed.html


def test_type_facet_values_are_in_chinese(client):
    page = get(client, "/")
    narrowed = get(client, page.facet("文本")["href"])
    assert "type=txt" in page.facet("文本")["href"] and "文件类型：文本" in narrowed.html


def test_year_facet_is_a_histogram_of_css_classes(client):
    page = get(client, "/")
    bars = re.findall(r'<span class="value">(\d{4})</span><span class="bar" aria-hidden="true">'
                      r'<span class="fill bar-(\d+)"></span></span><span class="n">(\d+)</span>',
                      page.html)
    counts = {year: (int(bar), int(n)) for year, bar, n in bars}
    assert counts == {"2021": (20, 3), "2019": (13, 2)}  # the widest bar is full length
    assert "style=" not in page.html  # widths come from the style sheet (no inline styles)
    css = client.get("/static/style.css").get_data(as_text=True)
    assert ".bar-20 { width: 100%; }" in css and ".bar-10 { width: 50%; }" in css


def test_year_range_form_maps_to_date_from_and_date_to(client):
    page = get(client, "/", q="工作", category="文书")
    form = page.html.split('<form class="years"')[1].split("</form>")[0]
    assert 'name="date_from"' in form and 'name="date_to"' in form
    assert '<input type="hidden" name="q" value="工作">' in form
    assert '<input type="hidden" name="category" value="文书">' in form
    assert '<label for="date_from">从</label>' in form and '<label for="date_to">到</label>' in form
    narrowed = get(client, "/", q="工作", category="文书", date_from="2019", date_to="2019")
    assert set(narrowed.paths()) == {"文书/2019/zongjie.txt", "文书/2019/tongzhi.txt"}
    assert "日期从：2019" in narrowed.html and "日期到：2019" in narrowed.html
    assert 'value="2019"' in narrowed.html.split('<form class="years"')[1]


def test_chips_can_all_be_cleared_at_once_keeping_the_query(client):
    page = get(client, "/", q="工作", category="公安", year="2021", date_from="2020")
    clear = page.link("全部清除")["href"]
    assert parse_qs(urlsplit(clear).query) == {"q": ["工作"]}
    assert get(client, clear).total() == 6


def test_every_form_field_has_a_label(client):
    for page in (get(client, "/", q="工作"), get(client, "/", status=400, q="(" * 40),
                 get(client, "/records/nope", status=404)):
        ids = set(re.findall(r'<label for="([^"]+)"', page.html))
        for tag in re.findall(r"<input\b[^>]*>", page.html):
            if 'type="hidden"' in tag:
                continue
            m = re.search(r'id="([^"]+)"', tag)
            assert m and m.group(1) in ids, tag


def test_pages_have_a_skip_link_and_visible_focus(client):
    page = get(client, "/")
    assert '<a class="skip" href="#main">' in page.html and '<main id="main"' in page.html
    css = client.get("/static/style.css").get_data(as_text=True)
    assert ":focus-visible" in css and "em, i { font-weight: bold; }" in css
    assert re.search(r"em, i, [^{]*\{ font-style: normal; \}", css)
    assert "line-height: 1.7" in css


def test_empty_result_gives_advice(client):
    page = get(client, "/", q="不存在的词语")
    assert "没有找到匹配的记录" in page.html and "检查有没有错别字" in page.html


def record_href(client, q: str, title: str) -> str:
    return get(client, "/", q=q).link(title)["href"]


def test_record_page_lists_its_pages_and_marks_those_with_hits(client):
    record = get(client, record_href(client, "管理力量", "交警支队工作总结"))
    nav = record.html.split('<nav class="pagelist"')[1].split("</nav>")[0]
    assert '<a href="#page-1">1</a>' in nav
    assert '<a href="#page-2" class="has-hits" title="本页 1 处匹配">2</a>' in nav
    assert "跳到第一处（第2页）" in record.html


def test_record_page_hit_navigation_is_a_static_script(client):
    record = get(client, record_href(client, "王建成", "新塘桥镇2019年度档案工作总结"))
    assert '<div class="hitnav" hidden>' in record.html  # shown by the script only
    assert '<script src="/static/record.js" defer></script>' in record.html
    assert not re.search(r"<script(?![^>]*\bsrc=)", record.html)  # no inline script
    assert not re.search(r"\son[a-z]+=", record.html)  # no inline event handlers
    js = client.get("/static/record.js")
    assert js.status_code == 200 and "javascript" in js.mimetype
    assert "next-hit" in js.get_data(as_text=True)


def test_record_page_offers_download_and_print(client):
    record = get(client, record_href(client, "管理力量", "交警支队工作总结"))
    download = record.link("下载原件")
    assert re.fullmatch(r"/records/[0-9a-f]+/download", download["href"])
    text = record.link("打印文字")["href"]
    assert parse_qs(urlsplit(text).query)["print"] == ["text"]
    assert not [a for a in record.links if a["text"].startswith("打印原件图像")]  # no images
    preview = get(client, text)
    assert 'data-print="text"' in preview.html and "打印预览" in preview.html
    odd = get(client, urlsplit(text).path, print="<x>")
    assert "data-print=" not in odd.html.split("<body")[1].split(">")[0]
    css = client.get("/static/style.css").get_data(as_text=True)
    assert "@media print" in css and "[data-print=text] .page-image" in css


def test_download_serves_the_original_bytes(client, corpus_dir):
    record = get(client, record_href(client, "新政发〔2019〕3号", "关于做好道路交通安全工作的通知"))
    response = client.get(record.link("下载原件")["href"])
    assert response.status_code == 200
    assert response.data == (corpus_dir / "文书/2019/tongzhi.txt").read_bytes()  # GB18030 kept
    assert response.headers["Content-Disposition"] == 'attachment; filename="tongzhi.txt"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_of_an_unknown_record_is_404(client):
    response = client.get("/records/0000000000000000/download")
    assert response.status_code == 404 and "没有编号为" in response.get_data(as_text=True)


def test_content_disposition_of_a_chinese_name_is_rfc_5987():
    from search_app.records import content_disposition

    value = content_disposition("王建成 登记表.pdf", "abc123")
    assert value == ('attachment; filename="abc123.pdf"; '
                     "filename*=UTF-8''%E7%8E%8B%E5%BB%BA%E6%88%90%20"
                     "%E7%99%BB%E8%AE%B0%E8%A1%A8.pdf")
    assert content_disposition('a"b.txt', "x") == 'attachment; filename="a_b.txt"'


@pytest.fixture(scope="module")
def chinese_named(tmp_path_factory):
    """An index over a file with a Chinese name, and that file (to remove it later)."""
    from conftest import admin_client, make_settings
    from indexer.build.run import run_index
    from search_app.app import create_app

    corpus = tmp_path_factory.mktemp("named")
    original = corpus / "人事" / "王建成登记表.txt"
    original.parent.mkdir()
    original.write_text("王建成同志干部登记表\n第1页\f王建成，男，1962年生。\n", encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("named-data") / "index", corpus)
    assert not run_index(settings).failed
    return admin_client(create_app(settings)), original


def test_download_of_a_chinese_file_name(chinese_named):
    c, original = chinese_named
    (hit,) = c.get("/api/search", query_string={"q": "王建成"}).get_json()["hits"]
    response = c.get(f"/records/{hit['id']}/download")
    assert response.status_code == 200 and response.data == original.read_bytes()
    disposition = response.headers["Content-Disposition"]
    assert f'filename="{hit["id"]}.txt"' in disposition
    assert disposition.endswith(
        "filename*=UTF-8''%E7%8E%8B%E5%BB%BA%E6%88%90%E7%99%BB%E8%AE%B0%E8%A1%A8.txt")
    page = c.get(f"/records/{hit['id']}").get_data(as_text=True)
    assert "下载原件 <small>（TXT，" in page


def test_download_of_a_removed_original_is_a_chinese_404(chinese_named, tmp_path):
    c, original = chinese_named
    (hit,) = c.get("/api/search", query_string={"q": "王建成"}).get_json()["hits"]
    kept = tmp_path / original.name
    original.rename(kept)
    try:
        response = c.get(f"/records/{hit['id']}/download")
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "原件已不在档案目录中" in response.get_data(as_text=True)
        page = c.get(f"/records/{hit['id']}").get_data(as_text=True)
        assert "原件不可下载" in page  # the record page still opens
    finally:
        kept.rename(original)


ODD_NAMES = {  # file name -> a word only that file holds
    "line\nbreak.txt": "甲乙丙", 'quote"and\\back.txt': "丁戊己", "tab\tbell\x07.txt": "庚辛壬",
    "王\n建成\r登记.txt": "癸子丑",
}


def test_download_of_file_names_with_newlines_quotes_and_controls(tmp_path):
    """Names a header cannot carry as they are: the download still works, with a well-formed
    Content-Disposition (a newline in a name once gave a 500)."""
    from conftest import admin_client, make_settings
    from indexer.build.run import run_index
    from search_app.app import create_app

    corpus = tmp_path / "odd"
    corpus.mkdir()
    for name, word in ODD_NAMES.items():
        (corpus / name).write_text(f"{word}档案", encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    c = admin_client(create_app(settings))
    for name, word in ODD_NAMES.items():
        (hit,) = c.get("/api/search", query_string={"q": word}).get_json()["hits"]
        response = c.get(f"/records/{hit['id']}/download")
        assert response.status_code == 200, name
        assert response.data == (corpus / name).read_bytes()
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment; filename=")
        assert not any(ord(ch) < 32 or ch == "\x7f" for ch in disposition), disposition
        assert disposition.count('"') == 2, disposition  # one quoted name, nothing escaped
    assert c.get(f"/records/{hit['id']}").status_code == 200


def test_record_page_shows_warnings_prominently(client, app, monkeypatch):
    archive = app.extensions["dangan.archive"]
    real = archive.record

    def with_warning(record_id, clearance):
        rec = real(record_id, clearance)
        rec["meta"] = {**rec["meta"], "warnings": ["第2页文字层损坏，已用OCR识别"]}
        return rec

    href = record_href(client, "管理力量", "交警支队工作总结")
    monkeypatch.setattr(archive, "record", with_warning)
    record = get(client, href)
    box = record.html.split('<div class="warnings" role="note"')[1].split("</div>")[0]
    assert "<li>第2页文字层损坏，已用OCR识别</li>" in box and "请注意" in box
    page2 = record.html.split('id="page-2"')[1]
    assert '<p class="page-warning">⚠ 第2页文字层损坏，已用OCR识别</p>' in page2
    assert '<th scope="row">警告</th>' not in record.html and "extracted" not in record.html


def test_record_page_lists_similar_records(client):
    record = get(client, record_href(client, "王建成", "新塘桥镇2019年度档案工作总结"))
    similar = record.html.split('<section class="similar"')[1].split("</section>")[0]
    assert "相关记录" in similar
    links = re.findall(r'<a href="(/records/[0-9a-f]+)(?:\?back=[^"]+)?">', similar)
    assert 1 <= len(links) <= 5
    assert similar.count("?back=q%3D") == len(links)  # 返回检索 from there still goes back
    assert all(get(client, href).html for href in links)


def test_similar_api_returns_hits(client):
    hit = client.get("/api/search", query_string={"q": "王建成"}).get_json()["hits"][0]
    data = client.get(f"/api/records/{hit['id']}/similar", query_string={"size": 2}).get_json()
    assert data["ok"] and data["id"] == hit["id"] and 1 <= len(data["hits"]) <= 2
    assert hit["id"] not in {h["id"] for h in data["hits"]}
    assert {"id", "title", "date", "org", "security"} <= set(data["hits"][0])
    assert client.get(f"/api/records/{hit['id']}/similar?size=0").status_code == 400
    assert client.get(f"/api/records/{hit['id']}/similar?size=x").status_code == 400
    assert client.get("/api/records/0000000000000000/similar").status_code == 404


def test_server_error_page_has_a_reference_that_is_in_the_log(client, app, monkeypatch, caplog):
    def broken(_req):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(app.extensions["dangan.archive"], "search", broken)
    with caplog.at_level("ERROR", logger="dangan.web"):
        response = client.get("/", query_string={"q": "王建成"})
    assert response.status_code == 500 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    ref = re.search(r"参考编号 ([0-9a-f]{8})", html).group(1)
    assert "disk on fire" not in html and "Traceback" not in html
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)
    api = client.get("/api/search", query_string={"q": "王建成"})
    assert api.status_code == 500 and api.get_json()["ok"] is False


def test_the_footer_links_the_api_description(client):
    page = get(client, "/")
    assert page.link("接口说明（API）")["href"] == "/api/openapi.json"


def test_a_search_with_no_results_offers_no_sorting_and_no_made_up_years(client):
    page = get(client, "/", q="没有这样的记录内容")
    assert "没有找到匹配的记录" in page.html
    assert 'class="sorts"' not in page.html and "导出全部" not in page.html
    assert 'placeholder="起始年"' in page.html and 'placeholder="2000"' not in page.html
    found = get(client, "/", q="工作")
    assert 'class="sorts"' in found.html and 'placeholder="2019"' in found.html


def test_a_record_above_public_carries_the_readers_name_and_time_for_print(client):
    secret = get(client, record_href(client, "管理力量", "交警支队工作总结"))
    mark = secret.html.split('<div class="print-watermark" aria-hidden="true">')[1]
    assert mark.startswith("<span>测试管理员 20") and mark.count("<span>测试管理员") == 8
    assert '<p class="print-mark">秘密 · 查阅人 测试管理员' in secret.html
    public = get(client, record_href(client, "王建成", "新塘桥镇2019年度档案工作总结"))
    assert "print-watermark" not in public.html and "print-mark" not in public.html
