"""The record page draws the query's hits as boxes over the page images, and hit navigation
moves the current box: Debian's chromium (Playwright) against a real `dangan serve` over a
born-digital PDF whose name is twice on page 1 and once on page 2."""
import json

import pytest
from conftest import make_settings
from pdfs import text_pdf
from test_browser import DESKTOP, Tab, browser, image_loaded  # noqa: F401 (the fixture)
from test_server import serving

from indexer.build.run import run_index

pytestmark = pytest.mark.server

NAME = "王建成"
TITLE = "关于档案查阅登记的说明"
PAGES = [[TITLE, "王建成同志负责档案室", "各村委会：本年度共接待查阅一百二十人次", "档案员王建成整理登记表"],
         ["二、查阅人员情况", "由王建成核对无误"]]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-boxes")
    corpus = root / "corpus"
    corpus.mkdir()
    text_pdf(PAGES, corpus / "说明.pdf")
    (corpus / "catalog.csv").write_text(f"文件,题名,密级\n说明.pdf,{TITLE},公开\n",
                                        encoding="utf-8")
    settings = make_settings(root / "data" / "index", corpus)
    assert not run_index(settings).failed
    config = root / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps(settings.index.dir.as_posix())}\n",
                      encoding="utf-8")
    with serving(config, root) as (base, _proc, _first, _port):
        yield base


def test_the_hits_are_boxed_on_the_page_image_and_next_hit_moves_the_box(browser, site):
    from playwright.sync_api import expect

    tab = Tab(browser, site, DESKTOP)
    try:
        page = tab.page
        page.goto(f"{site}/")
        page.get_by_label("检索词").fill(NAME)
        page.get_by_label("检索词").press("Enter")
        page.wait_for_url("**q=*")
        page.locator(".hit h2 a").click()
        page.wait_for_url("**/records/**")
        image_loaded(page, "#page-1 img")

        boxes = page.locator("#page-1 .hit-box")
        expect(boxes).to_have_count(2)
        current = page.locator(".hit-box.current")
        expect(current).to_have_count(1)
        assert current.get_attribute("data-hit") == "0"
        img = page.locator("#page-1 img").bounding_box()
        box = current.bounding_box()
        # over the image, where fpdf drew 王建成: 25 mm from the left of 210, line 2 (51 mm
        # baseline of 297), three 15-point characters wide
        assert abs((box["x"] - img["x"]) / img["width"] * 210 - 25) < 2
        assert abs((box["y"] + box["height"] - img["y"]) / img["height"] * 297 - 51) < 3
        assert abs(box["width"] / img["width"] * 210 - 3 * 15 * 25.4 / 72) < 2

        hits = page.locator(".hitnav")
        hits.get_by_role("button", name="下一处").click()
        expect(hits.locator(".hit-count")).to_have_text("第 2 / 3 处")
        expect(current).to_have_count(1)
        assert current.get_attribute("data-hit") == "1"
        img_now = page.locator("#page-1 img").bounding_box()  # the page may have scrolled
        assert current.bounding_box()["y"] - img_now["y"] > box["y"] - img["y"] + 20  # lower
        expect(current).to_be_in_viewport()

        hits.get_by_role("button", name="下一处").click()
        moved = page.locator("#page-2 .hit-box.current")
        expect(moved).to_have_count(1)
        expect(moved).to_be_in_viewport()
        expect(page.locator("#page-1 .hit-box.current")).to_have_count(0)
        hits.get_by_role("button", name="上一处").click()
        expect(page.locator("#page-1 .hit-box.current")).to_have_count(1)
    finally:
        tab.close()
