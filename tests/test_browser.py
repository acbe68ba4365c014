"""Real-browser tests: Debian's chromium, driven by Playwright, against a real `dangan serve`
on 127.0.0.1 over the sample records, sample scans and a PDF with a name on pages 2 and 3.
The clerk logs in once through the login page (most records are above 公开, all an anonymous
reader sees); the other tabs reuse that session. Every page runs under the Content-Security-
Policy: an inline script or style would be a console error, which fails the test.

Screenshots of the search and record pages (1366×768 and a 390×844 phone) are written to the
run's temporary folder and copied to test-output/screenshots/ (git-ignored)."""
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import write_corpus
from pdfs import text_pdf
from test_server import serving_corpus


pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parent.parent
SCANS = REPO / "corpus" / "扫描件"
SCAN_FILES = ("01-半月镇档案工作报告.png", "05-当阳市档案局农村档案调研报告.tif",
              "07-当阳市档案局乡镇档案机构报告-电子版.pdf", "08-某某乡档案工作报告-无ToUnicode.pdf")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS_COPY = REPO / "test-output" / "screenshots"

NAME = "王建成"
CLERK, CLERK_PASSWORD = "档案员", "browser password"  # 管理员, 绝密: reads every record
READER, READER_PASSWORD = "查阅员", "reader password"  # 查阅人, 内部
PDF_NAME = "查阅登记情况说明.pdf"
PDF_TITLE = "关于档案查阅登记情况的说明"
PDF_PAGES = [
    [PDF_TITLE, "各村委会：", "本年度档案室共接待查阅一百二十人次，", "全部按规定办理了查阅登记手续。",
     "联系电话：0717-3212345"],
    ["二、查阅人员情况", f"{NAME}同志于五月查阅了一九九八年的", "工资档案，经办人核对无误。",
     f"{NAME}同志同时申请复制两页原件。"],
    ["三、下一步工作", f"档案员{NAME}负责整理本年度查阅登记表，", "并于年底前移交综合档案室。"],
]
PDF_NOTES = "原登记表遗失，由档案员补登"  # a catalog note: its words are in no text
PDF_CATALOG = ("文件,题名,责任者,日期,门类,文种,保管期限,密级,备注\n"
               f"{PDF_NAME},{PDF_TITLE},新塘桥镇人民政府,2020-06-18,文书,说明,长期,内部,"
               f"{PDF_NOTES}\n")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real `dangan serve` (gunicorn) over an index of the sample records and scans."""
    root = tmp_path_factory.mktemp("browser")
    corpus = write_corpus(root / "corpus")
    scans = corpus / "扫描件"
    scans.mkdir()
    for name in SCAN_FILES:
        shutil.copy(SCANS / name, scans / name)
    text_pdf(PDF_PAGES, scans / PDF_NAME)
    (scans / "catalog.csv").write_text(PDF_CATALOG, encoding="utf-8")
    users = [(CLERK, CLERK_PASSWORD, "管理员", "绝密"), (READER, READER_PASSWORD, "查阅人", "内部")]
    with serving_corpus(root, corpus, users) as (base, _settings):
        yield base


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `tools/system-deps.sh test` (installs Debian's "
                    "chromium; `make test` does it)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: run `.venv/bin/pip install -e '.[test]'`",
                    pytrace=False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Tab:
    """A browser page that fails the test on a script error or a request off this machine."""

    def __init__(self, browser, site: str, viewport: dict, javascript: bool = True,
                 state: dict | None = None):
        self.context = browser.new_context(viewport=viewport, locale="zh-CN",
                                           java_script_enabled=javascript, storage_state=state)
        self.errors: list[str] = []
        self.context.route("**/*", self._only_local)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(f"script error: {e}"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.set_default_timeout(15_000)
        self.site = site

    def _only_local(self, route):
        url = route.request.url
        if url.startswith(self.site + "/"):
            route.continue_()
        else:
            self.errors.append(f"request off the site: {url}")
            route.abort()

    def close(self):
        self.context.close()
        assert not self.errors, self.errors


def log_in(page, site: str, name: str, password: str) -> None:
    """From any page: the header's 登录 link, the form, back where the reader was."""
    from playwright.sync_api import expect

    before = page.url
    page.locator("nav.account").get_by_role("link", name="登录").click()
    page.wait_for_url("**/login**")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(before)
    expect(page.locator("nav.account .who")).to_contain_text(name)


