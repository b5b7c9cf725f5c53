"""Login throttling in sqlite, so it holds across workers and restarts.

Failures are counted twice: per client address (one guesser trying many
names) and per account name (many addresses guessing one name). After
``free`` failures inside the window each further failure makes the next try
wait longer: ``base``, then twice that, up to ``cap``. When the wait is over
the next attempt is checked normally, so a user who shares an address with
someone guessing (office NAT, VPN) gets in with the right password after a
short wait instead of being locked out for the whole window.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from docklight import db

BASE_DELAY = 30.0
MAX_DELAY = 900.0


class Wait(NamedTuple):
    """How long until the next attempt, and what is throttled (``ip`` or ``account``)."""

    seconds: float
    scope: str | None
    failures: int


def delay_after(failures: int, *, free: int, base: float = BASE_DELAY,
                cap: float = MAX_DELAY) -> float:
    """Return the wait imposed after failures failures (0 while within the free ones)."""
    if failures < free:
        return 0.0
    return min(cap, base * 2 ** (failures - free))


def _count(conn, column: str, value: str, since: float) -> tuple[int, float | None]:
    row = conn.execute(f"SELECT count(*), max(at) FROM login_failures WHERE {column} = ?"
                       " AND at > ?", (value, since)).fetchone()
    return row[0], row[1]


def retry_after(path: str, ip: str, *, max_failures: int, window: float,
                account: str | None = None, now: float | None = None) -> float:
    """Return seconds until ip (and account, when given) may try again (0: now)."""
    return wait(path, ip, max_failures=max_failures, window=window, account=account,
                now=now).seconds


def wait(path: str, ip: str, *, max_failures: int, window: float, account: str | None = None,
         now: float | None = None) -> Wait:
    """Return the longest wait of ip and account, with its scope and failure count."""
    now = time.time() if now is None else now
    longest = Wait(0.0, None, 0)
    with db.connection(path) as conn:
        for scope, value in (("ip", ip), ("account", account)):
            if value is None:
                continue
            failures, last = _count(conn, scope, value, now - window)
            if last is None:
                continue
            left = last + delay_after(failures, free=max_failures) - now
            if left > longest.seconds:
                longest = Wait(left, scope, failures)
    return longest


def record_failure(path: str, ip: str, *, window: float, account: str | None = None,
                   now: float | None = None) -> None:
    """Remember a failed login from ip (for account) and forget failures older than window."""
    now = time.time() if now is None else now
    with db.connection(path) as conn:
        conn.execute("INSERT INTO login_failures (ip, account, at) VALUES (?, ?, ?)",
                     (ip, account, now))
        conn.execute("DELETE FROM login_failures WHERE at < ?", (now - window,))


def clear(path: str, ip: str, account: str | None = None) -> None:
    """Forget the failures of ip (and of account) after a successful login."""
    with db.connection(path) as conn:
        conn.execute("DELETE FROM login_failures WHERE ip = ? OR account = ?", (ip, account))
