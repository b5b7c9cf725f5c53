"""Which history rows a page shows: the filters, and the keyset query that finds them.

Pages are keyset-paginated on id, newest first: the next page is the same
query with ``id < ?`` (the last id shown), never an OFFSET, so a deep page
costs what the first one does and rows recorded between two fetches cannot
shift a page (no gaps, no repeats).

Each filter is one SQL condition. The indexes of the history migration
(docklight/db.py) lead with the equality a filter sets (app, subcommand,
changesState, or the partial index of failures) followed by id, so sqlite
walks one index in id order and stops after LIMIT; the other filters are
checked on the index entries before the row is read. A date range that
sqlite judges narrow is read from the createdAt index instead, sorting only
the ids in it: that cost grows with the rows in the range (16 ms for a month
of a million-row year), which is why a range reaching today is always walked
from the newest row (see conditions()).

Free-text search (``LIKE '%text%'``) cannot use an index, so it reads rows
until it has a page. To keep one request bounded whatever the text, a search
looks at no more than SEARCH_WINDOW ids below ``before``; when the window
runs out before the page is full, the page says how far it looked and its
"older" link continues below the window.

Date ranges are inclusive days in UTC and compare createdAt as text, which
orders correctly because every row stores the same ISO 8601 form.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from typing import Iterator, Mapping

from docklight import db
from docklight.dokku.validators import ascii_int

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

PAGE_SIZE = 50
EXPORT_BATCH = 1000
SEARCH_WINDOW = 100_000  # ids a search page may look through (~20 ms, bench/history.py)
MAX_TEXT = 200  # longest app, subcommand or search text accepted
OUTCOMES = ("ok", "failed")

LIST_COLUMNS = ("id", "createdAt", "actorIp", "target", "app", "subcommand", "command",
                "changesState", "status", "exitCode", "durationMs", "jobId",
                "actorUser")  # last, so existing export columns keep their places
EXPORT_COLUMNS = LIST_COLUMNS + ("stdout", "stderr")

# The job a row belongs to: the job it names (commands.jobId), else the job
# that names it (jobs.historyId); only jobs that still exist, so links work.
JOB_LINK = ("COALESCE((SELECT j.id FROM jobs j WHERE j.id = commands.jobId),"
            " (SELECT j.id FROM jobs j WHERE j.historyId = commands.id LIMIT 1)) AS jobLink")


@dataclass(frozen=True)
class Filters:
    """What the history page was asked to show; empty means "any"."""

    app: str = ""
    subcommand: str = ""
    outcome: str = ""  # "", "ok" or "failed" (failed: any status but ok)
    reads: bool = False  # False: state changes only
    since: dt.date | None = None  # first day, inclusive
    until: dt.date | None = None  # last day, inclusive
    q: str = ""  # text somewhere in the command
    user: str = ""  # the Docklight user who ran it

    def args(self) -> dict[str, str]:
        """Return the query-string arguments that repeat these filters in a link."""
        out = {"app": self.app, "subcommand": self.subcommand, "outcome": self.outcome,
               "reads": "1" if self.reads else "",
               "from": self.since.isoformat() if self.since else "",
               "to": self.until.isoformat() if self.until else "", "q": self.q,
               "user": self.user}
        return {k: v for k, v in out.items() if v}

    @property
    def narrowed(self) -> bool:
        """Return whether anything beyond the default (changes only) is set."""
        return bool(self.args())


def _date(value: str) -> dt.date:
    # strptime's %Y takes any Unicode digits; a date is ASCII like every number.
    if not DATE_RE.fullmatch(value):
        raise ValueError(value)
    return dt.datetime.strptime(value, "%Y-%m-%d").date()


def parse(args: Mapping[str, str]) -> tuple[Filters, int | None, dict[str, str]]:
    """Read filters and ``before`` from query arguments.

    Return (filters, before, errors); errors maps a field name to a message
    and, when not empty, the filters holding the bad values are dropped.
    """
    errors: dict[str, str] = {}
    text = {}
    for name in ("app", "subcommand", "q", "user"):
        value = (args.get(name) or "").strip()
        if len(value) > MAX_TEXT:
            errors[name] = f"At most {MAX_TEXT} characters."
            value = ""
        text[name] = value
    outcome = args.get("outcome") or ""
    if outcome not in ("",) + OUTCOMES:
        errors["outcome"] = "Choose ok or failed."
        outcome = ""
    dates: dict[str, dt.date | None] = {}
    for name in ("from", "to"):
        value = (args.get(name) or "").strip()
        dates[name] = None
        if value:
            try:
                dates[name] = _date(value)
            except ValueError:
                errors[name] = "Use a date like 2026-11-24."
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = "The last day is before the first day."
    before = None
    raw = args.get("before") or ""
    if raw:
        number = ascii_int(raw)
        if number is not None and 0 < number < 2 ** 63:
            before = number
        else:
            errors["before"] = "Not a history row id."
    filters = Filters(app=text["app"], subcommand=text["subcommand"], outcome=outcome,
                      reads=(args.get("reads") or "") in ("1", "on", "true", "yes"),
                      since=dates["from"], until=dates["to"], q=text["q"], user=text["user"])
    return filters, before, errors


def like_pattern(text: str) -> str:
    """Return a LIKE pattern matching text anywhere, its wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(filters: Filters) -> tuple[list[str], list]:
    """Return the WHERE conditions and their parameters for filters."""
    where: list[str] = []
    params: list = []
    if not filters.reads:
        where.append("changesState = 1")
    if filters.app:
        where.append("app = ?")
        params.append(filters.app)
    if filters.subcommand:
        where.append("subcommand = ?")
        params.append(filters.subcommand)
    if filters.user:
        # commands_user_page leads with actorUser, then id.
        where.append("actorUser = ?")
        params.append(filters.user)
    if filters.outcome == "ok":
        where.append("status = 'ok'")
    elif filters.outcome == "failed":
        # A literal, not a parameter: sqlite uses the partial index
        # commands_failed_page only when the query repeats its WHERE.
        where.append("status != 'ok'")
    if filters.since:
        where.append("createdAt >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        # A range reaching today is cheapest walked from the newest row down;
        # the unary + keeps sqlite from choosing the createdAt index for it
        # instead, which would sort every row in the range.
        today = dt.datetime.now(dt.timezone.utc).date()
        column = "+createdAt" if filters.until >= today else "createdAt"
        where.append(f"{column} < ?")
        params.append((filters.until + dt.timedelta(days=1)).isoformat())
    if filters.q:
        where.append("command LIKE ? ESCAPE '\\'")
        params.append(like_pattern(filters.q))
    return where, params


def select(filters: Filters, *, before: int | None = None, floor: int | None = None,
           limit: int = PAGE_SIZE + 1, columns=LIST_COLUMNS,
           job_link: bool = True) -> tuple[str, list]:
    """Build the keyset query: rows matching filters with floor <= id < before.

    The inner query picks the ids (an index walk, or a short sort of ids
    only when sqlite prefers a date range); the outer one reads just those
    rows, so wide rows are never sorted.
    """
    where, params = conditions(filters)
    if before is not None:
        where.append("id < ?")
        params.append(before)
    if floor is not None:
        where.append("id >= ?")
        params.append(floor)
    params.append(limit)
    cols = ", ".join(columns) + (f", {JOB_LINK}" if job_link else "")
    inner = (f"SELECT id FROM commands WHERE {' AND '.join(where) or '1'}"
             " ORDER BY id DESC LIMIT ?")
    return f"SELECT {cols} FROM commands WHERE id IN ({inner}) ORDER BY id DESC", params


@dataclass
class Page:
    """One page of rows and where the next one starts."""

    rows: list[dict]
    next_before: int | None  # ?before= for the next (older) page; None at the end
    searched_from: int | None = None  # set when a search window ran out: ids
    searched_to: int | None = None  # searched_from <= id < searched_to were read


def page_query(conn: sqlite3.Connection, filters: Filters, before: int | None = None,
               size: int = PAGE_SIZE, columns=LIST_COLUMNS,
               job_link: bool = True) -> tuple[str, list, int | None, int | None]:
    """Return (sql, params, floor, top) for one page; floor/top bound a search window."""
    floor = top = None
    if filters.q:
        top = before
        if top is None:
            top = (conn.execute("SELECT max(id) FROM commands").fetchone()[0] or 0) + 1
        floor = top - SEARCH_WINDOW
    sql, params = select(filters, before=before, floor=floor, limit=size + 1, columns=columns,
                         job_link=job_link)
    return sql, params, floor, top


def fetch_page(conn: sqlite3.Connection, filters: Filters, before: int | None = None,
               size: int = PAGE_SIZE, columns=LIST_COLUMNS, job_link: bool = True) -> Page:
    """Return up to size rows matching filters, newest first, below before."""
    sql, params, floor, top = page_query(conn, filters, before, size, columns, job_link)
    rows = [dict(r) for r in conn.execute(sql, params).fetchall()]
    if len(rows) > size:
        return Page(rows[:size], rows[size - 1]["id"])
    if floor is not None:
        lowest = conn.execute("SELECT min(id) FROM commands").fetchone()[0]
        if lowest is not None and lowest < floor:
            return Page(rows, floor, searched_from=floor, searched_to=top)
    return Page(rows, None)


def batches(path: str, filters: Filters, size: int | None = None,
            columns=EXPORT_COLUMNS) -> Iterator[list[dict]]:
    """Yield every row matching filters in keyset batches, newest first.

    Each batch opens and closes its own connection, so a slow download
    never holds a read transaction (which would stop WAL checkpoints).
    """
    size = size or EXPORT_BATCH
    before = None
    while True:
        with db.connection(path) as conn:
            page = fetch_page(conn, filters, before, size, columns, job_link=False)
        if page.rows:
            yield page.rows
        if page.next_before is None:
            return
        before = page.next_before


def get(conn: sqlite3.Connection, row_id: int) -> dict | None:
    """Return one row with its output and job link, or None."""
    row = conn.execute(f"SELECT *, {JOB_LINK} FROM commands WHERE id = ?",
                       (row_id,)).fetchone()
    return dict(row) if row else None


def parse_time(value: str) -> dt.datetime:
    """Parse a stored createdAt (ISO 8601 UTC) into an aware datetime."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def duration_text(ms: int | None) -> str:
    """Say how long a command took, in the unit that reads best."""
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s"


def timed_out_reads(conn: sqlite3.Connection, within_seconds: float, limit: int = 20) -> list[dict]:
    """Return the reads that timed out in the last within_seconds, newest first.

    Their Dokku processes may still be running: reads run without a pty and
    sshd does not signal a forced-command session, so a read whose channel
    was closed goes on until its next write (measured in
    tests/test_timed_out_reads.py). The host page lists them.
    """
    since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=within_seconds))
    rows = conn.execute(
        "SELECT id, createdAt, command, target, durationMs FROM commands"
        # status != 'ok' lets sqlite walk the short partial index of failures.
        " WHERE status != 'ok' AND status = 'timeout' AND changesState = 0 AND createdAt >= ?"
        " ORDER BY id DESC LIMIT ?",
        (since.strftime("%Y-%m-%dT%H:%M:%S.000Z"), limit)).fetchall()
    return [dict(row) for row in rows]
