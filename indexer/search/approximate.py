"""Forgiving search over one index version: which terms get variants, the query tree with
them added, and the lookups variants need (counts among the reader's records, grams, the
archive's lexicon), all computed among the records the reader may see."""
from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from .. import dates
from ..analysis.grams import ngram_terms
from ..analysis.normalize import is_cjk, normalize
from ..store.arrays import IndexArrays, pair_code
from . import execute, lexicon, readback
from .compile import ANYWHERE, FIELD_NGRAMS, AnyOf, Grams, match_node
from .querylang import And, Or, Term
from .vartable import Table
from .variants import Variant, VariantFinder, docnum_forms, toneless

MAX_WINDOW = 4  # adjacent terms read together (wang jian cheng)
# limits of the work one search spends on variants (a 500-character term once took minutes):
MAX_TERM_CHARS = 20  # longer terms are not searched loosely
MAX_TERMS = 8  # terms per query that get variants (the first ones)
MAX_LOOKUPS = 200  # exact lookups (counts and alignments) per search for variants
MISREAD_CHARS = 3  # a term that matches plenty is also searched as OCR misread it from here
ONE_CHAR_PART = 2048  # a term's change next to its end is looked for in at most this
# many records holding the rest (else every one of those changes is counted on its own)
MAX_INDEXED = 48  # characters looked up where a term has one changed, in records too many
# to read (readback.MAX_RECORDS)
MAX_PAIRS = 3000  # two-character grams checked per search (the bench's messy queries: ≤ 1,600)


def _places(parts: tuple[str, ...], besides: str) -> tuple[int, ...]:
    """Where `fits(*parts, besides=...)` asks for a change of `besides`, a term of 4+ Chinese
    characters, when it asks for the term with one or two of its characters changed (the
    parts are the rest of it); else ()."""
    if not (2 <= len(parts) <= 3 and len(besides) >= 4 and all(is_cjk(c) for c in besides)
            and sum(map(len, parts)) + len(parts) - 1 == len(besides)
            and all(parts[1:-1])):  # (two places side by side: not asked as one reading)
        return ()
    places, at = [], 0
    for part in parts[:-1]:
        at += len(part)
        places.append(at)
        at += 1
    return tuple(places) if _parts(besides, tuple(places)) == parts else ()


def _parts(term: str, places: tuple[int, ...]) -> tuple[str, ...]:
    """The parts of `term` around the characters at `places`."""
    bounds = (-1, *places, len(term))
    return tuple(term[a + 1:b] for a, b in zip(bounds, bounds[1:]))


def _following(codes: np.ndarray, counts: np.ndarray, first: int) -> dict[str, int]:
    """The characters after `first` in the sorted pair codes, commonest pair first."""
    lo, hi = codes.searchsorted(np.array([first << 16, (first + 1) << 16], dtype=np.uint32))
    nexts, held = (codes[lo:hi] & 0xFFFF).tolist(), counts[lo:hi].tolist()
    ranked = sorted(zip(held, nexts), key=lambda kv: (-kv[0], chr(kv[1])))
    return {chr(c): n for n, c in ranked if n and is_cjk(chr(c))}


