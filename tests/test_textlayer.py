"""Judging a PDF page's text layer: good layers are kept and never OCR'd; layers decoded
through wrong /ToUnicode maps (plausible-looking Chinese) are found, OCR'd and searchable; a
suspect layer is kept when the OCR of the page agrees with it."""
from __future__ import annotations

import sys
from pathlib import Path

import opencc
import pytest
from conftest import make_settings, top_request
from pdfs import REPO

from indexer.build.run import run_index
from indexer.ingest.extract import ExtractContext
from indexer.ingest.ocrcache import OcrRunner
from indexer.ingest.pdffile import PdfExtractor, text_layers
from indexer.ingest.textlayer import agreement, judge_text_layer
from indexer.search.archive import Archive
from ocr.settings import OcrSettings

sys.path.insert(0, str(REPO))  # tools/ (the PDF makers) is not an installed package
from tools.layerpdfs import KINDS, break_layer, text_pdf, type3_pdf  # noqa: E402

GOOD = ("一年来，我镇高度重视机关档案管理工作，将机关档案管理工作纳入工作日程，"
        "加强对档案管理工作的领导，真正做到了认识到位，组织到位，措施到位。")
TRADITIONAL = "鄉鎮是我國最基層的行政機構。一頭連著城市，一頭連著農村，在農村乃至整個國家經濟社會發展中發揮著基礎性作用。"
# what a page set in a font without a ToUnicode map decodes to: real characters, wrong ones
GARBAGE = "艰咔瀔涟蝃谳槱鬻嗍霪搿蓥殚鲠鼗飑狴糇馐觫蹩鬏翙蹿蘩罍鼯鼷齁嬲黉鹱"
REPEATED = "轉轉︰針針針轉︰針針轉轉針︰針針轉轉轉︰針針針︰轉針針"
RADICALS = "⻢西河镇⼈⺠政府关于召开镇⻓办公会议的纪要，会议由镇⻓司⻢燕主持，研究了档案⼯作。"

# 公文 lines: each PDF gets its own, so a search finds exactly the one it should
BODY = ["为进一步做好档案管理工作，提高档案工作水平，", "现就有关事项通知如下。一、各单位要明确专人负责档案工作，",
        "建立健全档案管理制度，确保档案完整齐全。", "二、要按照规定及时移交档案，不得拖延。三、要加强档案",
        "安全保护工作，做好防火防潮防虫工作。"]
SWAP = {"档": "挡", "工": "土", "理": "埋", "作": "乍", "度": "渡", "要": "耍"}  # a mostly-right map
TOWNS = {"random": "青山镇", "common": "河溶镇", "offset": "王店镇", "shifted": "庙前镇",
         "shuffle": "两河镇", "repeat": "玉阳镇"}


def lines(town: str) -> list[list[str]]:
    return [[f"关于加强{town}档案管理工作的通知", f"{town}各村委会，镇直各单位：", *BODY,
             f"{town}人民政府 二〇一九年五月十二日"]]


CLEAN = {"simplified": lines("半月镇"),
         "traditional": [[opencc.OpenCC("s2t").convert(line) for line in lines("东城镇")[0]]],
         "latin": [["当政发〔2019〕12号 关于启用 ISO 15489 档案管理系统 Version 2.1 的通知",
                    "1. 服务器地址 192.168.1.10，端口 8080；2019-05-12 起 Windows 10 可用。",
                    "2. 档号 文书-2019-永久-0012 至 0045，共 34 件 567 页，电话 0717-3221234。",
                    "3. 请点击 File 菜单中的 Settings，选择 English (US) 或 简体中文。"]]}


@pytest.mark.parametrize("text", [GOOD, TRADITIONAL, RADICALS, "第3页", "2019年5月12日\n12345",
                                  "Annual report 2019, page 3 of 7 (ISO 15489)"])
def test_good_layers_are_kept(text):
    assert judge_text_layer(text).state == "ok"


@pytest.mark.parametrize("text, reason", [
    ("", "没有文字层"), (" \n\f ", "没有文字层"),
    ("(cid:123)(cid:456)(cid:789)", "字体编码损坏"),
    ("\ufffd\ufffd档案\ufffd工作\ufffd", "无效字符"),
    ("\ue000\ue001\ue002档案管理工作", "无效字符"),
    (GARBAGE, "文字层乱码"), (REPEATED, "文字层乱码"),
])
def test_bad_layers_are_named(text, reason):
    verdict = judge_text_layer(text)
    assert verdict.state == "bad" and reason in verdict.reason


def test_one_glyph_without_a_character_does_not_condemn_a_good_page():
    assert judge_text_layer(GOOD + "(cid:145)" + GOOD).state == "ok"


def test_agreement_tells_a_misread_from_a_wrong_map():
    misread = GOOD.replace("档案", "档桉").replace("领导", "领寻")
    assert agreement(GOOD, misread) > 0.8
    assert agreement(GOOD, "".join(sorted(GOOD))) < 0.2  # same characters, wrong places


