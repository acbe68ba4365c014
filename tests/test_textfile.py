"""Text records: encodings detected and recorded, undecodable files are per-file errors."""
import pytest

from indexer.errors import ExtractionError
from indexer.ingest.textfile import decode, page_starts

TEXT = "乡镇档案管理工作总结：加强档案保密，做好查阅登记。"


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"),
])
def test_simplified_encodings(encoding, expected):
    text, found = decode(TEXT.encode(encoding))
    assert text == TEXT and found == expected


def test_gbk_is_read_as_gb18030():
    text, found = decode(TEXT.encode("gbk"))
    assert text == TEXT and found == "gb18030"


def test_big5_traditional():
    trad = "鄉鎮檔案管理工作總結：加強檔案保密，做好查閱登記。本年度共整理文書檔案三百餘卷。"
    text, found = decode(trad.encode("big5"))
    assert text == trad and found == "big5"


def test_binary_garbage_is_an_extraction_error():
    with pytest.raises(ExtractionError, match="cannot decode|undecodable"):
        decode(bytes(range(256)) * 4)


def test_pages_split_at_form_feeds_and_page_markers():
    text = "第一页内容\f第二页内容\n第2页 共3页\n第三页内容"
    starts = page_starts(text)
    assert len(starts) == 3
    assert text[starts[1]:].startswith("第二页") and text[starts[2]:].startswith("第三页")