@pytest.fixture(scope="module")
def signed_in(browser, site) -> dict:
    """The clerk's session (cookies), logged in once through the login page."""
    t = Tab(browser, site, DESKTOP)
    try:
        t.page.goto(f"{site}/?q={NAME}")
        log_in(t.page, site, CLERK, CLERK_PASSWORD)
        return t.context.storage_state()
    finally:
        t.close()


@pytest.fixture()
def tab(browser, site, signed_in):
    t = Tab(browser, site, DESKTOP, state=signed_in)
    yield t
    t.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, shots: Path, name: str) -> None:
    path = shots / f"{name}.png"
    page.screenshot(path=str(path))
    shutil.copy(path, SHOTS_COPY / path.name)
    print(f"screenshot: {path} (copy: {SHOTS_COPY / path.name})")


def image_loaded(page, selector: str) -> None:
    page.wait_for_function(
        "s => { const i = document.querySelector(s); "
        "return i && i.complete && i.naturalWidth > 0; }",
        arg=selector)


def test_a_clerk_finds_a_name_narrows_pages_opens_the_scan_and_goes_back(tab):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{tab.site}/?size=1")  # one hit per page, so there are pages to turn
    page.get_by_label("检索词").fill(NAME)
    page.get_by_label("检索词").press("Enter")
    page.wait_for_url("**q=*")
    assert parse_qs(urlsplit(page.url).query) == {"q": [NAME], "size": ["1"]}
    expect(page.locator(".hits mark").first).to_have_text(NAME)
    expect(page.locator(".hits mark").first).to_be_visible()

    page.locator(".facet-category a", has_text="文书").click()  # narrow by 门类
    page.wait_for_url("**category=*")
    assert "category=%E6%96%87%E4%B9%A6" in page.url  # 文书, percent-encoded
    expect(page.locator(".chips")).to_contain_text("门类：文书")
    expect(page.locator("#result-count")).to_contain_text("共 2 条记录")

    page.get_by_role("link", name="日期旧→新").click()
    page.wait_for_url("**sort=date*")
    page.get_by_role("link", name="下一页").click()  # page forward
    page.wait_for_url("**page=2*")
    results_url = page.url
    expect(page.locator(".pager strong")).to_have_text("2")
    expect(page.locator(".hit h2")).to_have_text(PDF_TITLE)

    page.locator(".hit h2 a").click()  # open the record, at the first page with a hit
    page.wait_for_url("**/records/**")
    assert urlsplit(page.url).fragment == "page-2"
    image_loaded(page, "#page-2 img")
    first = page.locator("#page-2 .page-text mark").first
    expect(first).to_have_text(NAME)
    expect(first).to_be_in_viewport()
    assert page.locator("#page-1 .page-text mark").count() == 0

    hits = page.locator(".hitnav")
    expect(hits).to_be_visible()
    expect(hits.locator(".hit-count")).to_have_text("第 1 / 3 处")
    hits.get_by_role("button", name="下一处").click()
    expect(hits.locator(".hit-count")).to_have_text("第 2 / 3 处")
    hits.get_by_role("button", name="下一处").click()
    current = page.locator("#page-3 mark.current")
    expect(current).to_have_text(NAME)
    expect(current).to_be_in_viewport()
    image_loaded(page, "#page-3 img")
    hits.get_by_role("button", name="上一处").click()
    expect(page.locator("#page-2 mark.current")).to_have_count(1)

    page.go_back()  # the browser's back button: the results page as it was
    page.wait_for_url(results_url)
    expect(page.locator(".hit h2")).to_have_text(PDF_TITLE)
    expect(page.locator(".chips")).to_contain_text("门类：文书")

    page.locator(".hit h2 a").click()  # and the record page's own way back keeps it all too
    page.wait_for_url("**/records/**")
    page.locator("p.back a").first.click()
    page.wait_for_url("**/?*")
    assert parse_qs(urlsplit(page.url).query) == parse_qs(urlsplit(results_url).query)
    expect(page.locator(".chips")).to_contain_text("门类：文书")
    expect(page.locator(".pager strong")).to_have_text("2")
    expect(page.locator(".sorts strong")).to_have_text("日期旧→新")


