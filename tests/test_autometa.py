"""Metadata from 公文 layout: office, 文号, title, 成文日期 and 密级, also from traditional and
OCR text."""
import pytest

from indexer.ingest.autometa import document_kind, extract_date, extract_metadata

NOTICE = """秘密★1年
新塘桥镇人民政府文件
新政发〔2019〕3号
关于做好档案保密工作的通知
各村委会：
现将有关事项通知如下。
新塘桥镇人民政府
二〇一九年五月十二日
"""


def test_red_header_document():
    assert extract_metadata(NOTICE) == {
        "org": "新塘桥镇人民政府", "doc_number": "新政发〔2019〕3号",
        "title": "关于做好档案保密工作的通知", "date": "2019-05-12", "security": "秘密"}


def test_traditional_document_keeps_its_own_characters():
    meta = extract_metadata("半月鎮人民政府文件\n半政發〔2011〕2號\n關於2010年度檔案工作情況的報告\n"
                            "二〇一一年一月五日")
    assert meta["org"] == "半月鎮人民政府" and meta["doc_number"] == "半政發〔2011〕2號"
    assert meta["title"] == "關於2010年度檔案工作情況的報告" and meta["date"] == "2011-01-05"


@pytest.mark.parametrize("text, date", [
    ("二〇一九年五月十二日", "2019-05-12"), ("一九九八年十二月三十日", "1998-12-30"),
    ("二 CO 九年三月二十日", "2009-03-20"), ("二〇 GO 五年十二月二日", "2005-12-02"),
    ("二 QO 八年七月三日", "2008-07-03"), ("2019年5月12日", "2019-05-12"),
    ("二〇一九年十三月一日", ""), ("今年以来", ""), ("二〇〇八年七月2日", "2008-07-02"),
    ("二〇一九年二月三十日", ""), ("2019年2月29日", ""), ("2019年5月1日印发，2019年5月12日", "2019-05-12"),
])
def test_dates_in_chinese_numerals_digits_and_ocr_misreadings(text, date):
    assert extract_date(text) == date


def test_ocr_confusions_in_document_number_and_seal_mark():
    meta = extract_metadata("秘密女1年\n大树镇人民政府文件\n大政发[2016]12号\n关于加强道路交通安全管理工作的通知")
    assert meta["doc_number"] == "大政发〔2016〕12号" and meta["security"] == "秘密"


def test_title_is_the_first_real_line_when_there_is_no_关于_line():
    assert extract_metadata("N y\n\n乡 镇 档 案 管 理\n正文")["title"] == "乡镇档案管理"


def test_ocr_leftovers_in_document_number_and_office():
    meta = extract_metadata("4全\n半月镇人民政府文件\n半政发【1999]j 3号\n关于1998年度机关档案管理工作情况的报告")
    assert meta["doc_number"] == "半政发〔1999〕3号" and meta["org"] == "半月镇人民政府"
    assert extract_metadata("XX 旗公安局交通管理大队文件\n旗公交管〔2019〕5号")["org"] == \
        "XX旗公安局交通管理大队"


@pytest.mark.parametrize("title, kind", [
    ("关于做好道路交通安全工作的通知", "通知"),
    ("新塘桥镇2019年度档案工作总结", "总结"),
    ("鄉鎮政府年終工作總結", "总结"),          # traditional script
    ("关于调整领导小组成员的决定", "决定"),
    ("镇党委扩大会议会议纪要", "纪要"),
    ("关于商请协助查阅档案的复函", "函"),
    ("关于2019年度财政预算执行情况的报告》", "报告"),
    ("关于 请求拨付经费的 请示", "请示"),       # OCR spaces
    ("新塘桥镇人民政府", ""),
    ("", ""),
])
def test_document_kind_from_the_title(title, kind):
    assert document_kind(title) == kind


