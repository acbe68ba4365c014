"""Originals read at request time never through a link: a file of the corpus (or a folder on its
path) replaced by a symbolic link after indexing is not served — not as a download, a page image
(even one cached before) nor a size on the record page — and a link swapped in after the file
was opened cannot change what is read."""
from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import admin_client, make_settings
from test_browser import text_pdf

from indexer.build.run import run_index
from indexer.errors import RecordNotFound
from indexer.ingest.originals import CHANGED, HARD_LINKED, LINKED, UNINDEXED, open_original
from indexer.store.manifest import MANIFEST_FILE
from indexer.store.indexedfiles import indexed_file
from indexer.store.sources import read_sources
from search_app.app import create_app

pytestmark = pytest.mark.ocr  # the TIFF is read once, with real Tesseract

SCAN = Path(__file__).parent.parent / "corpus" / "扫描件" / "05-当阳市档案局农村档案调研报告.tif"
SECRET = "绝不外传的口令XYZZY"
TOP = "绝密★启用前\n绝密文件的口令PLUGH"  # a 绝密 record of the corpus itself


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A corpus of a text file, two PDFs (one in a sub-folder) and a TIFF scan, indexed once
    (the OCR cache is what each test's own copy reuses); beside it, outside the corpus,
    secrets: a text file, a PDF and a TIFF of other content."""
    root = tmp_path_factory.mktemp("originals")
    corpus = root / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "note.txt").write_text("王建成负责档案室的日常管理。", encoding="utf-8")
    (corpus / "top.txt").write_text(TOP, encoding="utf-8")
    text_pdf([["档案工作报告正文第一页", "王建成负责查阅登记"]], corpus / "report.pdf")
    text_pdf([["子目录中的档案工作通知", "卜剑平负责档案保密"]], corpus / "sub" / "notice.pdf")
    shutil.copy(SCAN, corpus / "scan.tif")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    text_pdf([[SECRET, "这是语料库以外的机密文件"] * 3], outside / "secret.pdf")
    shutil.copy(outside / "secret.pdf", outside / "notice.pdf")
    shutil.copy(SCAN, outside / "scan.tif")  # the same picture: only the answer may differ
    assert not run_index(make_settings(root / "data" / "index", corpus)).failed
    return root


@pytest.fixture()
def site(template, tmp_path):
    """A fresh copy of the template, indexed (every test changes its corpus)."""
    for name in ("corpus", "outside"):
        shutil.copytree(template / name, tmp_path / name)
    (tmp_path / "data").mkdir()
    for cache in (template / "data").glob("ocr-cache.sqlite*"):  # with its WAL: no OCR again
        shutil.copy(cache, tmp_path / "data")
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    client = admin_client(create_app(settings))
    ids = {h["path"]: h["id"] for h in client.get("/api/search", query_string={
        "size": 100}).get_json()["hits"]}
    assert set(ids) == {"note.txt", "report.pdf", "sub/notice.pdf", "scan.tif", "top.txt"}
    return client, corpus, outside, ids, settings


def relink(target: Path, link: Path) -> None:
    """Replace `link` (a file or a folder) by a symbolic link to `target`."""
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    else:
        link.unlink()
    link.symlink_to(target)


def refused(response) -> bool:
    return response.status_code == 404 and SECRET.encode() not in response.get_data()


def test_a_file_replaced_by_a_link_is_never_served(site):
    client, corpus, outside, ids, _settings = site
    assert client.get(f"/records/{ids['note.txt']}/download").status_code == 200
    image = f"/api/records/{ids['report.pdf']}/pages/1.png"
    assert client.get(image, query_string={"width": 400}).status_code == 200  # cached now

    relink(outside / "secret.txt", corpus / "note.txt")
    relink(outside / "secret.pdf", corpus / "report.pdf")
    relink(outside / "scan.tif", corpus / "scan.tif")
    download = client.get(f"/records/{ids['note.txt']}/download")
    assert refused(download) and "链接" in download.get_data(as_text=True)
    assert refused(client.get(f"/records/{ids['report.pdf']}/download"))
    answer = client.get(image, query_string={"width": 400})  # not even the cached picture
    assert refused(answer) and "链接" in answer.get_json()["error"]
    assert refused(client.get(image, query_string={"width": 1600}))  # nor a new one
    assert refused(client.get(f"/api/records/{ids['scan.tif']}/pages/1.png"))
    page = client.get(f"/records/{ids['note.txt']}").get_data(as_text=True)
    assert "下载原件" not in page and "/download" not in page  # no size, no link


def test_a_folder_replaced_by_a_link_is_never_served(site):
    client, corpus, outside, ids, _settings = site
    assert client.get(f"/records/{ids['sub/notice.pdf']}/download").status_code == 200
    relink(outside, corpus / "sub")  # outside/notice.pdf now sits where sub/notice.pdf was
    assert refused(client.get(f"/records/{ids['sub/notice.pdf']}/download"))
    assert refused(client.get(f"/api/records/{ids['sub/notice.pdf']}/pages/1.png"))


def test_a_corpus_root_reached_through_a_link_still_serves(site, tmp_path):
    """The registered root itself may be a link (a mount point, /srv/archive -> /data/…):
    only what lies under it must not be."""
    _client, corpus, _outside, ids, settings = site
    alias = tmp_path / "alias"
    alias.symlink_to(corpus)
    source = next(iter(read_sources(settings.index.dir)))
    record = {"source": source, "path": "sub/notice.pdf"}
    indexed = indexed_file(settings.index.dir, source, "sub/notice.pdf")
    with open_original(record, {source: str(alias)}, indexed) as original:
        assert original.file.read(4) == b"%PDF" and original.name == "notice.pdf"


def test_what_is_read_is_the_file_opened_not_what_the_path_becomes(site):
    """The check and the read are one open file: a link swapped in after it changes nothing."""
    _client, corpus, outside, _ids, settings = site
    record = {"source": next(iter(read_sources(settings.index.dir))), "path": "note.txt"}
    sources = read_sources(settings.index.dir)
    indexed = indexed_file(settings.index.dir, record["source"], "note.txt")
    with open_original(record, sources, indexed) as original:
        relink(outside / "secret.txt", corpus / "note.txt")
        assert original.file.read().decode() == "王建成负责档案室的日常管理。"
    with pytest.raises(RecordNotFound, match=LINKED[:10]):
        open_original(record, sources, indexed)


@pytest.mark.parametrize("path", ["../outside/secret.txt", "/etc/passwd", "sub/../note.txt",
                                  ""])
def test_paths_that_leave_or_bend_inside_the_root_are_refused(site, path):
    _client, _corpus, _outside, _ids, settings = site
    sources = read_sources(settings.index.dir)
    indexed = indexed_file(settings.index.dir, next(iter(sources)), "note.txt")
    with pytest.raises(RecordNotFound):
        open_original({"source": next(iter(sources)), "path": path}, sources, indexed)


def test_a_fifo_in_place_of_a_file_is_refused_without_waiting(site):
    client, corpus, _outside, ids, _settings = site
    (corpus / "note.txt").unlink()
    os.mkfifo(corpus / "note.txt")
    assert client.get(f"/records/{ids['note.txt']}/download").status_code == 404


def not_served(response, message: str, secret: str = SECRET) -> bool:
    """404 with `message`, and nothing of `secret` (the new content) in the answer."""
    body = response.get_data(as_text=True)
    return response.status_code == 404 and message in body and secret not in body


def test_a_file_changed_in_place_is_not_served_until_indexed_again(site):
    """A clerk (or anyone) rewrites indexed files in place: what they hold now was never read,
    nor its 密级 decided, so neither the download, a page image (not even the one cached
    from the file as it was) nor the size on the record page is served."""
    client, corpus, outside, ids, settings = site
    image = f"/api/records/{ids['report.pdf']}/pages/1.png"
    assert client.get(image, query_string={"width": 400}).status_code == 200  # cached now
    assert client.get(f"/records/{ids['note.txt']}/download").status_code == 200

    with open(corpus / "note.txt", "w", encoding="utf-8") as f:  # the same inode
        f.write(SECRET)
    with open(corpus / "report.pdf", "wb") as f:
        f.write((outside / "secret.pdf").read_bytes())
    assert not_served(client.get(f"/records/{ids['note.txt']}/download"), CHANGED)
    assert not_served(client.get(f"/records/{ids['report.pdf']}/download"), CHANGED)
    assert not_served(client.get(image, query_string={"width": 400}), CHANGED)  # cached
    assert not_served(client.get(image, query_string={"width": 1600}), CHANGED)  # new
    page = client.get(f"/records/{ids['note.txt']}").get_data(as_text=True)
    assert "下载原件" not in page and "/download" not in page

    assert not run_index(settings).failed  # indexed again: the new content is served
    fresh = {h["path"]: h["id"] for h in client.get("/api/search", query_string={
        "size": 100}).get_json()["hits"]}
    answer = client.get(f"/records/{fresh['note.txt']}/download")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == SECRET


@pytest.mark.parametrize("other", ["corpus/top.txt", "outside/secret.txt"])
def test_a_hard_link_over_an_indexed_file_is_not_served(site, other):
    """`ln -f` of a 绝密 file of the corpus, or of a file outside it, over an indexed 内部
    file (the corpus's default): an anonymous reader who may see 内部 gets neither."""
    _client, corpus, _outside, ids, settings = site
    auth = replace(settings.auth, anonymous_clearance="内部")
    anonymous = create_app(replace(settings, auth=auth)).test_client()
    assert anonymous.get(f"/records/{ids['note.txt']}/download").status_code == 200
    assert anonymous.get(f"/records/{ids['top.txt']}/download").status_code == 404  # 绝密

    source = corpus.parent / other
    (corpus / "note.txt").unlink()
    os.link(source, corpus / "note.txt")
    secret = source.read_text(encoding="utf-8")
    answer = anonymous.get(f"/records/{ids['note.txt']}/download")
    assert not_served(answer, HARD_LINKED, secret) and "PLUGH" not in answer.get_data(True)
    page = anonymous.get(f"/records/{ids['note.txt']}").get_data(as_text=True)
    assert "/download" not in page and "PLUGH" not in page and SECRET not in page


def test_a_hard_linked_pdf_gets_no_page_image(site):
    client, corpus, outside, ids, _settings = site
    image = f"/api/records/{ids['report.pdf']}/pages/1.png"
    assert client.get(image, query_string={"width": 400}).status_code == 200  # cached now
    (corpus / "report.pdf").unlink()
    os.link(outside / "secret.pdf", corpus / "report.pdf")
    for width in (400, 1000):
        answer = client.get(image, query_string={"width": width})
        assert answer.status_code == 404 and HARD_LINKED in answer.get_json()["error"]
    assert client.get(f"/records/{ids['report.pdf']}/download").status_code == 404


def test_an_original_the_manifest_does_not_know_is_not_served(site):
    """Fail closed: without the index's record of the file there is nothing to compare."""
    client, _corpus, _outside, ids, settings = site
    (settings.index.dir / MANIFEST_FILE).unlink()
    assert not_served(client.get(f"/records/{ids['note.txt']}/download"), UNINDEXED)
    answer = client.get(f"/api/records/{ids['report.pdf']}/pages/1.png")
    assert answer.status_code == 404 and UNINDEXED in answer.get_json()["error"]