def test_download_of_the_original_keeps_its_chinese_name(tab):
    page = tab.page
    page.goto(f"{tab.site}/?q={NAME}")
    page.get_by_role("link", name=PDF_TITLE).click()
    with page.expect_download() as info:
        page.locator(".actions a", has_text="下载原件").click()
    download = info.value
    assert download.suggested_filename == PDF_NAME
    assert Path(download.path()).read_bytes().startswith(b"%PDF")


def test_search_and_record_pages_work_without_javascript(browser, site, signed_in):
    t = Tab(browser, site, DESKTOP, javascript=False, state=signed_in)
    try:
        page = t.page
        page.goto(f"{site}/?size=1")
        page.get_by_label("检索词").fill(NAME)
        page.get_by_role("button", name="检索").click()
        page.wait_for_url("**q=*")
        page.locator(".facet-year a", has_text="2020").click()
        page.wait_for_url("**year=2020*")
        page.goto(f"{site}/?q={NAME}&size=1&sort=date")
        page.get_by_role("link", name="下一页").click()
        page.wait_for_url("**page=2*")
        page.locator(".hit h2 a").click()
        page.wait_for_load_state("load")
        assert page.locator("#page-2 img").evaluate("i => i.complete && i.naturalWidth") > 0
        assert page.locator(".hitnav").is_hidden()  # the buttons need the script
        page.locator(".pagelist a", has_text="3").click()
        assert urlsplit(page.url).fragment == "page-3"
    finally:
        t.close()


