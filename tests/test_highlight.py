"""Highlights are plain data: snippets carry their text and the spans of their hits; the web
app wraps spans in <mark> with everything else escaped."""
from indexer.search.highlight import excerpt, find_spans, snippets
from search_app.marking import mark, snippet_html


def test_snippet_spans_point_at_the_hits_in_the_snippet_text():
    text = "第一段。\n\n王建成同志  负责档案保密，\f卜剑平负责<登记>。" * 3
    (first, *_rest) = snippets(text, [0], ["档案保密", "卜剑平"], count=1, width=30)
    assert [first.text[a:b] for a, b in first.spans] == ["档案保密", "卜剑平"]
    assert "\n" not in first.text and "\f" not in first.text and "  " not in first.text
    assert first.text.endswith("…")


def test_an_excerpt_inside_the_text_opens_with_an_ellipsis_and_keeps_spans_right():
    text = "甲乙丙丁戊己庚辛壬癸" * 5
    spans = find_spans(text, ["庚辛"])
    s = excerpt(text, spans, 12, 30, page=1)
    assert s.text.startswith("…") and s.text.endswith("…")
    assert all(s.text[a:b] == "庚辛" for a, b in s.spans) and len(s.spans) == 2


def test_the_web_app_escapes_everything_but_its_marks():
    text = "<script>alert(1)</script> 王建成 & 卜剑平"
    html = str(mark(text, find_spans(text, ["王建成"])))
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>王建成</mark> &amp; 卜剑平"
    (snip,) = snippets(text, [0], ["卜剑平"])
    assert str(snippet_html(snip)).endswith("&amp; <mark>卜剑平</mark>")
