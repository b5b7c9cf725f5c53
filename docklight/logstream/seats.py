"""How many live-log viewers a session and the whole installation may have.

DOCKLIGHT_MAX_LOG_STREAMS and DOCKLIGHT_MAX_LOG_STREAMS_PER_SESSION are limits
for the installation, not for one worker: a browser's next WebSocket may land
on any worker. :class:`SharedSeats` keeps one row per viewer in sqlite
(``log_viewers``) and checks and takes a seat in one write transaction, so two
workers cannot both take the last one. A worker that dies cannot give its
seats back; its rows name its pid, and rows of pids that no longer run are
swept before each count (and rows of this pid from before this process
started: an earlier process had the pid). :class:`LocalSeats` counts in memory (one process:
unit tests, the CLI).
"""

from __future__ import annotations

import collections
import os
import secrets
import threading
import time

from docklight import db


class LimitReached(Exception):
    """Too many live log streams, in total or for one session."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def event(self) -> dict:
        """Return the message the page shows."""
        return {"type": "error", "kind": "limit", "final": True,
                "title": "Too many live log streams", "message": self.message}


def _check(total: int, mine: int, max_streams: int, max_per_session: int) -> None:
    if total >= max_streams:
        raise LimitReached(
            f"Docklight already serves {total} live log streams, the most it "
            "allows (DOCKLIGHT_MAX_LOG_STREAMS). Close a Logs tab somewhere, then "
            "reconnect.")
    if mine >= max_per_session:
        raise LimitReached(
            f"This login already follows {mine} live log "
            "streams, the most allowed per session "
            "(DOCKLIGHT_MAX_LOG_STREAMS_PER_SESSION). Close another Logs tab, "
            "then reconnect.")


class LocalSeats:
    """Viewer limits counted in this process."""

    def __init__(self, max_streams: int, max_per_session: int):
        self.max_streams = max_streams
        self.max_per_session = max_per_session
        self._per_session: collections.Counter = collections.Counter()
        self._lock = threading.Lock()

    def take(self, session_id: str) -> object:
        """Return a seat for a new viewer of session_id; raise LimitReached if none is free."""
        with self._lock:
            _check(sum(self._per_session.values()), self._per_session[session_id],
                   self.max_streams, self.max_per_session)
            self._per_session[session_id] += 1
        return session_id

    def give_back(self, seat) -> None:
        """Free a seat taken by take()."""
        with self._lock:
            self._per_session[seat] -= 1
            if self._per_session[seat] <= 0:
                del self._per_session[seat]


def _pid_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _process_started_at() -> float | None:
    """Return when this process started (unix seconds, from /proc), or None off Linux."""
    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


class SharedSeats:
    """Viewer limits for every worker that shares the database."""

    def __init__(self, database: str, max_streams: int, max_per_session: int,
                 worker: str | None = None):
        self.database = database
        self.max_streams = max_streams
        self.max_per_session = max_per_session
        self.worker = worker or f"{os.getpid()}-{secrets.token_hex(4)}"
        self.started_at = _process_started_at()

    def take(self, session_id: str) -> str:
        """Take a seat for a new viewer of session_id; raise LimitReached if none is free."""
        seat = secrets.token_hex(8)
        with db.connection(self.database) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._sweep(conn)
                total = conn.execute("SELECT COUNT(*) FROM log_viewers").fetchone()[0]
                mine = conn.execute("SELECT COUNT(*) FROM log_viewers WHERE sessionId = ?",
                                    (session_id,)).fetchone()[0]
                _check(total, mine, self.max_streams, self.max_per_session)
                conn.execute("INSERT INTO log_viewers (id, sessionId, worker, startedAt)"
                             " VALUES (?, ?, ?, ?)", (seat, session_id, self.worker, time.time()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return seat

    def give_back(self, seat: str) -> None:
        """Free a seat taken by take()."""
        with db.connection(self.database) as conn:
            conn.execute("DELETE FROM log_viewers WHERE id = ?", (seat,))

    def _sweep(self, conn) -> None:
        """Drop the seats of workers that no longer run (killed, or an earlier run)."""
        for (worker,) in conn.execute("SELECT DISTINCT worker FROM log_viewers").fetchall():
            if worker == self.worker:
                continue
            other = worker.partition("-")[0]
            if not (other.isdigit() and _pid_runs(int(other))):
                conn.execute("DELETE FROM log_viewers WHERE worker = ?", (worker,))
            elif int(other) == os.getpid() and self.started_at is not None:
                # Our own pid: rows from before this process started are an
                # earlier process's that had the same pid.
                conn.execute("DELETE FROM log_viewers WHERE worker = ? AND startedAt < ?",
                             (worker, self.started_at))