def test_keyboard_reaches_the_skip_link_then_the_search_box(tab):
    page = tab.page
    page.goto(tab.site + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box and box["y"] >= 0  # visible when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


@pytest.mark.parametrize("name, viewport", [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots(browser, site, signed_in, shots, name, viewport):
    t = Tab(browser, site, viewport, state=signed_in)
    try:
        page = t.page
        page.goto(f"{site}/?q=档案管理")
        page.locator(".hits mark").first.wait_for()
        screenshot(page, shots, f"search-{name}")
        page.locator(".hit h2 a", has_text="机关档案管理工作情况的报告").click()  # a real scan
        image_loaded(page, ".page-image img")
        page.locator(".page-text mark").first.wait_for()
        screenshot(page, shots, f"record-{name}")
        page.goto(f"{site}/?q={NAME}")
        page.get_by_role("link", name=PDF_TITLE).click()
        image_loaded(page, "#page-2 img")
        screenshot(page, shots, f"record-pdf-{name}")
        page.goto(f"{site}/records/{'0' * 16}")
        screenshot(page, shots, f"not-found-{name}")
        assert page.locator("h1").inner_text().startswith("未找到")
        t.errors = [e for e in t.errors if "404" not in e]  # the console notes that 404
    finally:
        t.close()


def test_a_reader_logs_in_sees_more_and_logs_out(browser, site):
    """Anonymous: 公开 records only. Logged in at 内部: the PDF (内部) too, not the 秘密 record.
    Logged out: back to 公开."""
    from playwright.sync_api import expect

    t = Tab(browser, site, DESKTOP)
    try:
        page = t.page
        page.goto(f"{site}/?q={NAME}")
        expect(page.locator("nav.account")).to_contain_text("未登录 · 可查阅公开档案")
        expect(page.locator("#result-count")).to_contain_text("共 1 条记录")
        log_in(page, site, READER, READER_PASSWORD)
        expect(page.locator("#result-count")).to_contain_text("共 2 条记录")
        expect(page.locator(".hits")).to_contain_text(PDF_TITLE)
        page.goto(f"{site}/?q=交警")
        expect(page.locator("#result-count")).to_contain_text("没有找到")  # 秘密
        page.get_by_role("button", name="退出").click()
        page.wait_for_url(f"{site}/")
        expect(page.locator("nav.account")).to_contain_text("未登录")
        page.goto(f"{site}/?q={NAME}")
        expect(page.locator("#result-count")).to_contain_text("共 1 条记录")
    finally:
        t.close()


def test_an_unknown_field_name_is_searched_as_text_and_explained(tab, shots):
    """电话:0717 names no field: the record with 电话：0717 in its text is found, and the page
    says how the query was read, listing the field names there are."""
    from playwright.sync_api import expect

    page = tab.page
    page.goto(tab.site + "/")
    page.get_by_label("检索词").fill("电话:0717")
    page.get_by_label("检索词").press("Enter")
    page.wait_for_url("**q=*")
    notices = page.locator(".notices[role=status]")
    expect(notices).to_be_visible()
    expect(notices).to_contain_text("“电话”不是字段名，已按全文查找“电话:0717”。可用字段：题名、文号、责任者、人员、备注")
    expect(page.locator("#result-count")).to_contain_text("共 1 条记录")
    expect(page.locator(".hit h2")).to_have_text(PDF_TITLE)
    expect(page.locator(".hits mark").first).to_have_text("电话：0717")
    notice_box, count_box = notices.bounding_box(), page.locator("#result-count").bounding_box()
    assert notice_box["y"] + notice_box["height"] <= count_box["y"]  # above the results
    screenshot(page, shots, "search-notice-desktop")


def test_a_hit_found_only_in_the_notes_shows_the_notes_marked(tab, shots):
    """补登 is only in the catalog's 备注 of the PDF: its snippet is that note, labelled 备注,
    with the word marked, not the unmarked start of the text."""
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{tab.site}/?q=补登")
    snippet = page.locator(".hit .snippet")
    expect(snippet).to_have_count(1)
    expect(snippet.locator(".field")).to_have_text("备注")
    expect(snippet.locator("mark")).to_have_text("补登")
    expect(snippet).to_have_text("备注" + PDF_NOTES)
    expect(snippet.locator("mark")).to_be_visible()
    assert snippet.locator("a.page").count() == 0  # no page to open: it is not in the text
    screenshot(page, shots, "search-field-snippet-desktop")


def test_a_misspelt_name_finds_the_record_under_a_divider_with_a_suggestion(tab):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{tab.site}/?q=王建城")  # 城 typed for 成
    expect(page.locator("#result-count")).to_contain_text("没有找到与“王建城”完全相同的内容")
    expect(page.locator(".suggest")).to_contain_text("您是不是要找：王建成")
    expect(page.locator(".approx-divider")).to_contain_text("以下为近似结果")
    first = page.locator("ol.hits.approx li.hit").first
    expect(first.locator(".found-by")).to_have_text("按“王建成”找到")
    expect(first.locator(".snippet mark").first).to_have_text("王建成")
    # no exact hit is listed below the divider, and the hits above it (none here) are exact
    assert page.locator("ol.hits:not(.approx) li.hit").count() == 0
    first.locator("h2 a").click()  # the record opens with what it was found by highlighted
    expect(page.locator("mark").first).to_have_text("王建成")
    # and goes back to what was searched, named as typed (not the variant it was found by)
    expect(page.locator("p.back a").first).to_have_text("← 返回检索“王建城”")
    page.go_back()
    page.locator(".suggest a", has_text="王建成").click()  # the suggestion searches exactly
    expect(page.locator(".approx-divider")).to_have_count(0)
    expect(page.locator("li.hit mark").first).to_have_text("王建成")


def test_the_search_box_offers_completions_as_the_clerk_types(tab):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{tab.site}/")
    page.locator("#q").press_sequentially("卜剑", delay=50)
    expect(page.locator('#q-suggestions option[value="卜剑平"]')).to_have_count(1)
    # by initials: the option's label holds what was typed (a browser hides an option whose
    # value and label both lack it)
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("bjp", delay=50)
    import re

    expect(page.locator('#q-suggestions option[value="卜剑平"]')).to_have_attribute(
        "label", re.compile(r"^bjp → 人名"))


def test_a_clerk_exports_the_results_and_downloads_the_ticked_originals(tab):
    import csv
    import io
    import zipfile

    from openpyxl import load_workbook

    page = tab.page
    page.goto(f"{tab.site}/?q=档案")
    total = int(page.locator("#result-count strong").first.inner_text())
    with page.expect_download() as info:
        page.locator(".take-away a", has_text="CSV").click()
    assert info.value.suggested_filename.startswith("检索结果-档案-")
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["序号", "题名", "责任者"] and len(rows) == total + 1
    with page.expect_download() as info:
        page.locator(".take-away a", has_text="Excel").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
    sheet = book["检索结果"]
    assert len(list(sheet.values)) == total + 1

    page.goto(f"{tab.site}/?q={NAME}")
    ticks = page.locator("input.pick")
    chosen = [page.locator(".hit h2 a").nth(i).inner_text() for i in range(2)]
    ticks.nth(0).check()
    ticks.nth(1).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="下载所选原件").click()
    assert info.value.suggested_filename.endswith(".zip")
    z = zipfile.ZipFile(info.value.path())
    manifest = list(csv.reader(io.StringIO(z.read("清单.csv").decode("utf-8-sig"))))
    assert [row[1] for row in manifest[1:]] == chosen
    assert all(row[-1] == "已打包" and row[-2] in z.namelist() for row in manifest[1:])


def test_the_admin_pages_fit_a_phone(browser, site, signed_in, shots):
    """用户管理 and 查阅登记 at 390 px: no sideways scrolling, names on one line, each register
    row readable as a card (its cells labelled)."""
    t = Tab(browser, site, PHONE, state=signed_in)
    try:
        page = t.page
        page.goto(f"{site}/?q={NAME}")  # something in the register
        for url, shot in (("/admin/users", "admin-users-phone"),
                          ("/admin/audit", "admin-audit-phone")):
            page.goto(site + url)
            page.locator("section.admin table").first.wait_for()
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], (url, widths)
            screenshot(page, shots, shot)
        page.goto(site + "/admin/users")
        name = page.locator("table.users th[scope=row]", has_text=CLERK)
        box = name.bounding_box()
        line = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                                   "'table.users th[scope=row]')).lineHeight)"))
        assert box["height"] < 2 * line  # 档案员 on one line, not one character per line
        page.goto(site + "/admin/audit")
        label = page.evaluate("getComputedStyle(document.querySelector("
                              "'table.audit td[data-label]'), '::before').content")
        assert "序号" in label
    finally:
        t.close()


