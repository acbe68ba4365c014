"""Accounts: users, roles and clearances in dangan's database (never in config files): SQLite
beside the index, or the PostgreSQL database of `[database] url` that several servers share.

Passwords are hashed with werkzeug (scrypt). Roles: 管理员 (manages users, reads the audit
register, corrects records), 编辑 (corrects records up to their clearance) and 查阅人 (reads
records up to their clearance). There is no default account:
the first administrator is created on the command line.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from indexer.errors import DanganError
from indexer.fields import SECURITY_LEVELS
from indexer.store.database import Database, IntegrityError

ACCOUNTS_FILE = "accounts.sqlite"
ADMIN, EDITOR, READER = "管理员", "编辑", "查阅人"
ROLES = (ADMIN, EDITOR, READER)
MIN_PASSWORD = 8
NAME_CHARS = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password TEXT NOT NULL,
    role TEXT NOT NULL,
    clearance TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created REAL NOT NULL,
    session_version INTEGER NOT NULL DEFAULT 0  -- bumped to end every session of the user
)
"""


class AccountError(DanganError):
    """A user name, password, role or clearance that cannot be accepted."""

    exit_code = 2
    http_status = 400


@dataclass(frozen=True)
class User:
    name: str
    role: str
    clearance: str
    active: bool
    session_version: int = 0

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def may_correct(self) -> bool:
        """编辑 and 管理员 may correct records (up to their own clearance)."""
        return self.role in (ADMIN, EDITOR)


class Accounts:
    def __init__(self, data_dir: Path, url: str = ""):
        """`url`: `[database] url` ('' = accounts.sqlite in `data_dir`)."""
        self.db = Database(data_dir, ACCOUNTS_FILE, url)
        self.db.create(_SCHEMA)

    def add(self, name: str, password: str, role: str = READER,
            clearance: str = SECURITY_LEVELS[0]) -> User:
        name = _valid_name(name)
        _check(role, clearance, password)
        hashed = generate_password_hash(password)
        try:
            self.db.run("INSERT INTO users VALUES (?, ?, ?, ?, 1, ?, 0)",
                        (name, hashed, role, clearance, time.time()))
        except IntegrityError:
            raise AccountError(f"用户 {name} 已存在") from None
        return self.get(name)

    def get(self, name: str) -> User | None:
        row = self.db.row("SELECT name, role, clearance, active, session_version "
                          "FROM users WHERE name = ?", (name,))
        return User(row[0], row[1], row[2], bool(row[3]), row[4]) if row else None

    def list(self) -> list[User]:
        rows = self.db.rows("SELECT name, role, clearance, active, session_version "
                            "FROM users ORDER BY name")
        return [User(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def has_admin(self) -> bool:
        return self.db.row("SELECT 1 FROM users WHERE role = ? AND active = 1",
                           (ADMIN,)) is not None

    def verify(self, name: str, password: str) -> User | None:
        """The active user with this name and password, else None (same work either way)."""
        row = self.db.row("SELECT password FROM users WHERE name = ? AND active = 1", (name,))
        stored = row[0] if row else _DUMMY_HASH
        ok = check_password_hash(stored, password)
        return self.get(name) if row and ok else None

    def set_clearance(self, name: str, clearance: str) -> User:
        _check(READER, clearance)
        return self._update(name, "clearance = ?, session_version = session_version + 1",
                            clearance)

    def set_role(self, name: str, role: str) -> User:
        _check(role, SECURITY_LEVELS[0])
        return self._update(name, "role = ?, session_version = session_version + 1", role)

    def disable(self, name: str) -> User:
        return self._update(name, "active = 0, session_version = session_version + 1")

    def enable(self, name: str) -> User:
        return self._update(name, "active = 1")

    def end_sessions(self, name: str) -> User:
        """Log the user out everywhere (a copied session cookie stops working too)."""
        return self._update(name, "session_version = session_version + 1")

    def reset_password(self, name: str, password: str) -> User:
        _check(READER, SECURITY_LEVELS[0], password)
        return self._update(name, "password = ?, session_version = session_version + 1",
                            generate_password_hash(password))

    def _update(self, name: str, assignments: str, *values) -> User:
        n = self.db.run(f"UPDATE users SET {assignments} WHERE name = ?", (*values, name))
        if not n:
            raise AccountError(f"没有用户 {name}")
        return self.get(name)

    def close(self) -> None:
        self.db.close()


_DUMMY_HASH = generate_password_hash("not a password of anyone")


def _valid_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_CHARS or any(c.isspace() or ord(c) < 32 for c in name):
        raise AccountError(f"用户名须为 1–{NAME_CHARS} 个字符，不含空格")
    return name


def _check(role: str, clearance: str, password: str | None = None) -> None:
    if role not in ROLES:
        raise AccountError(f"角色只能是 {' / '.join(ROLES)}，收到 {role!r}")
    if clearance not in SECURITY_LEVELS:
        raise AccountError(f"密级只能是 {' / '.join(SECURITY_LEVELS)}，收到 {clearance!r}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
