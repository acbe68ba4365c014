"""`dangan export-opensearch`: a built index written out for OpenSearch / Elasticsearch — its
mapping, `_bulk` files and a README — into a folder that appears only once complete.

The index is the store of record: every live record's stored fields are read, one at a time,
from one pinned version of it (a commit or a rebuild meanwhile changes nothing of the export).
It is an administrator's export: no clearance applies, every 密级 is written.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from ..analysis.analyzers import ANALYSIS_VERSION
from ..config import Settings
from ..errors import ConfigError
from ..fields import registry_hash
from ..private import private_dir
from ..store.corrections import RaisedLevels
from ..store.opensearch import RANK, document, mapping
from ..store.schema import security_level
from .archive import Archive

MAPPING_FILE, README_FILE = "mapping.json", "README.txt"
BULK_FILE = "bulk-{:05d}.ndjson"
MAX_FILE_BYTES = 50 * 2**20  # a bulk request well under the engines' 100 MB default limit
# what the engines accept as an index name (a little stricter: no + or #, ASCII)
_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,254}")


@dataclass(frozen=True)
class ExportOptions:
    name: str = "dangan"  # the index name in every action line
    batch: int = 5000  # documents per bulk file at most
    force: bool = False  # replace a target folder that is not empty
    max_file_bytes: int = MAX_FILE_BYTES  # and bytes per bulk file (one bigger record: alone)


@dataclass(frozen=True)
class ExportSummary:
    out_dir: Path
    name: str
    records: int
    bulk_files: tuple[str, ...]
    bytes: int  # of everything written
    seconds: float
    dates_left_out: int = 0  # records whose date is in no form the engine reads (none expected)


Progress = Callable[[int, int], None]  # (records done, records in all)


def export_index(settings: Settings, out_dir: Path, options: ExportOptions = ExportOptions(),
                 progress: Progress | None = None,
                 registered: Callable[[ExportSummary], None] | None = None) -> ExportSummary:
    """Export every live record of the index of `settings` into `out_dir`. `registered` is
    called once everything is written, before the folder is put in place: an export whose
    register row cannot be written (it raises) is not published."""
    started = time.perf_counter()
    _check(options)
    out = target_folder(Path(out_dir), settings, options.force)
    archive = Archive(settings.index.dir, settings.search)  # no index: a clear error, exit 2
    try:
        work = _work_folder(out)
        try:
            levels = RaisedLevels(settings.data_dir, settings.database.url)
            try:  # a 密级 raised by a correction this index does not hold yet goes out raised
                raised = {(s, p): level for s, p, level in levels.current()}
            finally:
                levels.close()
            with archive.pinned() as (searcher, _arrays):
                written = _write_records(work, searcher, archive.analyzer(), options, progress,
                                         raised)
            _write(work / MAPPING_FILE, json.dumps(
                mapping(_meta(options.name, written.records), written.longest_text),
                ensure_ascii=False, indent=1) + "\n")
            _write(work / README_FILE, readme(options.name))
            summary = ExportSummary(
                out, options.name, written.records, tuple(written.files),
                sum(p.stat().st_size for p in work.iterdir()),
                time.perf_counter() - started, written.dates_left_out)
            if registered is not None:
                registered(summary)
            _publish(work, out)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    finally:
        archive.close()
    return summary


def _work_folder(out: Path) -> Path:
    """A new private folder beside `out` (hidden, named .OUT.….partial) to write into; inside
    it when `out` is a disk of its own (a mount point: nothing can be renamed onto it, and the
    export must not fill the disk it is mounted on)."""
    where = out if _own_disk(out) else out.parent
    try:
        private_dir(where)
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=where))
    except OSError as e:
        raise ConfigError(f"cannot write {'in' if where == out else 'beside'} {out}: {e}") from e


def _own_disk(out: Path) -> bool:
    """Whether `out` is a folder on another file system than its parent's."""
    try:
        return out.is_dir() and (os.path.ismount(out)
                                 or out.stat().st_dev != out.parent.stat().st_dev)
    except OSError:
        return False


