"""The record of every Dokku command Docklight ran, reads included.

Rows are written by docklight.dokku.client, never by views, so nothing runs
unrecorded. What is stored is already redacted: the command as shown (secrets
as ***) and output passed through docklight.dokku.redact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from docklight import db


def utcnow_iso() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds and Z."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


@dataclass
class Entry:
    """One history row, as the pages show it."""

    id: int
    createdAt: str
    command: str
    subcommand: str
    app: str | None
    target: str
    actorIp: str | None
    changesState: bool
    status: str
    exitCode: int | None
    durationMs: int | None
    stdout: str
    stderr: str
    jobId: str | None

    @classmethod
    def from_row(cls, row) -> "Entry":
        """Build an Entry from a sqlite3.Row."""
        data = dict(row)
        data["changesState"] = bool(data["changesState"])
        return cls(**data)


class History:
    """Write and read the commands table of one database file."""

    def __init__(self, path: str):
        self.path = path

    def start(self, *, command: str, subcommand: str, app: str | None, target: str,
              actor_ip: str | None, changes_state: bool, job_id: str | None = None) -> int:
        """Insert a row for a command that is starting; return its id."""
        conn = db.connect(self.path)
        try:
            cur = conn.execute(
                "INSERT INTO commands (createdAt, command, subcommand, app, target, actorIp,"
                " changesState, status, jobId) VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)",
                (utcnow_iso(), command, subcommand, app, target, actor_ip,
                 int(changes_state), job_id))
            return cur.lastrowid
        finally:
            conn.close()

    def finish(self, row_id: int, *, status: str, exit_code: int | None, duration: float,
               stdout: str | None = None, stderr: str | None = None) -> None:
        """Store the outcome of a command started with start().

        stdout/stderr of None keep what append_output() stored while it ran.
        """
        conn = db.connect(self.path)
        try:
            conn.execute(
                "UPDATE commands SET status = ?, exitCode = ?, durationMs = ?,"
                " stdout = COALESCE(?, stdout), stderr = COALESCE(?, stderr) WHERE id = ?",
                (status, exit_code, round(duration * 1000), stdout, stderr, row_id))
        finally:
            conn.close()

    def append_output(self, row_id: int, text: str) -> None:
        """Append streamed (already redacted) output to a running row."""
        conn = db.connect(self.path)
        try:
            conn.execute("UPDATE commands SET stdout = stdout || ? WHERE id = ?", (text, row_id))
        finally:
            conn.close()

    def record(self, *, command: str, subcommand: str, app: str | None, target: str,
               actor_ip: str | None, changes_state: bool, status: str,
               exit_code: int | None, duration: float, stdout: str, stderr: str) -> int:
        """Insert a finished command in one write; return its id."""
        conn = db.connect(self.path)
        try:
            cur = conn.execute(
                "INSERT INTO commands (createdAt, command, subcommand, app, target, actorIp,"
                " changesState, status, exitCode, durationMs, stdout, stderr)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (utcnow_iso(), command, subcommand, app, target, actor_ip, int(changes_state),
                 status, exit_code, round(duration * 1000), stdout, stderr))
            return cur.lastrowid
        finally:
            conn.close()

    def recent(self, *, limit: int = 10, changes_only: bool = True) -> list[Entry]:
        """Return the newest rows, state changes only by default."""
        conn = db.connect(self.path)
        try:
            where = "WHERE changesState = 1" if changes_only else ""
            rows = conn.execute(
                f"SELECT * FROM commands {where} ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
            return [Entry.from_row(r) for r in rows]
        finally:
            conn.close()

    def get(self, row_id: int) -> Entry | None:
        """Return one row by id."""
        conn = db.connect(self.path)
        try:
            row = conn.execute("SELECT * FROM commands WHERE id = ?", (row_id,)).fetchone()
            return Entry.from_row(row) if row else None
        finally:
            conn.close()
