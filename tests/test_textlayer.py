"""Judging a PDF page's text layer: good Chinese passes, broken-font garbage does not."""
import pytest

from indexer.ingest.textlayer import judge_text_layer

GOOD = ("一年来，我镇高度重视机关档案管理工作，将机关档案管理工作纳入工作日程，"
        "加强对档案管理工作的领导，真正做到了认识到位，组织到位，措施到位。")
TRADITIONAL = "鄉鎮是我國最基層的行政機構。一頭連著城市，一頭連著農村，在農村乃至整個國家經濟社會發展中發揮著基礎性作用。"
# what a page set in a font without a ToUnicode map decodes to: real characters, wrong ones
GARBAGE = "艰咔瀔涟蝃谳槱鬻嗍霪搿蓥殚鲠鼗飑狴糇馐觫蹩鬏翙蹿蘩罍鼯鼷齁嬲黉鹱"


@pytest.mark.parametrize("text", [GOOD, TRADITIONAL, "第3页", "2019年5月12日\n12345"])
def test_good_layers_are_kept(text):
    assert judge_text_layer(text) is None


@pytest.mark.parametrize("text, reason", [
    ("", "没有文字层"), (" \n\f ", "没有文字层"),
    ("(cid:123)(cid:456)(cid:789)", "字体编码损坏"),
    ("\ufffd\ufffd档案\ufffd工作\ufffd", "无效字符"),
    ("\ue000\ue001\ue002档案管理工作", "无效字符"),
    (GARBAGE, "乱码"),
])
def test_bad_layers_are_named(text, reason):
    assert reason in judge_text_layer(text)
