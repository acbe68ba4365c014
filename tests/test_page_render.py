"""Page images are made in a child process with a time limit: a tiny PDF whose page takes hours
to draw costs the real server `[server] render_timeout` seconds once (then its page answers from
a marker at once), and searches are answered meanwhile."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pikepdf
import pytest
import requests
from pdfs import text_pdf
from test_server import serving

from conftest import make_settings
from indexer.build.run import run_index
from indexer.ingest.pagerender import PageImageFailed, render_png

pytestmark = pytest.mark.server

TIMEOUT = 8  # [server] render_timeout of the test server, seconds
GENEROUS = 120  # a request not answered by then hangs (before: hours, or a killed worker)


def slow_pdf(target: Path, depth: int) -> None:
    """A PDF of a few KB with a real text layer whose page draws 2**depth full-page fills: a
    form XObject that draws the one below it twice, `depth` deep (18: half a minute and 400 MB
    to render a page, 30: more memory than any machine has). (The forms' /Subtype is an
    indirect object, which pdfium follows and pdfminer does not: indexing reads the text
    layer at once.)"""
    text_pdf([["恶意页面档案报告", "王建成负责查阅登记"]], target)
    pdf = pikepdf.open(target, allow_overwriting_input=True)
    form_type = pdf.make_indirect(pikepdf.Name.Form)
    below = None
    for _ in range(depth):
        form = pikepdf.Stream(pdf, b"0.5 g 0 0 612 792 re f" if below is None
                              else b"/X Do /X Do")
        form.Type, form.Subtype, form.BBox = pikepdf.Name.XObject, form_type, [0, 0, 612, 792]
        form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=below)) \
            if below is not None else pikepdf.Dictionary()
        below = pdf.make_indirect(form)
    page = pdf.pages[0]
    page.obj.Resources.XObject = pikepdf.Dictionary(H=below)
    page.contents_add(pikepdf.Stream(pdf, b"q /H Do Q"), prepend=True)
    pdf.save(target)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real server (one worker) over an index of a normal PDF and the slow one."""
    root = tmp_path_factory.mktemp("render")
    corpus = root / "corpus"
    corpus.mkdir()
    text_pdf([["普通的档案工作通知", "卜剑平负责档案保密"]], corpus / "normal.pdf")
    slow_pdf(corpus / "slow.pdf", 18)
    assert (corpus / "slow.pdf").stat().st_size < 20_000
    settings = make_settings(root / "data" / "index", corpus)
    assert not run_index(settings).failed
    config = root / "config.toml"
    config.write_text(f"[index]\ndir = {json.dumps(settings.index.dir.as_posix())}\n"
                      f"[server]\nworkers = 1\nrender_timeout = {TIMEOUT}\n"
                      '[auth]\nanonymous_clearance = "内部"\n', encoding="utf-8")
    with serving(config, root, "/api/search?q=%E6%A1%A3%E6%A1%88") as (base, _p, _f, _port):
        hits = requests.get(f"{base}/api/search", params={"size": 10}, timeout=GENEROUS).json()
        yield base, {h["path"]: h["id"] for h in hits["hits"]}, settings


def test_a_page_that_renders_too_slowly_gets_a_message_and_searches_go_on(site):
    base, ids, settings = site
    url = f"{base}/api/records/{ids['slow.pdf']}/pages/1.png"
    answers: dict[int, requests.Response] = {}

    def ask(width: int) -> None:
        answers[width] = requests.get(url, params={"width": width}, timeout=GENEROUS)

    askers = [threading.Thread(target=ask, args=(w,)) for w in (400, 1600)]
    for t in askers:
        t.start()
    time.sleep(1)  # both renders under way
    search = requests.get(f"{base}/api/search", params={"q": "王建成"}, timeout=GENEROUS)
    assert search.status_code == 200 and search.json()["total"] == 1
    assert all(t.is_alive() for t in askers)  # answered while the pages were being drawn
    for t in askers:
        t.join(GENEROUS)
    for answer in answers.values():
        assert answer.status_code == 404
        assert "这一页的图像无法在限定时间内生成" in answer.json()["error"]

    # remembered: asked again, the page answers from the marker, without drawing it again
    (marker,) = (settings.data_dir / "thumbs").glob("*-1.failed")
    before = marker.stat().st_mtime_ns
    again = requests.get(url, params={"width": 1000}, timeout=GENEROUS)
    assert again.status_code == 404 and "限定时间" in again.json()["error"]
    assert marker.stat().st_mtime_ns == before


def test_a_normal_page_image_is_still_made_and_cached(site):
    base, ids, settings = site
    url = f"{base}/api/records/{ids['normal.pdf']}/pages/1.png"
    first = requests.get(url, params={"width": 400}, timeout=GENEROUS)
    assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
    assert list((settings.data_dir / "thumbs").glob("*-1-400.png"))
    assert requests.get(url, params={"width": 400}, timeout=GENEROUS).content == first.content


def test_a_page_that_needs_too_much_memory_gets_a_message(tmp_path):
    """2**30 fills: the child runs out of its address space (or of time) and is gone; the
    caller gets the reason, not a dead web worker."""
    slow_pdf(tmp_path / "huge.pdf", 30)
    with open(tmp_path / "huge.pdf", "rb") as f, pytest.raises(PageImageFailed) as failed:
        render_png(f, "pdf", 0, 400, timeout=GENEROUS)
    assert "这一页的图像" in str(failed.value) and "请查看文字或下载原件" in str(failed.value)
