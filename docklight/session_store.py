"""Login sessions kept on the server, in sqlite, so ending one ends it everywhere.

A signed cookie alone stays valid until it expires, whatever the server
thinks: logging out cannot take it back. Here the cookie carries only a
random id; the row behind it says who is logged in, since when, from where,
and when the password was last given (sudo mode). Every request looks its row
up (one indexed read), so logout, "log out everywhere", a disabled user or a
changed password take effect in every gunicorn worker at the next request.

Only a SHA-256 of the id is stored: someone who reads the database (a backup,
say) cannot turn its rows into cookies. Sqlite only, no Flask.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from docklight import db

# lastSeenAt is rewritten at most this often: a page with several fragment
# loads costs one write, and the idle timeout is exact to within it.
TOUCH_EVERY_SECONDS = 30
SECRET_TAG_KEY = "session-secret-tag"


@dataclass
class Session:
    """One logged-in browser."""

    id_hash: str
    user: str
    created_at: float
    last_seen_at: float
    auth_at: float
    ip: str | None
    user_agent: str | None
    second_factor_done: bool


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _from_row(row) -> Session:
    return Session(id_hash=row["idHash"], user=row["user"], created_at=row["createdAt"],
                   last_seen_at=row["lastSeenAt"], auth_at=row["authAt"], ip=row["ip"],
                   user_agent=row["userAgent"], second_factor_done=bool(row["secondFactorDone"]))


def create(path: str, user: str, *, ip: str | None, user_agent: str | None,
           second_factor_done: bool = True, replaces: str | None = None) -> str:
    """Start a session for user and return its id (for the cookie).

    replaces is the id the browser had before logging in: it is deleted, so
    the id changes at login and a planted id (session fixation) is worthless.
    """
    session_id = secrets.token_urlsafe(32)
    now = time.time()
    with db.connection(path) as conn:
        if replaces:
            conn.execute("DELETE FROM sessions WHERE idHash = ?", (_hash(replaces),))
        conn.execute(
            "INSERT INTO sessions (idHash, user, createdAt, lastSeenAt, authAt, ip, userAgent,"
            " secondFactorDone) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_hash(session_id), user, now, now, now, ip, (user_agent or "")[:300],
             int(second_factor_done)))
    return session_id


def lookup(path: str, session_id: str | None, *, idle_seconds: float,
           lifetime_seconds: float, now: float | None = None) -> Session | None:
    """Return the live session with this id, or None (and delete it if it has expired)."""
    if not session_id:
        return None
    now = time.time() if now is None else now
    id_hash = _hash(session_id)
    with db.connection(path) as conn:
        row = conn.execute("SELECT * FROM sessions WHERE idHash = ?", (id_hash,)).fetchone()
        if row is None:
            return None
        if now - row["lastSeenAt"] > idle_seconds or now - row["createdAt"] > lifetime_seconds:
            conn.execute("DELETE FROM sessions WHERE idHash = ?", (id_hash,))
            return None
        if now - row["lastSeenAt"] >= TOUCH_EVERY_SECONDS:
            conn.execute("UPDATE sessions SET lastSeenAt = ? WHERE idHash = ?", (now, id_hash))
    return _from_row(row)


def end(path: str, session_id: str | None) -> None:
    """Delete one session (logout)."""
    if session_id:
        with db.connection(path) as conn:
            conn.execute("DELETE FROM sessions WHERE idHash = ?", (_hash(session_id),))


def end_by_hash(path: str, user: str, id_hash: str) -> bool:
    """Delete one of user's sessions named by its stored hash (the Sessions page)."""
    with db.connection(path) as conn:
        cur = conn.execute("DELETE FROM sessions WHERE idHash = ? AND user = ?", (id_hash, user))
        return cur.rowcount == 1


def end_user(path: str, user: str, *, keep: str | None = None) -> int:
    """Delete every session of user (except the one with id keep); return how many."""
    keep_hash = _hash(keep) if keep else ""
    with db.connection(path) as conn:
        cur = conn.execute("DELETE FROM sessions WHERE user = ? AND idHash != ?",
                           (user, keep_hash))
        return cur.rowcount


def end_all(path: str) -> int:
    """Delete every session; return how many."""
    with db.connection(path) as conn:
        return conn.execute("DELETE FROM sessions").rowcount


def of_user(path: str, user: str) -> list[Session]:
    """Return user's sessions, most recently seen first."""
    with db.connection(path) as conn:
        rows = conn.execute("SELECT * FROM sessions WHERE user = ? ORDER BY lastSeenAt DESC",
                            (user,)).fetchall()
    return [_from_row(r) for r in rows]


def id_hash(session_id: str) -> str:
    """Return the stored name of a session id (to mark "this browser" on the Sessions page)."""
    return _hash(session_id)


def reauthenticated(path: str, session_id: str, *, second_factor_done: bool | None = None) -> None:
    """Record that the password (or the second factor) was just given in this session."""
    with db.connection(path) as conn:
        if second_factor_done is None:
            conn.execute("UPDATE sessions SET authAt = ? WHERE idHash = ?",
                         (time.time(), _hash(session_id)))
        else:
            conn.execute("UPDATE sessions SET authAt = ?, secondFactorDone = ? WHERE idHash = ?",
                         (time.time(), int(second_factor_done), _hash(session_id)))


def prune(path: str, *, idle_seconds: float, lifetime_seconds: float) -> int:
    """Delete every expired session; return how many (start-up housekeeping)."""
    now = time.time()
    with db.connection(path) as conn:
        return conn.execute("DELETE FROM sessions WHERE lastSeenAt < ? OR createdAt < ?",
                            (now - idle_seconds, now - lifetime_seconds)).rowcount


def end_all_if_secret_changed(path: str, secret: bytes) -> bool:
    """End every session when the signing secret differs from the last one seen.

    A tag of the secret (HMAC of a fixed label, not the secret) is kept in kv;
    a new DOCKLIGHT_SECRET means every earlier login ends, as it did when the
    secret signed the whole session.
    """
    tag = hmac.new(secret, b"docklight session secret", hashlib.sha256).hexdigest()
    with db.connection(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT value FROM kv WHERE key = ?", (SECRET_TAG_KEY,)).fetchone()
        if row is not None and hmac.compare_digest(row[0], tag):
            conn.execute("COMMIT")
            return False
        conn.execute("DELETE FROM sessions")
        conn.execute("INSERT INTO kv (key, value, updatedAt) VALUES (?, ?, ?)"
                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value,"
                     " updatedAt = excluded.updatedAt", (SECRET_TAG_KEY, tag, time.time()))
        conn.execute("COMMIT")
        return row is not None
