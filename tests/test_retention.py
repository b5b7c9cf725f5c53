"""Retention: what prune() deletes and keeps, its batches, and the once-a-day claim."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import time

import pytest
from flask import Flask

from docklight import db, retention

NOW = dt.datetime(2026, 11, 24, 12, 0, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def database(tmp_path) -> str:
    """A migrated database file of our own."""
    path = str(tmp_path / "docklight.sqlite3")
    db.migrate(path)
    return path


def ago(**delta) -> str:
    """Return NOW minus delta as a stored createdAt."""
    return retention.cutoff(NOW - dt.timedelta(**delta), 0)


def add(database, created: str, *, changes: bool, job_id=None, stdout="") -> int:
    """Insert one finished row; return its id."""
    conn = db.connect(database)
    try:
        return conn.execute(
            "INSERT INTO commands (createdAt, command, subcommand, target, changesState, status,"
            " stdout, jobId) VALUES (?, 'dokku x', 'x', 'h', ?, 'ok', ?, ?)",
            (created, int(changes), stdout, job_id)).lastrowid
    finally:
        conn.close()


def add_job(database, job_id: str, status: str, history_id=None) -> None:
    """Insert a jobs row."""
    conn = db.connect(database)
    try:
        conn.execute(
            "INSERT INTO jobs (id, title, command, mutates, status, createdAt, historyId, owner,"
            " heartbeatAt) VALUES (?, 't', 'dokku x', 1, ?, '2025-01-01T00:00:00.000Z', ?, 'w',"
            " 0)", (job_id, status, history_id))
    finally:
        conn.close()


def remaining(database) -> set[int]:
    """Return the ids still stored."""
    conn = sqlite3.connect(database)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM commands")}
    finally:
        conn.close()


def test_cutoff_uses_the_stored_format():
    assert retention.cutoff(NOW, 7) == "2026-11-17T12:00:00.000Z"
    assert retention.cutoff(NOW.replace(microsecond=123999), 0) == "2026-11-24T12:00:00.123Z"


def test_prune_keeps_exactly_what_it_should(database):
    keep = {
        add(database, ago(days=7), changes=False),  # exactly at the cut-off
        add(database, ago(days=6, hours=23), changes=False),
        add(database, ago(seconds=1), changes=False),
        add(database, ago(days=8), changes=True),  # older than 7 days, but a change
        add(database, ago(days=364), changes=True),
        add(database, ago(days=365), changes=True),  # exactly at the cut-off
        add(database, retention.cutoff(NOW, -1), changes=False),  # a clock ahead: future
    }
    gone_reads = {
        add(database, ago(days=7, milliseconds=1), changes=False),
        add(database, ago(days=30), changes=False),
        add(database, ago(days=400), changes=False),
    }
    gone_changes = {
        add(database, ago(days=365, milliseconds=1), changes=True),
        add(database, ago(days=400), changes=True),
    }
    assert remaining(database) == keep | gone_reads | gone_changes
    assert retention.prune(database, 7, 365, now=NOW, pause=0) == (3, 2)
    assert remaining(database) == keep
    assert retention.prune(database, 7, 365, now=NOW, pause=0) == (0, 0)


def test_periods_are_configurable(database):
    read = add(database, ago(days=2), changes=False)
    change = add(database, ago(days=40), changes=True)
    assert retention.prune(database, 3, 60, now=NOW, pause=0) == (0, 0)
    assert retention.prune(database, 1, 30, now=NOW, pause=0) == (1, 1)
    assert remaining(database) == set() and read and change


def test_rows_a_running_job_references_are_kept(database):
    named_by_job = add(database, ago(days=500), changes=True)
    add_job(database, "run1", "running", history_id=named_by_job)
    naming_job = add(database, ago(days=500), changes=False, job_id="run2")
    add_job(database, "run2", "running")
    finished_job_row = add(database, ago(days=500), changes=True, job_id="done1")
    add_job(database, "done1", "ok", history_id=finished_job_row)
    add_job(database, "nohistory", "running")  # historyId NULL must not stop deletion
    orphan = add(database, ago(days=500), changes=False, job_id="never-existed")
    assert retention.prune(database, 7, 365, now=NOW, pause=0) == (1, 1)
    assert remaining(database) == {named_by_job, naming_job}
    assert finished_job_row and orphan


def test_prune_deletes_in_small_batches_with_pauses(database, monkeypatch):
    conn = db.connect(database)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO commands (createdAt, command, subcommand, target, changesState, status)"
        " VALUES (?, 'dokku x', 'x', 'h', 0, 'ok')", [(ago(days=10),)] * 2500)
    conn.execute("COMMIT")
    conn.close()
    fresh = add(database, ago(days=1), changes=False)
    pauses = []
    monkeypatch.setattr(retention, "_pause", pauses.append)
    assert retention.prune(database, 7, 365, now=NOW, batch=1000, pause=0.01) == (2500, 0)
    assert pauses == [0.01, 0.01]  # after the two full batches; the third was short
    assert remaining(database) == {fresh}


def test_prune_truncates_the_wal(database):
    for _ in range(300):
        add(database, ago(days=30), changes=False, stdout="x" * 2000)
    retention.prune(database, 7, 365, now=NOW, pause=0)
    wal = database + "-wal"
    assert not os.path.exists(wal) or os.path.getsize(wal) == 0


def test_incremental_auto_vacuum_gives_space_back(tmp_path):
    path = str(tmp_path / "incremental.sqlite3")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")  # must precede the first table
    conn.execute("CREATE TABLE bootstrap (x)")
    conn.execute("DROP TABLE bootstrap")
    conn.close()
    db.migrate(path)
    conn = db.connect(path)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO commands (createdAt, command, subcommand, target, changesState, status,"
        " stdout) VALUES (?, 'dokku x', 'x', 'h', 0, 'ok', ?)",
        [(ago(days=30), "y" * 4000)] * 2000)
    conn.execute("COMMIT")
    pages_before = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    assert retention.prune(path, 7, 365, now=NOW, pause=0) == (2000, 0)
    conn = db.connect(path)
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert conn.execute("PRAGMA page_count").fetchone()[0] < pages_before / 10
    conn.close()


def test_default_database_keeps_its_pages_for_reuse(database):
    """Without auto_vacuum we do not VACUUM: freed pages are reused by new rows."""
    for _ in range(200):
        add(database, ago(days=30), changes=False, stdout="z" * 4000)
    conn = db.connect(database)
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    retention.prune(database, 7, 365, now=NOW, pause=0)
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    assert free > 150
    for _ in range(200):
        add(database, ago(days=1), changes=False, stdout="z" * 4000)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert conn.execute("PRAGMA page_count").fetchone()[0] <= pages + 5
    conn.close()


def test_claim_lets_one_of_two_concurrent_prunes_run(database):
    old = {add(database, ago(days=30), changes=False) for _ in range(50)}
    barrier = threading.Barrier(2)
    results = []

    def worker():
        barrier.wait()
        results.append(retention.run_if_due(database, 7, 365, every=retention.DAY, pause=0))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ran = [r for r in results if r is not None]
    assert len(results) == 2 and len(ran) == 1
    assert ran[0] == (len(old), 0)
    # the same day, nobody again; a day later, someone
    assert retention.run_if_due(database, 7, 365, every=retention.DAY) is None
    assert retention.claim(database, retention.DAY, now=time.time() + retention.DAY + 1)


def test_many_workers_claim_once(database):
    barrier = threading.Barrier(6)
    results = []

    def worker():
        barrier.wait()
        results.append(retention.claim(database, retention.STARTUP_GAP))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


def test_run_records_its_result_and_refreshes_statistics(database):
    add(database, ago(days=30), changes=False)
    add(database, retention.cutoff(dt.datetime.now(dt.timezone.utc), 0), changes=True)
    assert retention.run_if_due(database, 7, 365, pause=0) == (1, 0)
    conn = db.connect(database)
    value = conn.execute("SELECT value FROM kv WHERE key = ?", (retention.CLAIM_KEY,)).fetchone()
    assert '"reads": 1' in value[0] and '"changes": 0' in value[0]
    assert conn.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'commands'").fetchone()[0]
    conn.close()


def _flask_app(database, **config) -> Flask:
    app = Flask("retention-test")
    app.config.update(DATABASE=database, **config)
    return app


def test_scheduler_prunes_at_start_up_in_a_daemon_thread(database):
    gone = add(database, ago(days=30), changes=False)
    kept = add(database, ago(days=10), changes=True)
    app = _flask_app(database, HISTORY_READS_DAYS=7, HISTORY_CHANGES_DAYS=5)
    thread = retention.start_scheduler(app)
    assert thread is not None and thread.daemon and thread.name == "history-retention"
    deadline = time.monotonic() + 10
    while remaining(database) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert remaining(database) == set() and gone and kept  # changes older than 5 days too


def test_scheduler_is_off_for_test_apps_unless_asked(database):
    add(database, ago(days=30), changes=False)
    assert retention.start_scheduler(_flask_app(database, TESTING=True)) is None
    assert len(remaining(database)) == 1
    assert retention.settings(_flask_app(database)) == (database, 7.0, 365.0)


def test_history_indexes_serve_the_filters(database):
    """Every filter the page offers walks an index in id order, never the whole table."""
    from docklight import history_query

    conn = db.connect(database)
    cases = [history_query.Filters(), history_query.Filters(app="api"), history_query.Filters(app="api", reads=True),
             history_query.Filters(outcome="failed", reads=True), history_query.Filters(outcome="ok"),
             history_query.Filters(subcommand="ps:restart", reads=True),
             history_query.Filters(app="api", outcome="failed", since=dt.date(2026, 1, 1),
                        until=dt.date(2026, 1, 31))]
    for filters in cases:
        sql, params, _, _ = history_query.page_query(conn, filters, before=100)
        plan = " ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "USING" in plan and "TEMP B-TREE" not in plan, (filters, plan)
    names = {r[1] for r in conn.execute("PRAGMA index_list(commands)")}
    assert {"commands_app_page", "commands_changes_page", "commands_subcommand_page",
            "commands_failed_page", "commands_created"} <= names
    conn.close()