def _check(options: ExportOptions) -> None:
    if not _INDEX_NAME.fullmatch(options.name):
        raise ConfigError(f"index name {options.name!r}: use lower-case letters, digits, '-', "
                          "'_' and '.', starting with a letter or digit (at most 255)")
    if options.batch < 1:
        raise ConfigError("--batch must be at least 1")
    if options.max_file_bytes < 1:
        raise ConfigError("the bytes of a bulk file must be at least 1")


def target_folder(out: Path, settings: Settings, force: bool) -> Path:
    """The folder to write, checked: not in the way of the index, its data or the corpus;
    empty or missing unless `force`."""
    out = out.absolute()
    real = out.resolve()
    for kept in (settings.index.dir, settings.data_dir, *settings.corpus.paths):
        kept = Path(kept).resolve()
        if real == kept or real in kept.parents:
            raise ConfigError(f"{out} is or holds {kept}, which dangan keeps: choose another "
                              "folder")
    for inside in (settings.index.dir, *settings.corpus.paths):
        if Path(inside).resolve() in real.parents:
            raise ConfigError(f"{out} is inside {inside}: choose a folder outside the index "
                              "and the corpus")
    if out.is_symlink():
        raise ConfigError(f"{out} is a symbolic link: give the folder itself")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ConfigError(f"{out} exists and is not empty: choose another folder, or add "
                          "--force to replace it")
    if out.is_dir() and any(out.iterdir()) and _own_disk(out):
        raise ConfigError(f"{out} is a disk of its own holding files: --force cannot replace "
                          "it in one step; empty it, or export into a new folder on it")
    return out


@dataclass
class _Written:
    records: int = 0
    files: list[str] = field(default_factory=list)
    longest_text: int = 0
    dates_left_out: int = 0


def _write_records(work: Path, searcher, analyzer, options: ExportOptions,
                   progress: Progress | None, raised: dict | None = None) -> _Written:
    """The bulk files: each live record's action line and document, streamed (`raised`:
    (source, path) → a 密级 a correction gives it, taken when higher than the index's)."""
    total = searcher.doc_count()
    written = _Written()
    with _BulkFiles(work, options) as bulk:
        for _docnum, stored in searcher.reader().iter_docs():
            doc = document(stored, analyzer)
            level = (raised or {}).get((stored.get("source"), stored.get("path")))
            if level and security_level(level) > doc[RANK]:
                doc["security"], doc[RANK] = level, security_level(level)
            bulk.add(doc["id"], doc)
            written.records += 1
            written.longest_text = max(written.longest_text, len(doc["text_norm"] or ""),
                                       len(doc["text"] or ""))
            if stored.get("date") and doc["date"] is None:
                written.dates_left_out += 1
            if progress is not None:
                progress(written.records, total)
        written.files = bulk.names
    return written


