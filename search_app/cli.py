"""The `dangan` command line: a thin click layer over the indexer and the web app."""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                           TimeRemainingColumn)

from indexer.build.run import Plan, run_index
from indexer.search.ahead import budget, write_variant_table
from indexer.config import Settings, load_settings
from indexer.errors import DanganError
from indexer.fields import SECURITY_LEVELS
from indexer.search.archive import Archive, SearchRequest

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
    help="config file (default: $DANGAN_CONFIG, then ./config.toml)")


def _settings(config_path: Path | None) -> Settings:
    return load_settings(config_path)


RUN_FAILED = 3  # `dangan index`: the run itself failed (1 is kept for "some files failed")


def printable(text: str) -> str:
    """`text` with what a terminal would act on instead of showing (a line break, an escape
    sequence, a bidi override in a file's name) written out as \\n, \\x1b, \\u202e: a name can
    neither forge a line of the run's output nor move the cursor over a real one."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text))


def _fail(e: DanganError, least: int = 1) -> None:
    """Report `e` and exit with its code; `least`: the code of an error that has none above 1
    (a run that stopped is not "some files failed")."""
    err.print(f"[bold red]error:[/] {escape(str(e))}")
    sys.exit(e.exit_code if e.exit_code >= 2 else least)


PRIVATE_UMASK = 0o077  # what dangan stores holds record text: readable by its owner only


@click.group()
@click.version_option(package_name="dangan")
def main() -> None:
    """dangan — search over digitized Chinese archive records."""
    os.umask(PRIVATE_UMASK)  # the index, thumbnails, caches: 0600 files, 0700 folders


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@click.option("--workers", type=click.IntRange(min=1),
              help="extraction/OCR processes (default: [index] workers, 0 = one per core)")
@click.option("--scheduler", metavar="ADDRESS",
              help="send extraction/OCR to a Dask cluster, e.g. tcp://10.0.0.5:8786")
@click.option("--rebuild", is_flag=True, help="build a new index from scratch and swap it in")
@click.option("--dry-run", is_flag=True, help="print what would be done and exit")
@click.option("--check", is_flag=True,
              help="verify the index against the manifest and the corpus, change nothing")
@click.option("--retry-failed", is_flag=True,
              help="also read again the files that failed on their content and have not "
                   "changed since (not read again otherwise)")
def index(paths, config_path, workers, scheduler, rebuild, dry_run, check,
          retry_failed) -> None:
    """(Re-)index PATHS, or the [corpus] paths of the config."""
    try:
        settings = _settings(config_path)
        if check:
            from indexer.build.check import check_index

            report = check_index(settings, list(paths) or None)
            click.echo(report.render())
            sys.exit(0 if report.healthy else 1)
        with _Progress() as progress:
            result = run_index(settings, list(paths) or None, rebuild=rebuild,
                               dry_run=dry_run, workers=workers, scheduler=scheduler,
                               progress=progress, retry_failed=retry_failed)
    except DanganError as e:
        _fail(e, RUN_FAILED)
    except Exception as e:  # the run itself failed (a crash, a full disk): not "some files"
        logging.getLogger("dangan.index").exception("the run failed")
        err.print(f"[bold red]error:[/] the run failed: {escape(f'{type(e).__name__}: {e}')}")
        sys.exit(RUN_FAILED)
    if isinstance(result, Plan):
        _print_plan(result)
        return
    for warning in result.warnings:
        err.print(f"[yellow]warning:[/] {escape(printable(warning))}")
    if result.warnings.more:
        err.print(f"[yellow]warning:[/] … and {result.warnings.more} more warnings")
    click.echo(
        f"added {result.added}, updated {result.updated}, moved {result.moved}, "
        f"unchanged {result.unchanged}, removed {result.removed}, "
        f"failed {len(result.failed)} in {result.seconds:.1f}s → {settings.index.dir}"
    )
    for path, reason in result.failed:
        click.echo(f"failed: {printable(path)}: {printable(reason)}")
    other = max(0.0, result.worker_seconds - result.ocr_seconds)
    click.echo(
        f"pages {result.pages} (OCR {result.ocr_pages}); worker time: OCR "
        f"{result.ocr_seconds:.1f}s, the rest {other:.1f}s; commits {result.commits}; "
        f"writer peak memory {result.peak_mb:.0f} MB, largest worker "
        f"{result.worker_peak_mb:.0f} MB"
        + (f"; page images {result.page_images} in {result.page_image_seconds:.1f}s"
           if result.page_images else ""), err=True)
    names, seconds = write_variant_table(settings, budget(result.seconds))
    if names:
        click.echo(f"variants of {names} known names and common words worked out in "
                   f"{seconds:.1f}s", err=True)
    sys.exit(1 if result.failed else 0)


class _Progress:
    """A rich progress bar on a terminal (files, pages, ETA, current file), plain periodic
    lines otherwise."""

    EVERY = 10.0  # seconds between two plain lines

    def __enter__(self):
        self.bar = None
        self.task = None
        self.last = time.monotonic()
        if err.is_terminal:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TextColumn("{task.fields[pages]} 页"),
                                TimeRemainingColumn(), TextColumn("{task.fields[current]}"),
                                console=err, transient=True)
            self.bar.start()
        return self

    def __call__(self, done: int, total: int, pages: int, current: str) -> None:
        if self.bar is None:
            now = time.monotonic()
            if now - self.last >= self.EVERY or done == total:
                self.last = now
                err.print(f"{done}/{total} files, {pages} pages; now {current}")
            return
        if self.task is None:
            self.task = self.bar.add_task("indexing", total=total, current="", pages=0)
        self.bar.update(self.task, completed=done, pages=pages, current=current[-60:])

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def _print_plan(plan: Plan) -> None:
    verbs = {"new": "add", "changed": "update", "retry": "retry", "metadata": "update metadata",
             "moved": "move", "repair": "repair"}
    for job in plan.jobs:
        where = f"{job.file.source}/{job.file.rel}"
        if job.kind == "moved":
            where = f"{job.old.source}/{job.old.path} → {where}"
        click.echo(f"{verbs[job.kind]}: {printable(where)}")
    for e in plan.removed:
        click.echo(f"remove: {printable(f'{e.source}/{e.path}')}")
    for source, path in plan.orphans:
        click.echo(f"remove orphan record: {printable(f'{source}/{path}')}")
    for e in plan.failing:
        click.echo(f"still failing, not read again: {printable(f'{e.source}/{e.path}: {e.error}')}")
    extract = sum(plan.count(k) for k in ("new", "changed", "retry", "repair"))
    click.echo(f"to extract {extract}, metadata only {plan.count('metadata')}, "
               f"moved {plan.count('moved')}, unchanged {len(plan.unchanged) + len(plan.touched)}"
               f", to remove {len(plan.removed)}"
               + (f", still failing {len(plan.failing)} (--retry-failed reads them again)"
                  if len(plan.failing) else ""))


@main.command()
@config_option
@click.option("--host", help="address to listen on (default from config: 127.0.0.1)")
@click.option("--port", type=click.IntRange(1, 65535), help="port (default from config: 8000)")
def serve(config_path, host, port) -> None:
    """Serve the search page and JSON API with gunicorn."""
    from .accounts import Accounts
    from .cli_accounts import FIRST_ADMIN_HINT
    from .security import secret_key
    from .server import serve as run_server

    try:
        settings = _settings(config_path)
        Archive(settings.index.dir, settings.search).close()  # fail early, clearly
        secret_key(settings.data_dir)  # made once, before the workers start, which share it
        accounts = Accounts(settings.data_dir, settings.database.url)
        has_admin = accounts.has_admin()
        accounts.close()
    except DanganError as e:
        _fail(e)
    if not has_admin:
        err.print(f"[yellow]dangan:[/] {FIRST_ADMIN_HINT}", highlight=False)
    left = unused_files(settings)
    if left:
        err.print(f"[yellow]dangan:[/] [database] url is set: {', '.join(left)} beside the index "
                  "are not used (their accounts, reads and corrections are not in PostgreSQL; "
                  "README, Scaling out)", highlight=False)
    host = host or settings.server.host
    port = port or settings.server.port
    anonymous = settings.auth.anonymous_clearance
    click.echo(f"dangan: serving {settings.index.dir} on http://{host}:{port}/ (without logging "
               f"in: {'nothing, log in first' if anonymous == 'off' else anonymous + ' records'})",
               err=True)
    run_server(settings, host, port)


def unused_files(settings) -> list[str]:
    """The SQLite stores beside the index that `[database] url` makes unused (still there)."""
    from indexer.store.corrections import CORRECTIONS_FILE

    from .accounts import ACCOUNTS_FILE
    from .audit import AUDIT_FILE
    from .throttle import THROTTLE_FILE

    if not settings.database.url:
        return []
    stores = (ACCOUNTS_FILE, AUDIT_FILE, CORRECTIONS_FILE, THROTTLE_FILE)
    return [name for name in stores if (settings.data_dir / name).is_file()]


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option("--lang", help="Tesseract languages, e.g. chi_sim+chi_tra (default from config)")
def ocr(file, config_path, lang) -> None:
    """Print the text of one scan, PDF or document (OCR results come from the cache)."""
    from dataclasses import replace

    from indexer.build.run import extract_context
    from indexer.errors import ExtractionError
    from indexer.ingest.extract import check_magic, extractor_for

    try:
        settings = _settings(config_path)
        if lang:
            settings = replace(settings, ocr=replace(settings.ocr, languages=lang))
        extractor = extractor_for(file)
        if extractor is None:
            raise ExtractionError(f"{file.name}: not a supported file type")
        check_magic(file, extractor)
        ctx = extract_context(settings)
        extracted = extractor.extract(file, ctx)
    except DanganError as e:
        _fail(e)
    for warning in extracted.warnings:
        err.print(f"[yellow]warning:[/] {warning}")
    pages = extracted.text.split("\f") if len(extracted.page_starts) > 1 else [extracted.text]
    for n, page in enumerate(pages, 1):
        if len(pages) > 1:
            click.echo(f"=== 第{n}页 ===")
        click.echo(page)


@main.command()
@click.argument("query")
@config_option
@click.option("--json", "as_json", is_flag=True, help="print the JSON API's answer")
@click.option("--size", type=click.IntRange(1, 1000), default=10, show_default=True)
def search(query, config_path, as_json, size) -> None:
    """Search the index from a terminal (reads as an administrator)."""
    from .render import search_json

    try:
        settings = _settings(config_path)
        archive = Archive(settings.index.dir, settings.search)
        result = archive.search(SearchRequest(q=query, size=size, facets=as_json,
                                              clearance=SECURITY_LEVELS[-1]))
    except DanganError as e:
        _fail(e)
    if as_json:
        click.echo(json.dumps(search_json(result), ensure_ascii=False, indent=1))
        return
    for notice in result.notices:
        click.echo(f"请注意：{notice}")
    exact = f"，其中 {result.exact_total} 条完全匹配" if result.exact_total < result.total else ""
    click.echo(f"{result.total} 条结果{exact} ({result.millis:.0f} ms)")
    if result.suggestions:
        click.echo(f"您是不是要找：{'、'.join(result.suggestions)}")
    for n, hit in enumerate(result.hits, 1):
        f = hit.fields
        if hit.match == "approximate" and (n == 1 or result.hits[n - 2].match == "exact"):
            click.echo("—— 以下为近似结果 ——")
        found_by = f"  按“{'”“'.join(hit.variants)}”找到" if hit.variants else ""
        known = " ".join(v for v in (f["date"], f["org"], f["doc_number"]) if v)
        click.echo(f"{n:>3}. {f['title'] or f['path']}  {f'[{known}] ' if known else ''}"
                   f"id={f['id']}{found_by}")
        for snip in hit.snippets:
            where = snip.field or f"p{snip.page}"
            out.print(f"     {where}: ", terminal_marks(snip.text, snip.spans), sep="")


@main.command("export-opensearch")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@config_option
@click.option("--index-name", default="dangan", show_default=True,
              help="the index name the mapping and bulk files are for")
@click.option("--batch", type=click.IntRange(min=1), default=5000, show_default=True,
              help="documents per bulk file (and never over 50 MB a file)")
@click.option("--force", is_flag=True, help="replace OUT_DIR when it exists and is not empty")
def export_opensearch(out_dir, config_path, index_name, batch, force) -> None:
    """Write the index for OpenSearch / Elasticsearch into OUT_DIR: mapping.json, _bulk files
    and a README. An administrator's export: EVERY record of every 密级, no clearance applied
    (the application querying the engine must filter on security_rank); written to the
    查阅登记. OUT_DIR appears only when complete."""
    from indexer.search.opensearch_export import ExportOptions, export_index

    from .audit import AuditLog
    from .cli_accounts import CONSOLE

    def registered(summary) -> None:  # before the folder is put in place: never unrecorded
        log = AuditLog(settings.data_dir, settings.database.url)
        try:
            log.write(CONSOLE, "local", "export-index", clearance=SECURITY_LEVELS[-1],
                      records=summary.records, index=summary.name, folder=str(summary.out_dir))
        finally:
            log.close()

    try:
        settings = _settings(config_path)
        with _Counting("exporting") as progress:
            summary = export_index(settings, out_dir, ExportOptions(index_name, batch, force),
                                   progress, registered)
    except DanganError as e:
        _fail(e)
    except OSError as e:  # a full disk: nothing is left behind (the folder is not made)
        err.print(f"[bold red]error:[/] the export failed: {escape(f'{type(e).__name__}: {e}')}")
        sys.exit(RUN_FAILED)
    if summary.dates_left_out:
        err.print(f"[yellow]warning:[/] {summary.dates_left_out} records have a date in no "
                  "form the engine reads: exported without their date")
    files = len(summary.bulk_files)
    click.echo(f"exported {summary.records} records in {files} bulk "
               f"file{'' if files == 1 else 's'} ({summary.bytes / 2**20:.1f} MB with "
               f"mapping.json and README.txt) in {summary.seconds:.1f}s → {summary.out_dir}")
    click.echo(f"load: see {summary.out_dir / 'README.txt'}; every record of every 密级 is "
               "in it, filter on security_rank when querying")


class _Counting:
    """A progress bar of records done on a terminal, plain lines every 10 s otherwise."""

    EVERY = 10.0

    def __init__(self, what: str):
        self.what = what

    def __enter__(self):
        self.bar = self.task = None
        self.last = time.monotonic()
        if err.is_terminal:
            self.bar = Progress(TextColumn(self.what), BarColumn(), MofNCompleteColumn(),
                                TimeRemainingColumn(), console=err, transient=True)
            self.bar.start()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            now = time.monotonic()
            if now - self.last >= self.EVERY:
                self.last = now
                err.print(f"{self.what}: {done}/{total} records")
            return
        if self.task is None:
            self.task = self.bar.add_task(self.what, total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()


def terminal_marks(text: str, spans) -> Text:
    """A snippet for the terminal: hits in bold reverse (【】 around them when the output is
    not a terminal, so they still show in a file or a pipe)."""
    line = Text()
    pos = 0
    for a, b in spans:
        line.append(text[pos:a])
        line.append(text[a:b] if out.is_terminal else f"【{text[a:b]}】", style="bold reverse")
        pos = b
    line.append(text[pos:])
    return line


def _register_account_commands() -> None:
    from .cli_accounts import audit, tokens, users

    main.add_command(users)
    main.add_command(tokens)
    main.add_command(audit)


_register_account_commands()
