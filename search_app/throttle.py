"""Login throttling, shared by every server process through dangan's database (a SQLite file
beside the index, or the PostgreSQL database of `[database] url` that several servers share).

Per address: 20 failed logins within 15 minutes refuse that address for 15 minutes. Per account:
no lockout (an attacker could lock the archive's clerks out): after 5 failures each further
attempt must wait 2, 4, 8 … seconds (at most 15 minutes) after the failure before it. An attempt
is checked and counted in one transaction, before its password is checked, so parallel requests
cannot slip guesses past the count; it stays counted as a failure unless the password was right.
"""
from __future__ import annotations

from pathlib import Path

from indexer.store.database import Database

THROTTLE_FILE = "logins.sqlite"
ACCOUNT_FREE = 5  # failed logins for one account before attempts are slowed down
ACCOUNT_WINDOW = 24 * 3600  # failures older than this, or before a successful login, are forgotten
MAX_DELAY = 15 * 60  # the longest wait between two attempts at one account
ADDRESS_FAILURES = 20  # failed logins from one address …
WINDOW = 15 * 60  # … within this many seconds …
LOCKOUT = 15 * 60  # … refuse that address for this many seconds

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    "user" TEXT NOT NULL,
    address TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'pending'  -- pending (counted as a failure) | failed | ok
);
CREATE INDEX IF NOT EXISTS attempts_user ON attempts ("user", time);
CREATE INDEX IF NOT EXISTS attempts_address ON attempts (address, time);
CREATE INDEX IF NOT EXISTS attempts_time ON attempts (time);
"""


def account_delay(failures: int) -> float:
    """Seconds an attempt must wait after the last of `failures` failures (0: none)."""
    if failures < ACCOUNT_FREE:
        return 0.0
    return float(min(2 ** min(failures - ACCOUNT_FREE + 1, 30), MAX_DELAY))


def locked_until(times: list[float], limit: int, window: float = WINDOW,
                 lockout: float = LOCKOUT) -> float:
    """When a lockout ends, given failure times (oldest first): `limit` failures within `window`
    lock for `lockout` seconds from the last of them. 0 when they never did."""
    until = 0.0
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= window:
            until = max(until, times[i] + lockout)
    return until


class Throttle:
    def __init__(self, data_dir: Path, url: str = ""):
        """`url`: `[database] url` ('' = logins.sqlite in `data_dir`)."""
        self.db = Database(data_dir, THROTTLE_FILE, url, pragmas=("journal_mode=WAL",))
        self.db.create(_SCHEMA)

    def begin(self, name: str, address: str, now: float) -> tuple[int | None, float]:
        """Check and count a login attempt in one transaction: (its id, 0) when it may go on
        (it counts as a failure until `finish` says it was not one), (None, until when) when it
        is refused (a refused attempt does not count)."""
        with self.db.transaction("attempts"):  # one checker at a time, across processes
            self.db.run("DELETE FROM attempts WHERE time < ?", (now - ACCOUNT_WINDOW - MAX_DELAY,))
            until = self._refused_until(name, address, now)
            attempt = None
            if until <= now:
                attempt = self.db.row('INSERT INTO attempts (time, "user", address) '
                                      "VALUES (?, ?, ?) RETURNING id", (now, name, address))[0]
        return attempt, (0.0 if attempt else until)

    def finish(self, attempt: int, ok: bool) -> None:
        """The attempt's outcome: a successful login starts its account's count afresh (not its
        address's)."""
        self.db.run("UPDATE attempts SET outcome = ? WHERE id = ?",
                    ("ok" if ok else "failed", attempt))

    def _refused_until(self, name: str, address: str, now: float) -> float:
        last_ok = self.db.row('SELECT MAX(time) FROM attempts WHERE "user" = ? AND '
                              "outcome = 'ok'", (name,))[0] or 0.0
        failed = [r[0] for r in self.db.rows(
            "SELECT time FROM attempts WHERE \"user\" = ? AND outcome != 'ok' AND time > ? "
            "ORDER BY time", (name, max(last_ok, now - ACCOUNT_WINDOW)))]
        account = failed[-1] + account_delay(len(failed)) if len(failed) >= ACCOUNT_FREE else 0
        times = [r[0] for r in self.db.rows(
            "SELECT time FROM attempts WHERE address = ? AND outcome != 'ok' AND time > ? "
            "ORDER BY time", (address, now - WINDOW - LOCKOUT))]
        return max(account, locked_until(times, ADDRESS_FAILURES))

    def close(self) -> None:
        self.db.close()
