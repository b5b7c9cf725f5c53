"""The sqlite database: connections and schema migrations.

WAL mode lets readers run while one writer writes, and the busy timeout makes
concurrent gunicorn workers wait for the write lock instead of failing. The
schema version lives in ``PRAGMA user_version``; each entry of MIGRATIONS
moves it up by one, inside a write transaction, so two workers starting at once
apply each step exactly once.

Nothing here knows Flask: the storage modules (history, jobs, retention,
...) run in workers and greenlets outside any request.
"""

from __future__ import annotations

import contextlib
import fcntl
import sqlite3
from collections.abc import Iterator

from docklight import private_files
from docklight.connection_pool import ConnectionPool, Handle

BUSY_TIMEOUT_MS = 10000

MIGRATIONS = (
    # 1: command history, login rate limiting, small shared state.
    """
    CREATE TABLE commands (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        createdAt TEXT NOT NULL,           -- ISO 8601 UTC, e.g. 2026-11-24T18:34:12.123Z
        command TEXT NOT NULL,             -- as typed, secrets replaced by ***
        subcommand TEXT NOT NULL,
        app TEXT,
        target TEXT NOT NULL,
        actorIp TEXT,
        changesState INTEGER NOT NULL,     -- 1 for a state change, 0 for a read
        status TEXT NOT NULL,              -- running|ok|failed|timeout|cancelled|error
        exitCode INTEGER,
        durationMs INTEGER,
        stdout TEXT NOT NULL DEFAULT '',   -- redacted
        stderr TEXT NOT NULL DEFAULT '',   -- redacted
        jobId TEXT
    );
    CREATE INDEX commands_app_id ON commands (app, id);
    CREATE INDEX commands_changes_id ON commands (changesState, id);
    CREATE INDEX commands_created ON commands (createdAt);
    CREATE TABLE login_failures (
        ip TEXT NOT NULL,
        at REAL NOT NULL                   -- unix seconds
    );
    CREATE INDEX login_failures_ip_at ON login_failures (ip, at);
    CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updatedAt REAL NOT NULL
    );
    """,
    # 2: long commands run as jobs; one running state change per lock key.
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        app TEXT,
        title TEXT NOT NULL,
        command TEXT NOT NULL,             -- as shown, secrets replaced by ***
        mutates INTEGER NOT NULL,
        lockKey TEXT,                      -- e.g. app:api; NULL for jobs that lock nothing
        status TEXT NOT NULL,              -- running|ok|failed|cancelled|timeout|error|interrupted
        exitCode INTEGER,
        createdAt TEXT NOT NULL,
        finishedAt TEXT,
        durationMs INTEGER,
        historyId INTEGER REFERENCES commands (id),
        actorIp TEXT,
        owner TEXT NOT NULL,               -- the worker running it
        heartbeatAt REAL NOT NULL,         -- unix seconds, refreshed while it runs
        cancelRequested INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX jobs_one_running_per_lock ON jobs (lockKey) WHERE status = 'running';
    CREATE INDEX jobs_created ON jobs (createdAt);
    CREATE INDEX jobs_status ON jobs (status)
    """,
    # 3: history pages. Each index leads with the equality a filter sets and
    # then id, so "newest first, id < ?" walks one index in order and stops
    # after LIMIT; the trailing columns let the other filters be checked in
    # the index before the row is read (bench/history.py measures them).
    # The partial index holds only failures (status != 'ok', ~5%), so
    # "failed" pages walk a short index. jobs.historyId links a row to its job.
    """
    DROP INDEX IF EXISTS commands_app_id;
    DROP INDEX IF EXISTS commands_changes_id;
    CREATE INDEX IF NOT EXISTS commands_app_page
        ON commands (app, id, changesState, status, createdAt);
    CREATE INDEX IF NOT EXISTS commands_changes_page
        ON commands (changesState, id, status, createdAt);
    CREATE INDEX IF NOT EXISTS commands_subcommand_page
        ON commands (subcommand, id, changesState, status, app);
    CREATE INDEX IF NOT EXISTS commands_failed_page
        ON commands (id, changesState, app, createdAt) WHERE status != 'ok';
    CREATE INDEX IF NOT EXISTS jobs_history ON jobs (historyId)
    """,
    # 4: cached Dokku reads shared by every worker, with a refresh lease
    # (docklight/readshare.py): one worker asks Dokku, the others read here.
    """
    CREATE TABLE IF NOT EXISTS read_cache (
        key TEXT PRIMARY KEY,
        generation INTEGER NOT NULL,       -- state generation the value was read under
        fetchedAt REAL NOT NULL,           -- unix seconds
        value BLOB,                        -- pickled parsed report; never a secret
        leaseUntil REAL NOT NULL DEFAULT 0 -- unix seconds; a worker is refreshing until then
    )
    """,
    # 5: users and server-side sessions; who ran each command; lockout per account.
    # A session row is looked up on every request by idHash (the primary key);
    # ending all of a user's sessions walks sessions_user.
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        passwordHash TEXT NOT NULL,        -- scrypt$n$r$p$salt$digest
        role TEXT NOT NULL,                -- admin|operator|viewer
        createdAt REAL NOT NULL,           -- unix seconds
        lastLoginAt REAL,
        disabled INTEGER NOT NULL DEFAULT 0,
        totpSecret TEXT,                   -- base32; NULL when no second factor
        totpLastStep INTEGER,              -- last accepted RFC 6238 step (no replay)
        totpPending TEXT,                  -- secret shown for enrolment, not yet confirmed
        recoveryHashes TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE sessions (
        idHash TEXT PRIMARY KEY,           -- sha256 of the cookie's id
        user TEXT NOT NULL,
        createdAt REAL NOT NULL,
        lastSeenAt REAL NOT NULL,
        authAt REAL NOT NULL,              -- password last given (sudo mode)
        ip TEXT,
        userAgent TEXT,
        secondFactorDone INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX sessions_user ON sessions (user);
    ALTER TABLE commands ADD COLUMN actorUser TEXT;
    ALTER TABLE jobs ADD COLUMN actorUser TEXT;
    CREATE INDEX commands_user_page ON commands (actorUser, id, changesState, status, app);
    ALTER TABLE login_failures ADD COLUMN account TEXT;
    CREATE INDEX login_failures_account_at ON login_failures (account, at)
    """,
    # 6: live-log viewers of every worker, so the stream limits hold for the
    # installation (docklight/logstream/seats.py). worker is "<pid>-<token>":
    # rows of a worker whose pid is gone are swept before counting.
    """
    CREATE TABLE log_viewers (
        id TEXT PRIMARY KEY,
        sessionId TEXT NOT NULL,
        worker TEXT NOT NULL,
        startedAt REAL NOT NULL            -- unix seconds
    );
    CREATE INDEX log_viewers_session ON log_viewers (sessionId)
    """,
)


