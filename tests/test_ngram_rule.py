"""One n-gram rule (analysis.grams): on random mixed-script text — Chinese, Latin, digits of
several scripts, punctuation and characters whose normal form or lower case changes length —
the highlighter (highlight.find_spans) marks exactly where the n-gram index matches a query
(ngram_terms against ngram_positions), the array forms (gramkeys) equal the tokenizer's, and a
whole-number query term matches where its numbers are not part of longer ones."""
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis.gramkeys import (_RUN_BASE, gram_keys, gram_names, is_character_key,
                                       named_gram_names, text_units)
from indexer.analysis.grams import (PREFIX, _grams, ngram_positions, ngram_terms, units,
                                    whole_number_terms)
from indexer.analysis.normalize import normalize
from indexer.search.highlight import find_spans

# what archive text is made of: CJK (with extension B, traditional, 〇 and 々), ASCII letters and
# digits, full-width forms, other scripts' digits (٣ ١ ۴ ५), circled and superscript numbers,
# letters whose lower case or NFKC form is longer (İ ß ẞ ǅ ﬁ K), a combining mark, punctuation,
# spaces, line breaks, a zero-width space, a pinyin annotation and a page mark
PIECES = list("档案王建成乡镇檔案館鄉著帐〇々" "\U00020001\U0002A701" "ABCxyz0123456789"
              "_-，。、〔〕 \n\t()（）" "ＡＢ１２" "٣١۴५" "①²" "İßẞǅﬁK" "\u0307" "\u3000\u200b") + [
    "(xiāng)", "第2页 共2页", "2019", "7083261", "0717-", "97年度"]
TEXTS = st.lists(st.sampled_from(PIECES), min_size=0, max_size=40).map("".join)
RULE = settings(max_examples=400, deadline=None, database=None, derandomize=True)


def index_starts(text: str, grams: list[tuple[str, int]]) -> set[int]:
    """Positions where the n-gram index matches these (gram, offset) pairs (what the
    executor computes: every gram at its offset from one common start)."""
    indexed = ngram_positions(text)

    def at(gram: str) -> set[int]:  # a gram ending in PREFIX: every gram that starts so
        if gram.endswith(PREFIX):
            head = gram[: -len(PREFIX)]
            return {p for g, ps in indexed.items() if g.startswith(head) for p in ps}
        return set(indexed.get(gram, ()))

    if not grams:
        return set()
    sets = [(at(g), off) for g, off in grams]
    first, off0 = sets[0]
    return {p - off0 for p in first if all(p - off0 + off in ps for ps, off in sets)}


@st.composite
def text_and_query(draw):
    text = draw(TEXTS)
    if text and draw(st.booleans()):  # a piece of the text: found at least once
        i = draw(st.integers(0, len(text) - 1))
        return text, text[i:i + draw(st.integers(1, 8))]
    return text, draw(TEXTS.filter(lambda q: len(q) < 12))


@RULE
@given(text_and_query())
def test_highlights_fall_exactly_where_the_index_matches(case):
    text, query = case
    found = find_spans(text, [query])
    assert bool(found) == bool(index_starts(text, ngram_terms(query))), (text, query, found)


@RULE
@given(text_and_query())
def test_the_highlighter_finds_every_occurrence_the_index_finds(case):
    text, query = case
    tu = text_units(normalize(text).text)
    first, _last = tu.find(query)
    assert set(tu.pos[first].tolist()) == index_starts(text, ngram_terms(query)), (text, query)


@RULE
@given(TEXTS)
def test_array_units_and_gram_keys_equal_the_tokenizer(text):
    norm = normalize(text).text
    us = units(norm)
    tu = text_units(norm)
    names = [chr(i) if i < _RUN_BASE else tu.names[i - _RUN_BASE] for i in tu.ids.tolist()]
    assert list(zip(names, tu.starts.tolist(), tu.ends.tolist(), tu.pos.tolist())) == us
    keys, poss, run_names = gram_keys(norm)
    plain = is_character_key(keys)
    grams = [g.decode() for g in gram_names(keys[plain]) + named_gram_names(keys[~plain],
                                                                             run_names)]
    got = sorted(zip(grams, poss[plain].tolist() + poss[~plain].tolist()))
    assert got == sorted((g, p) for g, _a, _b, p in _grams(us)), text


@RULE
@given(text_and_query())
def test_a_whole_number_term_matches_where_its_numbers_are_whole(case):
    text, query = case
    whole = whole_number_terms(query)
    if not whole:
        return
    tu = text_units(normalize(text).text)
    first, last = tu.find(query)
    n = len(tu.ids)
    expected = set()
    for a, b in zip(first.tolist(), last.tolist()):
        longer_before = tu.digit[a] and a > 0 and tu.digit[a - 1] and not tu.gap[a]
        longer_after = tu.digit[b] and b + 1 < n and tu.digit[b + 1] and not tu.gap[b + 1]
        if not (longer_before or longer_after):
            expected.add(int(tu.pos[a]))
    assert index_starts(text, whole) == expected, (text, query)
