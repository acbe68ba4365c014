"""Plan before work: what each corpus file needs, from its fingerprint and the manifest.

Size and mtime are the fast path; a file whose size or mtime changed (or a new file that may
be a moved one) is hashed to confirm. Kinds of work:
  new        not in the manifest: extract
  changed    content differs: extract again
  metadata   same content, catalog row or sidecar edited: update fields, no extraction
  moved      a vanished file's content at a new path: update the path, no extraction
  retry      failed last time: extract again (one that failed on its content, unchanged and
             read under the same settings, is not: it is listed as failing, see failing.py)
  repair     the manifest says indexed, the index disagrees (missing or twice): extract again
  removed    in the manifest, gone from the corpus: delete the record
  unchanged  nothing to do (a touched file with the same content is only re-fingerprinted)
Records the index holds for files neither the manifest nor the corpus knows (left by a run
killed between a commit and its manifest rows) are orphans: deleted.

The plan is made in the run's scratch database (see scratch.py): the corpus listing is joined
with the manifest (attached read-only while planning) and the index's record counts in one
streaming pass, which writes the jobs to a table; the run then reads them back one at a time.
Memory stays flat however many files the corpus and the manifest hold.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..errors import ExtractionError
from ..ingest.ocrcache import file_digest
from ..ingest.safeopen import reading_path
from ..ingest.sourcefile import SourceFile, metadata_signature
from ..store.corrections import Correction
from ..store.manifest import Entry, Manifest
from .corpus import FILE_COLUMNS, Corpus
from .corrected import signed
from .scratch import Rows, Tally, attached, stream

EXTRACT_KINDS = ("new", "changed", "retry", "repair")
# the planner (the writer's own process, with no time limit) hashes files up to this size to
# tell a move or a touch from new content; a bigger one is read again by its worker, which
# hashes it under [index] file_timeout (a sparse file of terabytes took hours here)
PLAN_HASH_MAX = 512 * 1024 * 1024
FLUSH = 1000  # planned rows written to the scratch database at a time

_ENTRY = "source, path, size, mtime_ns, meta_sig, record_id, status, error, digest"
_OLD = ", ".join(f"o_{c}" for c in _ENTRY.split(", "))
_SCHEMA = f"""
DROP TABLE IF EXISTS jobs; DROP TABLE IF EXISTS touched; DROP TABLE IF EXISTS gone;
DROP TABLE IF EXISTS orphans; DROP TABLE IF EXISTS failing;
CREATE TABLE jobs (seq INTEGER PRIMARY KEY, file INTEGER NOT NULL, kind TEXT NOT NULL,
                   sig TEXT, digest TEXT NOT NULL DEFAULT '', {_OLD});
