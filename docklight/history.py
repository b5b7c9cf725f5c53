"""The record of every Dokku command Docklight ran, reads included: the writer.

Rows are written by docklight.dokku.client, never by views, so nothing runs
unrecorded. What is stored is already redacted: the command as shown (secrets
as ***) and output passed through docklight.dokku.redact. Pages read the table
through docklight.history_query.
"""

from __future__ import annotations

import datetime as dt

from docklight import db


# A read's output is kept up to this many characters. Reads run all day (the
# dashboard's three bulk reports every cache TTL while a page is open): at 200
# apps those are ~400 kB a load, which kept whole made a week of read history
# tens of GB. What a read found is on the page that asked for it; history
# keeps who asked, when, how it ended and the start of what Dokku said.
# State changes keep all their output.
READ_OUTPUT_KEPT = 8192


def kept_output(text: str, changes_state: bool) -> str:
    """Return the part of a command's output history keeps, saying what it left out."""
    if changes_state or len(text) <= READ_OUTPUT_KEPT:
        return text
    cut = text.rfind("\n", 0, READ_OUTPUT_KEPT) + 1  # end on a whole line where one fits
    if cut < READ_OUTPUT_KEPT // 2:
        cut = READ_OUTPUT_KEPT
    return (text[:cut] + f"[{len(text) - cut:,} more characters not kept: history keeps the "
            f"first {READ_OUTPUT_KEPT:,} characters of a read's output]\n")


def utcnow_iso() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds and Z."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class History:
    """Write the commands table of one database file."""

    def __init__(self, path: str):
        self.path = path

    def start(self, *, command: str, subcommand: str, app: str | None, target: str,
              actor_ip: str | None, changes_state: bool, job_id: str | None = None,
              actor_user: str | None = None) -> int:
        """Insert a row for a command that is starting; return its id."""
        with db.connection(self.path) as conn:
            cur = conn.execute(
                "INSERT INTO commands (createdAt, command, subcommand, app, target, actorIp,"
                " actorUser, changesState, status, jobId)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)",
                (utcnow_iso(), command, subcommand, app, target, actor_ip, actor_user,
                 int(changes_state), job_id))
            return cur.lastrowid

    def finish(self, row_id: int, *, status: str, exit_code: int | None, duration: float,
               stdout: str | None = None, stderr: str | None = None) -> None:
        """Store the outcome of a command started with start().

        stdout/stderr of None keep what append_output() stored while it ran.
        """
        with db.connection(self.path) as conn:
            conn.execute(
                "UPDATE commands SET status = ?, exitCode = ?, durationMs = ?,"
                " stdout = COALESCE(?, stdout), stderr = COALESCE(?, stderr) WHERE id = ?",
                (status, exit_code, round(duration * 1000), stdout, stderr, row_id))

    def append_output(self, row_id: int, text: str) -> None:
        """Append streamed (already redacted) output to a running row."""
        with db.connection(self.path) as conn:
            conn.execute("UPDATE commands SET stdout = stdout || ? WHERE id = ?", (text, row_id))

    def record(self, *, command: str, subcommand: str, app: str | None, target: str,
               actor_ip: str | None, changes_state: bool, status: str,
               exit_code: int | None, duration: float, stdout: str, stderr: str,
               actor_user: str | None = None) -> int:
        """Insert a finished command in one write; return its id."""
        with db.connection(self.path) as conn:
            cur = conn.execute(
                "INSERT INTO commands (createdAt, command, subcommand, app, target, actorIp,"
                " actorUser, changesState, status, exitCode, durationMs, stdout, stderr)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (utcnow_iso(), command, subcommand, app, target, actor_ip, actor_user,
                 int(changes_state), status, exit_code, round(duration * 1000),
                 kept_output(stdout, changes_state), kept_output(stderr, changes_state)))
            return cur.lastrowid
