"""Hostile files found by trying the indexer as an outsider who can write one corpus folder:
each fails alone, with a reason a clerk can act on (a real `dangan index` run on disk)."""
from __future__ import annotations

import zipfile

import docx
from conftest import make_settings

from indexer.build.run import run_index

LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))


def _entity_bomb(path) -> None:
    """A .docx whose document.xml is a few KB but whose entities expand to a billion
    characters ("billion laughs")."""
    plain = path.with_name("plain.docx")
    d = docx.Document()
    d.add_paragraph("占位文字")
    d.save(plain)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "word/document.xml":
                xml = data.decode("utf-8").replace("占位文字", "&l9;")
                head, _, rest = xml.partition("?>")
                xml = (f'{head}?><!DOCTYPE w:document [<!ENTITY l0 "哈哈哈哈哈哈哈哈哈哈">'
                       f"{LAUGHS}]>{rest}")
                data = xml.encode("utf-8")
            out.writestr(name, data)
    plain.unlink()


def test_a_word_file_with_an_entity_bomb_fails_alone_as_a_damaged_file(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "收文").mkdir(parents=True)
    _entity_bomb(corpus / "收文" / "bomb.docx")
    (corpus / "收文" / "tongzhi.txt").write_text("关于档案移交的通知\n请于月底前移交。\n",
                                               encoding="utf-8")
    summary = run_index(make_settings(tmp_path / "data" / "index", corpus))
    assert summary.added == 1
    [(path, reason)] = summary.failed
    assert path.endswith("收文/bomb.docx")
    assert reason.startswith("not a readable Word .docx file") and "amplification" in reason
