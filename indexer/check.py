"""`dangan index --check`: does the index hold exactly the records the manifest and the corpus
say it should? Read-only; says how to repair what it finds."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from .config import Settings
from .corpus import discover
from .errors import ConfigError, IndexVersionError
from .manifest import Manifest
from .schema import check_stamp


@dataclass
class CheckReport:
    index_dir: Path
    records: int = 0
    manifest_ok: int = 0
    manifest_failed: int = 0
    corpus_files: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)
    version_error: str = ""

    @property
    def healthy(self) -> bool:
        return not self.version_error and not any(self.problems.values())

    def render(self) -> str:
        lines = [f"index {self.index_dir}: {self.records} records; manifest: "
                 f"{self.manifest_ok} indexed, {self.manifest_failed} failed; "
                 f"corpus: {self.corpus_files} files"]
        if self.version_error:
            return "\n".join(lines + [f"problem: {self.version_error}"])
        for name, items in self.problems.items():
            if items:
                lines.append(f"{name}: {len(items)}")
                lines += [f"  {item}" for item in items[:20]]
                if len(items) > 20:
                    lines.append(f"  … and {len(items) - 20} more")
        lines.append(self.advice())
        return "\n".join(lines)

    def advice(self) -> str:
        if any(self.problems.values()):
            return ("repair: run `dangan index`: it re-reads missing and duplicated records, "
                    "drops records of files that are gone and indexes new or changed files "
                    "(OCR results are cached, so scans are not read again)")
        return "ok: the index matches the manifest and the corpus"


def check_index(settings: Settings, paths: list[Path] | None = None) -> CheckReport:
    ix_dir = settings.index.dir
    report = CheckReport(ix_dir)
    if not whoosh_index.exists_in(ix_dir):
        raise ConfigError(f"no index in {ix_dir}: run dangan index first")
    try:
        check_stamp(ix_dir)
    except IndexVersionError as e:
        report.version_error = str(e)
        return report
    counts = indexed_files(whoosh_index.open_dir(ix_dir))
    report.records = sum(counts.values())
    manifest = Manifest(ix_dir)
    try:
        entries = manifest.entries()
    finally:
        manifest.close()
    ok = {k for k, e in entries.items() if e.status == "ok"}
    report.manifest_ok, report.manifest_failed = len(ok), len(entries) - len(ok)
    p = report.problems
    p["records missing from the index"] = _names(ok - counts.keys())
    p["records the manifest does not know"] = _names(counts.keys() - ok)
    p["duplicate records"] = _names(k for k, n in counts.items() if n > 1)
    roots = list(paths or settings.corpus.paths)
    if roots:
        corpus = discover(roots)
        report.corpus_files = len(corpus.files)
        files = {f.key: f for f in corpus.files}
        p["files not indexed yet"] = _names(files.keys() - entries.keys())
        p["files changed since indexed"] = _names(
            k for k, f in files.items() if k in entries
            and (entries[k].size, entries[k].mtime_ns) != (f.size, f.mtime_ns))
        p["records whose file is gone"] = _names(entries.keys() - files.keys())
    return report


def indexed_files(ix) -> Counter:
    """How many live records the index holds per (source, path), read from the ID fields'
    postings (no stored text is loaded)."""
    with ix.reader() as r:
        def owners(fieldname: str) -> dict[int, str]:
            out = {}
            for term in r.field_terms(fieldname):
                for docnum in r.postings(fieldname, term).all_ids():
                    out[docnum] = term
            return out

        paths, sources = owners("path"), owners("source")
        return Counter((sources.get(d, ""), p) for d, p in paths.items() if not r.is_deleted(d))


def _names(keys) -> list[str]:
    return sorted(f"{s}/{p}" for s, p in keys)
