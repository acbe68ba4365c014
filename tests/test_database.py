"""[database] url and its connection layer (indexer/store/database.py) against a real
PostgreSQL server: validation, an unreachable or refusing server as a clear message naming it
(never the password, never a traceback) from the stores, the CLI and `dangan serve`; tables
made by several processes starting together; forked processes with connections of their own;
a connection the server dropped is made again."""
from __future__ import annotations

import json
import multiprocessing
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest
from pg import PASSWORD
from test_server import dangan_command

from indexer.config import load_settings
from indexer.errors import ConfigError
from indexer.store.corrections import Corrections
from indexer.store.database import DatabaseError, redacted
from search_app.accounts import READER, Accounts
from search_app.audit import AuditLog
from search_app.cli import main
from search_app.throttle import Throttle
from search_app.tokens import Tokens

SECRET = "Zz-9-not-Printed"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def _config(tmp_path: Path, url: str, index_dir: Path | None = None) -> Path:
    cfg = tmp_path / "config.toml"
    index = json.dumps((index_dir or tmp_path / "data" / "index").as_posix())
    cfg.write_text(f"[index]\ndir = {index}\n[database]\nurl = {json.dumps(url)}\n",
                   encoding="utf-8")
    return cfg


@pytest.mark.parametrize("url, message", [
    ("mysql://u:" + SECRET + "@db/x", "must be empty .* or a PostgreSQL URL .* mysql://"),
    ("db.example.org/dangan", "with no scheme"),
    ("postgresql://u:" + SECRET + "@db:port/x", "not a valid URL"),
    ("postgresql:///dangan", "names no server"),
])
def test_a_url_that_is_not_postgresql_is_a_clear_config_error(tmp_path, url, message):
    with pytest.raises(ConfigError, match=message) as e:
        load_settings(_config(tmp_path, url))
    assert SECRET not in str(e.value)


def test_the_password_stays_out_of_the_settings_and_messages(tmp_path):
    url = f"postgresql://dangan:{SECRET}@db.example.org:5433/archive"
    settings = load_settings(_config(tmp_path, url))
    assert settings.database.url == url and SECRET not in repr(settings)
    assert redacted(url) == "postgresql://dangan:***@db.example.org:5433/archive"
    for ok in ("postgres://db/archive", "postgresql://u@/archive?host=/run/postgresql"):
        assert load_settings(_config(tmp_path, ok)).database.url == ok


def test_an_unreachable_server_is_named_without_the_password(tmp_path):
    port = _closed_port()
    url = f"postgresql://dangan:{SECRET}@127.0.0.1:{port}/archive"
    for store in (Accounts, AuditLog, Throttle, Corrections):
        with pytest.raises(DatabaseError) as e:
            store(tmp_path, url)
        assert f"127.0.0.1:{port}/archive" in str(e.value) and SECRET not in str(e.value)
    assert not list(tmp_path.iterdir())  # no SQLite file made instead


def test_a_wrong_password_is_refused_clearly(tmp_path, pg_server):
    url = pg_server.url(password=SECRET)
    with pytest.raises(DatabaseError, match="password authentication failed") as e:
        Accounts(tmp_path, url)
    assert SECRET not in str(e.value) and f"127.0.0.1:{pg_server.port}" in str(e.value)


