"""`dangan index --check`: does the index hold exactly the records the manifest and the corpus
say it should? Read-only; says how to repair what it finds."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from ..config import Settings
from ..errors import ConfigError, IndexVersionError
from ..store.manifest import MANIFEST_FILE, Manifest
from ..store.schema import check_stamp
from .committed import read_indexed
from .corpus import discover
from .scratch import Scratch, attached


FAILED = "files that failed (not searchable until fixed)"
WARNINGS = "corpus warnings (links, catalog problems)"
INPUT_PROBLEMS = (FAILED, WARNINGS)


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
        lines = []
        if any(items for name, items in self.problems.items() if name not in INPUT_PROBLEMS):
            lines.append("repair: run `dangan index`: it re-reads missing and duplicated "
                         "records, drops records of files that are gone and indexes new or "
                         "changed files (OCR results are cached, so scans are not read again)")
        if any(self.problems.get(name) for name in INPUT_PROBLEMS):
            lines.append("fix: the failed files and the corpus warnings above are mistakes in "
                         "the corpus (each with its reason; a failed file is not searchable): "
                         "correct the file, its catalog row or sidecar, then run `dangan index`")
        return "\n".join(lines) or "ok: the index matches the manifest and the corpus"


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
    Manifest(ix_dir).close()  # the manifest's tables exist, even if no run has saved a row
    roots = list(paths or settings.corpus.paths)
    with Scratch() as scratch:  # private: a run writing this index may hold its own
        db = scratch.db
        read_indexed(whoosh_index.open_dir(ix_dir), db)
        warnings: list[str] = []
        if roots:
            corpus = discover(roots, scratch)
            report.corpus_files = len(corpus.files)
            warnings = list(corpus.warnings) + [f"{p}: {r}" for p, r in corpus.failed]
            if corpus.warnings.more:
                warnings.append(f"… and {corpus.warnings.more} more")
        with attached(db, ix_dir / MANIFEST_FILE):
            _compare(db, report, bool(roots))
            report.problems[FAILED] = [f"{s}/{p}: {e}" for s, p, e in db.execute(
                "SELECT source, path, error FROM m.files WHERE status <> 'ok' ORDER BY 1, 2")]
        report.problems[WARNINGS] = warnings
    return report


def _compare(db, report: CheckReport, corpus: bool) -> None:
    """The report's counts and problems, from `indexed`, the manifest (attached as `m`) and,
    if listed, the corpus `files`."""
    def names(sql: str) -> list[str]:
        return [f"{s}/{p}" for s, p in db.execute(sql + " ORDER BY 1, 2")]

    report.records = db.execute("SELECT coalesce(sum(n), 0) FROM indexed").fetchone()[0]
    report.manifest_ok, report.manifest_failed = db.execute(
        "SELECT count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status <> 'ok') "
        "FROM m.files").fetchone()
    in_manifest = ("EXISTS (SELECT 1 FROM m.files o "
                   "WHERE o.source = {0}.source AND o.path = {0}.{1}")
    in_index = "EXISTS (SELECT 1 FROM indexed i WHERE i.source = o.source AND i.path = o.path)"
    in_corpus = "EXISTS (SELECT 1 FROM files f WHERE f.source = o.source AND f.rel = o.path)"
    p = report.problems
    p["records missing from the index"] = names(
        f"SELECT source, path FROM m.files o WHERE status = 'ok' AND NOT {in_index}")
    p["records the manifest does not know"] = names(
        "SELECT source, path FROM indexed i WHERE NOT "
        + in_manifest.format("i", "path") + " AND o.status = 'ok')")
    p["duplicate records"] = names("SELECT source, path FROM indexed WHERE n > 1")
    if corpus:
        p["files not indexed yet"] = names(
            "SELECT source, rel FROM files f WHERE NOT " + in_manifest.format("f", "rel") + ")")
        p["files changed since indexed"] = names(
            "SELECT f.source, f.rel FROM files f JOIN m.files o "
            "ON o.source = f.source AND o.path = f.rel "
            "WHERE o.size <> f.size OR o.mtime_ns <> f.mtime_ns")
        p["records whose file is gone"] = names(
            f"SELECT source, path FROM m.files o WHERE NOT {in_corpus}")