def pdf_layers(pages: list[list[str]], tmp_path: Path, kind: str | None = None,
               face: str = "serif") -> list[str]:
    data = text_pdf(pages, face)
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(break_layer(data, kind) if kind else data)
    return text_layers(path, 10)


@pytest.mark.parametrize("name", CLEAN)
def test_clean_pdfs_are_ok(tmp_path, name):
    face = "tc" if name == "traditional" else "sans"
    (layer,) = pdf_layers(CLEAN[name], tmp_path, face=face)
    assert judge_text_layer(layer).state == "ok", layer


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_wrong_map_is_caught(tmp_path, kind):
    (layer,) = pdf_layers(lines("半月镇"), tmp_path, kind)
    assert "档案管理制度" not in layer  # the layer really is wrong
    verdict = judge_text_layer(layer)
    assert verdict.state != "ok" and verdict.reason == "文字层乱码", layer


def test_a_mostly_right_type3_layer_is_not_condemned(tmp_path):
    path = tmp_path / "manual.pdf"
    path.write_bytes(type3_pdf(lines("半月镇") * 3, wrong=0.05, seed=0, size=14))
    verdicts = [judge_text_layer(layer) for layer in text_layers(path, 10)]
    assert len(verdicts) == 3 and all(v.state != "bad" for v in verdicts)


def test_clean_pdfs_are_never_ocrd(tmp_path):
    runner = OcrRunner(OcrSettings(), None)
    ctx = ExtractContext(ocr=runner)
    for name, pages in CLEAN.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(text_pdf(pages, "tc" if name == "traditional" else "serif"))
        result = PdfExtractor().extract(path, ctx)
        assert not result.warnings and pages[0][0][:6] in result.text
    assert runner.misses == runner.hits == 0


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """An archive of clean PDFs, one PDF per kind of wrong map, and two Type-3 PDFs whose
    layers are suspect: one mostly right (6 characters misnamed), one 40% of glyphs wrong."""
    corpus = tmp_path_factory.mktemp("corpus")
    for name, pages in CLEAN.items():
        (corpus / f"clean-{name}.pdf").write_bytes(
            text_pdf(pages, "tc" if name == "traditional" else "serif"))
    for kind, town in TOWNS.items():
        (corpus / f"broken-{kind}.pdf").write_bytes(break_layer(text_pdf(lines(town), "sans",
                                                                          16), kind))
    (corpus / "type3-mostly.pdf").write_bytes(type3_pdf(lines("淯溪镇"), 0, size=16, swap=SWAP))
    (corpus / "type3-half.pdf").write_bytes(type3_pdf(lines("黄花乡"), 0.4, 2, size=16))
    settings = make_settings(tmp_path_factory.mktemp("data") / "index", corpus)
    summary = run_index(settings)
    assert not summary.failed, summary.failed
    archive = Archive(settings.index.dir, settings.search)
    yield archive, corpus
    archive.close()


def found(archive: Archive, q: str) -> list[dict]:
    result = archive.search(top_request(q=q))
    return [archive.record(h.fields["id"], "绝密") for h in result.hits if h.match == "exact"]


@pytest.mark.ocr
@pytest.mark.parametrize("kind", KINDS)
def test_garbage_layers_are_ocrd_and_found(indexed, kind):
    archive, _corpus = indexed
    records = found(archive, f"{TOWNS[kind]}人民政府")
    assert [r["path"] for r in records] == [f"broken-{kind}.pdf"]
    assert "第1页文字层乱码，已用OCR识别" in records[0]["meta"]["warnings"]
    assert "档案管理制度" in records[0]["text"].replace(" ", "")


@pytest.mark.ocr
def test_clean_records_keep_their_layer_without_warnings(indexed):
    archive, _corpus = indexed
    for q, path in (("半月镇", "clean-simplified.pdf"), ("东城镇", "clean-traditional.pdf"),
                    ("ISO 15489", "clean-latin.pdf")):
        (record,) = found(archive, q)
        assert record["path"] == path and not record["meta"].get("warnings")


@pytest.mark.ocr
def test_a_suspect_layer_the_ocr_confirms_is_kept(indexed):
    archive, corpus = indexed
    (layer,) = text_layers(corpus / "type3-mostly.pdf", 10)
    assert judge_text_layer(layer).state == "suspect"  # the case under test
    (record,) = found(archive, "淯溪镇")
    assert record["text"].strip("\n") == layer.strip("\n")  # the layer, not the OCR
    assert "挡案" in record["text"]
    assert not record["meta"].get("warnings")


@pytest.mark.ocr
def test_a_suspect_layer_the_ocr_contradicts_is_replaced(indexed):
    archive, corpus = indexed
    (layer,) = text_layers(corpus / "type3-half.pdf", 10)
    assert judge_text_layer(layer).state == "suspect"
    assert "档案完整齐全" not in layer
    (record,) = [r for r in found(archive, "档案完整齐全") if r["path"] == "type3-half.pdf"]
    assert record["text"] != layer
    assert "第1页文字层乱码，已用OCR识别" in record["meta"]["warnings"]

