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


@pytest.mark.parametrize("encoding", ["gb18030", "big5"])
def test_the_start_of_a_long_file_cut_inside_a_character_is_still_detected(encoding):
    """Only the start of a long file is read: cut at any byte, half a character at its end
    made GB18030 undetectable (a 105 MB record, a catalog over 1 MB refused as undecodable)."""
    text = ("關於檔案工作的通知，各單位：現將有關事項通知如下。" * 3 + "\n") * 2000
    data = text.encode(encoding)
    for off in range(8):
        decoded, found = decode(data[:len(data) // 2 + off], cut=True)
        assert found == encoding and text.startswith(decoded[:-2]), off


def test_hz_encoded_text_is_read_as_chinese():
    """HZ (GB2312 in 7-bit ASCII between ~{ and ~}) is valid ASCII: it was indexed as
    ~{9XSZ55... instead of its Chinese; an ASCII text with a stray ~{ stays as written."""
    text = "关于档案工作的通知\n各单位：现将有关事项通知如下。\n"
    assert decode(text.encode("hz")) == (text, "hz")
    assert decode(b"plain ascii ~{ text") == ("plain ascii ~{ text", "utf-8")
