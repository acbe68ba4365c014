"""Scans, PDFs and Word files become records, with real Tesseract, pdfminer and python-docx;
bad files become per-file errors with a reason, and OCR results come back from the cache."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.errors import DependencyError, ExtractionError
from indexer.ingest.extract import ExtractContext, check_magic, extractor_for
from indexer.ingest.ocrcache import OcrRunner
from ocr.errors import OcrError
from ocr.evaluate import cer as character_error_rate
from ocr.settings import OcrSettings

SCANS = Path(__file__).parent.parent / "corpus" / "扫描件"


def sample(prefix: str) -> Path:
    (path,) = [p for p in SCANS.iterdir() if p.name.startswith(prefix)
               and not p.name.endswith((".gt.txt", ".expected.json"))]
    return path


def ground_truth(path: Path) -> str:
    return path.with_name(path.name + ".gt.txt").read_text(encoding="utf-8")


def cer(found: str, truth: str) -> float:
    return character_error_rate(truth, found)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> ExtractContext:
    runner = OcrRunner(OcrSettings(), tmp_path_factory.mktemp("ocr-cache"))
    yield ExtractContext(ocr=runner)
    runner.close()


def extract(path: Path, ctx: ExtractContext):
    extractor = extractor_for(path)
    check_magic(path, extractor)
    return extractor.extract(path, ctx)


def test_born_digital_pdf_keeps_its_text_layer(ctx):
    path = sample("07-")
    result = extract(path, ctx)
    assert result.warnings == ()
    assert cer(result.text, ground_truth(path)) < 0.02


def test_word_file_paragraphs_and_tables(ctx):
    path = sample("10-")
    result = extract(path, ctx)
    assert "半政發〔2011〕2號" in result.text
    assert cer(result.text, ground_truth(path)) < 0.02


@pytest.mark.ocr
@pytest.mark.parametrize("prefix", ["08-", "09-"])
def test_pdf_with_broken_text_layer_is_ocrd_with_a_warning(ctx, prefix):
    path = sample(prefix)
    result = extract(path, ctx)
    assert any(w.startswith("第1页文字层") and "已用OCR识别" in w for w in result.warnings)
    assert cer(result.text, ground_truth(path)) < 0.05


@pytest.mark.ocr
def test_scanned_jpeg_with_seal(ctx):
    path = sample("02-")
    result = extract(path, ctx)
    assert "大政发〔2016〕12号" in result.text
    assert "二〇一六年十二月五日" in result.text
    assert cer(result.text, ground_truth(path)) < 0.05


@pytest.mark.ocr
def test_multipage_tiff_keeps_its_pages_and_the_cache_answers_the_second_time(ctx):
    path = sample("05-")
    pages = ground_truth(path).split("\f")
    result = extract(path, ctx)
    assert len(result.page_starts) == len(pages) > 1
    misses = ctx.ocr.misses
    again = extract(path, ctx)
    assert again.text == result.text and ctx.ocr.misses == misses


class CrashingEngine:
    name = "crashing"

    def version(self) -> str:
        return "crash-1"

    def recognize(self, image, settings):
        raise OcrError("the OCR engine crashed")


def test_ocr_engine_crash_is_a_per_file_error(tmp_path):
    runner = OcrRunner(OcrSettings(), None, engine=CrashingEngine())
    runner._checked = True  # the crashing engine needs no Tesseract check
    with pytest.raises(ExtractionError, match="OCR failed on page 1"):
        extract(sample("04-"), ExtractContext(ocr=runner))


def test_missing_language_is_reported_with_the_install_command():
    runner = OcrRunner(OcrSettings(languages="xyz_not_installed"), None)
    with pytest.raises(DependencyError, match="apt-get install"):
        runner.check()


def test_wrong_extension_empty_and_damaged_files(tmp_path):
    png_as_pdf = tmp_path / "scan.pdf"
    shutil.copy(sample("01-"), png_as_pdf)
    with pytest.raises(ExtractionError, match="not a PDF file.*PNG"):
        check_magic(png_as_pdf, extractor_for(png_as_pdf))
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ExtractionError, match="empty"):
        check_magic(empty, extractor_for(empty))
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(ExtractionError, match="damaged|no pages"):
        extract(damaged, ExtractContext())
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(sample("04-").read_bytes()[:5000])
    with pytest.raises(ExtractionError):
        extract(truncated, ExtractContext(ocr=OcrRunner(OcrSettings(), None)))


def test_password_protected_pdf(tmp_path):
    pikepdf = pytest.importorskip("pikepdf")
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(sample("07-")) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="secret"))
    with pytest.raises(ExtractionError, match="password"):
        extract(locked, ExtractContext())


def test_page_limit(tmp_path):
    with pytest.raises(ExtractionError, match="max_pages"):
        extract(sample("05-"), ExtractContext(ocr=OcrRunner(OcrSettings(), None), max_pages=1))


def test_pdf_page_limit(tmp_path):
    with pytest.raises(ExtractionError, match="more than 1 pages"):
        extract(sample("07-"), ExtractContext(max_pages=1))


def test_unreadable_file_fails_alone_and_the_batch_goes_on(tmp_path, monkeypatch,
                                                          forked_workers):
    from conftest import make_settings, write_corpus

    import indexer.build.run as build
    import indexer.ingest.safeopen as safeopen

    corpus = write_corpus(tmp_path / "c")
    real = safeopen.open_fd

    def opened(path, root=None):
        if str(path).endswith("big5.txt"):  # as a file without read permission behaves (tests run as root)
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, root)

    monkeypatch.setattr(safeopen, "open_fd", opened)
    summary = build.run_index(make_settings(tmp_path / "d" / "index", corpus))
    assert summary.added == 5
    assert [(p, "Permission denied" in r) for p, r in summary.failed] == [
        ("c/公安/2021/big5.txt", True)]


def test_pdfminer_font_complaints_become_one_warning_of_the_file(ctx, tmp_path, capfd):
    """A PDF whose font descriptors pdfminer cannot read once printed a line per font and
    glyph in the run's output (62 for one 纪要); now the record carries one warning."""
    import logging

    import pikepdf
    from pdfs import text_pdf

    source, damaged = tmp_path / "a.pdf", tmp_path / "纪要.pdf"
    text_pdf([["关于档案工作的通知", "各乡镇：现将有关事项通知如下。"]], source)
    with pikepdf.open(source) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                obj.FontBBox = pikepdf.Array([0, 0])
        pdf.save(damaged)
    logging.basicConfig()  # what the command line does: warnings reach stderr
    result = extract(damaged, ctx)
    assert "各乡镇" in result.text
    font = [w for w in result.warnings if "字体信息不完整" in w]
    assert len(font) == 1 and "FontBBox" in font[0]
    assert "FontBBox" not in capfd.readouterr().err
    assert not logging.getLogger("pdfminer").handlers  # the gathering ends with the file
