"""Login rate limiting in sqlite, so it holds across workers and restarts."""

from __future__ import annotations

import time

from docklight import db


def retry_after(path: str, ip: str, *, max_failures: int, window: float) -> float:
    """Return seconds until ip may try again (0 when it may try now)."""
    now = time.time()
    with db.connection(path) as conn:
        rows = conn.execute(
            "SELECT at FROM login_failures WHERE ip = ? AND at > ? ORDER BY at DESC LIMIT ?",
            (ip, now - window, max_failures)).fetchall()
    if len(rows) < max_failures:
        return 0.0
    # The oldest of the last max_failures failures leaves the window first.
    return max(0.0, rows[-1][0] + window - now)


def record_failure(path: str, ip: str, *, window: float) -> None:
    """Remember a failed login from ip and forget failures older than window."""
    now = time.time()
    with db.connection(path) as conn:
        conn.execute("INSERT INTO login_failures (ip, at) VALUES (?, ?)", (ip, now))
        conn.execute("DELETE FROM login_failures WHERE at < ?", (now - window,))


def clear(path: str, ip: str) -> None:
    """Forget the failures of ip after a successful login."""
    with db.connection(path) as conn:
        conn.execute("DELETE FROM login_failures WHERE ip = ?", (ip,))
