"""The naive baseline: jieba's bundled Whoosh ChineseAnalyzer over the original text."""
from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from ..corpus import CorpusInfo, read_record
from ..queries import Query
from . import BuildStats, dir_size


class NaiveSystem:
    name = "naive"

    def __init__(self, work: Path):
        self.work = work
        self.ix = None
        self.searcher = None
        self.parser = None

    def build(self, corpus: CorpusInfo) -> BuildStats:
        import jieba
        from jieba.analyse import ChineseAnalyzer
        from whoosh import fields, index
        from whoosh.qparser import QueryParser

        jieba.setLogLevel(logging.WARNING)
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        started = time.perf_counter()
        schema = fields.Schema(path=fields.ID(stored=True),
                               body=fields.TEXT(analyzer=ChineseAnalyzer()))
        ix = index.create_in(self.work, schema)
        writer = ix.writer()
        for rel in corpus.paths:
            writer.add_document(path=rel, body=read_record(corpus.root, rel))
        writer.commit()
        seconds = time.perf_counter() - started
        self.ix = ix
        self.searcher = ix.searcher()
        self.parser = QueryParser("body", schema)
        return BuildStats(seconds, self.searcher.doc_count(), dir_size(self.work))

    def top(self, query: Query) -> int:
        results = self.searcher.search(self.parser.parse(query.text), limit=10)
        return len(results)

    def matches(self, query: Query) -> set[str]:
        docs = self.searcher.docs_for_query(self.parser.parse(query.text))
        return {self.searcher.stored_fields(d)["path"] for d in docs}

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