@pytest.mark.parametrize("args", [
    ["users", "list"], ["users", "add", "王五", "--password", "long enough"],
    ["tokens", "list"], ["tokens", "create", "王五"], ["audit"], ["index", "--dry-run"],
])
def test_commands_report_an_unreachable_database_and_exit_2(tmp_path, cli_runner, args):
    port = _closed_port()
    cfg = _config(tmp_path, f"postgresql://dangan:{SECRET}@127.0.0.1:{port}/archive")
    (tmp_path / "corpus").mkdir()
    if args[0] == "index":
        args = [*args, str(tmp_path / "corpus")]
    result = cli_runner.invoke(main, [*args, "--config", str(cfg)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert f"cannot connect to the database: PostgreSQL server 127.0.0.1:{port}/archive" in \
        result.output
    assert SECRET not in result.output and "Traceback" not in result.output


def test_serve_reports_an_unreachable_database(tmp_path, built_index):
    port = _closed_port()
    cfg = _config(tmp_path, f"postgresql://dangan:{SECRET}@127.0.0.1:{port}/archive",
                  built_index.index.dir)
    done = subprocess.run(dangan_command() + ["serve", "--config", str(cfg), "--port", "1"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert f"127.0.0.1:{port}/archive" in said and "cannot connect to the database" in said
    assert SECRET not in said and "Traceback" not in said


def _open_everything(url: str, data_dir: str) -> str:
    """What a server process does on start: open every store (tables made on first use)."""
    try:
        accounts = Accounts(Path(data_dir), url)
        Tokens(accounts)
        AuditLog(Path(data_dir), url).write("", "x", "search", query="并发")
        Throttle(Path(data_dir), url)
        Corrections(Path(data_dir), url)
        return "ok"
    except Exception as e:  # reported back to the test, which names it
        return f"{type(e).__name__}: {e}"


def test_processes_starting_together_make_the_tables_once(tmp_path, pg_url):
    with multiprocessing.get_context("fork").Pool(6) as pool:
        results = pool.starmap(_open_everything, [(pg_url, str(tmp_path))] * 6)
    assert results == ["ok"] * 6
    assert AuditLog(tmp_path, pg_url).count() == 6


def _child_uses_the_store(accounts: Accounts, out) -> None:
    accounts.add("子进程", "child password", READER, "公开")
    out.send([u.name for u in accounts.list()])


def test_a_forked_process_connects_on_its_own_and_leaves_the_parents_alone(tmp_path,
                                                                            store_url):
    accounts = Accounts(tmp_path, store_url)
    accounts.add("父进程", "parent password", READER, "公开")
    if store_url:
        parent_backend = accounts.db.row("SELECT pg_backend_pid()")[0]
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    child = ctx.Process(target=_child_uses_the_store, args=(accounts, there))
    child.start()
    assert sorted(here.recv()) == ["子进程", "父进程"]
    child.join(30)
    assert child.exitcode == 0
    # the parent's connection still works (the child neither used nor closed it)
    assert accounts.get("子进程") is not None
    if store_url:
        assert accounts.db.row("SELECT pg_backend_pid()")[0] == parent_backend
    accounts.close()


def test_a_connection_the_server_dropped_is_made_again(tmp_path, pg_url):
    log = AuditLog(tmp_path, pg_url)
    log.write("张三", "a", "search", query="一")
    backend = log.db.row("SELECT pg_backend_pid()")[0]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
    log.write("张三", "a", "search", query="二")  # sent again on a new connection (a restart
    log.write("张三", "a", "search", query="三")  # of the server no longer costs a reader a 503)
    assert [r.query for r in log.find()] == ["三", "二", "一"]
    assert log.db.row("SELECT pg_backend_pid()")[0] != backend
    assert log.db.row("SHOW synchronous_commit") == ("on",)  # each row on disk before the answer
    assert log.db.row("SHOW lock_timeout") == ("10s",)  # a locked table: an error, not a hang
    with log.db.transaction("reads"):  # inside a transaction nothing is sent twice
        backend = log.db.row("SELECT pg_backend_pid()")[0]
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        with pytest.raises(DatabaseError) as e:
            log.db.row("SELECT count(*) FROM reads")
    assert "the database at PostgreSQL server" in str(e.value) and PASSWORD not in str(e.value)
    log.write("张三", "a", "search", query="四")
    assert len(log.find()) == 4


def test_a_reader_is_told_the_database_is_down_without_its_address(tmp_path, built_index,
                                                                     pg_url):
    """A request made while the shared database refuses connections is a 503 in Chinese with
    a reference number; the database's host and name are for the server's log only."""
    from conftest import app_over

    app = app_over(tmp_path, built_index, database={"url": pg_url},
                   auth={"anonymous_clearance": "公开"})
    client = app.test_client()
    assert client.get("/api/search", query_string={"q": "档案"}).status_code == 200
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    for _ in range(2):  # the connection the server dropped: a new one, refused
        answer = client.get("/api/search", query_string={"q": "档案"})
        if answer.status_code != 200:
            break
    body = answer.get_data(as_text=True)
    assert answer.status_code == 503 and "数据库暂时无法连接" in body and "参考编号" in body
    assert "127.0.0.1" not in body and name not in body and PASSWORD not in body


def test_serve_says_which_sqlite_stores_a_database_url_leaves_unused(tmp_path):
    """Moving to PostgreSQL leaves the SQLite stores beside the index unused: serve says so
    (it said nothing; tester's finding)."""
    from conftest import make_settings
    from search_app.cli import unused_files

    settings = make_settings(tmp_path / "data" / "index")
    (tmp_path / "data").mkdir()
    for name in ("accounts.sqlite", "corrections.sqlite"):
        (tmp_path / "data" / name).write_bytes(b"x")
    assert unused_files(settings) == []  # (no url: they are the stores)
    moved = make_settings(tmp_path / "data" / "index",
                          database={"url": "postgresql://u@db.example:5432/dangan"})
    assert unused_files(moved) == ["accounts.sqlite", "corrections.sqlite"]
