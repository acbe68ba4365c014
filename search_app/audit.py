"""The 查阅登记: an append-only register of every read (searches, record views, page images,
downloads, 相关记录) and of logins, in dangan's database (SQLite beside the index, or the PostgreSQL
database of `[database] url`, one register for several servers). Rows can be added and read,
never changed or deleted: triggers refuse UPDATE and DELETE.
"""
from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.store.database import Database

from .register import action_label, describe

AUDIT_FILE = "audit.sqlite"
READS = ("search", "suggest", "record", "page", "download", "similar", "export", "hits",
         "export-index")  # export-index: `dangan export-opensearch`, every record
# login-refused: an attempt not even checked because of too many failures; admin: a change
# made on the admin pages (detail says which)
ACTIONS = (*READS, "login", "login-failed", "login-refused", "logout", "admin",
           "correct", "correct-revert")  # an 编辑's correction of a record, and its revert

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    "user" TEXT NOT NULL,        -- '' for an anonymous reader
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    record TEXT NOT NULL DEFAULT '',
    query TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',  -- JSON: filters, result count, page …
    clearance TEXT NOT NULL DEFAULT ''  -- the 密级 the read was made under ('' for a login …)
);
CREATE INDEX IF NOT EXISTS reads_user ON reads ("user", time);
CREATE INDEX IF NOT EXISTS reads_record ON reads (record, time);
CREATE INDEX IF NOT EXISTS reads_address ON reads (address, time)
"""
_SQLITE_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS reads_no_update BEFORE UPDATE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit register is append-only'); END;
CREATE TRIGGER IF NOT EXISTS reads_no_delete BEFORE DELETE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit register is append-only'); END;
"""
_POSTGRES_TRIGGERS = """
CREATE OR REPLACE FUNCTION reads_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit register is append-only' USING ERRCODE = 'restrict_violation';
END $$

CREATE OR REPLACE TRIGGER reads_no_update BEFORE UPDATE ON reads
    FOR EACH ROW EXECUTE FUNCTION reads_append_only()

CREATE OR REPLACE TRIGGER reads_no_delete BEFORE DELETE ON reads
    FOR EACH ROW EXECUTE FUNCTION reads_append_only()

CREATE OR REPLACE TRIGGER reads_no_truncate BEFORE TRUNCATE ON reads
    FOR EACH STATEMENT EXECUTE FUNCTION reads_append_only()
"""
COLUMNS = ("seq", "time", "user", "address", "action", "record", "query", "detail", "clearance")
_SELECT = ", ".join(f'"{c}"' for c in COLUMNS)  # quoted: user is a keyword in PostgreSQL


@dataclass(frozen=True)
class Read:
    seq: int
    time: float
    user: str
    address: str
    action: str
    record: str
    query: str
    detail: str
    clearance: str = ""

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.time))


