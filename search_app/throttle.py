"""Login throttling: after too many failed logins for one account or from one address within a
window, further attempts are refused for a while. The failures are the `login-failed` rows of
the 查阅登记, so every server process sees the same count."""
from __future__ import annotations

from .audit import AuditLog

ACCOUNT_FAILURES = 5  # failed logins for one user name …
ADDRESS_FAILURES = 20  # … or from one address …
WINDOW = 15 * 60  # … within this many seconds …
LOCKOUT = 15 * 60  # … refuse that account or address for this many seconds


def locked_until(times: list[float], limit: int, window: float = WINDOW,
                 lockout: float = LOCKOUT) -> float:
    """When a lockout ends, given failure times (oldest first): `limit` failures within `window`
    lock for `lockout` seconds from the last of them. 0 when they never did."""
    until = 0.0
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= window:
            until = max(until, times[i] + lockout)
    return until


def refused_until(log: AuditLog, name: str, address: str, now: float) -> float:
    """Until when a login as `name` from `address` is refused (0 or a past time: it is not).
    A successful login of the account starts its count afresh; an address's count does not."""
    since = now - WINDOW - LOCKOUT
    account_since = max(since, log.last("login", name, since))
    return max(locked_until(log.failures("user", name, account_since), ACCOUNT_FAILURES),
               locked_until(log.failures("address", address, since), ADDRESS_FAILURES))
