"""After a run's last commit, the records whose 责任者 is marked 待核对 looked at again with the
whole archive in view: a value several records carry is trusted, one character off such a value
(or off an organisation configured, or given by a catalog or sidecar of a record) is put right;
the records that change are written again from their stored fields (no file is read again).

Fail closed on 密级: a record is only ever checked against what records at its own level or
lower hold (and the configured organisations), so a visible record's 责任者 never comes to spell
the name of an organisation only a 绝密 record (or its catalog row) names."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..analysis.words import analyzer_for
from ..fields import SECURITY_LEVELS
from ..ingest.orgrepair import REVIEW, TO_CHECK, settled, trusted_values
from ..store.records import Record, record_fields
from ..store.writer import BatchWriter
from .prepare import WorkerSetup, analyse, configured_organisations, with_review

log = logging.getLogger("dangan.index")


def settle_orgs(batch: BatchWriter, setup: WorkerSetup) -> int:
    """Rewrite the 待核对 records whose 责任者 the archive now knows or can put right; how
    many were rewritten (their batch still to be committed)."""
    configured = configured_organisations(setup)
    with batch.ix.searcher() as searcher:
        held = LevelledOrgs()
        marked = []
        for docnum, org, mark, level in _columns(searcher.reader()):
            held.add(org, mark, level)
            if mark == TO_CHECK and org:  # a level not known: checked as the lowest
                marked.append((docnum, org, level if level in SECURITY_LEVELS
                               else SECURITY_LEVELS[0]))
        changes = [(searcher.stored_fields(docnum), change) for docnum, change in
                   ((d, held.settled(org, level, configured)) for d, org, level in marked)
                   if change]
    if not changes:
        return 0
    analyzer = analyzer_for(setup.user_words)
    done = 0
    for stored, (org, status, warning) in changes:
        entry = batch.manifest.entry(stored["source"], stored["path"])
        if entry is None:  # not in the manifest: the next run reads the file again anyway
            continue
        record = with_review(replace(stored_record(stored), org=org), status, warning)
        fields = record_fields(record)
        batch.replace(fields, analyse(fields, analyzer), entry)
        done += 1
    log.info("责任者 of %d record(s) marked %s settled against the archive", done, TO_CHECK)
    return done


class LevelledOrgs:
    """The 责任者 values of an archive's records by 密级: how many records carry each, and
    which are given (by a catalog, a sidecar, the configuration or a person) or were put
    right — every value not marked 待核对."""

    def __init__(self) -> None:
        self.counts: list[Counter] = [Counter() for _ in SECURITY_LEVELS]
        self.given: list[set[str]] = [set() for _ in SECURITY_LEVELS]
        self._upto: dict[int, tuple[Counter, frozenset[str], frozenset[str]]] = {}

    def add(self, org: str, mark: str, level: str) -> None:
        if not org:
            return
        rank = rank_of(level)
        self.counts[rank][org] += 1
        if mark != TO_CHECK:
            self.given[rank].add(org)
        self._upto.clear()

    def upto(self, level: str) -> tuple[Counter, frozenset[str], frozenset[str]]:
        """(counts, given values, trusted values) of the records at `level` or lower."""
        rank = rank_of(level)
        if rank not in self._upto:
            counts: Counter = sum(self.counts[:rank + 1], Counter())
            given = frozenset().union(*self.given[:rank + 1])
            self._upto[rank] = counts, given, trusted_values(counts)
        return self._upto[rank]

    def settled(self, org: str, level: str,
                configured: frozenset[str]) -> tuple[str, str, str] | None:
        """orgrepair.settled for a record at `level`, against what it may know."""
        counts, given, trusted = self.upto(level)
        return settled(org, counts, configured | given, trusted)


def rank_of(level: str) -> int:
    """The place of a 密级 among the levels; a value not known counts as the highest (the
    names of such a record reach no other)."""
    return SECURITY_LEVELS.index(level) if level in SECURITY_LEVELS else len(SECURITY_LEVELS) - 1


def _columns(reader) -> Iterator[tuple[int, str, str, str]]:
    """(document number, 责任者, 核对状态, 密级) of every record not deleted."""
    for leaf, offset in reader.leaf_readers():
        columns = [list(leaf.column_reader(name)) if leaf.has_column(name) else []
                   for name in ("org", REVIEW, "security")]
        for i in range(leaf.doc_count_all()):
            if not leaf.is_deleted(i):
                yield offset + i, *(c[i] if i < len(c) else "" for c in columns)


def stored_record(stored: dict[str, Any]) -> Record:
    """The Record a record's stored fields describe."""
    names = ("title", "doc_number", "org", "date", "category", "retention", "kind",
             "security", "type", "archival_code")
    return Record(id=stored["id"], path=stored["path"], source=stored["source"],
                  text=stored.get("text", ""),
                  page_starts=tuple(stored.get("page_starts") or (0,)),
                  meta=dict(stored.get("meta") or {}),
                  **{k: stored[k] for k in names if stored.get(k)})