def test_the_advanced_form_writes_the_query_syntax_into_the_search_box(tab):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{tab.site}/")
    page.get_by_role("link", name="高级检索").click()
    page.wait_for_url("**/advanced")
    page.get_by_label("全文（任意位置）").fill(NAME)
    page.get_by_label("日期从").fill("2020")
    page.get_by_label("门类").select_option("文书")
    expect(page.locator("#composed")).to_have_text(f"{NAME} 日期:2020.. 门类:文书")
    page.get_by_role("button", name="检索").click()
    page.wait_for_url("**/?q=*")
    expect(page.locator("#q")).to_have_value(f"{NAME} 日期:2020.. 门类:文书")
    expect(page.locator(".hit h2 a")).to_have_text([PDF_TITLE])


def test_next_hit_after_the_last_says_it_went_back_to_the_first(tab):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{tab.site}/?q={NAME}")
    page.get_by_role("link", name=PDF_TITLE).click()
    counter = page.locator(".hitnav .hit-count")
    expect(counter).to_contain_text("第 1 / ")
    total = int(counter.inner_text().split("/ ")[1].split(" ")[0])
    assert total >= 2
    nxt = page.get_by_role("button", name="下一处 ↓")
    for _ in range(total - 1):
        nxt.click()
    expect(counter).to_have_text(f"第 {total} / {total} 处")
    nxt.click()
    expect(counter).to_have_text(f"第 1 / {total} 处（已到最后一处，回到第一处）")
    page.locator(".hitnav .prev-hit").click()
    expect(counter).to_have_text(f"第 {total} / {total} 处（已从第一处转到最后一处）")
