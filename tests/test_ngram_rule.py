"""One n-gram rule: the highlighter's pattern (highlight.term_pattern) marks exactly where the
n-gram index matches a query (analyzers.ngram_terms against ngram_positions), on random
mixed-script text. The array-built postings are checked against the tokenizer in
test_writer.py; together the three forms of the rule are held to one."""
import random

import pytest

from indexer.analysis.analyzers import PREFIX, ngram_positions, ngram_terms
from indexer.analysis.normalize import normalize
from indexer.search.highlight import find_spans, term_pattern


def index_matches(text: str, query: str) -> bool:
    """Whether the n-gram index would match `query` in `text` (what the executor computes:
    every gram of the query at its offset from one common start)."""
    grams = ngram_terms(query)
    indexed = ngram_positions(text)

    def at(gram: str) -> set[int]:  # a gram ending in PREFIX: every gram that starts so
        if gram.endswith(PREFIX):
            head = gram[: -len(PREFIX)]
            return {p for g, ps in indexed.items() if g.startswith(head) for p in ps}
        return set(indexed.get(gram, ()))

    if not grams:
        return False
    sets = [(at(g), off) for g, off in grams]
    first, off0 = sets[0]
    return any(all(p - off0 + off in ps for ps, off in sets) for p in first)


# what archive text is made of: CJK (with extension B, traditional, 〇 and 々), ASCII letters and
# digits, full-width forms, circled numbers, punctuation, spaces and line breaks
POOL = ("档案王建成乡镇檔案館鄉著帐〇々" "\U00020001\U0002A701" "ABCxyz0123" "_-，。、 \n\t()（）"
        "ＡＢ１２" "①" "\u3000")


@pytest.mark.parametrize("seed", range(60))
def test_highlights_fall_exactly_where_the_index_matches(seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(POOL) for _ in range(rng.randint(5, 60)))
    for _ in range(8):
        i = rng.randrange(len(text))
        query = text[i:i + rng.randint(1, 6)]
        if not ngram_terms(query):
            continue
        spans = find_spans(text, [query])
        assert bool(spans) == index_matches(text, query), (text, query, spans)
        for m in term_pattern(query).finditer(normalize(text).text):  # each occurrence
            assert ngram_terms(m.group()) == ngram_terms(query), (text, query, m.group())