class _BulkFiles:
    """bulk-00001.ndjson, …: action and document line pairs, at most `batch` documents and
    `max_file_bytes` bytes a file (a record bigger than that alone in its file)."""

    def __init__(self, folder: Path, options: ExportOptions):
        self.folder, self.options = folder, options
        self.names: list[str] = []
        self.file = None
        self.count = self.size = 0

    def __enter__(self) -> _BulkFiles:
        return self

    def add(self, doc_id: str, doc: dict[str, Any]) -> None:
        action = {"index": {"_index": self.options.name, "_id": doc_id}}
        pair = (_line(action) + _line(doc)).encode("utf-8")
        if self.file is None or self.count >= self.options.batch or \
                self.size + len(pair) > self.options.max_file_bytes:
            self._next()
        self.file.write(pair)
        self.count += 1
        self.size += len(pair)

    def _next(self) -> None:
        self._close()
        self.names.append(BULK_FILE.format(len(self.names) + 1))
        self.file = _open_private(self.folder / self.names[-1])
        self.count = self.size = 0

    def _close(self) -> None:
        if self.file is not None:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            self.file = None

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self._close()
        elif self.file is not None:
            self.file.close()


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _open_private(path: Path):
    """A new file only its owner may read: it holds record text of every 密级."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _write(path: Path, text: str) -> None:
    with _open_private(path) as f:
        f.write(text.encode("utf-8"))
        f.flush()
        os.fsync(f.fileno())


def _meta(name: str, records: int) -> dict[str, Any]:
    try:
        version = metadata.version("dangan")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"dangan_version": version, "analysis_version": ANALYSIS_VERSION,
            "field_registry_hash": registry_hash(), "index": name, "records": records,
            "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _publish(work: Path, out: Path) -> None:
    """Put the finished folder in place in one step: a missing or empty target is replaced by
    a rename, a full one (with --force, checked before) exchanged and then deleted."""
    from ..store.swap import exchange

    if work.parent == out:  # written inside (a disk of its own, empty): moved up, file by file
        for part in work.iterdir():
            os.replace(part, out / part.name)
        work.rmdir()
        return
    if not out.exists() or not any(out.iterdir()):
        os.replace(work, out)  # over an empty folder too
        return
    if not exchange(work, out):  # no renameat2 here: two renames, briefly without `out`
        out.rename(work.with_suffix(".old"))
        work.rename(out)
        work = work.with_suffix(".old")
    shutil.rmtree(work)


def readme(name: str) -> str:
    """README.txt of an export folder (Chinese, then English)."""
    return f"""dangan 索引导出（OpenSearch 2.x / Elasticsearch 8）

本文件夹包含档案索引中的全部记录，不分密级（管理员导出，未按任何人的密级过滤）。
请像索引本身一样保管：只有管理员可读，用完即删。

1. 建立索引（设置、分析器和字段映射）：
   curl -XPUT 'http://HOST:9200/{name}' -H 'Content-Type: application/json' --data-binary @{MAPPING_FILE}
2. 依次导入每个 bulk 文件（返回结果中 "errors" 应为 false）：
   for f in bulk-*.ndjson; do curl -XPOST 'http://HOST:9200/_bulk' -H 'Content-Type: application/x-ndjson' --data-binary @"$f"; done
   （启用了安全插件的集群：用 https:// 并加 -u 用户名）

密级由查询这个索引的应用负责：每次查询都必须加上 security_rank 的范围过滤，
例如密级为秘密的查阅人：{{"range": {{"security_rank": {{"lte": 2}}}}}}
（0 公开，1 内部，2 秘密，3 机密，4 绝密）。引擎本身不做这项检查。
检索字段：*_norm.ngram 用短语查询（match_phrase）查找任意子串（繁简、OCR 空格已统一）；
*_words 是 dangan 的分词结果，以空格分隔。校对和查阅登记仍由 dangan 负责。

dangan index export (OpenSearch 2.x / Elasticsearch 8)

This folder holds every record of the archive's index, of every security level (an
administrator's export: no clearance was applied). Keep it like the index itself: readable
by administrators only, deleted when loaded.

1. Create the index (settings, analysers, mapping):
   curl -XPUT 'http://HOST:9200/{name}' -H 'Content-Type: application/json' --data-binary @{MAPPING_FILE}
2. Load each bulk file in turn (each answer should say "errors":false):
   for f in bulk-*.ndjson; do curl -XPOST 'http://HOST:9200/_bulk' -H 'Content-Type: application/x-ndjson' --data-binary @"$f"; done
   (a cluster with security enabled: https:// and -u USER)

Clearance is the querying application's duty: every query must filter on security_rank, e.g.
for a reader cleared for 秘密: {{"range": {{"security_rank": {{"lte": 2}}}}}}
(0 公开, 1 内部, 2 秘密, 3 机密, 4 绝密). The engine does not check it.
Search *_norm.ngram with match_phrase to find any substring (script and OCR spaces already
normalised); *_words holds dangan's own word segmentation, separated by spaces.
Corrections and the audit register stay with dangan.
"""