class AuditLog:
    def __init__(self, data_dir: Path, url: str = ""):
        """`url`: `[database] url` ('' = audit.sqlite in `data_dir`)."""
        # SQLite: fast per row, on disk at the next checkpoint (a crash of the process loses
        # nothing, a power cut may lose the last rows); PostgreSQL: each row committed to disk
        # before the answer goes out (a crash of the database server loses no answered read)
        self.db = Database(data_dir, AUDIT_FILE, url,
                           pragmas=("journal_mode=WAL", "synchronous=NORMAL"),
                           settings=("synchronous_commit=on",))
        self.db.create(_SCHEMA, sqlite_only=_SQLITE_TRIGGERS, postgres_only=_POSTGRES_TRIGGERS)
        self._add_clearance_column()

    def _add_clearance_column(self) -> None:
        """Registers made before the clearance column get it (old rows: '')."""
        if "clearance" in self.db.columns("reads"):
            return
        if self.db.postgres:
            self.db.run("ALTER TABLE reads ADD COLUMN IF NOT EXISTS clearance TEXT NOT NULL "
                        "DEFAULT ''")
            return
        try:
            self.db.run("ALTER TABLE reads ADD COLUMN clearance TEXT NOT NULL DEFAULT ''")
        except Exception as e:  # another process added it a moment ago
            if "duplicate column" not in str(e):
                raise

    def write(self, user: str, address: str, action: str, record: str = "", query: str = "",
              clearance: str = "", **detail) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        query = (query or "").replace("\x00", "\\x00")  # (PostgreSQL stores no NUL)
        row = (time.time(), user or "", address or "", action, record or "", query,
               json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "",
               clearance)
        self.db.run('INSERT INTO reads (time, "user", address, action, record, query, '
                    "detail, clearance) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

    def find(self, user: str = "", record: str = "", action: str = "", date_from: str = "",
             date_to: str = "", limit: int = 1000, offset: int = 0, before: int = 0,
             clearances: tuple[str, ...] | None = None) -> list[Read]:
        """Rows, newest first, filtered by user, record, action and dates (YYYY-MM-DD);
        `before` keeps rows older than that sequence number (for reading in batches);
        `clearances` keeps reads made under those 密级 (and rows of no 密级, such as logins)."""
        where, args = [], []
        if before:
            where.append("seq < ?")
            args.append(before)
        if clearances is not None:
            where.append(f"clearance IN ({', '.join('?' * (len(clearances) + 1))})")
            args.extend((*clearances, ""))
        for column, value in (('"user"', user), ("record", record), ("action", action)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if date_from:
            where.append("time >= ?")
            args.append(_day_start(date_from))
        if date_to:
            where.append("time < ?")
            args.append(_day_start(date_to) + 86400)
        sql = f"SELECT {_SELECT} FROM reads"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC LIMIT ? OFFSET ?"
        rows = self.db.rows(sql, (*args, limit, offset))
        return [Read(*r) for r in rows]

    def failures(self, column: str, value: str, since: float) -> list[float]:
        """Times of failed logins since `since` by one user name or from one address, oldest
        first (for login throttling, shared by every server process)."""
        if column not in ("user", "address"):
            raise ValueError(column)
        rows = self.db.rows(f'SELECT time FROM reads WHERE "{column}" = ? AND time > ? '
                            "AND action = 'login-failed' ORDER BY time", (value, since))
        return [r[0] for r in rows]

    def last(self, action: str, user: str, since: float = 0.0) -> float:
        """The time of this user's latest row with this action after `since`, else 0."""
        row = self.db.row('SELECT MAX(time) FROM reads WHERE "user" = ? AND time > ? '
                          "AND action = ?", (user, since, action))
        return row[0] or 0.0

    def count(self) -> int:
        return self.db.row("SELECT COUNT(*) FROM reads")[0]

    def close(self) -> None:
        self.db.close()


CSV_HEADER = ("序号", "时间", "用户", "地址", "操作", "记录", "档号/题名", "检索词", "详情", "查阅密级")


def to_csv(reads: list[Read], header: bool = True,
           titles: dict[str, str] | None = None) -> str:
    """CSV of these rows, as the register page shows them (Chinese action names, details in
    words; `titles`: record id → 档号/题名). Text a reader typed (user names, queries) that a
    spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe."""
    out = io.StringIO()
    w = csv.writer(out)
    if header:
        w.writerow(CSV_HEADER)
    for r in reads:
        w.writerow([r.seq, r.when, _cell(r.user) or "（匿名）", _cell(r.address),
                    action_label(r.action), _cell(r.record),
                    _cell((titles or {}).get(r.record, "")), _cell(r.query),
                    _cell(describe(r.detail)), r.clearance])
    return out.getvalue()


def _cell(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _day_start(day: str) -> float:
    try:
        return time.mktime(time.strptime(day, "%Y-%m-%d"))
    except ValueError:
        raise ValueError(f"日期格式应为 YYYY-MM-DD，收到 {day!r}") from None
