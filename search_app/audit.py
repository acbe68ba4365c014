"""The 查阅登记: an append-only register of every read (searches, record views, page images,
downloads), in SQLite beside the index. Rows can be added and read, never changed or deleted:
triggers refuse UPDATE and DELETE.
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

AUDIT_FILE = "audit.sqlite"
ACTIONS = ("search", "record", "page", "download", "similar", "login", "login-failed", "logout")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    user TEXT NOT NULL,          -- '' for an anonymous reader
    address TEXT NOT NULL,
    action TEXT NOT NULL,
    record TEXT NOT NULL DEFAULT '',
    query TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''  -- JSON: filters, result count, page …
);
CREATE INDEX IF NOT EXISTS reads_user ON reads (user, time);
CREATE INDEX IF NOT EXISTS reads_record ON reads (record, time);
CREATE TRIGGER IF NOT EXISTS reads_no_update BEFORE UPDATE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit register is append-only'); END;
CREATE TRIGGER IF NOT EXISTS reads_no_delete BEFORE DELETE ON reads
    BEGIN SELECT RAISE(ABORT, 'the audit register is append-only'); END;
"""
COLUMNS = ("seq", "time", "user", "address", "action", "record", "query", "detail")


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

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.time))


class AuditLog:
    def __init__(self, data_dir: Path):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(data_dir / AUDIT_FILE, timeout=30, check_same_thread=False,
                                  isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; fast per row
        self.db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def write(self, user: str, address: str, action: str, record: str = "", query: str = "",
              **detail) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        row = (time.time(), user or "", address or "", action, record or "", query or "",
               json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else "")
        with self._lock:
            self.db.execute("INSERT INTO reads (time, user, address, action, record, query, "
                            "detail) VALUES (?, ?, ?, ?, ?, ?, ?)", row)

    def find(self, user: str = "", record: str = "", action: str = "", date_from: str = "",
             date_to: str = "", limit: int = 1000) -> list[Read]:
        """Rows, newest first, filtered by user, record, action and dates (YYYY-MM-DD)."""
        where, args = [], []
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
        sql += " ORDER BY seq DESC LIMIT ?"
        with self._lock:
            rows = self.db.execute(sql, (*args, limit)).fetchall()
        return [Read(*r) for r in rows]

    def close(self) -> None:
        self.db.close()


def to_csv(reads: list[Read]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["序号", "时间", "用户", "地址", "操作", "记录", "检索词", "详情"])
    for r in reads:
        w.writerow([r.seq, r.when, r.user or "（匿名）", r.address, r.action, r.record, r.query,
                    r.detail])
    return out.getvalue()


def _day_start(day: str) -> float:
    try:
        return time.mktime(time.strptime(day, "%Y-%m-%d"))
    except ValueError:
        raise ValueError(f"日期格式应为 YYYY-MM-DD，收到 {day!r}") from None