def connect(path: str) -> sqlite3.Connection:
    """Open a connection with the pragmas every connection needs."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


_POOL = ConnectionPool(connect, lambda: BUSY_TIMEOUT_MS)


@contextlib.contextmanager
def connection(path: str) -> Iterator[sqlite3.Connection]:
    """Lend a connection for one with-block; when the block ends its handle is closed.

    (sqlite3.Connection's own with-block ends a transaction; it does not
    close.) The connection itself goes back to this process's idle ones
    (docklight/connection_pool.py), as fresh as a new one. Keep the block
    short: never hold a connection across a stream.
    """
    conn, identity = _POOL.take(path)
    handle = Handle(conn)
    reusable = False
    try:
        yield handle
        reusable = True
    except sqlite3.Error:
        raise
    except BaseException:
        reusable = True  # the block failed, not the connection
        raise
    finally:
        _POOL.give_back(path, handle.release(), identity, reusable)


def _statements(script: str):
    """Split a script into statements (executescript would commit our transaction)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip() and not pending.strip().startswith("--"):
        yield pending


MIGRATE_LOCK_SUFFIX = "-migrate-lock"  # beside the database, held while one process migrates


def migrate(path: str) -> int:
    """Bring the schema up to date; return the resulting user_version.

    gunicorn's workers boot together and each migrates. Switching a fresh file
    to WAL needs it to itself, and there sqlite answers "database is locked"
    at once instead of waiting for the busy timeout, so the workers take turns
    on a lock file beside the database (an flock: sqlite's own POSIX locks on
    the database would be dropped by closing any other descriptor of it).
    """
    # Made 0600 before sqlite creates it; the WAL and -shm files follow its mode.
    private_files.create_file(path)
    lock_path = path + MIGRATE_LOCK_SUFFIX
    private_files.create_file(lock_path)
    with open(lock_path, "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _migrate(path)


def _migrate(path: str) -> int:
    with connection(path) as conn:
        # journal_mode is stored in the file; setting it needs no transaction.
        conn.execute("PRAGMA journal_mode = WAL")
        while True:
            conn.execute("BEGIN IMMEDIATE")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(MIGRATIONS):
                conn.execute("COMMIT")
                return version
            try:
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
