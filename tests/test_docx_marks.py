"""A .docx's 密级 mark wherever Word templates put it — the page header, the first page's own
header, a text box, a content control — is read as a mark on its first page (fail closed: a
机密 file is never indexed as 内部), and that text is searchable; a mark in the body still is."""
from __future__ import annotations

import copy

import docx
import pytest
from conftest import make_settings
from docx.oxml import parse_xml

from indexer.build.run import run_index
from indexer.ingest.docxfile import DocxExtractor
from indexer.ingest.extracted import ExtractContext
from indexer.search.archive import Archive, SearchRequest

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
VML = 'xmlns:v="urn:schemas-microsoft-com:vml"'
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def _body(name: str, words: str):
    document = docx.Document()
    document.add_paragraph(f"{name}测试")
    document.add_paragraph(f"这份文件写有{words}。")
    return document


def in_header(path, mark, words):
    document = _body("页眉标志", words)
    document.sections[0].header.paragraphs[0].text = mark
    document.save(str(path))


def in_first_page_header(path, mark, words):
    document = _body("首页页眉标志", words)
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = mark
    section.header.paragraphs[0].text = "第二页起的页眉"
    document.save(str(path))


def in_text_box(path, mark, words):
    """A VML text box, and a DrawingML one with its compatibility copy (read once)."""
    document = _body("文本框标志", words)
    box = (f'<w:p {W} {VML}><w:r><w:pict><v:shape style="width:100pt;height:20pt"><v:textbox>'
           f'<w:txbxContent><w:p><w:r><w:t>{mark}</w:t></w:r></w:p></w:txbxContent>'
           '</v:textbox></v:shape></w:pict></w:r></w:p>')
    choice = (f'<w:p {W} {VML} {MC}><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
              '<w:txbxContent><w:p><w:r><w:t>份号000015</w:t></w:r></w:p></w:txbxContent>'
              '</mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r>'
              '<w:t>份号000015</w:t></w:r></w:p></w:txbxContent></v:textbox></w:pict>'
              '</mc:Fallback></mc:AlternateContent></w:r></w:p>')
    body = document.element.body
    body.insert(0, parse_xml(box))
    body.insert(1, parse_xml(choice))
    document.save(str(path))


def in_content_control(path, mark, words):
    document = _body("内容控件标志", words)
    control = (f'<w:sdt {W}><w:sdtPr><w:alias w:val="密级"/></w:sdtPr><w:sdtContent><w:p><w:r>'
               f'<w:t>{mark}</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    document.element.body.insert(0, parse_xml(control))
    document.save(str(path))


def in_body(path, mark, words):
    document = _body("正文标志", words)
    first = document.paragraphs[0]._p
    first.addprevious(copy.deepcopy(first))
    document.paragraphs[0].text = mark
    document.save(str(path))


PLACES = {"header.docx": (in_header, "机密★1年", "苍松计划", "机密"),
          "first.docx": (in_first_page_header, "绝密★启用前", "紫檀计划", "绝密"),
          "box.docx": (in_text_box, "秘密★5年", "红枫计划", "秘密"),
          "control.docx": (in_content_control, "机密★长期", "金桂计划", "机密"),
          "body.docx": (in_body, "机密★1年", "翠柏计划", "机密")}


@pytest.mark.parametrize("name", sorted(PLACES))
def test_the_mark_is_on_the_first_lines_of_the_text(tmp_path, name):
    make, mark, words, _level = PLACES[name]
    make(tmp_path / name, mark, words)
    text = DocxExtractor().extract(tmp_path / name, ExtractContext()).text
    lines = text.splitlines()
    assert mark in lines[:3] and f"这份文件写有{words}。" in lines, lines
    assert text.count("份号000015") == (1 if name == "box.docx" else 0)  # not its copy too


def test_a_docx_is_indexed_at_the_level_its_mark_gives_wherever_the_mark_is(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (make, mark, words, _level) in PLACES.items():
        make(corpus / name, mark, words)
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    archive = Archive(settings.index.dir, settings.search)
    try:
        for name, (_make, mark, words, level) in PLACES.items():
            top = archive.search(SearchRequest(q=words, clearance="绝密")).hits
            assert [h.fields["path"] for h in top] == [name]
            assert archive.record(top[0].fields["id"], "绝密")["security"] == level, name
            assert archive.search(SearchRequest(q=words, clearance="内部")).total == 0, name
            assert archive.search(SearchRequest(q=mark, clearance="绝密")).total >= 1
    finally:
        archive.close()
