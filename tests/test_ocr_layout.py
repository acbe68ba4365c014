"""Tests for ocr.layout: reading order of line boxes (rows, two columns, tables, vertical
text) and the text composed from it, on synthetic boxes (no engine)."""
from __future__ import annotations

from ocr.layout import Line, compose, group_rows, reading_order


def _read(lines: list[Line]) -> str:
    return compose(lines, reading_order(lines))[0]


def _shuffled(lines: list[Line]) -> list[Line]:
    """The same lines in an order no engine would give (reversed, then odd ones first)."""
    backwards = lines[::-1]
    return backwards[1::2] + backwards[::2]


def test_rows_top_to_bottom_whatever_order_the_engine_gave():
    lines = [Line(t, 100, 100 + 60 * i, 800, 40) for i, t in enumerate(
        ["关于做好档案保密工作的通知", "各乡镇人民政府：", "现将有关事项通知如下。"])]
    assert _read(_shuffled(lines)) == "关于做好档案保密工作的通知\n各乡镇人民政府：\n现将有关事项通知如下。"


def test_two_columns_are_read_column_by_column_after_a_full_width_title():
    left = ["我镇辖区内机动车保有量大道路", "环境复杂存在很大的安全隐患为", "了认真落实安全第一预防为主的"]
    right = ["严格执行道路交通安全法律法规", "和各项制度把各项措施落实到单", "位落实到个人明确了责任人"]
    lines = [Line("道路交通安全工作报告", 300, 20, 400, 50)]
    for i in range(3):
        lines.append(Line(left[i], 30, 100 + 50 * i, 420, 36))
        lines.append(Line(right[i], 560, 102 + 50 * i, 420 if i < 2 else 380, 36))
    text = _read(_shuffled(lines))
    assert text == ("道路交通安全工作报告\n\n" + "\n".join(left) + "\n\n" + "\n".join(right))


def test_table_rows_are_read_row_by_row_cells_left_to_right():
    rows = [["姓名", "单位", "电话"], ["张三", "县档案局", "12345"], ["李四", "县财政局", "67890"],
            ["王五", "县教育局", "24680"]]
    lines = [Line(cell, 40 + 300 * c, 40 + 80 * r + (3 if c == 1 else 0), 40 * len(cell), 34)
             for r, row in enumerate(rows) for c, cell in enumerate(row)]
    text = _read(_shuffled(lines))
    assert text.split("\n") == [" ".join(row) for row in rows]


def test_label_and_value_columns_of_a_form_stay_rows_not_columns():
    """Short cells on both sides of a gap (a form) are a table, not two text columns."""
    pairs = [("题名", "关于档案工作的报告"), ("责任者", "当阳市档案局"), ("日期", "2008年7月2日"),
             ("密级", "公开")]
    lines = []
    for r, (label, value) in enumerate(pairs):
        lines.append(Line(label, 40, 40 + 60 * r, 120, 36))
        lines.append(Line(value, 400, 40 + 60 * r, 40 * len(value), 36))
    assert _read(lines).split("\n") == [f"{a} {b}" for a, b in pairs]


def test_vertical_text_reads_columns_right_to_left_top_to_bottom():
    columns = ["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"]
    lines = [Line(text, 600 - 120 * i, 40 + 10 * (i % 2), 50, 260) for i, text in enumerate(columns)]
    assert _read(_shuffled(lines)).split("\n") == columns


def test_vertical_column_split_in_two_boxes_reads_top_box_first():
    lines = [Line("疑是地上霜", 300, 340, 50, 260), Line("床前明月光", 420, 40, 50, 260),
             Line("举头", 300, 40, 50, 110)]
    assert _read(lines).split("\n") == ["床前明月光", "举头", "疑是地上霜"]


def test_a_line_under_another_starts_a_new_row_even_when_boxes_touch():
    lines = [Line("上一行文字", 100, 100, 500, 40), Line("下一行文字", 100, 125, 500, 40)]
    assert group_rows(lines) == [[0], [1]]


def test_compose_gives_each_line_its_offsets_in_the_text():
    lines = [Line("姓名", 40, 40, 80, 34), Line("张三", 340, 40, 80, 34),
             Line("备注：无", 40, 120, 160, 34)]
    text, spans = compose(lines, reading_order(lines))
    assert text == "姓名 张三\n备注：无"
    for i, start, end in spans:
        assert text[start:end] == lines[i].text
    assert sorted(i for i, _, _ in spans) == [0, 1, 2]


def test_no_lines_no_text():
    assert reading_order([]) == []
    assert compose([], []) == ("", [])


def test_wide_gaps_inside_lines_flag_columns_or_tables_not_running_text():
    from ocr.layout import gapped_layout

    # two columns: every line has a gutter of several line heights
    columns = [(r, x, 400, 36) for r in range(4) for x in (30, 560)]
    assert gapped_layout(columns)
    # running text split into words a fraction of a character apart
    prose = [(r, 30 + 45 * k, 40, 36) for r in range(6) for k in range(20)]
    assert not gapped_layout(prose)
    # one spaced-out title (会 议 纪 要) over running text is not a layout
    title = [("t", 300 + 120 * k, 60, 60) for k in range(4)]
    assert not gapped_layout(title + prose)