@pytest.mark.parametrize("text, level", [
    ("绝密★启用前\n某县人民政府文件\n关于某事的通知", "绝密"),
    ("密级：绝密\n关于某事的报告", "绝密"),
    ("密级:机密\n关于某事的报告", "机密"),
    ("【机密】\n关于某事的通报", "机密"),
    ("★绝密\n正文", "绝密"),
    ("000123\n特急\n机密\n某县人民政府文件", "机密"),       # 份号, 紧急程度, then the level alone
    ("機密★1年\n半月鎮人民政府文件", "机密"),
    ("这个秘密大家都知道。\n正文", None),                    # prose, not an OCR'd ★
    ("关于保守国家秘密的通知\n全体人员要保守秘密。", None),
    ("第一页的正文\f秘密★1年\n第二页", None),                # only the first page's top
])
def test_security_marks_clerks_write(text, level):
    assert extract_metadata(text).get("security") == level


def test_a_misread_red_header_is_put_right_by_the_catalogs_organisations(tmp_path):
    """OCR read 当阳市档案局 as 当阳市档守局 in one record's red header: a catalog that names
    当阳市档案局 (for another file) lets the run take the one for the other, with a warning;
    a header two characters off, or a catalog's own value, is kept as written."""
    from conftest import make_settings

    from indexer.build.run import run_index
    from indexer.search.archive import Archive, SearchRequest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("当阳市档案局文件\n关于档案移交的通知\n", encoding="utf-8")
    (corpus / "b.txt").write_text("当阳市档守局文件\n关于档案整理的通知\n", encoding="utf-8")
    (corpus / "c.txt").write_text("当阳市图书馈文件\n关于图书借阅的通知\n", encoding="utf-8")
    (corpus / "d.txt").write_text("当阳市档守局文件\n关于库房的通知\n", encoding="utf-8")
    (corpus / "catalog.csv").write_text("文件,责任者\na.txt,当阳市档案局\nd.txt,当阳县档案馆\n",
                                        encoding="utf-8")
    settings = make_settings(tmp_path / "data" / "index", corpus)
    assert not run_index(settings).failed
    archive = Archive(settings.index.dir, settings.search)
    try:
        def record(name):
            (hit,) = [h for h in archive.search(SearchRequest(q="通知", size=10,
                                                              clearance="绝密")).hits
                      if h.fields["path"] == name]
            return archive.record(hit.fields["id"], "绝密")
        b = record("b.txt")
        assert b["org"] == "当阳市档案局"
        assert any("当阳市档守局" in w and "校正" in w for w in b["meta"]["warnings"])
        assert record("c.txt")["org"] == "当阳市图书馈"  # no catalog organisation that near
        d = record("d.txt")  # the catalog gives its 责任者: kept as given, no warning
        assert d["org"] == "当阳县档案馆" and not any("校正" in w for w in d["meta"]["warnings"])
    finally:
        archive.close()


# 文号 as OCR reads it (issue 14): the brackets, the closing bracket read as j/l/I/|, digits
# read as letters and stray spaces; the 文号 comes out in its canonical form with 〔〕
@pytest.mark.parametrize("line, number", [
    ("青政发【2019j 12号", "青政发〔2019〕12号"),
    ("当档发(2008)7号", "当档发〔2008〕7号"),
    ("当档发[2008〕7 号", "当档发〔2008〕7号"),
    ("当档发［2008］7号", "当档发〔2008〕7号"),
    ("当档发（2008）7号", "当档发〔2008〕7号"),
    ("当档发{2008}7号", "当档发〔2008〕7号"),
    ("当档发C2008〕7号", "当档发〔2008〕7号"),      # 〔 read as C
    ("当档发(2008〕7号", "当档发〔2008〕7号"),
    ("当档发〔2OO8〕7号", "当档发〔2008〕7号"),      # 0 read as O inside the year
    ("当档发〔2o08〕7号", "当档发〔2008〕7号"),
    ("当档发〔20l9〕7号", "当档发〔2019〕7号"),      # 1 read as l inside the year
    ("当档发〔2008〕l2号", "当档发〔2008〕12号"),    # … and inside the number
    ("当档发〔2008〕I2号", "当档发〔2008〕12号"),
    ("当档发〔2008〕1O号", "当档发〔2008〕10号"),
    ("青政发【2019】1 2号", "青政发〔2019〕12号"),
    ("青政发(2019l 12号", "青政发〔2019〕12号"),
    ("青政发【2019|12号", "青政发〔2019〕12号"),
    ("当 档 发 〔 2008 〕 7 号", "当档发〔2008〕7号"),
    ("半政发【1999]j 3号", "半政发〔1999〕3号"),
    ("青政发〔2019〕12号", "青政发〔2019〕12号"),    # canonical already: unchanged
    ("半政發〔2011〕2號", "半政發〔2011〕2號"),      # its own script kept
    ("枫乡政发 (2021]】70号", "枫乡政发〔2021〕70号"),  # the closing bracket read twice
    ("南民發【2014]】7號", "南民發〔2014〕7號"),
    ("杏政發.〔2018〕148號", "杏政發〔2018〕148號"),   # a stray dot before the bracket
])
def test_document_numbers_misread_by_ocr_are_put_in_canonical_form(line, number):
    text = f"青山镇人民政府文件\n{line}\n关于做好防汛工作的通知\n"
    assert extract_metadata(text)["doc_number"] == number


