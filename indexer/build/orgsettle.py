"""After a run's last commit, the records whose 责任者 is marked 待核对 looked at again with the
whole archive in view: a value several records carry is trusted, one character off such a value
(or off an organisation configured or catalogued since) is put right; the records that change
are written again from their stored fields (no file is read again)."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from typing import Any

from ..analysis.words import analyzer_for
from ..ingest.orgrepair import REVIEW, TO_CHECK, known_organisations, settled
from ..store.records import Record, record_fields
from ..store.writer import BatchWriter
from .prepare import WorkerSetup, analyse, with_review

log = logging.getLogger("dangan.index")


def settle_orgs(batch: BatchWriter, setup: WorkerSetup) -> int:
    """Rewrite the 待核对 records whose 责任者 the archive now knows or can put right; how
    many were rewritten (their batch still to be committed)."""
    known = known_organisations(setup.user_words, setup.organisations)
    with batch.ix.searcher() as searcher:
        reader = searcher.reader()
        if not reader.has_column(REVIEW) or not reader.has_column("org"):
            return 0
        orgs, marks = reader.column_reader("org"), reader.column_reader(REVIEW)
        live = list(reader.all_doc_ids())
        counts = Counter(orgs[d] for d in live if orgs[d])
        changes = []
        for docnum in live:
            if marks[docnum] == TO_CHECK and orgs[docnum]:
                change = settled(orgs[docnum], counts, known)
                if change is not None:
                    changes.append((searcher.stored_fields(docnum), change))
    if not changes:
        return 0
    analyzer = analyzer_for(setup.user_words)
    entries = batch.manifest.entries()
    for stored, (org, status, warning) in changes:
        record = with_review(replace(stored_record(stored), org=org), status, warning)
        fields = record_fields(record)
        batch.replace(fields, analyse(fields, analyzer),
                      entries[(stored["source"], stored["path"])])
    log.info("责任者 of %d record(s) marked %s settled against the archive", len(changes),
             TO_CHECK)
    return len(changes)


def stored_record(stored: dict[str, Any]) -> Record:
    """The Record a record's stored fields describe."""
    names = ("title", "doc_number", "org", "date", "category", "retention", "kind",
             "security", "type", "archival_code")
    return Record(id=stored["id"], path=stored["path"], source=stored["source"],
                  text=stored.get("text", ""),
                  page_starts=tuple(stored.get("page_starts") or (0,)),
                  meta=dict(stored.get("meta") or {}),
                  **{k: stored[k] for k in names if stored.get(k)})
