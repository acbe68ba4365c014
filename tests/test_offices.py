"""The issuing office (责任者) read from a 公文's text (indexer.ingest.offices): a joint
header's first office, a stray stroke after it cut, a header that lost a character completed
from its 落款 but never from a seal's stroke at a line's end, and 镇/乡/县/市 misread right
before an office's ending put right (pure text, no OCR)."""
import pytest

from indexer.ingest.autometa import extract_metadata
from indexer.ingest.offices import first_office, issuing_office, trimmed, unit_fixed


@pytest.mark.parametrize("read, office", [
    ("大树针人民政府", "大树镇人民政府"),      # the misread
    ("中共長崗鎖委員會", "中共長崗鎮委員會"),
    ("白沙多人民政府", "白沙乡人民政府"),
    ("南屏具人民政府", "南屏县人民政府"),
    ("当阳市档案局", "当阳市档案局"),          # no unit before its ending: as it is
    ("针织厂委员会", "针织厂委员会"),          # 针 not right before the ending
])
def test_a_unit_misread_before_an_offices_ending_is_put_right(read, office):
    assert unit_fixed(read) == office


@pytest.mark.parametrize("read, office", [
    ("柳溪乡人民政府十", "柳溪乡人民政府"),    # a 、 read as 十、
    ("柳溪乡人民政府、", "柳溪乡人民政府"),
    ("当阳市文化会馆", "当阳市文化会馆"),      # a name's own character is kept
    ("某县档案局长", "某县档案局长"),
])
def test_a_stray_stroke_after_an_offices_name_is_cut(read, office):
    assert trimmed(read) == office


def _doc(header: str, signed: str) -> str:
    return (f"{header}\n高水字〔2011〕119号\n关于冬春农田水利建设的报告\n县人民政府：\n"
            f"特此报告。\n{signed}\n二〇一一年十月三日\n")


@pytest.mark.parametrize("header, signed, office", [
    ("柳溪乡人民政府十、文件柳溪乡农业服务中心文件", "柳溪乡人民政府", "柳溪乡人民政府"),
    ("高坪县水利局文件", "砸高坪县水利局", "高坪县水利局"),          # a seal's stroke read first
    ("高坪县水利局文件", "高坪县水利局砸", "高坪县水利局"),
    ("中共長崗委員會文件", "中共長崗鎖委員會", "中共長崗鎮委員會"),  # lost, then misread
    # the 鎮 lost in the header, 崗 misread in the signature: the header's name, the unit signed
    ("中共長崗委員會文件", "中共長山鎮委員會", "中共長崗鎮委員會"),
    ("中共白沙委員會文件", "中共黑石鎮委員會", "中共白沙委員會"),  # another name: not taken
    # one character apart: the reading whose words the dictionary knows (农村, not 震村)
    ("永豐縣農業震村局文件", "永豐縣農業農村局", "永豐縣農業農村局"),
    ("永豐縣農業農村局文件", "永豐縣農業震村局", "永豐縣農業農村局"),
])
def test_the_header_and_the_signature_together(header, signed, office):
    assert extract_metadata(_doc(header, signed))["org"] == office


def test_no_text_no_office():
    assert issuing_office("", "") == ""


@pytest.mark.parametrize("header, office", [
    ("梅岭镇人民政府梅岭镇财政路", "梅岭镇人民政府"),  # the second office's ending misread
    ("中共梅岭镇委员会梅岭镇人民攻府", "中共梅岭镇委员会"),
    ("XX旗公安局交通管理大队", "XX旗公安局交通管理大队"),  # a unit of one office: whole
    ("梅岭镇人民政府办公室", "梅岭镇人民政府办公室"),
])
def test_a_joint_header_splits_where_the_place_is_named_again(header, office):
    assert first_office(header) == office
