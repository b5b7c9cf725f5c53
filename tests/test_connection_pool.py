"""db.connection() lends this process's idle connections, each as fresh as a new one.

A warm page ran a dozen blocks, each connecting (and parsing the schema)
anew: most of its own CPU. The first test pins the reuse; the others pin
what makes a reused connection safe: no snapshot or transaction carried over,
a replaced file or a fork gets a new connection, settings are reset.
"""

from __future__ import annotations

import os
import sqlite3

import pytest

from docklight import connection_pool, db


@pytest.fixture
def database(tmp_path):
    path = str(tmp_path / "docklight.sqlite")
    db.migrate(path)
    return path


@pytest.fixture
def connects(monkeypatch):
    """Count the connections db opens."""
    opened = []
    real = db.connect

    def counting(path):
        opened.append(path)
        return real(path)

    monkeypatch.setattr(db, "_POOL", connection_pool.ConnectionPool(counting,
                                                                    lambda: db.BUSY_TIMEOUT_MS))
    return opened


def put(path, key, value):
    with db.connection(path) as conn:
        conn.execute("INSERT INTO kv (key, value, updatedAt) VALUES (?, ?, 0)"
                     " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def get(path, key):
    with db.connection(path) as conn:
        row = conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
    return row["value"] if row else None


def test_blocks_one_after_another_share_one_connection(database, connects):
    for i in range(20):
        put(database, "k", str(i))
        assert get(database, "k") == str(i)
    assert len(connects) == 1
    assert db._POOL.idle_count(database) == 1


def test_a_cursor_kept_past_its_block_holds_no_snapshot(database, connects):
    put(database, "a", "1")
    put(database, "b", "1")
    with db.connection(database) as conn:
        kept = conn.execute("SELECT key FROM kv ORDER BY key")
        kept.fetchone()  # a statement still in progress: a read snapshot
    with pytest.raises(sqlite3.ProgrammingError):
        kept.fetchone()
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("UPDATE kv SET value = '2' WHERE key = 'a'")
    other.close()
    assert get(database, "a") == "2"
    assert len(connects) == 1


def test_a_transaction_left_open_is_rolled_back_and_frees_the_write_lock(database, connects):
    with pytest.raises(ZeroDivisionError):
        with db.connection(database) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO kv (key, value, updatedAt) VALUES ('x', 'y', 0)")
            1 / 0
    other = sqlite3.connect(database, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # would raise "database is locked"
    other.execute("ROLLBACK")
    other.close()
    assert get(database, "x") is None
    assert len(connects) == 1


def test_a_sqlite_error_closes_the_connection_instead_of_keeping_it(database, connects):
    with pytest.raises(sqlite3.OperationalError):
        with db.connection(database) as conn:
            conn.execute("SELECT * FROM no_such_table")
    assert db._POOL.idle_count(database) == 0
    get(database, "k")
    assert len(connects) == 2


def test_a_replaced_file_gets_a_new_connection(database, connects):
    put(database, "k", "old")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            os.remove(database + suffix)
    db.migrate(database)
    assert get(database, "k") is None
    assert len(connects) == 2


def test_after_a_fork_the_parents_connections_are_not_reused(database, connects, monkeypatch):
    get(database, "k")
    monkeypatch.setattr(db._POOL, "_pid", -1)  # as if this process were the child
    get(database, "k")
    assert len(connects) == 2


def test_a_block_that_changes_the_busy_timeout_does_not_pass_it_on(database, connects):
    with db.connection(database) as conn:
        conn.execute("PRAGMA busy_timeout = 5")
    with db.connection(database) as conn:
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS
    assert len(connects) == 1
