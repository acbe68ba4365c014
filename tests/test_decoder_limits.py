"""Decoder limits: memory bombs (many-frame TIFF, huge PDF pages, a .docx that inflates a
thousandfold, a record of millions of characters) fail alone with their reason, are
checked before anything is decoded, and the ordinary files of the same run are indexed."""
import json
import subprocess
import sys
from pathlib import Path

import docx
from click.testing import CliRunner
from hostile import docx_bomb
from hostile import pdf_page_bomb as pdf_bomb
from PIL import Image

from indexer.ingest.pdffile import render_page
from indexer.search.archive import Archive, SearchRequest
from search_app.cli import main

REPO = Path(__file__).resolve().parents[1]


def tiff_bomb(path: Path, frames: int, side: int) -> Path:
    """A multi-page TIFF of blank bilevel pages, as Pillow writes it (a few KB a frame)."""
    page = Image.new("1", (side, side), 1)
    page.save(path, save_all=True, append_images=[page] * (frames - 1), compression="group4")
    return path


def docx_file(path: Path, paragraphs: list[str]) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


def long_text(path: Path, chars: int) -> None:
    sentence = "各单位做好档案保管工作，落实保密要求，按期移交。\n"
    path.write_text(sentence * (chars // len(sentence)), encoding="utf-8")


def write_config(folder: Path, corpus: Path, index: dict, ocr: dict) -> Path:
    lines = [f'[index]\ndir = "{(folder / "index").as_posix()}"']
    lines += [f"{k} = {v}" for k, v in index.items()]
    lines += [f'[corpus]\npaths = ["{corpus.as_posix()}"]', "[ocr]"]
    lines += [f"{k} = {v}" for k, v in ocr.items()]
    cfg = folder / "config.toml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg


def failures(output: str) -> dict[str, str]:
    return dict(line.removeprefix("failed: ").split(": ", 1) for line in output.splitlines()
                if line.startswith("failed: "))


def test_every_bomb_fails_with_its_reason_and_the_rest_is_indexed(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("新塘县档案局关于档案移交的通知", encoding="utf-8")
    docx_file(corpus / "ok.docx", ["半月镇档案工作报告", "王建成负责档案室"])
    tiff_bomb(corpus / "frames.tif", frames=3, side=1000)  # 3 M pixels, in a few KB
    tiff_bomb(corpus / "pages.tif", frames=7, side=100)  # more frames than max_pages
    pdf_bomb(corpus / "huge.pdf", side_pt=4000)
    docx_bomb(corpus / "zip.docx", inflated_mb=12)
    long_text(corpus / "long.txt", chars=50_000)
    cfg = write_config(tmp_path, corpus,
                       {"max_inflated_mb": 5, "max_text_chars": 10_000, "workers": 2},
                       {"max_pages": 5, "max_pixels": 1_000_000, "max_file_pixels": 900_000})

    run = CliRunner().invoke(main, ["index", "--config", str(cfg)])

    assert run.exit_code == 1, run.output
    failed = failures(run.output)
    assert set(failed) == {"c/frames.tif", "c/pages.tif", "c/huge.pdf", "c/zip.docx"}
    assert "3,000,000 pixels together" in failed["c/frames.tif"]
    assert "[ocr] max_file_pixels" in failed["c/frames.tif"]
    assert "7 pages" in failed["c/pages.tif"] and "[ocr] max_pages" in failed["c/pages.tif"]
    assert "[ocr] max_file_pixels" in failed["c/huge.pdf"]
    assert "[index] max_inflated_mb = 5" in failed["c/zip.docx"]
    archive = Archive(tmp_path / "index")
    found = {h.fields["path"] for h in archive.search(SearchRequest(q="", size=50,
                                                                     clearance="绝密")).hits}
    assert found == {"ok.txt", "ok.docx", "long.txt"}


def test_a_long_text_is_cut_with_a_warning_on_the_record(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    long_text(corpus / "long.txt", chars=50_000)
    cfg = write_config(tmp_path, corpus, {"max_text_chars": 10_000}, {"enabled": "false"})
    run = CliRunner().invoke(main, ["index", "--config", str(cfg)])
    assert run.exit_code == 0, run.output
    archive = Archive(tmp_path / "index")
    (hit,) = archive.search(SearchRequest(q="按期移交", clearance="绝密")).hits
    record = archive.record(hit.fields["id"], clearance="绝密")
    assert len(record["text"]) == 10_000
    assert "正文过长，只索引了前 10,000 个字符（[index] max_text_chars）" in json.dumps(
        record["meta"], ensure_ascii=False)


def test_frames_and_pixels_are_counted_before_a_frame_is_decoded(tmp_path):
    from ocr.images import ScanPages

    path = tiff_bomb(tmp_path / "bomb.tif", frames=4, side=1000)
    with ScanPages(path, max_pixels=2_000_000) as pages:
        assert len(pages) == 4 and pages.sizes == [(1000, 1000)] * 4
        assert pages.page(3).size == (1000, 1000)
    for limits, words in (({"max_pages": 3}, "4 pages"),
                          ({"max_file_pixels": 3_999_999}, "4,000,000 pixels together"),
                          ({"max_pixels": 999_999}, "1,000,000 pixels")):
        try:
            ScanPages(path, **{"max_pixels": 2_000_000, **limits})
        except Exception as e:
            assert words in str(e)
        else:
            raise AssertionError(f"{limits} did not refuse the file")


def test_a_huge_pdf_page_is_rendered_within_max_pixels(tmp_path):
    path = tmp_path / "huge.pdf"
    pdf_bomb(path, side_pt=4000)  # 16,667 px square at 300 dpi
    image = render_page(path, 0, max_pixels=1_000_000)
    assert image.width * image.height <= 1_000_000
    assert image.width > 990 and abs(image.info["dpi"][0] - 18) < 0.1
    small = render_page(path, 0, max_width=400)
    assert small.width == 400


PAGE_IMAGE = """
import os
import resource
import sys
from pathlib import Path
from indexer.build.memory import peak_rss_mb
from indexer.ingest.pageimages import page_thumbnail
from indexer.store.indexedfiles import IndexedFile
kind, name, folder = sys.argv[1:]
record = {"id": "r", "type": kind, "path": name, "source": "s", "pages": 1}
stat = os.stat(Path(folder) / name)
indexed = IndexedFile(stat.st_size, stat.st_mtime_ns, "r")
out = page_thumbnail(record, {"s": folder}, indexed, 1, 1600, Path(folder) / "cache")
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the render
print(max(peak_rss_mb(), children), out)
"""


def test_a_page_image_of_a_huge_pdf_page_costs_little_memory(tmp_path):
    """A reader asking for the page image of a 4000 pt page (16,667 px square at OCR
    resolution: 1.1 GB as a bitmap) makes the server render it at the width served."""
    pdf_bomb(tmp_path / "huge.pdf", side_pt=4000)
    done = subprocess.run([sys.executable, "-c", PAGE_IMAGE, "pdf", "huge.pdf", str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    peak, out = done.stdout.split()
    assert Image.open(out).width == 1600
    assert float(peak) < 500, f"the page image took {peak} MB"


def test_an_oversized_pdf_page_is_read_at_a_lower_resolution_and_says_so(tmp_path):
    """A page too large for [ocr] max_pixels at 300 dpi is not refused (a large map is a real
    record) but read at the resolution the cap allows, with a warning on the record."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    pdf_bomb(corpus / "map.pdf", side_pt=1000)  # 4167² pixels at 300 dpi
    cfg = write_config(tmp_path, corpus, {"workers": 1}, {"max_pixels": 4_000_000})

    run = CliRunner().invoke(main, ["index", "--config", str(cfg)])

    assert run.exit_code == 0, run.output
    archive = Archive(tmp_path / "index")
    try:
        hit = archive.search(SearchRequest(q="", size=5, clearance="绝密")).hits[0]
        warnings = archive.record(hit.fields["id"], "绝密")["meta"]["warnings"]
    finally:
        archive.close()
    assert any("第1页幅面过大，只能按 144 dpi 识别" in w for w in warnings), warnings
