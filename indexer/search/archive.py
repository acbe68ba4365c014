"""The search library: an opened archive answers searches and record look-ups with plain data."""
from __future__ import annotations

import logging
import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from ..analysis.confusions import lookalikes
from ..analysis.gramkeys import text_units
from ..analysis.words import Analyzer, analyzer_for, is_chinese
from ..config import SearchSettings
from ..errors import DanganError, IndexMissingError, QueryError, RecordNotFound
from ..fields import FIELDS, SECURITY_LEVELS, STORED
from ..store.arrays import EMPTY, IndexArrays
from ..store.residency import MappedBound
from ..store.schema import FACETS, USER_WORDS_FILE, check_stamp
from ..store.sources import read_sources
from . import collect, execute
from . import vartable
from .approximate import MAX_LOOKUPS, Forgiving
from .known import lexicon_inputs, reader_lexicon, segments
from .loose import Loose
from .compile import compile_query
from .highlight import find_spans, snippets
from .matched import field_snippets, field_terms, with_variants
from .querylang import read
from .suggest import DOCNUM, MAX_PREFIX_CHARS, TITLE, Completion, known_names
from .answers import (  # noqa: F401 - the library's interface (DESIGN.md), kept importable here
    SORTS, FacetValue, Hit, Listing, SearchRequest, SearchResult, TooManyHits, validated)
from .variants import docnum_head, synonym_table, warm_variant_tables
from .versions import Version, Versions, pins_version

log = logging.getLogger("dangan.search")

_ID = re.compile(r"[0-9a-f]{1,64}")  # what a record id looks like (anything else is unknown)
# what a hit and a record carry: every stored field of the registry but the text
HIT_FIELDS = tuple(dict.fromkeys(
    ["id", "path", *(f.name for f in FIELDS if f.type != STORED and f.name != "text"),
     *FACETS]))


@dataclass
class _Matched:
    req: SearchRequest
    plan: Any
    loose: Loose | None
    plans: list
    exact: np.ndarray
    approx: np.ndarray
    arrays: IndexArrays
    visible: np.ndarray | None
    memo: dict
    why: dict
    notices: tuple[str, ...]

    @cached_property
    def all(self) -> np.ndarray:
        return np.union1d(self.exact, self.approx) if len(self.approx) else self.exact


