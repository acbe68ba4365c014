"""Plan before work: what each corpus file needs, from its fingerprint and the manifest.

Size and mtime are the fast path; a file whose size or mtime changed (or a new file that may
be a moved one) is hashed to confirm. Kinds of work:
  new        not in the manifest: extract
  changed    content differs: extract again
  metadata   same content, catalog row or sidecar edited: update fields, no extraction
  moved      a vanished file's content at a new path: update the path, no extraction
  retry      failed last time: extract again
  repair     the manifest says indexed, the index disagrees (missing or twice): extract again
  removed    in the manifest, gone from the corpus: delete the record
  unchanged  nothing to do (a touched file with the same content is only re-fingerprinted)
Records the index holds for files neither the manifest nor the corpus knows (left by a run
killed between a commit and its manifest rows) are orphans: deleted.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .corpus import Corpus, SourceFile, metadata_signature
from .manifest import Entry
from .ocrcache import file_digest

EXTRACT_KINDS = ("new", "changed", "retry", "repair")


@dataclass(frozen=True, slots=True)
class Job:
    kind: str                  # new, changed, retry, metadata, moved
    file: SourceFile
    meta_sig: str
    old: Entry | None = None   # the manifest row this job replaces (for moved: the old path)
    digest: str = ""           # known when the planner hashed the file


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)
    touched: list[Entry] = field(default_factory=list)  # same content, new mtime
    removed: list[Entry] = field(default_factory=list)
    orphans: list[tuple[str, str]] = field(default_factory=list)  # (source, path)

    def count(self, kind: str) -> int:
        return sum(1 for j in self.jobs if j.kind == kind)


def make_plan(corpus: Corpus, entries: dict[tuple[str, str], Entry] | None,
              indexed: Counter | None = None) -> Plan:
    """`entries` are the manifest's rows (None: none yet); `indexed` counts the records the
    index holds per (source, path), when known."""
    previous = dict(entries or {})
    verify = indexed is not None
    indexed = indexed or Counter()
    known = set(previous) | {f.key for f in corpus.files}
    plan, suspects = Plan(), []
    plan.orphans = sorted(k for k in indexed if k not in known)
    for f in corpus.files:
        sig = metadata_signature(f)
        old = previous.pop(f.key, None)
        if old and old.status == "ok" and (old.size, old.mtime_ns) == (f.size, f.mtime_ns):
            if verify and indexed[f.key] != 1:
                plan.jobs.append(Job("repair", f, sig, old))
            elif old.meta_sig == sig:
                plan.unchanged.append(old)
            else:
                plan.jobs.append(Job("metadata", f, sig, old, old.digest or ""))
        else:
            suspects.append((f, sig, old))
    vanished = {e.digest: e for e in previous.values() if e.status == "ok" and e.digest}
    for f, sig, old in suspects:
        plan_suspect(plan, f, sig, old, vanished)
    moved_from = {j.old.key for j in plan.jobs if j.kind == "moved"}
    plan.removed = [e for e in previous.values() if e.key not in moved_from]
    return plan


def plan_suspect(plan: Plan, f: SourceFile, sig: str, old: Entry | None,
                 vanished: dict[str, Entry]) -> None:
    if old and old.status != "ok":
        plan.jobs.append(Job("retry", f, sig, old))
        return
    if not old and not vanished:
        plan.jobs.append(Job("new", f, sig))  # nothing it could have moved from: no hash now
        return
    try:
        digest = file_digest(f.path)
    except OSError:
        digest = ""  # the worker reports the error with the file
    if old is None:
        source = vanished.pop(digest, None) if digest else None
        plan.jobs.append(Job("moved", f, sig, source, digest) if source
                         else Job("new", f, sig, None, digest))
    elif digest and digest == old.digest:
        touched = Entry(f.source, f.rel, f.size, f.mtime_ns, old.meta_sig, old.record_id,
                        "ok", None, digest)
        if old.meta_sig == sig:
            plan.touched.append(touched)
        else:
            plan.jobs.append(Job("metadata", f, sig, old, digest))
    else:
        plan.jobs.append(Job("changed", f, sig, old, digest))
