"""Unit tests for ocr.script: one script per page after chi_sim+chi_tra recognition."""
from __future__ import annotations

from ocr.script import script_counts, unify_script

# what Tesseract returned for a simplified page: whole lines read with the chi_tra model
MIXED_SIMPLIFIED_PAGE = (
    "新塘縣人民政府文件\n新政發〔2019〕3号\n關於做好檔案保密工作的通知\n各乡镇人民政府，县直各单位：\n"
    "我鎮生區內機動車保有量大，道路環境複雜，存在很大的安全隱患。為了認真落實“安全第一，"
    "預防為主”的方針，結合我鎮實際，采取一系列措施对我镇的道路交通安全进行规范化管理。\n"
    "我镇对辖区内的机动车明确了责任人，把各项措施落实到单位，落实到个人。"
    "严格执行道路交通安全法律、法规和各项制度。\n新塘縣人民政府\n二〇一九年五月十二日"
)


def test_counts():
    assert script_counts("新塘县人民政府") == (0, 1)
    assert script_counts("新塘縣人民政府") == (1, 0)
    assert script_counts("人民政府") == (0, 0)


def test_mixed_simplified_page_becomes_simplified():
    out = unify_script(MIXED_SIMPLIFIED_PAGE)
    assert out.startswith("新塘县人民政府文件\n新政发〔2019〕3号\n关于做好档案保密工作的通知")
    assert "新塘县人民政府\n二〇一九年五月十二日" in out
    assert script_counts(out)[0] == 0


def test_traditional_page_with_a_stray_simplified_character_becomes_traditional():
    text = "鄉鎮是我國最基層的行政機構。本年度加強檔案保密工作，推進檔案數字化，县"
    assert unify_script(text) == "鄉鎮是我國最基層的行政機構。本年度加強檔案保密工作，推進檔案數字化，縣"


def test_single_script_text_is_untouched():
    assert unify_script("鄉鎮政府年終工作總結") == "鄉鎮政府年終工作總結"
    assert unify_script("乡镇政府年终工作总结") == "乡镇政府年终工作总结"
    assert unify_script("") == ""
    assert unify_script("ISO 9001 2019") == "ISO 9001 2019"


def test_counts_near_each_other_leave_the_script_undecided():
    from ocr.script import decided, undecided

    # a traditional page in 明体 as Tesseract read it: 40 traditional-only, 24 simplified-only
    assert undecided(40, 24) and decided(40, 24) == ""
    assert undecided(26, 30)  # a simplified page with whole lines read as traditional
    assert not undecided(48, 24) and decided(48, 24) == "traditional"
    assert not undecided(3, 30) and decided(3, 30) == "simplified"
    assert not undecided(0, 5) and not undecided(5, 0) and decided(0, 0) == ""


def test_text_is_put_into_a_script_character_for_character():
    from ocr.script import in_script

    assert in_script("结合我镇实际，现将有关事项", "traditional") == "結合我鎮實際，現將有關事項"
    assert in_script("結合我鎮實際", "simplified") == "结合我镇实际"
