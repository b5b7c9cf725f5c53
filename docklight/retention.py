"""Keep history as long as configured: reads briefly, state changes for long.

prune() deletes in small batches, each its own short write transaction with
a pause between, so requests (and other workers) get the write lock in
between instead of waiting behind one big DELETE. Rows that a running job
still writes to are never deleted.

Space: the database is created without auto_vacuum (migration 1 made the
tables before anyone could set it, and switching later needs a full VACUUM,
which rewrites the whole file while holding the write lock). So we do not
VACUUM: freed pages go on sqlite's freelist and new rows reuse them, and the
file settles at the size one retention period needs. If a database does use
auto_vacuum=INCREMENTAL (set before its first table), the freelist is handed
back to the file system in small incremental_vacuum steps. Either way the WAL
is then checkpointed and truncated (giving up if readers hold it past a
second). Each scheduled run also refreshes the statistics the history
page's query planner relies on (a sampled ANALYZE, milliseconds).

start_scheduler() runs this at start-up and then daily in a daemon thread
(plain threading: under gunicorn's gevent worker it is a greenlet). Workers
coordinate through the kv table: one atomic UPDATE claims the run, as
views/health.py does for its Dokku check, so only one worker prunes per day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time

from docklight import db



def _pause(seconds: float) -> None:
    """Sleep between batches (its own name, so a test can count these pauses alone)."""
    time.sleep(seconds)

log = logging.getLogger(__name__)

BATCH = 1000  # rows per delete transaction
PAUSE = 0.05  # seconds between batches: lets other writers in
VACUUM_STEP = 1000  # pages per incremental_vacuum step
CHECKPOINT_WAIT_MS = 1000  # how long the final checkpoint may wait for readers
CLAIM_KEY = "history-retention"
DAY = 86400.0
STARTUP_GAP = 600.0  # workers starting together, or a quick restart, prune once
CHECK_EVERY = 3600.0  # how often the thread asks whether a day has passed

DEFAULT_READS_DAYS = 7
DEFAULT_CHANGES_DAYS = 365

# One batch of old rows of one kind, oldest first, skipping any row a
# running job writes to (it names the job, or the job names it).
_DELETE_BATCH = """
DELETE FROM commands WHERE id IN (
    SELECT id FROM commands
    WHERE changesState = ? AND createdAt < ?
      AND id NOT IN (SELECT historyId FROM jobs
                     WHERE status = 'running' AND historyId IS NOT NULL)
      AND (jobId IS NULL OR jobId NOT IN (SELECT id FROM jobs
                                          WHERE status = 'running' AND id IS NOT NULL))
    ORDER BY id LIMIT ?)
"""


def cutoff(now: dt.datetime, days: float) -> str:
    """Return the createdAt before which a row older than days is deleted."""
    moment = now.astimezone(dt.timezone.utc) - dt.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _delete_older(conn, changes: bool, before: str, batch: int, pause: float) -> int:
    total = 0
    while True:
        # isolation_level=None: each DELETE is its own short transaction.
        deleted = conn.execute(_DELETE_BATCH, (int(changes), before, batch)).rowcount
        total += deleted
        if deleted < batch:
            return total
        _pause(pause)


def reclaim(database: str, pause: float = PAUSE) -> None:
    """Hand free pages back if the file allows it, then truncate the WAL."""
    with db.connection(database) as conn:
        if conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:  # incremental
            while conn.execute("PRAGMA freelist_count").fetchone()[0] > 0:
                conn.execute(f"PRAGMA incremental_vacuum({VACUUM_STEP})").fetchall()
                _pause(pause)
        # TRUNCATE waits for readers to move on; give up after a second
        # rather than hold up this worker (the next day tries again).
        conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def analyze(database: str) -> None:
    """Refresh the planner statistics the history filters rely on.

    Without them sqlite cannot tell that "app = ?" is more selective than
    "changesState = 1". analysis_limit samples each index, so this takes
    milliseconds even on a large table.
    """
    with db.connection(database) as conn:
        conn.execute("PRAGMA analysis_limit = 1000")
        conn.execute("ANALYZE commands")


def prune(database: str, reads_days: float = DEFAULT_READS_DAYS,
          changes_days: float = DEFAULT_CHANGES_DAYS, now: dt.datetime | None = None,
          batch: int = BATCH, pause: float = PAUSE) -> tuple[int, int]:
    """Delete reads older than reads_days and changes older than changes_days.

    A row exactly at the cut-off is kept. Return (reads_deleted, changes_deleted).
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    with db.connection(database) as conn:
        reads = _delete_older(conn, False, cutoff(now, reads_days), batch, pause)
        changes = _delete_older(conn, True, cutoff(now, changes_days), batch, pause)
    if reads or changes:
        reclaim(database, pause)
    return reads, changes


def claim(database: str, every: float, now: float | None = None) -> bool:
    """Return True if this worker may prune now, recording that it does.

    One atomic UPDATE takes the slot, so of any number of workers asking at
    once, one gets it, and nobody again until every seconds have passed.
    """
    now = time.time() if now is None else now
    with db.connection(database) as conn:
        conn.execute("INSERT OR IGNORE INTO kv (key, value, updatedAt) VALUES (?, ?, 0)",
                     (CLAIM_KEY, json.dumps(None)))
        cur = conn.execute("UPDATE kv SET updatedAt = ? WHERE key = ? AND updatedAt <= ?",
                           (now, CLAIM_KEY, now - every))
        return cur.rowcount == 1


def run_if_due(database: str, reads_days: float, changes_days: float,
               every: float = DAY, **prune_options) -> tuple[int, int] | None:
    """Prune if no worker has in the last every seconds; return the counts, or None."""
    if not claim(database, every):
        return None
    started = time.monotonic()
    reads, changes = prune(database, reads_days, changes_days, **prune_options)
    analyze(database)
    seconds = round(time.monotonic() - started, 2)
    with db.connection(database) as conn:
        conn.execute("UPDATE kv SET value = ? WHERE key = ?", (json.dumps(
            {"reads": reads, "changes": changes, "seconds": seconds}), CLAIM_KEY))
    log.info("history pruned", extra={"reads_deleted": reads, "changes_deleted": changes,
                                      "seconds": seconds})
    return reads, changes


def settings(app) -> tuple[str, float, float]:
    """Return (database, reads_days, changes_days) from the app's config."""
    return (app.config["DATABASE"],
            float(app.config.get("HISTORY_READS_DAYS", DEFAULT_READS_DAYS)),
            float(app.config.get("HISTORY_CHANGES_DAYS", DEFAULT_CHANGES_DAYS)))


def start_scheduler(app) -> threading.Thread | None:
    """Prune at start-up and then daily, in a daemon thread; return it.

    Off under TESTING unless HISTORY_RETENTION_SCHEDULER is set, so test
    apps do not prune behind a test's back.
    """
    if not app.config.get("HISTORY_RETENTION_SCHEDULER", not app.testing):
        return None
    database, reads_days, changes_days = settings(app)

    def loop():
        every = STARTUP_GAP
        while True:
            try:
                run_if_due(database, reads_days, changes_days, every=every)
            except Exception:  # a bad day must not end the thread
                log.exception("history pruning failed")
            every = DAY
            time.sleep(CHECK_EVERY)

    thread = threading.Thread(target=loop, name="history-retention", daemon=True)
    thread.start()
    return thread