@pytest.mark.parametrize("line", [
    "联系电话：0717-3212345",
    "根据县政府第12号令办理",
    "于2019年12号之前上报",
    "二〇一九年五月十二日",
    "2019年5月12日",
    "共计(2019)份材料12件",
    "文件编号 2019-12",
    "C2008 型号设备",
])
def test_lines_that_are_not_document_numbers_do_not_become_one(line):
    text = f"青山镇人民政府文件\n关于做好防汛工作的通知\n{line}\n"
    assert "doc_number" not in extract_metadata(text)


@pytest.mark.parametrize("text, date", [
    ("二〇〇八午七月二日", "2008-07-02"),      # 年 read as 午
    ("二〇〇八年七月二曰", "2008-07-02"),      # 日 read as 曰 (confusions.tsv)
    ("2008年7月2曰", "2008-07-02"),
    ("二OO八年七月2日", "2008-07-02"),        # 〇 read as O, day in digits
    ("二o o八年七月2日", "2008-07-02"),
    ("二〇〇八年七月2日", "2008-07-02"),       # the date, mixed numerals
    ("2OO8年7月2日", "2008-07-02"),
    ("中午十二时", ""),                        # 午 in prose is no 年
    ("上午九月", ""),
    ("二〇二〇年四月二+七日", "2020-04-27"),   # 十 read as +
    ("二〇=〇年四月二十七日", "2020-04-27"),   # 二 read as =
    ("二〇二〇年—月二十七日", "2020-01-27"),   # 一 read as a dash
    ("二〇二〇年十-月三日", "2020-11-03"),
    ("二〇二〇年四月=十七日", "2020-04-27"),
    ("电话0717-3217083年3月5日", ""),          # digits and a dash: no Chinese numerals
    ("+-=年-月+日", ""),
    ("二〇二三年六月二十一白", "2023-06-21"),   # 日 read as 白 at the end of the line
    ("二〇二三年六月二十一白天", ""),           # 白天 is a word, no 日
])
def test_dates_misread_by_ocr_are_repaired(text, date):
    assert extract_date(text) == date


@pytest.mark.parametrize("header, org", [
    ("柳溪乡人民政府、柳溪乡农业服务中心文件", "柳溪乡人民政府"),   # joint: the first office
    ("柳溪乡人民政府 柳溪乡农业服务中心文件", "柳溪乡人民政府"),
    ("白沙乡人民政府白沙乡财政所“文件", "白沙乡人民政府"),        # joint, run together
    ("中共凤鸣镇委员会凤鸣镇人民政府文件", "中共凤鸣镇委员会"),
    ("XX旗公安局交通管理大队文件", "XX旗公安局交通管理大队"),     # one office and its unit
    ("中共长岗镇委员会文件", "中共长岗镇委员会"),
    ("南屏县民政局又件", "南屏县民政局"),                       # 文 read as 又
    ("南屏縣民政局文件", "南屏縣民政局"),                       # traditional kept
    ("石门乡人民政府，、文件右门农业服务中心文件", "石门乡人民政府"),  # a comma read after it
    ("青山镇人民政府→、文件青山镇农业服务中心文件", "青山镇人民政府"),  # the tall 文件 read
    ("红岩乡人民政府\n红岩乡农业服务中心文件", "红岩乡人民政府"),    # stacked, as PP-OCR reads
    ("机密\n中共凤鸣镇委员会\n凤鸣镇人民政府\n凤鸣镇财政所文件", "中共凤鸣镇委员会"),
])
def test_red_header_names_the_first_office_also_of_a_joint_header(header, org):
    assert extract_metadata(f"{header}\n南民发〔2019〕10号\n关于做好防汛工作的通知\n")["org"] == org


