"""Forgiving search, in Chinese, for forms an independent query set showed clerks type and the
search missed: contracted organisation names (永泰人社局), abbreviations written out in any
combination (人大常委会), 文号 with a hyphen or 年度, dates typed with separators, and the
field words 题目, 发文单位, 附注 and 经办人."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import archive_over

from indexer import dates
from indexer.analysis.names import NAMES_FILE
from indexer.search.archive import SearchRequest
from indexer.search.lexicon import build
from indexer.search.variants import docnum_forms

RECORDS = {
    "a/renshe.txt": "关于做好2019年度社会保险工作的通知\n永泰县人力资源和社会保障局\n各乡镇：现将有关事项通知如下。\n",
    "a/renda.txt": "关于召开常务委员会会议的决定\n宾阳县人民代表大会常务委员会\n会人常〔2005〕44号\n",
    "a/weijian.txt": "泗洪县卫生健康委员会关于疫苗接种工作的报告\n全县接种工作稳步推进。\n",
    "b/chengguan.txt": "关于加强城市管理工作的意见\n各单位要落实城市管理责任。\n",
    "b/meeting.txt": "会议纪要\n二〇一六年七月二日召开会议，研究防汛工作。\n电话：0717-3217083\n",
    "b/catalogued.txt": "基本农田划定工作报告\n全镇基本农田划定工作已经完成。\n",
    "c/fayuan.txt": "泗洪县人民法院关于执行工作的报告\n全年执结案件二百件。\n",
    "d/clean.txt": "表彰决定\n司马卫鹏同志被评为先进工作者。\n",
    "d/misread.txt": "会议签到表\n出席：丁马卫鹏、张三。\n",  # 司 read as 丁: in no confusion table
    "e/ou.txt": "表彰通报\n区亮慧同志被评为优秀党员。\n",
    "e/ou_misread.txt": "考勤表\n匹亮慧同志全勤。\n",  # 区 read as 匹
    "e/li.txt": "值班表\n李亮慧同志值班。\n",  # another person
    "f/xiuying.txt": "表彰通报\n李秀英同志被评为先进工作者。\n",
    "f/xiuying_misread.txt": "签到表\n出席：李秀荚、王五。\n",  # 英 read as 荚: in no table
    "f/xiuming.txt": "值班表\n李秀明同志值班。\n",  # another person the text names
    "f/xiuying3.txt": "考勤表\n李秀影同志全勤。\n",  # another person spelled lixiuying too
    "g/meng1.txt": "表彰通报\n孟鑫国同志被评为先进工作者。\n",
    "g/meng2.txt": "值班表\n孟鑫国同志值班。\n",
    "g/meng3.txt": "会议纪要\n孟鑫国同志主持会议。\n",
    "g/meng_misread.txt": "考勤表\n孟鑫图同志全勤。\n",  # 国 read as 图: in no table
    "h/yuan.txt": "培训通知\n档案员参加业务培训，做好档案整理。\n",
    "h/ju.txt": "检查通报\n档案局检查档案室，档案的管理工作，档案管理规范。\n",
    "i/chunyan.txt": "表彰通报\n刘春燕同志被评为先进工作者。\n",
    "i/chunyan2.txt": "值班表\n刘春艳同志值班。\n",  # another person: 艳 sounds as 燕
    "i/chunyan3.txt": "会议纪要\n刘春燕同志发言，刘春燕同志总结。\n",
    "j/gongan.txt": "通报\n公安局开展安全检查。\n",
    "j/jiaojing.txt": "通报\n公安交警大队开展安全检查。\n",
    "k/zhangwei.txt": "表彰通报\n张伟同志被评为先进工作者。\n",
    # offices only a text names (no catalog row, no red header read as its 责任者)
    "l/yuanan.txt": "会议纪要\n经远安县人民政府同意，中共远安县委员会决定召开会议。\n",
}
CATALOG = (
    "文件,题名,责任者,文号,日期,密级,人员,备注\n"
    "a/renshe.txt,关于做好社会保险工作的通知,永泰县人力资源和社会保障局,,2019-03-01,公开,,\n"
    "a/renda.txt,关于召开常务委员会会议的决定,宾阳县人民代表大会常务委员会,会人常〔2005〕44号,"
    "2005-05-01,公开,,\n"
    "a/weijian.txt,关于疫苗接种工作的报告,泗洪县卫生健康委员会,,2021-01-01,公开,,\n"
    "b/catalogued.txt,基本农田划定工作报告,马鞍镇人民政府,,2018-01-01,公开,曾明欣,复印件\n"
    "c/fayuan.txt,关于执行工作的报告,泗洪县人民法院,,2020-01-01,公开,,\n"
    "d/clean.txt,表彰决定,石门乡人民政府,,2020-02-01,公开,司马卫鹏,\n"
    "e/ou.txt,表彰通报,石门乡人民政府,,2020-03-01,公开,区亮慧,\n"
    "e/li.txt,值班表,石门乡人民政府,,2020-03-02,公开,李亮慧,\n"
    "f/xiuying.txt,表彰通报,石门乡人民政府,,2020-04-01,公开,李秀英,\n"
    "f/xiuying3.txt,考勤表,石门乡人民政府,,2020-04-02,公开,李秀影,\n"
    "i/chunyan.txt,表彰通报,石门乡人民政府,,2020-05-01,公开,刘春燕,\n"
    "i/chunyan2.txt,值班表,石门乡人民政府,,2020-05-02,公开,刘春艳,\n"
    "j/gongan.txt,通报,公安局,,2020-06-01,公开,,\n"
    "k/zhangwei.txt,表彰通报,石门乡人民政府,,2020-07-01,公开,张伟,\n"
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    a = archive_over(tmp_path_factory, RECORDS, CATALOG, "forms")
    yield a
    a.close()


def hits(archive, q) -> dict[str, tuple[str, tuple[str, ...]]]:
    result = archive.search(SearchRequest(q=q, size=50, clearance="绝密"))
    return {h.fields["path"]: (h.match, h.variants) for h in result.hits}


@pytest.mark.parametrize("typed, meant, path", [
    ("永泰人社局", "永泰县人力资源和社会保障局", "a/renshe.txt"),
    ("宾阳人大常委会", "宾阳县人民代表大会常务委员会", "a/renda.txt"),
    ("泗洪卫健委", "泗洪县卫生健康委员会", "a/weijian.txt"),  # through 委员会 → 委
])
def test_a_contracted_organisation_name_finds_the_organisation(archive, typed, meant, path):
    found = hits(archive, typed)
    assert found[path] == ("approximate", (meant,))


def test_a_contraction_is_searched_as_the_organisations_it_can_only_mean():
    lex = build([], ["永泰县人力资源和社会保障局", "永泰县公安局", "永泰县教育局", "当阳市档案局"], [])
    assert lex.contracted("永泰人社局") == ["永泰县人力资源和社会保障局"]
    assert lex.contracted("永泰县局") == []  # the place and 局 alone name no one office
    assert lex.contracted("永泰教育局") == ["永泰县教育局"]
    assert lex.contracted("当阳局") == []
    assert lex.contracted("社保局") == []  # first and last characters are kept


def test_abbreviations_are_written_out_in_every_combination(archive):
    assert hits(archive, "城管")["b/chengguan.txt"] == ("approximate", ("城市管理",))
    found = hits(archive, "人大常委会")
    assert found["a/renda.txt"][0] == "approximate"
    assert "人民代表大会常务委员会" in found["a/renda.txt"][1]


@pytest.mark.parametrize("typed", ["会人常2005-44号", "会人常2005年度44号", "会人常2005－44号"])
def test_a_docnum_typed_with_a_hyphen_or_niandu_finds_it(archive, typed):
    assert hits(archive, typed)["a/renda.txt"] == ("approximate", ("会人常〔2005〕44号",))


def test_docnum_forms_read_a_hyphen_and_niandu():
    assert docnum_forms("沁卫健发1993-31号") == ["沁卫健发〔1993〕31号"]
    assert docnum_forms("宾人常1995年度77号") == ["宾人常〔1995〕77号"]
    assert docnum_forms("2016-07-02") == []


@pytest.mark.parametrize("typed", ["2016-07-02", "2016/7/2", "2016.7.2"])
def test_a_date_typed_with_separators_finds_it_written_in_chinese_numerals(archive, typed):
    assert hits(archive, typed)["b/meeting.txt"] == ("exact", ())


def test_what_looks_like_a_date_but_is_a_number_or_a_docnum_is_not_read_as_one():
    for text in ("0717-3217083", "2016.7", "会人常2005-4号", "2016-13-01", "1.2016.7.2"):
        assert dates.spellings(text) == [text], text
    assert "2016年7月" in dates.spellings("2016-07")


@pytest.mark.parametrize("typed, path", [
    ("题目:基本农田划定", "b/catalogued.txt"),
    ("发文单位:马鞍镇人民政府", "b/catalogued.txt"),
    ("附注:复印件", "b/catalogued.txt"),
    ("经办人:曾明欣", "b/catalogued.txt"),
])
def test_the_field_words_clerks_use_name_the_fields(archive, typed, path):
    assert hits(archive, typed) == {path: ("exact", ())}


def test_a_typo_of_an_organisations_short_form_finds_the_organisation(archive):
    """泗洪法愿 is one character off 泗洪法院, the everyday short form of 泗洪县人民法院."""
    match, variants = hits(archive, "泗洪法愿")["c/fayuan.txt"]
    assert match == "approximate" and "泗洪县人民法院" in variants


@pytest.mark.parametrize("typed", ["司马卫鹏", "simaweipeng", "si ma wei peng"])
def test_a_misreading_no_table_knows_is_read_from_the_record(archive, typed):
    """The scan read 司 as 丁, a confusion in no look-alike or homophone table, and at the
    first character, where no continuation is tried: the search reads what the one record
    holding 马卫鹏 after another character has there, and finds it (approximate, 丁马卫鹏)."""
    found = hits(archive, typed)
    assert found["d/misread.txt"] == ("approximate", ("丁马卫鹏",))
    assert found["d/clean.txt"][0] == ("exact" if typed == "司马卫鹏" else "approximate")


def test_what_a_record_holds_is_read_only_where_the_index_says_the_term_stands(archive):
    """A record whose text does not hold the term's other characters where the start keys
    say (the index and the text disagree) tells nothing: the caller guesses instead."""
    from indexer.search import execute, readback

    with archive.pinned() as (_searcher, arrays):
        doc = int(arrays.postings("id", hits_ids(archive, "丁马卫鹏")[0])[0][0])
        wrong = np.array([(doc << 32) + 4096 + 0], dtype=np.int64)  # position 0: 会议签到表
        assert readback.chars_at(arrays, "text_ng", wrong, 0, "司马卫鹏") == (set(), False)
        text = arrays.stored_fields(doc)["text"]
        at = text.index("丁马卫鹏")  # (no space or punctuation before it but the line break)
        right = execute.EMPTY
        for start in range(at - 2, at + 3):
            keys = np.array([(doc << 32) + 4096 + start], dtype=np.int64)
            if readback.chars_at(arrays, "text_ng", keys, 0, "司马卫鹏") == ({"丁"}, True):
                right = keys
        assert len(right) == 1
        assert readback.chars_at(arrays, "meta_ng", right, 0, "司马卫鹏") is None


def hits_ids(archive, q) -> list[str]:
    result = archive.search(SearchRequest(q=q, size=50, clearance="绝密"))
    return [h.fields["id"] for h in result.hits]


def test_a_surname_read_from_the_record_is_taken_unless_it_names_another_person(archive):
    """区亮慧's scan reads 匹亮慧 (区 read as 匹, in no table): found, read from the record;
    李亮慧, another person the catalog lists, holds 亮慧 after another surname too, and is not
    offered as 区亮慧 (a surname changed in a three-character name is taken only where it
    names no one the archive or the dictionary knows)."""
    found = hits(archive, "区亮慧")
    assert found["e/ou.txt"] == ("exact", ())
    assert found["e/ou_misread.txt"] == ("approximate", ("匹亮慧",))
    assert "e/li.txt" not in found


@pytest.mark.parametrize("typed", ["lixiuying", "li xiu ying", "李秀英"])
def test_the_last_character_of_a_name_misread_is_read_from_the_record(archive, typed):
    """李秀英's scan reads 李秀荚 (英 read as 荚, in no table): found whether the name is typed or
    spelled in pinyin (which 李秀影 shares: each name's misreadings are looked for), read from
    the record at the last character although the middle one (a single character on each
    side) cannot be located; 李秀明, another person the text names, is not offered."""
    found = hits(archive, typed)
    assert found["f/xiuying_misread.txt"] == ("approximate", ("李秀荚",))
    assert "f/xiuming.txt" not in found


def test_a_misread_name_the_text_holds_is_found_when_rarer_than_the_name(archive):
    """孟鑫国's scan reads 孟鑫图 (国 read as 图, in no table), which the segmenter takes for a
    name of its own: held by fewer records than 孟鑫国, it is a misreading and found; 李秀明
    (above), as common as 李秀英, is another person."""
    names = set(archive.dir.joinpath(NAMES_FILE).read_text(encoding="utf-8").splitlines())
    assert "孟鑫图" in names  # (what makes this case: the text names it)
    found = hits(archive, "孟鑫国")
    assert found["g/meng_misread.txt"] == ("approximate", ("孟鑫图",))
    assert {found[f"g/meng{n}.txt"][0] for n in (1, 2, 3)} == {"exact"}


def test_words_the_archive_holds_find_only_themselves(archive):
    """档案员 and 档案整理, typed as records hold them, are no typos of 档案局, 档案室, 档案的 or
    档案管理: only what OCR misreads them as is looked for, and no other record is offered."""
    for typed in ("档案员", "档案整理"):
        assert hits(archive, typed) == {"h/yuan.txt": ("exact", ())}, typed


def test_a_typo_is_not_read_as_a_fragment(archive):
    """档案源 is in no record: 档案员 (a homophone), 档案局 and 档案室 (words) are offered; 档案的
    and 档案管, which no word covers, are not (a guess that makes a fragment is no typo)."""
    offered = {v for _match, variants in hits(archive, "档案源").values() for v in variants}
    assert "档案员" in offered
    assert not offered & {"档案的", "档案管"}


def test_a_name_that_sounds_the_same_and_a_catalog_gives_is_another_person(archive):
    """刘春燕 and 刘春艳 are both in the catalogs' 人员: typed right, each finds its own records
    only (a homophone that names someone is no misreading); typed in pinyin, both."""
    assert set(hits(archive, "刘春燕")) == {"i/chunyan.txt", "i/chunyan3.txt"}
    assert set(hits(archive, "刘春艳")) == {"i/chunyan2.txt"}
    assert {"i/chunyan.txt", "i/chunyan2.txt"} <= set(hits(archive, "liuchunyan"))


def test_among_names_typed_alike_the_one_more_records_hold_comes_first(archive):
    """liuchunyan is 刘春燕 (two records) and 刘春艳 (one): 刘春燕's records first, the likelier
    meant, though 刘春艳's short record scores higher on its own."""
    result = archive.search(SearchRequest(q="liuchunyan", size=50, clearance="绝密"))
    assert [h.variants for h in result.hits] == [("刘春燕",), ("刘春燕",), ("刘春艳",)]


def test_an_everyday_word_that_names_an_office_is_not_read_as_fragments(archive):
    """公安局 (a 责任者, and a dictionary word) held as typed: 公安交 of 公安交警 is neither offered
    nor suggested."""
    result = archive.search(SearchRequest(q="公安局", size=50, clearance="绝密"))
    assert [h.fields["path"] for h in result.hits] == ["j/gongan.txt"]
    assert "公安交" not in result.suggestions


@pytest.mark.parametrize("typed", ["文号:会人常2005 44号", "文号:会人常2005年 第44号",
                                   "会人常2005 44号"])
def test_a_doc_number_typed_loosely_in_its_field_finds_the_record(archive, typed):
    """A 文号 typed with its number apart finds the record whose 文号 is 会人常〔2005〕44号, in
    the 文号 field as anywhere (it found nothing there, with no word said)."""
    match, variants = hits(archive, typed)["a/renda.txt"]
    assert match == "approximate" and variants == ("会人常〔2005〕44号",)


@pytest.mark.parametrize("typed", ["章伟", "张玮", "zhang wei"])
def test_a_two_character_name_typed_as_it_sounds_finds_the_name(archive, typed):
    """章伟 and 张玮 are in no record: 张伟, a name the catalog gives that sounds the same, is
    found (approximate) and suggested; 张伟 itself finds only its own record, exactly."""
    result = archive.search(SearchRequest(q=typed, size=50, clearance="绝密"))
    assert {h.fields["path"]: (h.match, h.variants) for h in result.hits} == {
        "k/zhangwei.txt": ("approximate", ("张伟",))}
    assert "张伟" in result.suggestions
    assert hits(archive, "张伟") == {"k/zhangwei.txt": ("exact", ())}


def test_a_telephone_number_typed_without_its_dash_finds_it(archive):
    """07173217083 is in no record; 0717-3217083 is (the area code and the dash)."""
    assert hits(archive, "07173217083") == {"b/meeting.txt": ("approximate", ("0717-3217083",))}
    assert hits(archive, "0717-3217083") == {"b/meeting.txt": ("exact", ())}


def test_a_field_search_found_by_a_variant_shows_that_field(archive):
    """人员:simaweipeng finds 司马卫鹏 in the 人员 of d/clean.txt, whose text names him too: the
    hit shows the 人员 field with the name marked, as an exact 人员: search does, not the body."""
    result = archive.search(SearchRequest(q="人员:simaweipeng", size=50, clearance="绝密"))
    hit = next(h for h in result.hits if h.fields["path"] == "d/clean.txt")
    assert hit.match == "approximate"
    first = hit.snippets[0]
    assert first.field == "人员" and first.text[slice(*first.spans[0])] == "司马卫鹏"


@pytest.mark.parametrize("typed", ["泗洪法", "泗洪县法"])
def test_an_office_being_typed_by_its_short_form_is_completed(archive, typed):
    """泗洪法 begins 泗洪法院, the everyday short form of 泗洪县人民法院: offered as it is typed
    (completions matched only the names' own beginnings)."""
    assert "泗洪县人民法院" in [c.text for c in archive.suggest(typed, "绝密")]


@pytest.mark.parametrize("typed", ["检差", "简查"])
def test_a_two_character_word_typed_with_a_homophone_finds_the_word(archive, typed):
    """检差 and 简查 are in no record: 检查 (a word, 查 and 差, 检 and 简 sounding alike) is, in
    several; found (approximate) and suggested."""
    result = archive.search(SearchRequest(q=typed, size=50, clearance="绝密"))
    held = {"h/ju.txt", "j/gongan.txt", "j/jiaojing.txt"}
    assert held <= {h.fields["path"] for h in result.hits}
    assert {h.variants for h in result.hits} == {("检查",)} and "检查" in result.suggestions


@pytest.mark.parametrize("typed, meant", [
    ("远安县政府", "远安县人民政府"), ("远安政府", "远安县人民政府")])
def test_an_office_only_a_text_names_is_found_by_its_short_form(archive, typed, meant):
    """远安县人民政府 is named in a text only (the archive does not know it as an office): its
    everyday short forms, which no record holds, still find it (approximate)."""
    match, variants = hits(archive, typed)["l/yuanan.txt"]
    assert match == "approximate" and meant in variants
