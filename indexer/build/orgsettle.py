"""After a run's last commit, the records whose 责任者 is marked 待核对 looked at again with the
whole archive in view: a value several records carry is trusted, one character off such a value
(or off an organisation configured or catalogued since) is put right; the records that change
are written again from their stored fields (no file is read again)."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..analysis.words import analyzer_for
from ..ingest.orgrepair import (REVIEW, TO_CHECK, known_organisations, settled,
                                trusted_values)
from ..store.records import Record, record_fields
from ..store.writer import BatchWriter
from .prepare import WorkerSetup, analyse, with_review

log = logging.getLogger("dangan.index")


def settle_orgs(batch: BatchWriter, setup: WorkerSetup) -> int:
    """Rewrite the 待核对 records whose 责任者 the archive now knows or can put right; how
    many were rewritten (their batch still to be committed)."""
    known = known_organisations(setup.user_words, setup.organisations)
    with batch.ix.searcher() as searcher:
        counts: Counter = Counter()
        marked = []
        for docnum, org, mark in _columns(searcher.reader()):
            counts[org] += bool(org)
            if mark == TO_CHECK and org:
                marked.append((docnum, org))
        trusted = trusted_values(counts)
        changes = [(searcher.stored_fields(docnum), change) for docnum, change in
                   ((d, settled(org, counts, known, trusted)) for d, org in marked) if change]
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


def _columns(reader) -> Iterator[tuple[int, str, str]]:
    """(document number, 责任者, 核对状态) of every record not deleted."""
    for leaf, offset in reader.leaf_readers():
        columns = [list(leaf.column_reader(name)) if leaf.has_column(name) else []
                   for name in ("org", REVIEW)]
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