class Archive:
    """An opened index. Thread-safe; reopens by itself when a newer index is committed."""

    def __init__(self, index_dir: Path, settings: SearchSettings | None = None):
        self.dir = Path(index_dir)
        self.settings = settings or SearchSettings()
        self._versions = Versions()
        self.raised = None  # a RaisedLevels of the corrections store, set by the server
        self._synonyms = synonym_table(self.settings.synonyms)
        self._carried: dict = {}  # the lexicon kept across index versions (reader_lexicon)
        text_units("档案 2008")  # the highlighter's table of characters, made once (35 ms)
        if self.settings.variants:  # the look-alike and homophone tables, now: not on the
            warm_variant_tables()  # first search that changes a character (0.2 s)
        self._bound = MappedBound(self.settings.mapped_mb * 2**20)  # before the index is read
        with self._versions.lock:
            self._open()

    def _open(self) -> None:
        """Open the index as it is now and make it the current version (under the lock)."""
        if not whoosh_index.exists_in(self.dir):
            raise IndexMissingError(f"no index in {self.dir}: run dangan index first")
        check_stamp(self.dir)
        words_file = self.dir / USER_WORDS_FILE
        words = words_file.read_text(encoding="utf-8").splitlines() if words_file.exists() else ()
        analyzer = analyzer_for(words)  # this index's words: the same as when it was built
        analyzer.warm_up()  # load the dictionary now, not on the first query
        inode = os.stat(self.dir).st_ino  # a rebuild swaps in a new directory
        ix = whoosh_index.open_dir(self.dir)
        self._versions.replace(Version(ix, ix.searcher(), inode, analyzer,
                                       self.settings.cache_mb * 2**20, self._bound))
        self.sources = read_sources(self.dir)

    def _refresh(self) -> None:
        """Open the newer index if one was committed or swapped in (under the lock)."""
        version = self._versions.current
        try:
            if os.stat(self.dir).st_ino != version.inode:
                self._open()  # a rebuild swapped in a new index directory
            elif not version.searcher.up_to_date():
                # not searcher.refresh(): it reuses segment readers by segment id, so
                # deletions committed since (and segments merged away) stay visible
                self._open()
        except (DanganError, OSError, ValueError, KeyError, EOFError) as e:
            # caught mid-swap or mid-commit: keep answering from the index already open
            # (its files stay readable while open) and look again on the next request
            log.info("index changing under the reader (%s); using the open one", e)

    def _after_call(self, version) -> None:
        """After each library call: the index pages this process holds mapped are let go when
        they pass [search] mapped_mb (indexer.store.residency)."""
        version.arrays.bounded()

    def current(self) -> tuple[Any, IndexArrays]:
        """The searcher and arrays of the version this call pinned (see `pins_version`)."""
        version = self._versions.pinned()
        if version is None:
            raise RuntimeError("Archive.current() outside a pinned library call")
        return version.searcher, version.arrays

    def searcher(self):
        return self.current()[0]

    def analyzer(self) -> Analyzer:
        """The words of the version this call pinned (its index's user words)."""
        return self._versions.pinned().analyzer

    @contextmanager
    def pinned(self) -> Iterator[tuple[Any, IndexArrays]]:
        """The current searcher and arrays, kept open until the block ends (for callers
        outside the library's own methods, such as tools and tests)."""
        with self._versions.pinning(self._refresh) as version:
            yield version.searcher, version.arrays

    def close(self) -> None:
        self._versions.close()
        if self.raised is not None:
            self.raised.close()

    @pins_version
    def search(self, req: SearchRequest) -> SearchResult:
        """The hits of a search. The reader's clearance is applied first: phrase positions,
        scores, lengths, snippets and facets are only ever computed over records the reader may
        see (`millis` still says how long it took: show it to 绝密 readers only).

        Exact hits come first; then, when the query's terms match little (or name someone the
        archive knows), the hits found only through their variants, labelled approximate."""
        started = time.perf_counter()
        m = self._matched(validated(req, self.settings))
        req = m.req
        top = self._ranked(m, req.page * req.size)
        hits = [self._hit(m.arrays, docnum, score, m.plan, req, how, m.memo, m.why)
                for score, docnum, how in top[(req.page - 1) * req.size:]]
        facets = (self._facets(m.arrays, req, m.plans, m.all, m.memo, m.visible)
                  if req.facets else {})
        millis = (time.perf_counter() - started) * 1000
        suggestions = m.loose.suggestions(m.arrays, m.all, m.memo, m.visible) \
            if m.loose is not None and len(m.exact) < self.settings.variant_threshold else ()
        return SearchResult(req, len(m.all), hits, facets, millis, exact_total=len(m.exact),
                            suggestions=suggestions, notices=m.notices)

    @pins_version
    def listing(self, req: SearchRequest, limit: int,
                fields: tuple[str, ...] = HIT_FIELDS) -> Listing:
        """Every hit of a search in the search's order (exports): `fields` of each stored
        record and its match, no snippets or facets; TooManyHits beyond `limit`."""
        m = self._matched(validated(replace(req, page=1, size=1), self.settings))
        if len(m.all) > limit:
            raise TooManyHits(f"共有 {len(m.all)} 条结果，超过一次最多导出的 {limit} 条；"
                              "请加上筛选条件或缩小日期范围后再导出", len(m.all), limit)
        rows = []
        for _score, docnum, how in self._ranked(m, len(m.all)):
            stored = m.arrays.stored_fields(docnum)
            meta = stored.get("meta", {})  # catalog values with no field of their own: 人员, 备注
            row = {k: stored.get(k, "") or meta.get(k, "") for k in fields}
            row["match"] = "exact" if how is None else "approximate"
            rows.append(row)
        return Listing(m.req, len(m.all), len(m.exact), rows)

    def _matched(self, req: SearchRequest) -> _Matched:
        """The query read and matched: exact hits, and those found only through variants."""
        query = read(req.q)
        tree = query.node
        plan = compile_query(tree, self.analyzer())
        _s, arrays = self.current()
        visible = self.visible(arrays, req.clearance)
        memo: dict = {}
        exact = self._candidates(arrays, [plan], req, None, memo, visible)
        loose = self._loose(arrays, tree, req.clearance, visible, memo)
        plans = [plan]
        approx = EMPTY
        if loose is not None:
            plans.append(loose.plan)
            approx = self._candidates(arrays, [loose.plan], req, None, memo, visible)
            approx = approx[~execute.member(approx, exact)]
        return _Matched(req, plan, loose, plans, exact, approx, arrays, visible, memo,
                        field_terms(tree), query.notices)

    def _ranked(self, m: _Matched, limit: int) -> list:
        """(score, docnum, loose or None) of the first `limit` hits: exact ones, then
        approximate ones."""
        top = self._top(m.arrays, m.plan, m.exact, m.req, limit, m.memo, m.visible)
        if len(top) < limit and len(m.approx):
            bonus = m.loose.weights(m.arrays, m.approx, m.memo, m.visible)
            top += [(score, docnum, m.loose) for score, docnum, _ in
                    self._top(m.arrays, m.loose.plan, m.approx, m.req, limit - len(top),
                              m.memo, m.visible, bonus=bonus)]
        return top

    def _loose(self, arrays, tree, clearance, visible, memo) -> Loose | None:
        """The query with its terms' variants, or None (variants off, or none found)."""
        if not self.settings.variants or tree is None:
            return None
        forgiving = self._forgiving(arrays, clearance, visible, memo,
                                    self._table(arrays, clearance, visible))
        expanded = forgiving.expand(tree)
        if not forgiving.found:
            return None
        return Loose(compile_query(expanded, self.analyzer()), forgiving.found)

    def _forgiving(self, arrays, clearance, visible, memo, table=None,
                   threshold: int | None = None) -> Forgiving:
        """The variant lookups of one search among the `visible` records of a clearance (the
        names it may know; `table`: those worked out ahead)."""
        return Forgiving(arrays, visible, memo,
                         reader_lexicon(arrays, self.dir, clearance, visible, self._carried),
                         self.settings.variant_threshold if threshold is None else threshold,
                         self._synonyms, lookalikes, reader=clearance, table=table)

    def _table(self, arrays, clearance: str, visible) -> vartable.Table | None:
        """The variants of the known names worked out when the index was written, for this
        clearance's records (None: stale, or a correction has raised a record's 密级 above
        the clearance since: its readers, `visible`, are fewer than the table was made for)."""
        if visible is not None and len(visible) != len(self._cleared(arrays, clearance)):
            return None  # (`visible` is those cleared, less the ones raised since)
        tables = arrays._cached(("variant tables",),
                                lambda: vartable.read(self.dir, self._stamps(arrays)))
        return tables.get(clearance)

    def _stamps(self, arrays) -> dict[str, str]:
        return {"code": vartable.code_stamp(),
                "settings": vartable.settings_stamp(self.settings.variant_threshold,
                                                    self._synonyms),
                "version": vartable.version_stamp(arrays, segments(arrays),
                                                  lexicon_inputs(arrays, self.dir))}

    @pins_version
    def write_variant_table(self, seconds: float) -> tuple[int, bool]:
        """Work out the known names' variants for each clearance's records and write them
        beside the index (vartable), within about `seconds`: (names and words worked out,
        all of them); (0, True) when the table there is of this version and whole."""
        _s, arrays = self.current()
        stamps = self._stamps(arrays)
        if vartable.complete(self.dir, stamps):  # (nothing changed since it was written)
            return 0, True
        def reader(clearance: str):
            visible = self.visible(arrays, clearance)
            return visible, reader_lexicon(arrays, self.dir, clearance, visible, self._carried)
        parts, names, whole = vartable.work_out(
            reversed(SECURITY_LEVELS), reader,
            lambda clearance, visible: self._forgiving(arrays, clearance, visible, {}),
            time.monotonic() + seconds, MAX_LOOKUPS,
            vartable.frequent_words(self.searcher().reader(), self.settings.variant_threshold))
        vartable.write(self.dir, {"format": vartable.FORMAT, **stamps, "whole": whole,
                                  "clearances": parts})
        return names, whole

    def _top(self, arrays, plan, candidates, req, limit, memo, visible, bonus=None):
        """(score, docnum, None) of the first `limit` candidates in the request's order."""
        if req.sort == "relevance" and req.q.strip():
            score = execute.scores(arrays, plan, candidates, self.settings.title_boost, memo,
                                   visible)
            order = score if bonus is None else score + bonus * 1e4
            top = execute.top_by_score(order, candidates, limit)
            where = np.searchsorted(candidates, [d for _s, d in top])
            return [(float(score[w]), d, None) for w, (_s, d) in zip(where, top)]
        top = execute.top_by_date(arrays, candidates, limit, newest_first=req.sort != "date")
        return [(s, d, None) for s, d in top]

    def visible(self, arrays, clearance: str) -> np.ndarray | None:
        """Live documents a reader of this clearance may see; None: every live document."""
        seen = self._cleared(arrays, clearance)
        if seen is None:
            return None
        hidden = self._raised_above(arrays, SECURITY_LEVELS.index(clearance))
        return seen[~execute.member(seen, hidden)] if len(hidden) else seen

    def _cleared(self, arrays, clearance: str) -> np.ndarray | None:
        """Live documents whose indexed 密级 a reader of this clearance may see (None: every
        live document), once per index version."""
        node = collect.filter_node(clearance, {}, "", "")
        if node is None:
            return None

        def build():
            allowed = arrays.filtered(node, execute.docs)
            return allowed[execute.member(allowed, arrays.live())]
        return arrays._cached(("visible", clearance), build)

    def _raised_above(self, arrays, rank: int) -> np.ndarray:
        """Docnums whose 密级 a correction raised above the `rank`-th level while this index
        version still holds the lower one (`raised`: the corrections store's 密级 corrections;
        none when no store is given)."""
        rows = self.raised.current() if self.raised is not None else ()
        if not rows:
            return EMPTY

        def build():
            codes, values = arrays.codes("security")
            out = {}
            for source, path, level in rows:
                docs = execute.intersect([arrays.postings("path", path)[0],
                                          arrays.postings("source", source)[0]])
                rank = SECURITY_LEVELS.index(level)
                for d in docs.tolist():
                    held = values[codes[d]]
                    if rank > (SECURITY_LEVELS.index(held) if held in SECURITY_LEVELS else 0):
                        out[d] = max(out.get(d, 0), rank)
            return out
        raised = arrays._cached(("raised", rows), build)
        return np.array(sorted(d for d, r in raised.items() if r > rank), dtype=np.int64)

    def _candidates(self, arrays, plans, req: SearchRequest, skip: str | None, memo: dict,
                    visible: np.ndarray | None):
        """Live documents matching any of the plans and the filters (minus the `skip`
        facet); the query is matched among the `visible` ones only."""
        node = collect.filter_node(req.clearance, req.filters, req.date_from, req.date_to, skip)
        allowed = arrays.filtered(node, execute.docs)
        parts = [execute.docs(arrays, p.match, memo, visible) for p in plans]
        found = execute.union(parts)
        if allowed is not None:
            found = found[execute.member(found, allowed)]
        if visible is not None:  # (less than the clearance allows: a raised 密级 not indexed yet)
            found = found[execute.member(found, visible)]
        return found[execute.member(found, arrays.live())]

    def _hit(self, arrays, docnum: int, score: float, plan, req: SearchRequest,
             loose: Loose | None = None, memo: dict | None = None,
             why: dict | None = None) -> Hit:
        """A hit; one found through variants (`loose`) marks the variants it holds; one that
        matched in a catalog field only (`why`: the query's terms by field) shows that field.
        Kept with the index version for what it depends on (a page asked again, a facet chosen,
        shows the same hits: their snippets are not made again)."""
        key = ("hit", docnum, score, tuple(plan.highlight), tuple(plan.title_highlight),
               req.snippets, req.clearance,
               None if loose is None else tuple(sorted((t, v.kind) for t, v in
                                                       loose.found.items())),
               tuple(sorted((k, tuple(v)) for k, v in (why or {}).items())))
        return arrays.remembered(key, lambda: (self._made_hit(arrays, docnum, score, plan, req,
                                                              loose, memo, why), True))

    def _made_hit(self, arrays, docnum: int, score: float, plan, req: SearchRequest,
                  loose: Loose | None, memo: dict | None, why: dict | None) -> Hit:
        stored = arrays.stored_fields(docnum)
        fields = {k: stored.get(k, "") for k in HIT_FIELDS}
        variants = () if loose is None else loose.variants_of(arrays, docnum, memo or {})
        snips = (snippets(stored.get("text", ""), stored.get("page_starts", [0]),
                          plan.highlight + list(variants), self.settings.snippets,
                          self.settings.snippet_chars) if req.snippets else [])
        if why and variants and not plan.highlight and req.snippets:
            # a search of fields only, found by a variant (人员:bjp, 作者:当阳档案局): the field
            # it was found in, not the body
            snips = field_snippets(stored, {name: [*terms, *variants] for name, terms in
                                            why.items()},
                                   self.settings.snippets, self.settings.snippet_chars) or snips
        elif (why or variants) and snips and not any(s.spans for s in snips):
            # matched in a catalog field only: show that field (a variant found there, too)
            snips = field_snippets(stored, with_variants(why or {}, variants),
                                   self.settings.snippets, self.settings.snippet_chars) or snips
        spans = find_spans(stored.get("title", ""), plan.title_highlight + list(variants))
        return Hit(fields, round(score or 0.0, 4), snips, spans,
                   match="exact" if loose is None else "approximate", variants=variants)

    def _facets(self, arrays, req, plans, candidates, memo,
                visible) -> dict[str, list[FacetValue]]:
        out = {}
        for name in FACETS:
            docs = candidates
            if req.filters.get(name):  # counts for other values ignore this facet's own choice
                docs = self._candidates(arrays, plans, req, name, memo, visible)
            counts = execute.facet_counts(arrays, name, docs)
            selected = set(req.filters.get(name, ()))
            for value in selected - set(counts):
                counts[value] = 0
            ordered = sorted(counts.items(), key=_facet_order(name))
            out[name] = [FacetValue(v, c, v in selected) for v, c in ordered]
        return out

    @pins_version
    def record(self, record_id: str, clearance: str, boxes: bool = False) -> dict[str, Any]:
        """One record, looked up among the records this clearance may see only: an id above
        it costs and answers what an unknown id does (nothing is read of the record). With
        `boxes`, "boxes" holds where its text is drawn on its pages (ingest/pageboxes.py)."""
        if clearance not in SECURITY_LEVELS:
            raise QueryError(f"未知的密级 {clearance!r}")
        _s, arrays = self.current()
        ids = arrays.postings("id", record_id)[0] if _ID.fullmatch(record_id) else EMPTY
        allowed = self.visible(arrays, clearance)
        ids = ids[execute.member(ids, arrays.live() if allowed is None else allowed)]
        if not len(ids):
            raise RecordNotFound(f"没有编号为 {record_id} 的记录")
        stored = arrays.stored_fields(int(ids[0]))
        text = stored.get("text", "")
        starts = list(stored.get("page_starts", [0]))
        pages = [{"page": i + 1, "start": a, "end": b}
                 for i, (a, b) in enumerate(zip(starts, starts[1:] + [len(text)]))]
        record = {k: stored.get(k, "") for k in HIT_FIELDS}
        record.update(source=stored.get("source", ""), text=text, page_list=pages,
                      meta=stored.get("meta", {}))
        if boxes:
            record["boxes"] = arrays.column_value("boxes", int(ids[0])) or b""
        return record

    @pins_version
    def similar(self, record_id: str, clearance: str, size: int = 5) -> list[Hit]:
        """相关记录: records sharing the most distinctive words of this one (tf·idf over the
        jieba words of its title and text), searched like any query, so the reader's clearance
        limits them exactly as it limits a search."""
        record = self.record(record_id, clearance)  # 404 above the reader's clearance
        _s, arrays = self.current()
        terms = key_terms(f"{record['title']}\n{record['text'][:SIMILAR_CHARS]}", arrays,
                          self.analyzer(), self.visible(arrays, clearance))
        if not terms:
            return []
        query = " OR ".join(f'"{t}"' for t in terms)
        result = self.search(SearchRequest(q=query, size=size + 1, clearance=clearance,
                                           facets=False, snippets=False))
        return [h for h in result.hits if h.fields["id"] != record_id][:size]

    @pins_version
    def suggest(self, typed: str, clearance: str, size: int = 8) -> list[Completion]:
        """Completions of what a person is typing: names and organisations the archive knows,
        then the titles and 文号 of the best hits — each held by a record this clearance may
        see (a withheld record's words are never offered)."""
        if clearance not in SECURITY_LEVELS:
            raise QueryError(f"未知的密级 {clearance!r}")
        typed = typed.strip()
        if len(typed) > MAX_PREFIX_CHARS:
            raise QueryError(f"输入太长：最多 {MAX_PREFIX_CHARS} 个字符")
        if not typed or not any(c.isalnum() for c in typed):
            return []
        _s, arrays = self.current()
        visible = self.visible(arrays, clearance)
        forgiving = self._forgiving(arrays, clearance, visible, {},
                                    self._table(arrays, clearance, visible), threshold=0)
        out = [c for c in known_names(forgiving.lexicon, typed, size)[:size * 4]
               if forgiving.count(c.text)][:size]
        if len(out) < size and not (typed.isascii() and typed.isalpha()):  # (not pinyin)
            held = docnum_head(typed) or typed  # 当档发2008: 当档发〔2008〕, as 文号 write it
            result = self.search(SearchRequest(q=f'"{held}"', size=size, clearance=clearance,
                                               facets=False, snippets=False))
            for hit in result.hits:  # a title or 文号 that holds what was typed
                out += [Completion(hit.fields[k], kind) for k, kind in
                        (("doc_number", DOCNUM), ("title", TITLE))
                        if find_spans(hit.fields[k], [held])]
        return list(dict.fromkeys(out))[:size]

    @pins_version
    def count(self) -> int:
        return self.searcher().doc_count()


