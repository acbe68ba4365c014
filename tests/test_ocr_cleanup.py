"""Unit tests for ocr.cleanup: CJK spacing, punctuation, 〇, 文号 brackets, broken lines."""
from __future__ import annotations

import pytest

from ocr.cleanup import (
    fix_chinese_zero,
    fix_doc_numbers,
    fix_punctuation,
    join_broken_lines,
    remove_cjk_spaces,
    repair_text,
)


def test_spaces_between_chinese_characters_are_removed():
    assert remove_cjk_spaces("乡 镇 档 案 管 理") == "乡镇档案管理"
    assert remove_cjk_spaces("加 强 档 案 保 密 工 作 ， 王 小 明 负 责 。") == "加强档案保密工作，王小明负责。"
    assert remove_cjk_spaces("“安全第一 ， 预防为主 ” 的方针") == "“安全第一，预防为主”的方针"


def test_spaces_between_chinese_and_digits_are_removed_latin_words_keep_theirs():
    assert remove_cjk_spaces("2019 年 5 月") == "2019年5月"
    assert remove_cjk_spaces("第 3 页") == "第3页"
    assert remove_cjk_spaces("Windows XP 系统") == "Windows XP 系统"
    assert remove_cjk_spaces("ISO 9001") == "ISO 9001"


def test_line_breaks_are_not_spaces():
    assert remove_cjk_spaces("新塘县人民政府\n二〇一九年五月十二日") == "新塘县人民政府\n二〇一九年五月十二日"


def test_ascii_punctuation_after_chinese_becomes_fullwidth():
    assert fix_punctuation("各乡镇人民政府, 县直各单位 :") == "各乡镇人民政府，县直各单位："
    assert fix_punctuation("道路环境复杂 , 存在隐患") == "道路环境复杂，存在隐患"
    assert fix_punctuation("version 2.0, released") == "version 2.0, released"
    assert fix_punctuation("3.5%") == "3.5%"


@pytest.mark.parametrize(
    "raw, fixed",
    [
        ("二0一九年五月十二日", "二〇一九年五月十二日"),
        ("二O一九年", "二〇一九年"),
        ("二00九年", "二〇〇九年"),
        ("二口一九年", "二〇一九年"),
        ("2019年100元", "2019年100元"),
        ("第10号", "第10号"),
    ],
)
def test_chinese_zero(raw, fixed):
    assert fix_chinese_zero(raw) == fixed


@pytest.mark.parametrize(
    "raw",
    [
        "新政发[2019]3号",
        "新政发(2019)3号",
        "新政发（2019）3号",
        "新政发【2019】3号",
        "新政发〔2019]3号",
        "新政发[2019〕3号",
        "新政发 [ 2019 ] 3 号",
        "新政发［2019］3号",
        "新政发〖2019〗3号",
        "新政发〔2O19〕3号",
        "新政发〔2019〕3号",
    ],
)
def test_doc_number_brackets(raw):
    assert fix_doc_numbers(raw) == "新政发〔2019〕3号"


def test_doc_number_digit_confusions_and_traditional_hao():
    assert fix_doc_numbers("府办字(1998) l2号") == "府办字〔1998〕12号"
    assert fix_doc_numbers("府辦字[2005]7號") == "府辦字〔2005〕7號"


@pytest.mark.parametrize(
    "text",
    [
        "见附件(2019)",  # no number and 号 after the year
        "共计[2019]元",
        "新政发[3019]3号",  # not a plausible year
        "面积(2019)3平方米",
        "第(1)项",
    ],
)
def test_doc_number_left_alone_outside_the_pattern(text):
    assert fix_doc_numbers(text) == text


def test_lines_broken_inside_a_sentence_are_joined():
    text = (
        "我镇辖区内机动车保有量大，道路环境复杂，存在很大的安全隐\n"
        "患。为了认真落实“安全第一，预防为主”的方针，结合我镇实际，\n"
        "采取一系列措施对我镇的道路交通安全进行规范化管理。\n"
        "我镇对辖区内的机动车明确了责任人。"
    )
    assert join_broken_lines(text) == (
        "我镇辖区内机动车保有量大，道路环境复杂，存在很大的安全隐患。为了认真落实“安全第一，"
        "预防为主”的方针，结合我镇实际，采取一系列措施对我镇的道路交通安全进行规范化管理。\n"
        "我镇对辖区内的机动车明确了责任人。"
    )


def test_titles_signatures_dates_and_paragraph_breaks_stay():
    text = (
        "新塘县人民政府文件\n新政发〔2019〕3号\n关于做好档案保密工作的通知\n"
        "各乡镇人民政府，县直各单位：\n"
        "我镇辖区内机动车保有量大，道路环境复杂，存在很大的安全隐患，需要\n"
        "\n"
        "采取一系列措施对我镇的道路交通安全进行规范化管理。\n"
        "新塘县人民政府\n二〇一九年五月十二日"
    )
    assert join_broken_lines(text) == text


def test_latin_line_ends_are_not_joined():
    text = "The archive of the township government holds many files\nand registers"
    assert join_broken_lines(text) == text


def test_repair_text_on_tesseract_style_output():
    raw = (
        "新 政 发 [2019] 3 号\n"
        "各 乡镇 人 民政 府 ， 县 直 各 单位 :\n"
        "我 镇 辖区 内 机动 车 保有 量 大 ， 道路 环境 复杂 ， 存在 很 大 的 安全 隐\n"
        "患 。\n"
        "二 0 一 九 年 五 月 十 二 日"
    )
    assert repair_text(raw) == (
        "新政发〔2019〕3号\n"
        "各乡镇人民政府，县直各单位：\n"
        "我镇辖区内机动车保有量大，道路环境复杂，存在很大的安全隐患。\n"
        "二〇一九年五月十二日"
    )


def test_repair_text_is_idempotent_and_keeps_empty_text():
    text = "新政发〔2019〕3号\n关于做好档案保密工作的通知"
    assert repair_text(repair_text(text)) == repair_text(text) == text
    assert repair_text("") == ""


@pytest.mark.parametrize("raw, fixed", [
    ("一丶提高思想认识", "一、提高思想认识"),               # the radical 丶 read for 、
    ("涉及黄土岭村丶林村等", "涉及黄土岭村、林村等"),
    ("群眾滿意度明顯提高°", "群眾滿意度明顯提高。"),           # a centred 。 read as a degree
    ("气温零下5°", "气温零下5°"),                            # a degree stays one
    ("丶", "丶"),
])
def test_marks_read_as_lookalikes_are_put_right(raw, fixed):
    from ocr.cleanup import fix_lookalike_marks

    assert fix_lookalike_marks(raw) == fixed
    assert repair_text(raw) == fixed
