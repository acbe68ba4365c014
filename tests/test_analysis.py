"""Tokenizers: ordinal positions, original offsets, kept digits/letters, n-grams, user words."""
from indexer.analysis.analyzers import NgramTokenizer, WordTokenizer, ngram_terms
from indexer.analysis.words import analyzer_for


def tokens(tokenizer, text):
    return [(t.text, t.pos, text[t.startchar:t.endchar])
            for t in tokenizer(text, positions=True, chars=True)]


def test_word_positions_are_ordinals_not_character_offsets():
    toks = tokens(WordTokenizer(), "中华人民共和国国务院发布通知")
    assert [p for _w, p, _o in toks] == list(range(len(toks)))


def test_digits_and_letters_kept_no_stemming():
    words = [w for w, _p, _o in tokens(WordTokenizer(), "〔2019〕3号 Files ABC")]
    assert "2019" in words and "3" in words and "files" in words and "abc" in words


def test_word_offsets_land_on_traditional_original():
    text = "鄉(xiāng)鎮政府 總結"
    toks = tokens(WordTokenizer(), text)
    assert ("总结", toks[-1][1], "總結") == toks[-1]


def test_user_words_stay_whole_inside_a_sentence():
    tokenizer = WordTokenizer(analyzer_for(["卜剑平"]))
    words = [w for w, _p, _o in tokens(tokenizer, "由卜剑平负责档案工作")]
    assert "卜剑平" in words


def test_ngrams_are_bigrams_plus_unigrams_where_no_bigram_starts():
    toks = tokens(NgramTokenizer(), "档案室，3号 ABC")
    assert [t for t, _p, _o in toks] == ["档案", "案室", "室", "3号", "#3", "号", "abc "]
    assert ("案室", 1, "案室") in toks and ("室", 2, "室") in toks


def test_no_bigram_across_punctuation_and_a_position_gap_instead():
    toks = tokens(NgramTokenizer(), "档案，保密")
    assert ("案保", 1, "案，保") not in toks
    assert ("案", 1, "案") in toks and ("保密", 3, "保密") in toks


def test_query_is_covered_by_bigrams_at_fixed_offsets():
    assert ngram_terms("档案保密") == [("档案", 0), ("保密", 2)]
    assert ngram_terms("档案室") == [("档案", 0), ("案室", 1)]
    # a run followed by punctuation needs its last unit alone there (no unit right after it)
    assert ngram_terms("档案，保密") == [("档案", 0), ("案", 1), ("保密", 3)]


def test_query_terms_for_document_numbers():
    assert ngram_terms("〔2019〕3号") == [("20", 0), ("19", 2), ("9", 3), ("3号", 5)]


def test_one_character_query_is_a_prefix_of_grams():
    assert ngram_terms("档") == [("档*", 0)]
    assert ngram_terms("档，案") == [("档", 0), ("案*", 2)]
    assert ngram_terms("Files") == [("files *", 0)]  # the word, not a longer one
