"""GET /healthz: is the database usable and is Dokku reachable."""

from __future__ import annotations

import json
import time

from flask import Blueprint, current_app, jsonify

from docklight import db, services
from docklight.dokku import commands
from docklight.dokku.errors import DokkuError

bp = Blueprint("health", __name__)
CHECK_EVERY = 30.0
KEY = "healthz-dokku"


def _database_ok() -> bool:
    try:
        with db.connection(current_app.config["DATABASE"]) as conn:
            conn.execute("SELECT 1 FROM commands LIMIT 1").fetchall()
        return True
    except Exception:  # any failure means "not ok"; the details go to the log
        current_app.logger.exception("database health check failed")
        return False


def _claim_check(conn) -> bool:
    """Return True if this worker may run the Dokku check now.

    One atomic UPDATE claims the slot, so however many workers are polled at
    once, Dokku is asked at most once per CHECK_EVERY seconds.
    """
    now = time.time()
    conn.execute("INSERT OR IGNORE INTO kv (key, value, updatedAt) VALUES (?, ?, 0)",
                 (KEY, json.dumps("unknown")))
    cur = conn.execute("UPDATE kv SET updatedAt = ? WHERE key = ? AND updatedAt <= ?",
                       (now, KEY, now - CHECK_EVERY))
    return cur.rowcount == 1


def _dokku_status() -> str:
    with db.connection(current_app.config["DATABASE"]) as conn:
        if _claim_check(conn):
            try:
                result = services.dokku().run(commands.version())
                status = "ok" if result.ok else "error"
            except DokkuError:
                status = "unreachable"
            conn.execute("UPDATE kv SET value = ? WHERE key = ?", (json.dumps(status), KEY))
            return status
        return json.loads(conn.execute("SELECT value FROM kv WHERE key = ?",
                                       (KEY,)).fetchone()[0])


@bp.get("/healthz")
def healthz():
    """Report {status, database, dokku}; Dokku is asked at most every 30 s."""
    database = "ok" if _database_ok() else "error"
    dokku = _dokku_status() if database == "ok" else "unknown"
    status = "ok" if database == "ok" else "error"
    # Dokku being down does not make Docklight unhealthy: restarting
    # Docklight would not help, and its pages explain the problem.
    return jsonify(status=status, database=database, dokku=dokku), 200 if status == "ok" else 503
