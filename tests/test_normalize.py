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


def _reference(text: str):
    """The normaliser's steps as first written: NFKC character by character, every pattern
    scanned for wherever it may be, spaces found by looking behind at every position (the
    module now looks in the text's set of characters first, scans for "(" and "页" first and
    finds white space runs before looking at their neighbours: the same text and offsets,
    faster)."""
    import re
    import unicodedata

    from indexer.analysis import normalize as n

    pinyin = re.compile(rf"(?<={n._CJK_CLASS})\((?:[a-zA-Z{n._PINYIN_VOWELS}]*"
                        rf"[{n._PINYIN_VOWELS}][a-zA-Z{n._PINYIN_VOWELS}]*[1-5]?)\)")
    b = n._Builder(text)
    if not unicodedata.is_normalized("NFKC", text):
        b.map_chars(lambda c: unicodedata.normalize("NFKC", c))
    if re.search("[\u2e80-\u2fdf\u31c0-\u31ef]", b.text):
        b.text = b.text.translate(n.radicals())
    for pattern in (n._FORMAT, pinyin, n._PAGE_MARK, n._CJK_SPACE):
        b.delete(pattern)
    b.convert_same_length(n._t2s, n._t2s_char)
    for old, new in n._FOLDS.items():
        b.text = b.text.replace(old, new)
    return b.text, b.starts, b.ends


def test_the_normaliser_reads_every_kind_of_text_as_its_reference_steps_do():
    """Pinyin after Chinese or Latin, brackets of every width, page marks, OCR spaces and line
    breaks between Chinese characters (one, several, mixed kinds), format characters,
    traditional script, full-width forms, radicals: the same normalised text and offsets."""
    import random

    import numpy as np

    from indexer.analysis.normalize import _normalize

    pieces = ["鄉(xiāng)", "鎮（zhèn）", "abc(def)", "档案(1)", "(ā)", "王 建 成", "档\n\n案",
              "档 \u3000 案", "档 a 案", "第 3 页 共 7 页", "共七页，第二页", "页", "绝\u200b密",
              "檔案館", "ＡＢＣ１２３", "⺠政", "著作", "帐目", "㈠", "（二）", " ", "\n", "，", "2008年",
              "\U0002f800", "𝐀", "e\u0301", "档\u2028案", "\u00a0", "\U00020000 \U00020001"]
    rng = random.Random(5)
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        got, want = _normalize(text), _reference(text)
        assert got.text == want[0], text
        for mine, theirs in ((got.starts, want[1]), (got.ends, want[2])):
            assert (mine is None and theirs is None) or np.array_equal(mine, theirs), text
