"""API tokens: a script's way in without the login form (`Authorization: Bearer TOKEN`).

A token acts as its user: the user's role and clearance are read afresh on every request, so
a changed clearance or a disabled account holds for the token at once. Only a SHA-256 hash of
each token is stored (tokens are 256 random bits, so a plain hash is enough); the token
itself is shown once, when it is made. Revoking takes effect on the next request.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from .accounts import AccountError, Accounts

PREFIX = "dgn_"  # tokens are recognisable (secret scanners, log filters)
MAX_DAYS = 3650
DAY = 86400.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    "user" TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,            -- the token's first characters, to tell tokens apart
    created REAL NOT NULL,
    expires REAL,                  -- NULL: never
    revoked REAL,                  -- NULL: in force
    last_used REAL,
    created_by TEXT NOT NULL DEFAULT ''
)
"""


@dataclass(frozen=True)
class Token:
    id: int
    user: str
    hint: str
    created: float
    expires: float | None
    revoked: float | None
    last_used: float | None
    created_by: str = ""

    def state(self, now: float | None = None) -> str:
        """有效 / 已过期 / 已吊销."""
        now = time.time() if now is None else now
        if self.revoked is not None:
            return "已吊销"
        if self.expires is not None and self.expires <= now:
            return "已过期"
        return "有效"


_COLUMNS = 'id, "user", hint, created, expires, revoked, last_used, created_by'
USE_WRITE_EVERY = 60.0  # seconds: last_used is refreshed at most this often per token


class Tokens:
    """The token table, in the accounts database (a token belongs to an account)."""

    def __init__(self, accounts: Accounts):
        self.accounts = accounts
        self.db = accounts.db  # one connection (and database) with the accounts
        self.db.create(_SCHEMA)

    def create(self, user: str, days: float | None = 90, created_by: str = "") -> tuple[Token, str]:
        """(the stored token, the token itself — shown once, never stored)."""
        account = self.accounts.get(user)
        if account is None:
            raise AccountError(f"没有用户 {user}")
        if not account.active:
            raise AccountError(f"用户 {user} 已停用，不能为其创建令牌")
        if days is not None and not 0 < days <= MAX_DAYS:
            raise AccountError(f"令牌有效天数须在 1 到 {MAX_DAYS} 之间（或不设期限），收到 {days}")
        secret = PREFIX + secrets.token_urlsafe(32)
        now = time.time()
        expires = now + days * DAY if days is not None else None
        token_id = self.db.row(
            'INSERT INTO tokens ("user", hash, hint, created, expires, created_by) '
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (user, _digest(secret), secret[: len(PREFIX) + 4], now, expires, created_by))[0]
        return self.get(token_id), secret

    def get(self, token_id: int) -> Token | None:
        row = self.db.row(f"SELECT {_COLUMNS} FROM tokens WHERE id = ?", (token_id,))
        return Token(*row) if row else None

    def list(self, user: str = "") -> list[Token]:
        where, args = ('WHERE "user" = ?', (user,)) if user else ("", ())
        rows = self.db.rows(f"SELECT {_COLUMNS} FROM tokens {where} ORDER BY id", args)
        return [Token(*r) for r in rows]

    def revoke(self, token_id: int) -> Token:
        n = self.db.run("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                        (time.time(), token_id))
        token = self.get(token_id)
        if token is None:
            raise AccountError(f"没有编号为 {token_id} 的令牌")
        if not n:
            raise AccountError(f"令牌 {token_id} 已经吊销")
        return token

    def holder(self, secret: str) -> Token | None:
        """The token in force for this secret (not revoked, not expired), else None."""
        if not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        now = time.time()
        row = self.db.row(f"SELECT {_COLUMNS} FROM tokens WHERE hash = ? AND revoked IS NULL "
                          "AND (expires IS NULL OR expires > ?)", (_digest(secret), now))
        if row is None:
            return None
        token = Token(*row)
        if token.last_used is None or now - token.last_used > USE_WRITE_EVERY:
            self.db.run("UPDATE tokens SET last_used = ? WHERE id = ?", (now, token.id))
        return token


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
