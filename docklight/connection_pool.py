"""Idle sqlite connections kept open in each process, so a with-block costs no connect.

Every request runs a dozen short ``db.connection()`` blocks (session, user,
settings, jobs, history, cached reads). Opening a connection is cheap, but
its first statement parses the whole schema again and closing the last one
checkpoints the WAL: together about 0.25 ms of CPU per block, most of a warm
page's own cost, and under load it all queues on a gevent worker's one core.

So a block gets a connection from this process's idle ones (or a new one)
and gives it back when it ends, made as a fresh one would be:

* the block's handle is closed (using it after the block raises, as a closed
  connection did), and so is every cursor it made, which ends their
  statements: an idle connection holds no read snapshot, so the next block
  sees every write;
* a transaction the block left open is rolled back; a connection that
  raised a sqlite error, or whose file was replaced, is closed, not kept;
* the busy timeout is set again on every lease (a block may change it);
* after a fork the parent's connections are left alone (never used or
  closed in the child), and only a few idle ones per file are kept.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections import OrderedDict

MAX_IDLE = 8  # per database file; more stay open only while in use
MAX_FILES = 4  # files with idle connections (tests open many; production one)


class Handle:
    """What a with-block holds: the connection until the block ends, then closed."""

    __slots__ = ("_conn", "_cursors")

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        # Weak: a cursor the block dropped is freed (its statement reset) at
        # once, as before; only the ones still referenced are closed at the end.
        self._cursors: list[weakref.ref] = []

    def execute(self, sql: str, parameters=()) -> sqlite3.Cursor:
        """Run one statement, as sqlite3.Connection.execute does."""
        if self._conn is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        cursor = self._conn.execute(sql, parameters)
        self._cursors.append(weakref.ref(cursor))
        return cursor

    def __getattr__(self, name):
        conn = object.__getattribute__(self, "_conn")
        if conn is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return getattr(conn, name)

    def release(self) -> sqlite3.Connection:
        """End the block: close its cursors (their statements end) and this handle."""
        conn, self._conn = self._conn, None
        for ref in self._cursors:
            cursor = ref()
            if cursor is not None:
                cursor.close()
        self._cursors.clear()
        return conn


class ConnectionPool:
    """Idle connections of this process, by database file."""

    def __init__(self, connect, busy_timeout_ms):
        self._connect = connect
        self._busy_timeout_ms = busy_timeout_ms  # callable: read at every lease
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._idle: OrderedDict[str, list[tuple[sqlite3.Connection, tuple]]] = OrderedDict()
        self._inherited: list = []  # a parent's connections: kept, never touched

    def take(self, path: str) -> tuple[sqlite3.Connection, tuple]:
        """Return an idle connection to path (or a new one) and the file's identity."""
        identity = _identity(path)
        with self._lock:
            self._after_fork()
            idle = self._idle.get(path)
            entry = idle.pop() if idle else None
        if entry is not None:
            conn, seen = entry
            if seen == identity and identity is not None:
                conn.execute(f"PRAGMA busy_timeout = {self._busy_timeout_ms()}")
                return conn, identity
            conn.close()  # the file was replaced or removed: start afresh
        conn = self._connect(path)
        return conn, identity if identity is not None else _identity(path)

    def give_back(self, path: str, conn: sqlite3.Connection, identity, reusable: bool) -> None:
        """Keep conn for the next block, or close it."""
        if reusable and conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                reusable = False
        closing = []
        with self._lock:
            if os.getpid() != self._pid:  # made before a fork: not ours to keep
                reusable = False
            idle = self._idle.get(path)
            if reusable and identity is not None:
                if idle is None:
                    idle = self._idle[path] = []
                self._idle.move_to_end(path)
                if len(idle) < MAX_IDLE:
                    idle.append((conn, identity))
                    conn = None
                while len(self._idle) > MAX_FILES:
                    _, dropped = self._idle.popitem(last=False)
                    closing.extend(c for c, _ in dropped)
        if conn is not None:
            closing.append(conn)
        for c in closing:
            c.close()

    def idle_count(self, path: str) -> int:
        """Return how many idle connections to path this process keeps."""
        with self._lock:
            return len(self._idle.get(path, ()))

    def _after_fork(self) -> None:
        if os.getpid() != self._pid:
            self._inherited.append(self._idle)
            self._idle = OrderedDict()
            self._pid = os.getpid()


def _identity(path: str) -> tuple | None:
    """Return (device, inode) of path, or None when it does not exist yet."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
