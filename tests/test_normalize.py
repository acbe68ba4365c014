"""The normaliser: NFKC, pinyin annotations, page markers, OCR spaces, t2s folding, offsets."""
from indexer.analysis.normalize import normalize, normalize_text


def originals(text: str) -> list[str]:
    n = normalize(text)
    return [text[slice(*n.span(i, i + 1))] for i in range(len(n.text))]


def test_traditional_folds_to_simplified():
    assert normalize_text("鄉鎮政府年終工作總結") == "乡镇政府年终工作总结"


def test_archive_office_is_not_rewritten_by_phrase_conversion():
    # the tw2sp phrase config would turn 檔案館 into 文件馆
    assert normalize_text("檔案館") == "档案馆"


def test_extra_folds():
    assert normalize_text("著力，帳目") == "着力,账目"


def test_pinyin_annotations_removed():
    assert normalize_text("鄉(xiāng)鎮(zhèn)政府") == "乡镇政府"
    assert normalize_text("工作總結(jié)") == "工作总结"


def test_parenthesised_words_that_are_not_pinyin_stay():
    assert normalize_text("客运车辆(客车106辆)") == "客运车辆(客车106辆)"


def test_spaces_between_cjk_removed_but_not_between_latin_words():
    assert normalize_text("档 案 保\n密") == "档案保密"
    assert normalize_text("OCR text") == "OCR text"


def test_page_markers_removed():
    assert normalize_text("增加路面\n第7页 共7页\n管理力量") == "增加路面管理力量"


def test_nfkc_fullwidth():
    assert normalize_text("ＡＢＣ１２３，") == "ABC123,"


def test_offsets_point_at_original_characters():
    text = "鄉(xiāng)鎮 檔案"
    chars = originals(text)
    assert normalize(text).text == "乡镇档案"
    assert chars[0] == "鄉" and chars[2] == "檔" and chars[3] == "案"
    assert chars[1] == "鎮"


def test_expanding_nfkc_keeps_offsets():
    text = "㈠档案"
    n = normalize(text)
    assert n.text == "(一)档案"
    assert text[slice(*n.span(3, 5))] == "档案"


def test_cjk_radicals_fold_to_the_ideographs_they_stand_for():
    """A Chromium-printed 纪要's text layer spells 民 长 马 with CJK Radicals Supplement code
    points, which NFKC leaves alone; the Kangxi radicals (⼈) NFKC folds already."""
    n = normalize("西河镇人⺠政府，镇⻓司⻢燕，⼈员")
    assert n.text == "西河镇人民政府,镇长司马燕,人员"  # (NFKC makes the comma narrow)
    assert n.span(5, 6) == (5, 6)  # one character for one: offsets unchanged


def test_every_radical_of_the_table_reads_as_its_ideograph():
    from indexer.analysis.normalize import radicals
    table = radicals()
    assert len(table) > 300
    assert {0x2EA0: "民", 0x2ED3: "长", 0x2EE2: "马", 0x2F08: "人"}.items() <= table.items()
    for cp, ideograph in table.items():
        assert normalize_text(chr(cp)) == normalize_text(ideograph), hex(cp)