def test_a_header_that_lost_a_character_is_completed_by_the_signature():
    text = ("中共白沙委員會文件\n白發〔2016〕51號\n關於2016年農村危房排查工作情況的報告\n特此報告。\n"
            "中共白沙鎮委員會\n二〇一六年十月三日")
    assert extract_metadata(text)["org"] == "中共白沙鎮委員會"
    # a line of prose ending with 文件 under the header is not an office stacked above it
    text = "县档案局文件\n根据上级有关\n县档案局文件\n"
    assert extract_metadata(text)["org"] == "县档案局"


@pytest.mark.parametrize("text, title", [
    ("柳溪乡人民政府文件\n柳乡政发〔2015〕35号\n关于做好2015年度村级集体\n经济审计工作的通知\n各村：",
     "关于做好2015年度村级集体经济审计工作的通知"),
    ("青山镇人民政府文件\n关于进一步加强城乡居民医疗\n保险征缴\n工作的意见\n正文",
     "关于进一步加强城乡居民医疗保险征缴工作的意见"),
    ("縣民政局文件\n關於進一步加強城鄉居民醫療\n保險徵繳工作的意見\n", "關於進一步加強城鄉居民醫療保險徵繳工作的意見"),
    ("青山镇人民政府文件\n关于做好防汛工作的通知\n各村委会：", "关于做好防汛工作的通知"),
])
def test_a_title_wrapped_onto_two_or_three_lines_is_joined(text, title):
    assert extract_metadata(text)["title"] == title


def test_a_table_title_stops_where_the_header_row_runs_on():
    text = "枫林镇2008年度高龄津贴发放登记表序号姓名性别年龄村别金额（元）\n1 张三 男 82 前进村 600"
    assert extract_metadata(text)["title"] == "枫林镇2008年度高龄津贴发放登记表"
    assert extract_metadata("柳溪镇2013年農作物播種面積統計表村別水稻（畝）\n")["title"] == \
        "柳溪镇2013年農作物播種面積統計表"


@pytest.mark.parametrize("line, number", [
    ("溪农发【〔〔2019〕111号", "溪农发〔2019〕111号"),   # the opening bracket read three times
    ("长发［2016］·81号", "长发〔2016〕81号"),           # a stray dot after the closing one
    ("金发〔2008］：68号", "金发〔2008〕68号"),           # … or a colon
    ("長登〔2016〕81號", "長發〔2016〕81號"),             # 發 read as 登
    ("当图发［20114号", "当图发〔2011〕4号"),              # the closing bracket lost
    ("青政友〔2019〕12号", "青政发〔2019〕12号"),         # 发 read as 友
    ("梅政发［2010]-1号", "梅政发〔2010〕1号"),          # a dash after the closing one
    ("安水字 [2008] 7] 号", "安水字〔2008〕71号"),      # 1 in the number read as ]
    ("广水字 [2009) 13] 号", "广水字〔2009〕131号"),
    ("青政发〔2019〕1j号", "青政发〔2019〕11号"),         # … or as j
])
def test_stray_brackets_and_marks_around_the_year_of_a_document_number(line, number):
    text = f"青山镇人民政府文件\n{line}\n关于做好防汛工作的通知\n"
    assert extract_metadata(text)["doc_number"] == number


@pytest.mark.parametrize("header, org", [
    ("望江乡人民政府文件望江乡财政所文件", "望江乡人民政府"),  # 文件 read beside each office
    ("金河乡人民政府立件金河乡财政顾府文件", "金河乡人民政府"),  # … 文 read as 立
    ("枫林镇人民政府、文件枫林镇农业服务中心文件", "枫林镇人民政府"),
    ("桃源乡人民政府文化桃源乡财政顾府文件", "桃源乡人民政府"),  # 件 read as 化
    ("石门乡人民政府文右门多财政文件", "石门乡人民政府"),        # 件 lost
    ("安远县文化广电局文件", "安远县文化广电局"),                # 文化 of an office's own
])
def test_a_joint_header_read_row_by_row_names_its_first_office(header, org):
    assert extract_metadata(f"{header}\n南民发〔2019〕10号\n关于做好防汛工作的通知\n")["org"] == org