class Forgiving:
    """The variant lookups of one search (one index version, one reader's records)."""

    def __init__(self, arrays: IndexArrays, visible: np.ndarray | None, memo: dict,
                 lex: lexicon.Lexicon, threshold: int, synonyms: list[tuple[str, ...]],
                 lookalikes: Callable[[str], tuple[str, ...]], reader: str = "",
                 table: Table | None = None):
        self.arrays, self.visible, self.memo = arrays, visible, memo
        self.table = table  # the variants of known names worked out ahead (vartable)
        self.read_records = readback.MAX_RECORDS  # records read back per change at most
        self.reader = reader  # names the `visible` records (the clearance): a cache key
        self.lexicon = lex
        self.threshold = threshold
        self._lookalikes = lookalikes
        self._synonyms = synonyms
        self.found: dict[str, Variant] = {}
        self._counts: dict[tuple, int] = {}
        self._gaps: dict[tuple, tuple[str, dict[str, np.ndarray]]] = {}  # fits' occurrences
        self._changed: dict[tuple, bool] = {}  # (term, places) → `fits` of it changed there
        self._occurrences: dict[tuple, np.ndarray] = {}
        self._gram_memo: dict[str, tuple] = {}
        self.terms = 0  # terms given variants so far
        self.pairs = 0  # grams checked so far (MAX_PAIRS)
        self._pairs: dict[str, bool] = {}
        self._read: dict = {}  # records' units by position, read back (readback.chars_at)

    def count(self, text: str, field: str = "") -> int:
        """Records the reader may see that hold `text` exactly (anywhere, or in `field`);
        0 once the search has spent its lookups (MAX_LOOKUPS)."""
        if not field and self.table is not None and text in self.table.counts:
            return self.table.counts[text]  # (a known name or its misreading: counted ahead)
        key = (text, field)
        if key not in self._counts and self._unheld(text, field):
            self._counts[key] = 0  # a pair of its characters is in no record at all
        if key not in self._counts and len(self._counts) < MAX_LOOKUPS:
            for i in range(len(text)):  # one character changed where `fits` looked
                parts = (text[:i], text[i + 1:])
                besides, gaps = self._gaps.get((ANYWHERE, parts)) or self._gaps.get(
                    ((FIELD_NGRAMS[field],) if field else ANYWHERE, parts), ("", None))
                # (not for `besides` itself: its occurrences were left out of the gaps)
                if gaps is not None and text != besides and is_cjk(text[i]):
                    if field:
                        gaps = {f: a for f, a in gaps.items() if f == FIELD_NGRAMS[field]}
                    self._counts[key] = self._filled(gaps, text, i, field)
                    break
        return self._lookup(key, lambda: match_node(text, field))

    def _filled(self, gaps: dict[str, np.ndarray], text: str, i: int, field: str) -> int:
        """Records holding `text`, found from the occurrences of its parts around text[i]
        (one gram more, instead of every gram of `text` aligned again). Where `text` occurs
        in each field is what aligning its grams finds: kept in the search's memo, for the
        query that then asks for the variant."""
        at = [max(0, i - 1)]  # the gram of the new character and the one before (or after)
        if i == len(text) - 2:
            at.append(i)  # and the last character's (no gram of the gaps held it)
        grams = [(ngram_terms(text[a:a + 2])[0][0], a) for a in at]
        ids = []
        for f in ((FIELD_NGRAMS[field],) if field else ANYWHERE):
            starts = gaps.get(f, execute.EMPTY)
            held = (execute.holding(self.arrays, f, [g for g, _a in grams],
                                    execute.docs_of(starts)) if len(starts) else execute.EMPTY)
            if len(held):
                starts = execute.in_docs(starts, held)  # (no probe where a gram is not)
                for gram, a in grams:
                    starts = starts[execute.occurs(self.arrays, f, gram, starts, a)]
            else:
                starts = execute.EMPTY
            self.memo.setdefault(Grams(f, self._grams(text)), execute.occurrences(starts))
            ids.append(execute.docs_of(starts))
        ids = [d for d in ids if len(d)]
        if not ids:
            return 0
        return int(np.count_nonzero(execute.member(np.unique(np.concatenate(ids)), self._live())))

    def _live(self) -> np.ndarray:
        return self.arrays.live() if self.visible is None else self.visible

    def _lookup(self, key: tuple, node) -> int:
        if key not in self._counts:
            if len(self._counts) >= MAX_LOOKUPS:
                return 0
            found = self._in_fields(node())
            ids = (execute.docs(self.arrays, found, self.memo, self.visible)
                   if found.nodes else execute.EMPTY)
            self._counts[key] = int(np.count_nonzero(execute.member(ids, self._live())))
        return self._counts[key]

    def _in_fields(self, node: AnyOf) -> AnyOf:
        """`node` without the fields that do not index one of its two-character grams at all
        (one lookup each in the field's pairs: no posting intersected there)."""
        kept = []
        for grams in node.nodes:
            known = self.arrays.pairs((grams.field,)) if isinstance(grams, Grams) else None
            codes = ([c for c in (pair_code(g) for g, _o in grams.grams) if c is not None]
                     if known is not None else [])
            if codes and not execute.member(np.array(codes, dtype=np.uint32), known).all():
                continue
            kept.append(grams)
        return AnyOf(tuple(kept))

    def followers(self, ch: str) -> dict[str, int]:
        """The Chinese characters that follow `ch` in the records the reader may see, with the
        number of those records holding the pair (in its commonest field), commonest first;
        kept with the index version (a withheld record's words never crowd out a visible
        one's). For a reader who may see every record: read off the version's pair counts."""
        def build():
            counted = self.arrays.pair_counts(ANYWHERE) if self.visible is None else None
            if counted is not None and len(ch) == 1 and pair_code(ch + ch) is not None:
                return _following(*counted, ord(ch))  # (no term table read)
            out: dict[str, int] = {}
            for field in ANYWHERE:
                for text, n in self.arrays.prefix_frequencies(field, ch).items():
                    if len(text) == 2 and n and is_cjk(text[1]):
                        n = n if self.visible is None else self._holding(field, text)
                        if n:
                            out[text[1]] = max(out.get(text[1], 0), n)
            return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))
        key = ("followers", ch) if self.visible is None else ("followers", self.reader, ch)
        return self.arrays._cached(key, build)

    def pair(self, gram: str) -> bool:
        """Whether a record the reader may see holds the two-character `gram` (one gram's
        postings: cheaper than the followers of its first character); False once the search
        has checked MAX_PAIRS grams (an 8-term query of 20 characters each asked ~8,800)."""
        if gram in self._pairs:
            return self._pairs[gram]
        indexed = self._indexed(gram)
        if indexed is not None and (not indexed or self.visible is None):
            self._pairs[gram] = indexed  # (one lookup in the index's pairs: not counted)
            return indexed
        if self.pairs >= MAX_PAIRS:
            return False
        self.pairs += 1

        def build():
            return any(self._holding(f, gram) for f in ANYWHERE)
        key = ("pair", gram) if self.visible is None else ("pair", self.reader, gram)
        self._pairs[gram] = self.arrays._cached(key, build)
        return self._pairs[gram]

    def pairs_of(self, grams: list[str]) -> list[bool]:
        """`pair` of several two-character grams, those in none of the version's pairs (and,
        for a reader who may see everything, those in them) told by one array lookup."""
        known = self.arrays.pairs(ANYWHERE)
        codes = [pair_code(g) for g in grams]
        if known is None or not len(known) or None in codes:
            return [self.pair(g) for g in grams]
        out = []  # (uint32 codes: a Python int would copy `known`)
        held = execute.member(np.array(codes, dtype=np.uint32), known).tolist()
        for gram, indexed in zip(grams, held):
            if gram not in self._pairs and (not indexed or self.visible is None):
                self._pairs[gram] = indexed
            out.append(self._pairs[gram] if gram in self._pairs else self.pair(gram))
        return out

    def _unheld(self, text: str, field: str) -> bool:
        """Whether two Chinese characters side by side in `text` are indexed nowhere (then no
        record holds `text`: one lookup per pair instead of aligning its grams)."""
        if field and FIELD_NGRAMS.get(field) not in ANYWHERE:
            return False
        norm = normalize(text).text
        return any(is_cjk(a) and is_cjk(b) and self._indexed(a + b) is False
                   for a, b in zip(norm, norm[1:]))

    def _indexed(self, gram: str) -> bool | None:
        """Whether some record (any, deleted ones included) holds the two-character `gram`
        in a field searched anywhere, from the sorted pairs of the index version; None when
        that cannot be told so (not such a gram, a segment without posting arrays)."""
        code = pair_code(gram)
        known = self.arrays.pairs(ANYWHERE) if code is not None else None
        if known is None:
            return None
        i = int(known.searchsorted(np.uint32(code)))  # (a Python int would copy `known`)
        return i < len(known) and int(known[i]) == code

    def _holding(self, field: str, text: str) -> int:
        """Records the reader may see with `text` in `field`."""
        n = self.arrays.doc_frequency(field, text)
        if self.visible is None or not n:
            return n
        ids = self.arrays.postings(field, text)[0]
        return int(np.count_nonzero(execute.member(ids, self.visible)))

    def fits(self, *parts: str, besides: str = "", field: str = "") -> bool:
        """Whether a record the reader may see holds the parts with one character between
        each two (every change of those characters found by one alignment), other than as
        `besides` (the term itself: its own occurrences are no misreading of it). For parts
        of Chinese characters, where two occur is kept: `count` of a term with one character
        put between them then reads one gram more. (`field`: only there, when the term is
        looked for in one field.)"""
        places = _places(parts, besides)
        if places:
            return self._changed_at(besides, places,
                                    (FIELD_NGRAMS[field],) if field else ANYWHERE)
        if any(len(p) == 1 for p in parts):
            return True  # (one character alone is every gram it starts: too dear to look up)
        if all(is_cjk(c) for p in parts for c in p):
            return self._gapped(parts, besides)
        def node():
            grams, at = [], 0
            for part in parts:
                grams += [(g, o + at) for g, o in ngram_terms(part)]
                at += len(part) + 1
            return AnyOf(tuple(Grams(f, tuple(grams)) for f in ANYWHERE))
        return bool(self._lookup(("fits", *parts), node))

    def _gapped(self, parts: tuple[str, ...], besides: str) -> bool:
        """`fits` for parts of Chinese characters, from the grams' occurrence keys (kept with
        the index version); where two parts occur is kept for `count`."""
        key = ("fits", besides, *parts)
        if key in self._counts:
            return bool(self._counts[key])
        if len(self._counts) >= MAX_LOOKUPS:
            return False
        placed, at = [], 0  # each part's grams, and where the part starts
        for part in parts:
            if part:
                placed.append((self._grams(part), at))
            at += len(part) + 1
        gaps = {}
        every = [g for grams, _at in placed for g, _o in grams]
        for f in ANYWHERE:  # each part's occurrences (kept for the search) put side by side
            if not len(execute.holding(self.arrays, f, every, self.visible)):
                continue  # (and no position read)
            starts = execute.starts_of([(self._starts(f, g), o) for g, o in placed])
            if len(starts) and besides:
                starts = starts[~execute.member(starts, self._starts(f, self._grams(besides)))]
            if len(starts):
                gaps[f] = starts
        if len(parts) == 2:
            self._gaps[(ANYWHERE, parts)] = (besides, gaps)  # (`besides`' occurrences left out)
        held = [execute.docs_of(s) for s in gaps.values()]
        self._counts[key] = int(bool(held) and np.count_nonzero(
            execute.member(np.unique(np.concatenate(held)), self._live())))
        return bool(self._counts[key])

    def _changed_at(self, term: str, places: tuple[int, ...], fields: tuple[str, ...]) -> bool:
        """`fits` of a term of 4+ Chinese characters with its characters at `places` (one or
        two) changed: every place, or every two places, answered at once, from one reading of
        the occurrences of each of the term's two-character grams; where a change of one
        character occurs is kept for `count`."""
        key = (term, places, fields)
        if key not in self._changed:
            if len(self._counts) >= MAX_LOOKUPS:
                return False
            self._counts[("changed", term, len(places), fields)] = 1  # (one of the budget)
            n = len(term)
            sets = ([(i,) for i in range(n)] if len(places) == 1 else
                    [(i, j) for i in range(n) for j in range(i + 2, n)])
            # a part of one character (its grams are every gram it starts) makes a set
            # optional: looked for only when few records hold the rest
            parts = {p: _parts(term, p) for p in sets}
            optional = {p for p in sets if any(len(part) == 1 for part in parts[p])}
            found: dict[tuple, dict | None] = {p: {} for p in sets}
            for f in fields:
                for p, starts in execute.changed_starts(self.arrays, f, term, sets,
                                                        self.visible, optional,
                                                        ONE_CHAR_PART).items():
                    if starts is None:
                        found[p] = None
                    elif found[p] is not None:
                        found[p][f] = starts
            for p, gaps in found.items():
                if gaps is None:
                    self._changed[(term, p, fields)] = True  # (not told: may be)
                    continue
                if len(p) == 1:
                    self._gaps[(fields, parts[p])] = (term, gaps)
                held = [execute.docs_of(s) for s in gaps.values()]
                self._changed[(term, p, fields)] = bool(held) and bool(np.count_nonzero(
                    execute.member(np.unique(np.concatenate(held)), self._live())))
        return self._changed[key]

    def read_changed(self, term: str, place: int,
                     field: str = "") -> tuple[set[str], bool] | None:
        """The characters the reader's records hold in place of term[place], where `fits`
        found it changed, read from those records' text (readback.chars_at), and whether that
        is all of them (False: some field's records could not be read back); None when not
        known at all (fits did not keep where)."""
        parts = (term[:place], term[place + 1:])
        fields = (FIELD_NGRAMS[field],) if field else ANYWHERE
        besides, gaps = self._gaps.get((fields, parts)) or self._gaps.get(
            (ANYWHERE, parts), ("", None))
        if gaps is None or besides != term:
            return None
        found: set[str] = set()
        whole = True
        for f, starts in gaps.items():
            if f in fields and len(starts):
                chars = (self._indexed_at(f, starts, place, term)  # (no text normalised)
                         or readback.chars_at(self.arrays, f, starts, place, term, self._read,
                                              self.read_records))
                whole = whole and chars is not None and chars[1]
                found |= chars[0] if chars is not None else set()
        return found, whole

    def read_middle(self, term: str, field: str = "") -> tuple[set[str], bool] | None:
        """`read_changed` of a three-character term's middle character, which no alignment
        finds (both its parts are one character): the characters that make an indexed pair
        with both neighbours, each counted as the term with it; None when they are more than
        MAX_INDEXED."""
        before, after = term[0], term[2]
        options = self._between(before, after, term[1])
        if options is None:
            return None
        found = {x for x in options if self.count(before + x + after, field)}
        return found, len(self._counts) < MAX_LOOKUPS

    def _between(self, before: str, after: str, besides: str) -> list[str] | None:
        """The Chinese characters but `besides` that make an indexed pair with both `before`
        and `after` (None when there are more than MAX_INDEXED, or a neighbour is no Chinese
        character)."""
        if not (before and after and is_cjk(before) and is_cjk(after)):
            return None
        options = [x for x in self.followers(before) if x != besides]
        options = [x for x, ok in zip(options, self.pairs_of([x + after for x in options]))
                   if ok]
        return options if len(options) <= MAX_INDEXED else None

    def _indexed_at(self, field: str, starts: np.ndarray, place: int,
                    term: str) -> tuple[set[str], bool] | None:
        """`read_changed` of one field told from the index, for a character inside the term
        (read without normalising a record's text): the characters that make an indexed pair
        with both of term[place]'s neighbours, each looked for where it would stand (the term
        with that one character changed). None at the term's ends, or when the characters
        that may stand there are too many to look up (more than MAX_INDEXED)."""
        if not 0 < place < len(term) - 1:
            return None
        before, after = term[place - 1], term[place + 1]
        options = self._between(before, after, term[place])
        if options is None:
            return None
        found, covered = set(), np.zeros(len(starts), dtype=bool)
        docs = execute.docs_of(starts)
        for x in options:
            gram = ngram_terms(before + x)[0][0]
            if not execute.member(self.arrays.postings(field, gram)[0], docs).any():
                continue  # (in none of these records: no position looked up)
            held = execute.occurs(self.arrays, field, gram, starts, place - 1)
            if held.any():
                held &= execute.occurs(self.arrays, field, ngram_terms(x + after)[0][0],
                                       starts, place)
            if held.any():
                found.add(x)
                covered |= held
        return found, bool(covered.all())

    def _starts(self, field: str, grams) -> np.ndarray:
        """Where a sequence of grams occurs in `field` (sorted start keys), kept for the search."""
        key = (field, tuple(grams))
        if key not in self._occurrences:  # (in the records holding them all only)
            self._occurrences[key] = execute.aligned_starts(self.arrays, field, grams,
                                                            self.visible)
        return self._occurrences[key]

    def _grams(self, text: str) -> tuple[tuple[str, int], ...]:
        if text not in self._gram_memo:
            self._gram_memo[text] = tuple(ngram_terms(text))
        return self._gram_memo[text]

    def finder(self, field: str) -> VariantFinder:
        return VariantFinder(self.lexicon, lambda text: self.count(text, field),
                             self.followers,
                             lambda *parts, besides="": self.fits(*parts, besides=besides,
                                                                  field=field),
                             self._lookalikes,
                             self._synonyms, self.pair, self.pairs_of,
                             lambda term, place: self.read_changed(term, place, field),
                             None if field or self.table is None else
                             lambda name, read: self.table.misread.get((name, read)),
                             lambda term: self.read_middle(term, field))

    def pairs_left(self) -> bool:
        """Whether the search may still check grams (MAX_PAIRS)."""
        return self.pairs < MAX_PAIRS

    def wanted(self, term: Term) -> str:
        """How loosely a term is also searched: "all" variants when it matches few records
        exactly (a typo of a name then finds the name), is a name the archive knows (its
        misreadings are always searched), or reads as pinyin or a 文号; "abbreviations" only
        when it matches plenty but holds an abbreviation; "" not at all."""
        if term.quoted or (term.field and term.field not in FIELD_NGRAMS):
            return ""
        text = normalize(term.text).text.strip()
        if len(text) > MAX_TERM_CHARS:
            return ""
        if re.fullmatch(r"[A-Za-z']{2,}", toneless(text)) or docnum_forms(term.text):
            return "all"
        if len(dates.spellings(text)) > 1:
            return ""  # a date: its other spellings are exact matches already
        if self.lexicon.always_loose(text) or self.count(term.text, term.field) < self.threshold:
            return "all"
        if any(m in text for g in self._synonyms for m in g):
            return "abbreviations"
        # a common term: the records OCR misread it in (交通管里), after all its exact hits
        return "misreadings" if sum(is_cjk(c) for c in text) >= MISREAD_CHARS else ""

    def term(self, term: Term):
        if self.terms >= MAX_TERMS:
            return term
        ahead = (self.table.terms.get(term.text)
                 if self.table is not None and not term.field and not term.quoted else None)
        if ahead is not None:
            how, variants = ahead
            if not how:
                return term
            self.terms += 1
            return self._with(term, variants, term.field)
        key = ("variants", self.reader, self.threshold, term.text, term.field, term.quoted)
        how, variants = self.arrays.remembered(key, lambda: self._variants(term))
        if not how:
            return term
        self.terms += 1
        return self._with(term, variants, term.field)

    def _variants(self, term: Term) -> tuple[tuple[str, tuple[Variant, ...]], bool]:
        """(how loosely, the variants) of a term, and whether that may be kept with the index
        version for later searches: not when this search's lookups ran out on the way (a
        later one may find more)."""
        how = self.wanted(term)
        variants = tuple(self.finder(term.field).for_term(term.text, changes=how == "all",
                                                          misreadings=how != "all")
                         if how else ())
        whole = len(self._counts) < MAX_LOOKUPS and self.pairs < MAX_PAIRS
        return (how, variants), whole

    def _for_words(self, texts: list[str]) -> tuple[Variant, ...]:
        """`for_words` of adjacent terms, kept with the index version as a term's variants
        are (wang jian cheng asked again reads nothing)."""
        def compute():
            found = tuple(self.finder("").for_words(texts))
            return found, len(self._counts) < MAX_LOOKUPS and self.pairs < MAX_PAIRS
        return self.arrays.remembered(("words", self.reader, tuple(texts)), compute)

    def _with(self, node, variants: list[Variant], field: str):
        if not variants:
            return node
        for v in variants:
            if self.found.get(v.text) is None or self.found[v.text].weight < v.weight:
                self.found[v.text] = v
        return Or((node, *(Term(v.text, field, True) for v in variants)))

    def expand(self, node):
        """The query tree with each term ORed with its variants (NOT parts left as they are)."""
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Or):
            return Or(tuple(self.expand(n) for n in node.nodes))
        if isinstance(node, And):
            return And(tuple(self._sequence(list(node.nodes))))
        return node  # Not, DateRange

    def _sequence(self, nodes: list) -> list:
        out, i = [], 0
        while i < len(nodes):
            for j in range(min(len(nodes), i + MAX_WINDOW), i + 1, -1):
                window = nodes[i:j]
                if all(isinstance(n, Term) and not n.quoted and not n.field for n in window):
                    variants = self._for_words([n.text for n in window])
                    if variants:
                        out.append(self._with(And(tuple(window)), variants, ""))
                        i = j
                        break
            else:
                out.append(self.expand(nodes[i]))
                i += 1
        return out
