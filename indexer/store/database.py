"""The connection to one of dangan's shared stores (accounts and tokens, login throttling, the
查阅登记, corrections): a SQLite file beside the index by default, or one PostgreSQL database
named by `[database] url`, which several servers behind a load balancer then share.

A small layer over the two DB-API drivers (sqlite3, psycopg 3), so each store keeps one set of
SQL: `?` placeholders (turned into `%s` for psycopg), ids read with `INSERT … RETURNING`, and a
schema written once in SQLite's words and translated for PostgreSQL (`REAL` → double precision,
an integer primary key → an identity column). A `Database` holds one connection per process,
shared by the process's threads under a lock; a process forked from it (gunicorn workers, the
indexer's extraction pool) opens its own on first use and never uses nor closes its parent's.
Errors from the database reach the user as `DatabaseError` naming the server, never a
traceback nor the password.
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

from ..errors import DanganError
from ..private import private_dir, private_file

SCHEMES = ("postgresql", "postgres")
CONNECT_TIMEOUT = 10  # seconds to reach the PostgreSQL server before saying it cannot be reached
# a statement waiting on a lock (a VACUUM FULL, an ALTER) or running long fails instead of
# holding a server's worker: the reader gets a 503, the command an error
TIMEOUTS = ("lock_timeout=10s", "statement_timeout=60s")
_SCHEMA_LOCK = 0x64616E67  # advisory lock id: one process at a time creates tables ("dang")
_inherited: list[Any] = []  # connections a forked child got from its parent: kept, never closed


class DatabaseError(DanganError):
    """The shared database cannot be reached or refused an operation."""

    exit_code = 2
    http_status = 503


class IntegrityError(Exception):
    """A row the database refuses: a duplicate key, or a change to the append-only register."""


def is_postgres(url: str) -> bool:
    return bool(url) and urlsplit(url).scheme in SCHEMES


def redacted(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()


def server_name(url: str) -> str:
    """host:port/database, as messages name the server."""
    parts = urlsplit(url)
    try:
        port = parts.port or 5432
    except ValueError:
        port = "?"
    query_host = re.search(r"(?:^|&)host=([^&]*)", parts.query)
    host = parts.hostname or (unquote(query_host.group(1)) if query_host else "localhost")
    return f"{host}:{port}/{parts.path.lstrip('/') or parts.username or ''}"


class Database:
    """One store's connection: `rows`, `row` and `run` execute one statement each (committed
    at once); `transaction()` groups several, serialised across processes."""

    def __init__(self, data_dir: Path, filename: str, url: str = "",
                 pragmas: tuple[str, ...] = (), settings: tuple[str, ...] = ()):
        """`pragmas`: SQLite's for this file; `settings`: PostgreSQL's for this connection
        ("name=value")."""
        self.url = url or ""
        self.postgres = is_postgres(self.url)
        if self.url and not self.postgres:
            raise DatabaseError(f"[database] url must start with postgresql:// (or be empty), "
                                f"got {urlsplit(self.url).scheme or 'no scheme'}")
        self.path = None if self.postgres else data_dir / filename
        self.where = (f"PostgreSQL server {server_name(self.url)}" if self.postgres
                      else str(self.path))
        self._pragmas = pragmas
        self._settings = settings
        self._lock = threading.RLock()
        self._open_transactions = 0  # (a statement inside one is never sent again)
        self._conn = None
        self._pid = 0
        if not self.postgres:
            private_dir(data_dir)
        self._connection()  # fail now, clearly, when the server cannot be reached

    # --- one statement -------------------------------------------------------------------
    def rows(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self._execute(sql, params, fetch=True)[0]

    def row(self, sql: str, params: tuple | list = ()) -> tuple | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def run(self, sql: str, params: tuple | list = ()) -> int:
        """Execute a change; the number of rows it touched."""
        with self._lock:
            return self._execute(sql, params, fetch=False)[1]

    @contextmanager
    def transaction(self, table: str = "") -> Iterator["Database"]:
        """Statements inside commit together (or not at all). With `table`, one transaction at
        a time writes or reads it for writing, across processes and servers (SQLite: BEGIN
        IMMEDIATE; PostgreSQL: an exclusive lock on that table) — for check-then-write."""
        with self._lock:
            conn = self._connection()
            self._open_transactions += 1
            try:
                if self.postgres:
                    self._execute("BEGIN", (), fetch=False)
                    if table:
                        self._execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE", (), fetch=False)
                else:
                    self._execute("BEGIN IMMEDIATE" if table else "BEGIN", (), fetch=False)
                yield self
                self._execute("COMMIT", (), fetch=False)
            except BaseException:
                if not getattr(conn, "closed", False):
                    try:
                        conn.execute("ROLLBACK")
                    except Exception:  # the connection is gone: nothing to roll back
                        pass
                raise
            finally:
                self._open_transactions -= 1

    # --- schema ----------------------------------------------------------------------------
    def create(self, schema: str, sqlite_only: str = "", postgres_only: str = "") -> None:
        """Create the tables (idempotent; safe when several processes start together).
        `schema` is SQLite's DDL (semicolon-separated), translated for PostgreSQL."""
        with self._lock:
            conn = self._connection()
            if not self.postgres:
                conn.executescript(schema + ";\n" + sqlite_only)
                return
            with self.transaction():
                self._execute(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})", (), fetch=True)
                for statement in _statements(postgres_ddl(schema)):
                    if self._missing(statement):  # (PostgreSQL asks for the right to create
                        self._execute(statement, None, fetch=False)  # even when it exists)
                for statement in [s for s in _statements(postgres_only, split=False)
                                  if self._missing(s)]:
                    self._execute(statement, None, fetch=False)

    def exists(self, table: str) -> bool:
        """Whether the table is there (whatever this user may do with it)."""
        if self.postgres:
            return bool(self.row("SELECT to_regclass(?) IS NOT NULL", (table,))[0])
        return self.row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (table,))[0] > 0

    def _missing(self, statement: str) -> bool:
        """Whether what a PostgreSQL DDL statement creates is not there yet (a statement of
        another kind: True)."""
        if m := re.match(r"CREATE (?:UNIQUE )?(?:TABLE|INDEX) IF NOT EXISTS (\w+)", statement):
            return not self.exists(m.group(1))
        if m := re.match(r"CREATE OR REPLACE FUNCTION (\w+)\(", statement):
            return self.row("SELECT to_regproc(?) IS NULL", (m.group(1),))[0]
        if m := re.match(r"CREATE OR REPLACE TRIGGER (\w+)\b.*?\bON (\w+)", statement, re.S):
            return self.row("SELECT count(*) FROM pg_trigger WHERE tgname = ? AND "
                            "tgrelid = to_regclass(?)", m.groups())[0] == 0
        return True

    def columns(self, table: str) -> set[str]:
        if self.postgres:
            return {r[0] for r in self.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_schema = current_schema()", (table,))}
        return {r[1] for r in self.rows(f"PRAGMA table_info({table})")}

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None

    # --- the connection ----------------------------------------------------------------------
    def _connection(self):
        if self._conn is not None and self._pid != os.getpid():
            _inherited.append(self._conn)  # the parent's: never used, never closed here
            self._conn = None
        if self._conn is not None and self.postgres and (self._conn.closed or self._conn.broken):
            self._conn = None  # the server went away: connect again
        if self._conn is None:
            self._conn = self._connect_postgres() if self.postgres else self._connect_sqlite()
            self._pid = os.getpid()
        return self._conn

    def _connect_sqlite(self):
        conn = sqlite3.connect(private_file(self.path), timeout=30, check_same_thread=False,
                               isolation_level=None)
        for pragma in self._pragmas:
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def _connect_postgres(self):
        import psycopg

        try:
            return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   application_name="dangan",
                                   options=" ".join(f"-c {s}" for s in (*TIMEOUTS,
                                                                        *self._settings)))
        except psycopg.Error as e:
            raise DatabaseError(f"cannot connect to the database: {self.where}: "
                                f"{self._reason(e)}") from None

    def _execute(self, sql: str, params, fetch: bool) -> tuple[list[tuple], int]:
        conn = self._connection()
        if not self.postgres:
            try:
                cur = conn.execute(sql, params or ())
                return (cur.fetchall() if fetch else []), cur.rowcount
            except sqlite3.IntegrityError as e:
                raise IntegrityError(str(e)) from e
        import psycopg

        if params is not None:
            sql = sql.replace("%", "%%").replace("?", "%s")
        try:
            try:
                cur = conn.execute(sql, params)
            except psycopg.OperationalError:
                if self._open_transactions or not (conn.closed or conn.broken):
                    raise
                # a connection the server ended since its last use (a restart): the statement
                # never reached it; once more on a new connection rather than a 503 for a reader
                cur = self._connection().execute(sql, params)
            return (cur.fetchall() if fetch and cur.description else []), cur.rowcount
        except psycopg.IntegrityError as e:
            raise IntegrityError(self._reason(e)) from None
        except psycopg.errors.InsufficientPrivilege as e:
            raise DatabaseError(
                f"the database at {self.where} refused: {self._reason(e)} (the user of "
                "[database] url needs SELECT, INSERT, UPDATE on dangan's tables and USAGE on "
                "their sequences; creating them the first time also needs CREATE on the "
                "schema: start dangan once with the owner's url)") from None
        except psycopg.OperationalError as e:
            raise DatabaseError(f"the database at {self.where} failed: "
                                f"{self._reason(e)}") from None

    def _reason(self, e: Exception) -> str:
        """The driver's message, first line, without the password."""
        text = (str(e).strip().splitlines() or [type(e).__name__])[0]
        password = urlsplit(self.url).password
        for secret in {password, unquote(password or "")} - {None, ""}:
            text = text.replace(secret, "***")
        return text


def postgres_ddl(schema: str) -> str:
    """SQLite DDL in PostgreSQL's words: the same columns, floats as double precision, an
    integer primary key as an identity column."""
    schema = re.sub(r"\bINTEGER PRIMARY KEY( AUTOINCREMENT)?",
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", schema)
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", schema)


def _statements(script: str, split: bool = True) -> list[str]:
    """The statements of a script (`split=False`: statements separated by blank lines, for
    function bodies that contain semicolons)."""
    script = re.sub(r"--[^\n]*", "", script)
    parts = script.split(";") if split else re.split(r"\n\s*\n", script)
    return [p.strip() for p in parts if p.strip()]