SIMILAR_CHARS = 5000  # of a record's text read for its key words
SIMILAR_TERMS = 8


def key_terms(text: str, arrays: IndexArrays, analyzer: Analyzer,
              visible: np.ndarray | None = None, n: int = SIMILAR_TERMS) -> list[str]:
    """The n words of `text` (as the index's `analyzer` cuts them) with the highest tf·idf
    (Chinese words of 2+ characters), counted over the records the reader may see
    (`visible`; None: all)."""
    counts = Counter(w for w in analyzer.word_terms(text) if len(w) >= 2 and is_chinese(w))
    total = max(1, arrays.searcher.doc_count_all() if visible is None else len(visible))
    scored = []
    for word, tf in counts.items():
        ids = arrays.postings("text", word)[0]
        df = len(ids) if visible is None else int(np.count_nonzero(execute.member(ids, visible)))
        if df:  # a word only in the title still ranks through the title field
            scored.append((tf * math.log(1 + total / df), word))
    return [w for _score, w in sorted(scored, key=lambda x: (-x[0], x[1]))[:n]]


def _facet_order(name: str):
    if name == "year":
        return lambda item: (-int(item[0]) if item[0].isdigit() else 0, item[0])
    if name == "security":
        return lambda item: SECURITY_LEVELS.index(item[0]) if item[0] in SECURITY_LEVELS else 9
    return lambda item: (-item[1], item[0])
