"""Time the history page's queries on a million rows (not a test).

    .venv/bin/python bench/history.py [--rows 1000000] [--no-analyze] [--keep PATH]

Builds a temporary database with docklight.db.migrate (so with the real
indexes), fills it in one executemany transaction with a realistic mix
(~90% reads, 50 apps, ~5% failed, over 365 days), runs the daily
maintenance's ANALYZE (retention.analyze, as the scheduler does), then times
each page query built by docklight.history_query, the code the view runs,
next to the same query forced to read the whole table (NOT INDEXED, and
+id so neither the rowid range nor rowid order can help). Each timing is the
median of several runs, each on a fresh connection as a request would open.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from docklight import db, retention  # noqa: E402
from docklight import history_query as hq  # noqa: E402

APPS = [f"app{i:02d}" for i in range(50)]
READS = ["ps:report", "domains:report", "git:report", "config:export", "logs", "apps:list",
         "nginx:report", "storage:report"]
CHANGES = ["ps:restart", "ps:scale", "config:set", "domains:add", "ps:rebuild", "git:sync",
           "letsencrypt:enable", "ps:stop"]
START = dt.datetime(2025, 11, 25, tzinfo=dt.timezone.utc)
SPAN = 365 * 86400
TARGET_MS = 50.0


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def rows(n: int, seed: int = 7):
    """Yield n history rows in time order (ids grow with createdAt, as in life)."""
    rnd = random.Random(seed)
    for i in range(n):
        moment = START + dt.timedelta(seconds=SPAN * i / n + rnd.random())
        app = rnd.choice(APPS)
        change = rnd.random() < 0.10
        sub = rnd.choice(CHANGES if change else READS)
        failed = rnd.random() < 0.05
        yield (_iso(moment), f"dokku {sub} {app}", sub, app, "dokku@dokku.example",
               f"10.0.0.{rnd.randint(1, 20)}", int(change), "failed" if failed else "ok",
               1 if failed else 0, rnd.randint(5, 4000),
               "" if failed else "=====> done\n", " !     App is busy\n" if failed else "")


def build(path: str, n: int) -> float:
    """Create the schema and insert n rows; return the seconds it took."""
    started = time.monotonic()
    db.migrate(path)
    conn = db.connect(path)
    try:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO commands (createdAt, command, subcommand, app, target, actorIp,"
            " changesState, status, exitCode, durationMs, stdout, stderr)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows(n))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return time.monotonic() - started


def full_scan(sql: str) -> str:
    """Rewrite a page query so the inner id query reads every row."""
    inner = "SELECT id FROM commands WHERE"
    assert sql.count(inner) == 1
    sql = sql.replace(inner, "SELECT id FROM commands NOT INDEXED WHERE")
    sql = sql.replace(" id < ?", " +id < ?").replace(" id >= ?", " +id >= ?")
    return sql.replace("ORDER BY id DESC LIMIT ?", "ORDER BY +id DESC LIMIT ?")


def page_sql(path: str, filters: hq.Filters, before: int | None) -> tuple[str, list]:
    """Return the SQL and parameters the view's fetch_page runs for this page."""
    conn = db.connect(path)
    try:
        sql, params, _floor, _top = hq.page_query(conn, filters, before)
    finally:
        conn.close()
    return sql, params


def timed(path: str, sql: str, params: list, runs: int) -> tuple[float, int, str]:
    """Return (median ms, rows, plan) of sql over runs fresh connections."""
    times = []
    count = 0
    for _ in range(runs):
        conn = db.connect(path)
        try:
            started = time.perf_counter()
            count = len(conn.execute(sql, params).fetchall())
            times.append((time.perf_counter() - started) * 1000)
        finally:
            conn.close()
    conn = db.connect(path)
    try:
        # The inner id query's steps; the outer rowid lookups and the job
        # link subqueries are the same for every case.
        plan = "; ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params)
                         if r[3].startswith(("SEARCH commands", "SCAN commands", "USE TEMP"))
                         and "(rowid=?)" not in r[3])
    finally:
        conn.close()
    return statistics.median(times), count, plan


def main() -> int:
    """Build the database, time the queries, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-analyze", action="store_true",
                        help="skip the scheduler's ANALYZE (a database never maintained)")
    parser.add_argument("--keep", help="keep the database at this path")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="docklight-bench-")
    path = os.path.join(tmp, "history.sqlite3")
    try:
        seconds = build(path, args.rows)
        size = os.path.getsize(path) / 1e6
        print(f"{args.rows:,} rows inserted in {seconds:.1f} s ({size:.0f} MB with indexes)")
        if not args.no_analyze:
            started = time.monotonic()
            retention.analyze(path)
            print(f"retention.analyze (sampled ANALYZE) took "
                  f"{(time.monotonic() - started) * 1000:.0f} ms")
        conn = db.connect(path)
        top = conn.execute("SELECT max(id) FROM commands").fetchone()[0]
        conn.close()

        month = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        cases = [
            ("first page (changes, default)", hq.Filters(), None),
            ("first page, reads too", hq.Filters(reads=True), None),
            ("app + failed + date range (reads too)",
             hq.Filters(app="app07", outcome="failed", reads=True, since=month[0],
                        until=month[1]), None),
            ("app + failed + date range (changes)",
             hq.Filters(app="app07", outcome="failed", since=month[0], until=month[1]), None),
            ("deep page: before = 900k rows back", hq.Filters(reads=True), top - 900_000),
            ("deep page, changes, 900k ids back", hq.Filters(), top - 900_000),
            ("search 'restart app13' (reads too)",
             hq.Filters(q="restart app13", reads=True), None),
            ("search, text not found (1 window)", hq.Filters(q="no-such-text", reads=True),
             None),
            ("extra: date range only, a month, reads",
             hq.Filters(reads=True, since=month[0], until=month[1]), None),
            ("extra: subcommand + failed", hq.Filters(subcommand="ps:restart",
                                                      outcome="failed"), None),
        ]
        print(f"\n{'query':40} {'indexed ms':>10} {'scan ms':>9} {'ratio':>7} {'rows':>5}  "
              f"{'< 50 ms':7}  plan (indexed)")
        worst = 0.0
        for name, filters, before in cases:
            sql, params = page_sql(path, filters, before)
            fast, count, plan = timed(path, sql, params, args.runs)
            slow, slow_count, _ = timed(path, full_scan(sql), params, max(1, args.runs // 2))
            assert slow_count == count, (name, count, slow_count)
            if not name.startswith("extra"):
                worst = max(worst, fast)
            ok = "yes" if fast < TARGET_MS else "NO"
            print(f"{name:40} {fast:10.2f} {slow:9.1f} {slow / fast:6.0f}x {count:5d}  "
                  f"{ok:7}  {plan}")
        print(f"\nslowest required query: {worst:.2f} ms (target < {TARGET_MS:.0f} ms)")
        if args.keep:
            shutil.copy(path, args.keep)
        return 0 if worst < TARGET_MS else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
