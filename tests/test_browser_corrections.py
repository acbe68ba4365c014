"""Real-browser test of corrections: an 编辑 logs in to a real `dangan serve`, corrects a
record's 责任者 and the text of a PDF page beside its image on the record page, finds the
corrected word at once, and reverts the page (Debian's chromium through Playwright, under the
Content-Security-Policy)."""
import pytest
from conftest import write_corpus
from pdfs import text_pdf
from test_browser import DESKTOP, Tab, browser, log_in, screenshot, shots  # noqa: F401
from test_server import serving_corpus

from search_app.accounts import EDITOR

pytestmark = pytest.mark.server

EDITOR_NAME, PASSWORD = "校对员", "editor password"
PDF_NAME = "工作报告.pdf"
PAGES = [["关于档案数字化工作的报告", "各村委会：", "本年度完成扫描一千二百卷。"],
         ["二、存在问题", "部分案卷由周德肚同志整理，", "字迹不清，需要重新核对。"]]
MISREAD, RIGHT = "周德肚", "周德胜"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-corrections")
    corpus = write_corpus(root / "corpus")
    text_pdf(PAGES, corpus / PDF_NAME)
    with serving_corpus(root, corpus, [(EDITOR_NAME, PASSWORD, EDITOR, "内部")]) as (base, _s):
        yield base


def hits(page, site: str, q: str) -> int:
    return page.request.get(f"{site}/api/search", params={"q": q}).json()["exact_total"]


def page_size(page, site: str, rid: str, q: str):
    answer = page.request.get(f"{site}/api/records/{rid}/pages/2/hits", params={"q": q})
    assert answer.ok, answer.text()
    return answer.json()["page_size"]


def test_an_editor_corrects_a_field_and_a_page_text_then_reverts_the_page(
        browser, site, shots):  # noqa: F811
    from playwright.sync_api import expect

    t = Tab(browser, site, DESKTOP)
    page = t.page
    page.goto(f"{site}/?q=数字化工作的报告")
    log_in(page, site, EDITOR_NAME, PASSWORD)
    page.locator(".hits h2 a, .hits h3 a").first.click()
    page.wait_for_url("**/records/**")
    assert hits(page, site, MISREAD) == 1
    rid = page.url.split("/records/")[1].split("?")[0].split("#")[0]
    drawn = page_size(page, site, rid, MISREAD)
    assert drawn  # the PDF's text layer says where its words are drawn

    page.get_by_text("校对著录信息").click()
    page.get_by_label("责任者").fill("新塘桥镇档案室")
    page.locator("details.correct").get_by_label("校对说明").fill("据原件落款")
    page.get_by_role("button", name="保存校对").click()
    expect(page.locator(".flashes")).to_contain_text("著录已校对：已生效，可以检索到")
    expect(page.locator("table.fields")).to_contain_text("新塘桥镇档案室")
    expect(page.locator("table.fields .badge.corrected")).to_have_count(1)

    second = page.locator("#page-2")
    second.get_by_text("校对第2页文字").click()
    box = second.get_by_label("本页文字")
    expect(box).to_have_value(f"二、存在问题\n部分案卷由{MISREAD}同志整理，\n字迹不清，需要重新核对。")
    box.fill(box.input_value().replace(MISREAD, RIGHT))
    second.get_by_label("校对说明").fill("识别错字：肚→胜")
    expect(second.locator("img")).to_be_visible()  # the page image beside the text box
    screenshot(page, shots, "record-correct-page")
    second.get_by_role("button", name="保存本页校对").click()
    expect(page.locator(".flashes")).to_contain_text("第2页已校对")
    expect(page.locator("#page-2 .page-corrected")).to_contain_text(EDITOR_NAME)
    expect(page.locator("#page-2 .page-text")).to_contain_text(RIGHT)
    assert (hits(page, site, RIGHT), hits(page, site, MISREAD)) == (1, 0)
    assert page_size(page, site, rid, RIGHT) is None  # no boxes drawn for another text

    page.locator("#page-2").get_by_text("校对第2页文字").click()
    page.get_by_role("button", name="撤销本页校对（恢复识别的文字）").click()
    expect(page.locator(".flashes")).to_contain_text("第2页的校对已撤销")
    expect(page.locator("#page-2 .page-text")).to_contain_text(MISREAD)
    assert (hits(page, site, RIGHT), hits(page, site, MISREAD)) == (0, 1)
    assert page_size(page, site, rid, MISREAD) == drawn  # the page's boxes are back
    page.get_by_role("button", name="撤销责任者的校对").click()
    expect(page.locator("table.fields .badge.corrected")).to_have_count(0)
    t.close()
