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


def _whole_text_snippets(text, page_starts, terms, count, width):
    """Snippets as first written: every hit of the whole text found, then the windows."""
    from indexer.search.highlight import _window_start, page_of
    spans = find_spans(text, terms)
    if not spans:
        return [excerpt(text, [], 0, min(len(text), width), page=1)]
    out, covered_to = [], -1
    for a, b in spans:
        if a < covered_to:
            continue
        lo = _window_start(text, max(0, a - width // 3), a)
        hi = min(len(text), max(b, lo + width))
        out.append(excerpt(text, [s for s in spans if s[1] > lo and s[0] < hi], lo, hi,
                           page=page_of(page_starts, a)))
        covered_to = hi
        if len(out) >= count:
            break
    return out


def test_snippets_of_a_long_text_normalised_a_part_at_a_time_are_the_whole_texts():
    """A very long record's text is normalised as far as its windows reach, cut at sentence
    ends: the same snippets as the whole text normalised first, for traditional script with pinyin
    annotations, OCR spaces and line breaks between characters, page marks, and hits on both
    sides of every cut (the seed records and the corpus, many times over)."""
    import random
    from pathlib import Path

    from indexer.analysis.normalize import normalize
    from indexer.search import highlight

    root = Path(__file__).resolve().parents[1]
    texts = [p.read_text(encoding="utf-8", errors="replace")
             for p in sorted((root / "corpus").rglob("*.txt"))]
    assert len(texts) >= 5
    rng = random.Random(11)
    long = "".join(texts)
    big = highlight.LONG + 3 * highlight.PART
    samples = [(long * (big // len(long) + 1))[:big],
               "".join(t.replace("。", "。 \n") for t in texts * (big // len(long) + 1))[:big],
               ("王 建\n成同志。" * 300 + "鄉(xiāng)鎮檔案。第 3 页 共 9 页。" * 200) * 40,
               "档案保密工作" * (big // 6)]
    norm = [normalize(t).text for t in samples]
    checked = 0
    for text, n in zip(samples, norm):
        for _ in range(15):
            k = rng.randrange(len(n) - 6)
            terms = [n[k:k + rng.randint(2, 5)], n[rng.randrange(len(n) - 4):][:3]]
            terms = [t for t in terms if t.strip() and "。" not in t]
            if not terms:
                continue
            for count, width in ((3, 120), (8, 40), (1, 300)):
                got = snippets(text, [0, len(text) // 2], terms, count, width)
                assert got == _whole_text_snippets(text, [0, len(text) // 2], terms, count,
                                                   width), terms
                checked += 1
    assert checked > 120
    assert all(len(t) > highlight.LONG for t in samples)  # (each cut into parts)


def test_a_term_beginning_or_ending_with_a_bracket_is_marked_with_it():
    """〔2008〕7号 was marked from 2008 on, its opening bracket left out; a bracket the text does
    not have there is not marked (（2008） for 〔2008〕)."""
    text = "当档发〔2008〕7号 关于（2008）年度"
    assert [text[a:b] for a, b in find_spans(text, ["〔2008〕7号"])] == ["〔2008〕7号"]
    assert [text[a:b] for a, b in find_spans(text, ["(2008)"])] == ["2008", "（2008）"]
    assert [text[a:b] for a, b in find_spans(text, ["2008〕"])] == ["2008〕", "2008"]
