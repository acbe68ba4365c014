"""The 查阅登记: an append-only register of every read (searches, record views, page images,
downloads, 相关记录) and of logins, in SQLite beside the index. Rows can be added and read, never
changed or deleted: triggers refuse UPDATE and DELETE.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.private import private_dir, private_file

from .register import action_label, describe

AUDIT_FILE = "audit.sqlite"
READS = ("search", "suggest", "record", "page", "download", "similar", "export", "hits")
# login-refused: an attempt not even checked because of too many failures; admin: a change
# made on the admin pages (detail says which)
ACTIONS = (*READS, "login", "login-failed", "login-refused", "logout", "admin",
           "correct", "correct-revert")  # an 编辑's correction of a record, and its revert

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    user TEXT NOT NULL,          -- '' for an anonymous reader
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    record TEXT NOT NULL DEFAULT '',
    query TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',  -- JSON: filters, result count, page …
    clearance TEXT NOT NULL DEFAULT ''  -- the 密级 the read was made under ('' for a login …)
);
CREATE INDEX IF NOT EXISTS reads_user ON reads (user, time);
CREATE INDEX IF NOT EXISTS reads_record ON reads (record, time);
CREATE INDEX IF NOT EXISTS reads_address ON reads (address, time);
CREATE TRIGGER IF NOT EXISTS reads_no_update BEFORE UPDATE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit register is append-only'); END;
CREATE TRIGGER IF NOT EXISTS reads_no_delete BEFORE DELETE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit register is append-only'); END;
"""
COLUMNS = ("seq", "time", "user", "address", "action", "record", "query", "detail", "clearance")


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
    def __init__(self, data_dir: Path):
        private_dir(data_dir)
        self.db = sqlite3.connect(private_file(data_dir / AUDIT_FILE), timeout=30,
                                  check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; fast per row
        self.db.executescript(_SCHEMA)
        self._add_clearance_column()
        self._lock = threading.Lock()

    def _add_clearance_column(self) -> None:
        """Registers made before the clearance column get it (old rows: '')."""
        if "clearance" in {r[1] for r in self.db.execute("PRAGMA table_info(reads)")}:
            return
        try:
            self.db.execute("ALTER TABLE reads ADD COLUMN clearance TEXT NOT NULL DEFAULT ''")
        except sqlite3.OperationalError as e:  # another process added it a moment ago
            if "duplicate column" not in str(e):
                raise

    def write(self, user: str, address: str, action: str, record: str = "", query: str = "",
              clearance: str = "", **detail) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        row = (time.time(), user or "", address or "", action, record or "", query or "",
               json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "",
               clearance)
        with self._lock:
            self.db.execute("INSERT INTO reads (time, user, address, action, record, query, "
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
        for column, value in (("user", user), ("record", record), ("action", action)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if date_from:
            where.append("time >= ?")
            args.append(_day_start(date_from))
        if date_to:
            where.append("time < ?")
            args.append(_day_start(date_to) + 86400)
        sql = f"SELECT {', '.join(COLUMNS)} FROM reads"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC LIMIT ? OFFSET ?"
        with self._lock:
            rows = self.db.execute(sql, (*args, limit, offset)).fetchall()
        return [Read(*r) for r in rows]

    def failures(self, column: str, value: str, since: float) -> list[float]:
        """Times of failed logins since `since` by one user name or from one address, oldest
        first (for login throttling, shared by every server process)."""
        if column not in ("user", "address"):
            raise ValueError(column)
        with self._lock:
            rows = self.db.execute(f"SELECT time FROM reads WHERE {column} = ? AND time > ? "
                                   "AND action = 'login-failed' ORDER BY time",
                                   (value, since)).fetchall()
        return [r[0] for r in rows]

    def last(self, action: str, user: str, since: float = 0.0) -> float:
        """The time of this user's latest row with this action after `since`, else 0."""
        with self._lock:
            row = self.db.execute("SELECT MAX(time) FROM reads WHERE user = ? AND time > ? "
                                  "AND action = ?", (user, since, action)).fetchone()
        return row[0] or 0.0

    def count(self) -> int:
        with self._lock:
            return self.db.execute("SELECT COUNT(*) FROM reads").fetchone()[0]

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