CREATE TABLE touched ({_ENTRY});
CREATE TABLE gone (id INTEGER PRIMARY KEY, {_ENTRY}, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE orphans (source TEXT, path TEXT);
CREATE TABLE failing ({_ENTRY});
"""
# every corpus file with its catalog row, its manifest row and its records in the index
_FILES_AND_MANIFEST = f"""
SELECT f.id, {FILE_COLUMNS},
       {", ".join(f"o.{c}" for c in _ENTRY.split(", "))}, i.n
FROM files f
LEFT JOIN catalog c ON c.source = f.source AND c.rel = f.rel
LEFT JOIN m.files o ON o.source = f.source AND o.path = f.rel
LEFT JOIN indexed i ON i.source = f.source AND i.path = f.rel
ORDER BY f.id
"""
_JOBS = f"""
SELECT {FILE_COLUMNS}, j.kind, j.sig, j.digest, {_OLD}
FROM jobs j JOIN files f ON f.id = j.file
LEFT JOIN catalog c ON c.source = f.source AND c.rel = f.rel
"""
_MOVABLE = "status = 'ok' AND digest <> '' AND used = 0"
Fixes = dict[tuple[str, str], tuple[Correction, ...]]  # corrections in force per file


@dataclass(frozen=True, slots=True)
class Job:
    kind: str                  # new, changed, retry, metadata, moved
    file: SourceFile
    meta_sig: str
    old: Entry | None = None   # the manifest row this job replaces (for moved: the old path)
    digest: str = ""           # known when the planner hashed the file
    corrections: tuple[Correction, ...] = ()  # an 编辑's, in force (see corrected.py)
    floor: tuple[str, str, str] = ()  # a rebuild: (密级, moved from, record id) a move kept


class Plan:
    """The planned work, read back from the scratch database: `jobs`, `touched`, `removed`
    and `orphans` are re-iterable and sized, built one item at a time; `unchanged` is only
    counted."""

    def __init__(self, corpus: Corpus, unchanged: int = 0, fixes: Fixes | None = None):
        self.corpus = corpus  # keeps its scratch database open as long as the plan is used
        self.fixes = fixes or {}
        self.floors: dict[tuple[str, str], tuple[str, str, str]] = {}  # see Job.floor
        db = corpus.db
        self.counts = dict(db.execute("SELECT kind, count(*) FROM jobs GROUP BY kind"))
        self.jobs: Rows[Job] = Rows(db, _JOBS + " ORDER BY j.seq", self._job,
                                    sum(self.counts.values()))
        self.unchanged = Tally(unchanged)
        self.touched: Rows[Entry] = Rows(
            db, f"SELECT {_ENTRY} FROM touched ORDER BY rowid", _entry)
        self.removed: Rows[Entry] = Rows(
            db, f"SELECT {_ENTRY} FROM gone WHERE used = 0 ORDER BY id", _entry)
        self.orphans: Rows[tuple[str, str]] = Rows(
            db, "SELECT source, path FROM orphans ORDER BY rowid", tuple)
        self.failing: Rows[Entry] = Rows(  # failed on their content, unchanged: not read
            db, f"SELECT {_ENTRY} FROM failing ORDER BY rowid", _entry)

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)

    def any_job_with_suffix(self, suffixes: tuple[str, ...]) -> bool:
        """Whether some job's file ends with one of `suffixes` (ASCII, any case)."""
        if not suffixes:
            return False
        where = " OR ".join("f.rel LIKE ?" for _ in suffixes)
        return bool(self.corpus.db.execute(
            f"SELECT EXISTS (SELECT 1 FROM jobs j JOIN files f ON f.id = j.file WHERE {where})",
            tuple(f"%{s}" for s in suffixes)).fetchone()[0])

    def _job(self, row: tuple) -> Job:
        file = self.corpus.source_file(row[:8])
        kind, sig, digest, old = row[8], row[9], row[10], row[11:]
        fixes = self.fixes.get(file.key, ())
        return Job(kind, file, signed(metadata_signature(file), fixes) if sig is None else sig,
                   _entry(old) if old[0] is not None else None, digest, fixes,
                   self.floors.get(file.key, ()))


def _entry(row: tuple) -> Entry:
    return Entry(*row)


def make_plan(corpus: Corpus, manifest: Manifest | None = None, verify: bool = False,
              fixes: Fixes | None = None, failing: str | None = None) -> Plan:
    """Plan the corpus against `manifest` (None: nothing indexed yet). With `verify`, the
    scratch database's `indexed` table (see committed.py) holds the records the index has per
    file: a file indexed other than once is repaired, a record nobody knows is an orphan.
    `fixes`: the corrections in force per file (a changed one is a metadata change).
    `failing`: the status of a file that failed on its content under the settings of this
    run (failing.py): such a file, unchanged, is listed in `failing` instead of read again."""
    db = corpus.db
    db.executescript(_SCHEMA)
    if manifest is None or _nothing_known(db, manifest, verify):
        db.execute("INSERT INTO jobs (file, kind) SELECT id, 'new' FROM files ORDER BY id")
        return Plan(corpus, fixes=fixes)  # signatures are taken as the jobs are handed out
    with attached(db, manifest.path):
        db.execute(f"INSERT INTO gone ({_ENTRY}) SELECT {_ENTRY} FROM m.files o WHERE NOT EXISTS "
                   "(SELECT 1 FROM files f WHERE f.source = o.source AND f.rel = o.path) "
                   "ORDER BY o.rowid")
        db.execute(f"CREATE INDEX gone_digest ON gone (digest) WHERE {_MOVABLE}")
        if verify:
            db.execute("INSERT INTO orphans SELECT source, path FROM indexed i WHERE NOT EXISTS "
                       "(SELECT 1 FROM m.files o WHERE o.source = i.source AND o.path = i.path)"
                       " AND NOT EXISTS "
                       "(SELECT 1 FROM files f WHERE f.source = i.source AND f.rel = i.path) "
                       "ORDER BY source, path")
        unchanged = _Planner(corpus, verify, fixes or {}, failing).run()
    return Plan(corpus, unchanged, fixes)


def _nothing_known(db: sqlite3.Connection, manifest: Manifest, verify: bool) -> bool:
    """No manifest row and no record: every file is new (no join, no hashing)."""
    return (manifest.db.execute("SELECT NOT EXISTS (SELECT 1 FROM files)").fetchone()[0]
            and not (verify and db.execute("SELECT EXISTS (SELECT 1 FROM indexed)").fetchone()[0]))


class _Planner:
    """One pass over the corpus joined with the manifest: counts the unchanged files, writes
    every other file's job (or touched row) to the scratch database."""

    def __init__(self, corpus: Corpus, verify: bool, fixes: Fixes, failing: str | None):
        self.corpus, self.db, self.verify, self.fixes = corpus, corpus.db, verify, fixes
        self.failing_status = failing
        self.failing: list[tuple] = []
        self.movable = self.db.execute(  # vanished files a new one may have moved from
            f"SELECT count(*) FROM gone WHERE {_MOVABLE}").fetchone()[0]
        self.jobs: list[tuple] = []
        self.touched: list[tuple] = []

    def run(self) -> int:
        unchanged = 0
        self.db.execute("BEGIN")
        for row in stream(self.db, _FILES_AND_MANIFEST):
            fid, file = row[0], self.corpus.source_file(row[1:9])
            old = row[9:18] if row[9] is not None else None
            sig = signed(metadata_signature(file), self.fixes.get(file.key, ()))
            if old and old[6] == "ok" and (old[2], old[3]) == (file.size, file.mtime_ns):
                if self.verify and row[18] != 1:
                    self.job(fid, "repair", sig, "", old)
                elif old[4] == sig:
                    unchanged += 1
                else:
                    self.job(fid, "metadata", sig, old[8] or "", old)
            elif (old and self.failing_status and old[6] == self.failing_status and not row[18]
                  and (old[2], old[3], old[4]) == (file.size, file.mtime_ns, sig)):
                self.failing.append(old)  # it would fail again, at the same cost
                if len(self.failing) >= FLUSH:
                    self.flush()
            else:
                self.suspect(fid, file, sig, old)
        self.flush()
        self.db.execute("COMMIT")
        return unchanged

    def suspect(self, fid: int, f: SourceFile, sig: str, old: tuple | None) -> None:
        """A file whose fingerprint is new or changed: hashed, when a hash can tell a move or
        a touch from new content."""
        if old and old[6] != "ok":
            return self.job(fid, "retry", sig, "", old)
        if not old and not self.movable:
            return self.job(fid, "new", sig, "")  # nothing it could have moved from: no hash now
        if f.size > PLAN_HASH_MAX:  # (not hashed here: a vanished file of the same size and
            # modification time is taken as moved, so a rename never drops its 密级)
            source = self.vanished_alike(f) if old is None and self.movable else None
            if source is not None:
                return self.job(fid, "moved", sig, source[8], source)
            return self.job(fid, "changed" if old else "new", sig, "", old)
        try:
            with reading_path(f.path, f.root) as path:
                digest = file_digest(path)
        except (OSError, ExtractionError):  # a link swapped in: the worker reports it
            digest = ""
        if old is None:
            source = self.vanished(digest) if digest else None
            return self.job(fid, "moved" if source else "new", sig, digest, source)
        if digest and digest == old[8]:
            if old[4] == sig:
                self.touched.append((f.source, f.rel, f.size, f.mtime_ns, old[4], old[5], "ok",
                                     None, digest))
                if len(self.touched) >= FLUSH:
                    self.flush()
                return None
            return self.job(fid, "metadata", sig, digest, old)
        return self.job(fid, "changed", sig, digest, old)

    def vanished(self, digest: str) -> tuple | None:
        """A manifest row whose file is gone and had this content (each is taken once)."""
        return self._take("digest = ?", (digest,))

    def vanished_alike(self, f: SourceFile) -> tuple | None:
        """A manifest row whose file is gone and had this one's size and modification time
        to the nanosecond (what a rename keeps; taken once)."""
        return self._take("size = ? AND mtime_ns = ?", (f.size, f.mtime_ns))

    def _take(self, where: str, params: tuple) -> tuple | None:
        found = self.db.execute(f"SELECT id, {_ENTRY} FROM gone WHERE {where} AND {_MOVABLE} "
                                "ORDER BY id DESC LIMIT 1", params).fetchone()
        if found is None:
            return None
        self.db.execute("UPDATE gone SET used = 1 WHERE id = ?", (found[0],))
        self.movable -= 1
        return found[1:]

    def job(self, fid: int, kind: str, sig: str, digest: str, old: tuple | None = None) -> None:
        self.jobs.append((fid, kind, sig, digest, *(old or (None,) * 9)))
        if len(self.jobs) >= FLUSH:
            self.flush()

    def flush(self) -> None:
        if self.jobs:
            self.db.executemany(f"INSERT INTO jobs (file, kind, sig, digest, {_OLD}) "
                                f"VALUES ({', '.join('?' * 13)})", self.jobs)
        for table, rows in (("touched", self.touched), ("failing", self.failing)):
            if rows:
                self.db.executemany(f"INSERT INTO {table} ({_ENTRY}) VALUES "
                                    f"({', '.join('?' * 9)})", rows)
        self.jobs, self.touched, self.failing = [], [], []