@pytest.mark.parametrize("header, signed, org", [
    ("中共雙溪委員會文件", "中共雙溪鎮委員會", "中共雙溪鎮委員會"),  # the header lost 鎮
    ("中共龍泉委員會文件", "中共龍泉鎮委員會", "中共龍泉鎮委員會"),
    ("青山镇人民政府文件", "青山镇人民政", "青山镇人民政府"),        # the signature lost one
    ("青山镇人民政府文件", "育山镇人民政府", "青山镇人民政府"),      # another: header kept
    ("白沙乡人民政府文件", "白沙乡人民政府办公室", "白沙乡人民政府"),  # longer by more
])
def test_a_header_missing_one_character_is_completed_from_the_signature(header, signed, org):
    text = (f"{header}\n南民发〔2019〕10号\n关于做好防汛工作的通知\n各村委会：\n特此通知。\n"
            f"{signed}\n二〇一九年五月十二日\n")
    assert extract_metadata(text)["org"] == org


def test_a_stray_character_after_文件_still_makes_a_header():
    text = "龙泉镇人民政府文件站\n龙政发〔2016〕9号\n关于做好防汛工作的通知\n"
    assert extract_metadata(text)["org"] == "龙泉镇人民政府"
    assert "org" not in extract_metadata("关于转发文件12\n特此通知。\n")


@pytest.mark.parametrize("header, read, number", [
    ("凤鸣乡人民政府文件", "风乡政发〔2008〕11号", "凤乡政发〔2008〕11号"),  # 风 for 凤
    ("中共凤鸣镇委员会文件", "风发〔2019〕3号", "凤发〔2019〕3号"),
    ("青山镇人民政府文件", "市政发〔2019〕10号", "市政发〔2019〕10号"),  # no look-alike: as read
    ("南屏县民政局文件", "南民发〔2019〕10号", "南民发〔2019〕10号"),
])
def test_a_doc_numbers_first_character_is_read_as_its_offices(header, read, number):
    assert extract_metadata(f"{header}\n{read}\n关于做好防汛工作的通知\n")["doc_number"] == number


@pytest.mark.parametrize("header, read, number", [
    ("雙溪鄉人民政府文件", "雙綁政發〔2006〕74號", "雙鄉政發〔2006〕74號"),  # 綁 for 鄉
    ("溪口縣農業農村局文件", "溪晨發〔2012〕45號", "溪農發〔2012〕45號"),   # 晨 for 農
    ("安远县水利局文件", "安永字〔2008〕71号", "安水字〔2008〕71号"),
    ("青山镇人民政府文件", "青综发〔2019〕1号", "青综发〔2019〕1号"),     # 综治办's own: kept
    ("安远县水利局文件", "安水字〔2008〕71号", "安水字〔2008〕71号"),
    ("桃源乡人民政府文件", "桃乡政发〔2009〕145号", "桃乡政发〔2009〕145号"),
])
def test_a_doc_numbers_second_character_is_read_as_its_offices_key(header, read, number):
    assert extract_metadata(f"{header}\n{read}\n关于做好防汛工作的通知\n")["doc_number"] == number


def test_a_header_and_signature_one_character_apart_are_settled_by_the_doc_number():
    text = ("风鸣镇人民政府文件风鸣镇财政所文件\n凤政发〔2012〕87号\n关于做好防汛工作的通知\n"
            "特此通知。\n凤鸣镇人民政府\n二〇一二年十二月二十日\n")
    meta = extract_metadata(text)
    assert (meta["org"], meta["doc_number"]) == ("凤鸣镇人民政府", "凤政发〔2012〕87号")
    # the 文号 names neither: the header is kept
    text = text.replace("凤政发", "镇政发")
    assert extract_metadata(text)["org"] == "风鸣镇人民政府"
