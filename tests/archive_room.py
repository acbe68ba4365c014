"""A second small archive for field-name and why-matched tests: the sample records of
conftest plus an archive room whose catalog gives 人员 and 备注 that are not in the text, and a
text with a telephone number written `电话:0717-…` (a `word:` that names no field)."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings, write_corpus

from indexer.build.run import run_index

ROOM = "档案室"
ZONGJIE = "文书/2019/zongjie.txt"
DIANHUA = f"{ROOM}/dianhua.txt"
YIJIAO = f"{ROOM}/yijiao.txt"
TEXTS = {
    DIANHUA: "关于更换值班电话的通知\n各村委会：值班室联系电话:0717-3212345，请知悉。\n",
    YIJIAO: "本批档案共计四十卷，已逐卷清点完毕。\n",
}
CATALOG = (
    "文件,档号,题名,责任者,文号,日期,门类,保管期限,密级,人员,备注\n"
    "dianhua.txt,0789-WS·2008-Y-0007,关于更换值班电话的通知,当阳市档案局,当档发〔2008〕7号,"
    "2008-07-02,文书,30年,公开,,\n"
    "yijiao.txt,0789-WS·2009-Y-0002,档案移交清冊,當陽市檔案局,当档发〔2009〕2号,2009-03-15,"
    "文书,永久,内部,張志強；刘芳,经办人王建成，1998年补登\n"
)


def write_room(root: Path) -> Path:
    """The conftest corpus with the archive room added under 档案室/."""
    write_corpus(root)
    for rel, text in TEXTS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / ROOM / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    return root


def build_room(root: Path):
    """Settings of a built index of the room corpus under `root`."""
    settings = make_settings(root / "data" / "index", write_room(root / "corpus"))
    summary = run_index(settings)
    assert not summary.failed, summary.failed
    return settings


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """An opened Archive over the room corpus (import this fixture into a test module)."""
    from indexer.search.archive import Archive

    settings = build_room(tmp_path_factory.mktemp("room"))
    archive = Archive(settings.index.dir, settings.search)
    yield archive
    archive.close()
