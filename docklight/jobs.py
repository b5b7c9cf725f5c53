"""Long Dokku commands as background jobs whose output streams to the page.

A job runs in the background of the worker that started it (a greenlet under
gunicorn's gevent worker, a thread elsewhere), never inside the HTTP request.
Its output is stored as it arrives (in its history row, by the Dokku
client), so a reload or a second browser, even one served by another worker,
re-attaches and sees everything so far, then the live tail.

Only one state-changing job may run per lock key (an app, a service, the
plugin set): a unique index over running jobs enforces it across workers,
and a second request gets Busy with the running job's id instead of a queue.
Workers refresh a heartbeat on their running jobs; a job whose worker died
stops holding its lock after STALE_AFTER seconds and is marked interrupted.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass, field

from docklight import db
from docklight.dokku import outcome
from docklight.dokku.actor import NOBODY, Actor
from docklight.dokku.command import Command
from docklight.dokku.errors import DokkuError
from docklight.history import utcnow_iso

log = logging.getLogger("docklight.jobs")

HEARTBEAT_EVERY = 2.0
STALE_AFTER = 30.0
FINISHED = ("ok", "failed", "cancelled", "timeout", "error", "interrupted", "unknown")


class Busy(Exception):
    """Another state-changing job holds the lock."""

    def __init__(self, job: "JobRecord"):
        super().__init__(f"busy: {job.title} is running")
        self.job = job


@dataclass
class JobRecord:
    """A job as stored: what the pages show."""

    id: str
    app: str | None
    title: str
    command: str
    mutates: bool
    lockKey: str | None
    status: str
    exitCode: int | None
    createdAt: str
    finishedAt: str | None
    durationMs: int | None
    historyId: int | None
    actorIp: str | None
    owner: str
    heartbeatAt: float
    cancelRequested: bool
    actorUser: str | None = None

    @property
    def running(self) -> bool:
        """Return whether the job has not finished."""
        return self.status == "running"

    @property
    def outcome_check(self) -> str:
        """Return the read-only command that shows what an ``unknown`` job really did."""
        words = tuple(self.command.split())
        if words[:1] == ("dokku",):
            words = words[1:]
        return outcome.check_command(Command(args=words, shown=words, app=self.app,
                                             mutates=self.mutates))

    @classmethod
    def from_row(cls, row) -> "JobRecord":
        """Build a JobRecord from a sqlite3.Row."""
        data = dict(row)
        data["mutates"] = bool(data["mutates"])
        data["cancelRequested"] = bool(data["cancelRequested"])
        return cls(**data)


@dataclass
class LiveJob:
    """A job running in this worker: its lines so far and who listens."""

    record: JobRecord
    command: Command
    lines: list[str] = field(default_factory=list)
    listeners: list = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    stream: object = None
    cancelled: bool = False
    cancel_status: str = "cancelled"  # "interrupted" when Docklight itself stops

    def publish(self, line: str) -> None:
        """Keep line and hand it to every listener."""
        self.lines.append(line)
        seq = len(self.lines)
        for listener in list(self.listeners):
            listener(seq, line)

    def subscribe(self, listener) -> list[str]:
        """Add listener; return the lines it missed (atomically, no gap)."""
        with _publish_lock:
            self.listeners.append(listener)
            return list(self.lines)

    def unsubscribe(self, listener) -> None:
        """Remove listener."""
        with _publish_lock:
            if listener in self.listeners:
                self.listeners.remove(listener)


_publish_lock = threading.RLock()


class JobManager:
    """Start, track, cancel and look up jobs for one worker process."""

    def __init__(self, database: str, dokku_factory):
        self.database = database
        self._dokku = dokku_factory
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.live: dict[str, LiveJob] = {}
        self._watcher: threading.Thread | None = None
        self._lock = threading.Lock()

    # storage ----------------------------------------------------------------

    def get(self, job_id: str) -> JobRecord | None:
        """Return a job by id, from any worker."""
        with db.connection(self.database) as conn:
            row = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            return JobRecord.from_row(row) if row else None

    def recent(self, limit: int = 50, app: str | None = None) -> list[JobRecord]:
        """Return running jobs first, then the newest finished ones."""
        self.expire_stale()
        with db.connection(self.database) as conn:
            where, args = ("WHERE app = ?", [app]) if app else ("", [])
            rows = conn.execute(
                f"SELECT * FROM jobs {where} ORDER BY status = 'running' DESC, createdAt DESC"
                " LIMIT ?", (*args, limit)).fetchall()
            return [JobRecord.from_row(r) for r in rows]

    def running_count(self) -> int:
        """Return how many jobs run now (for the navigation badge)."""
        with db.connection(self.database) as conn:
            return conn.execute("SELECT COUNT(*) FROM jobs WHERE status = 'running'"
                                " AND heartbeatAt >= ?", (time.time() - STALE_AFTER,)).fetchone()[0]

    def running(self) -> list[JobRecord]:
        """Return every running job, oldest first (pages pick the ones they started)."""
        self.expire_stale()
        with db.connection(self.database) as conn:
            rows = conn.execute("SELECT * FROM jobs WHERE status = 'running'"
                                " ORDER BY createdAt").fetchall()
            return [JobRecord.from_row(r) for r in rows]

    def running_for(self, lock_key: str) -> JobRecord | None:
        """Return the running job holding lock_key, if any."""
        self.expire_stale()
        with db.connection(self.database) as conn:
            row = conn.execute("SELECT * FROM jobs WHERE lockKey = ? AND status = 'running'",
                               (lock_key,)).fetchone()
            return JobRecord.from_row(row) if row else None

    def output(self, job: JobRecord) -> list[str]:
        """Return the job's stored output lines (redacted)."""
        live = self.live.get(job.id)
        if live is not None:
            return list(live.lines)
        if job.historyId is None:
            return []
        with db.connection(self.database) as conn:
            row = conn.execute("SELECT stdout, stderr FROM commands WHERE id = ?",
                               (job.historyId,)).fetchone()
        if row is None:
            return []
        text = row["stdout"] + row["stderr"]
        lines = text.split("\n")
        return lines[:-1] if lines and lines[-1] == "" else lines

    def expire_stale(self) -> int:
        """Mark running jobs whose worker stopped heartbeating as interrupted.

        Every dashboard request asks for the running jobs, so this runs on
        every page: it looks first and writes only when there is a job to
        mark. An UPDATE takes sqlite's one write lock even when it changes
        no row, and under load every request of every worker queued on it.
        """
        cutoff = time.time() - STALE_AFTER
        with db.connection(self.database) as conn:
            if conn.execute("SELECT 1 FROM jobs WHERE status = 'running' AND heartbeatAt < ?"
                            " LIMIT 1", (cutoff,)).fetchone() is None:
                return 0
            cur = conn.execute(
                "UPDATE jobs SET status = 'interrupted', finishedAt = ? WHERE status = 'running'"
                " AND heartbeatAt < ?", (utcnow_iso(), cutoff))
            return cur.rowcount

    # running ----------------------------------------------------------------

    def start(self, command: Command, *, title: str, actor: Actor = NOBODY,
              lock_key: str | None = None) -> JobRecord:
        """Start command as a job and return its record at once.

        :raise Busy: another job holds lock_key.
        """
        if lock_key is None and command.mutates and command.app:
            lock_key = f"app:{command.app}"
        self.expire_stale()
        record = JobRecord(
            id=secrets.token_hex(8), app=command.app, title=title, command=command.display,
            mutates=command.mutates, lockKey=lock_key, status="running", exitCode=None,
            createdAt=utcnow_iso(), finishedAt=None, durationMs=None, historyId=None,
            actorIp=actor.ip, owner=self.owner, heartbeatAt=time.time(), cancelRequested=False,
            actorUser=actor.user)
        try:
            with db.connection(self.database) as conn:
                conn.execute(
                    "INSERT INTO jobs (id, app, title, command, mutates, lockKey, status,"
                    " createdAt, actorIp, actorUser, owner, heartbeatAt)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)",
                    (record.id, record.app, title, record.command, int(record.mutates), lock_key,
                     record.createdAt, actor.ip, actor.user, self.owner, record.heartbeatAt))
        except sqlite3.IntegrityError:
            holder = self.running_for(lock_key) if lock_key else None
            if holder is None:  # it finished in between: try once more
                return self.start(command, title=title, actor=actor, lock_key=lock_key)
            raise Busy(holder) from None
        live = LiveJob(record=record, command=command)
        with self._lock:
            self.live[record.id] = live
        self._ensure_watcher()
        thread = threading.Thread(target=self._run, args=(live,), daemon=True,
                                  name=f"job-{record.id}")
        thread.start()
        log.info("job started", extra={"job": record.id, "app": record.app,
                                       "subcommand": command.subcommand, "user": actor.user})
        return record

    def _run(self, live: LiveJob) -> None:
        record = live.record
        started = time.monotonic()
        status, exit_code = "error", None
        try:
            stream = self._dokku().stream(live.command, job_id=record.id,
                                          actor=Actor(record.actorIp, record.actorUser))
            live.stream = stream
            self._set(record.id, historyId=stream.row)
            record.historyId = stream.row
            if live.cancelled:
                stream.cancel()
            for line in stream:
                with _publish_lock:
                    live.publish(line)
            status, exit_code = stream.result.status, stream.result.exit_code
        except DokkuError as exc:
            with _publish_lock:
                live.publish(f" !     {exc.title}: {exc.detail}".rstrip(": "))
                if exc.hint:
                    live.publish(f" !     {exc.hint}")
        except Exception:  # a bug must not leave the job "running" forever
            log.exception("job crashed", extra={"job": record.id})
            with _publish_lock:
                live.publish(" !     Docklight hit an unexpected error running this job.")
        finally:
            if live.cancelled and status not in ("ok", "failed"):
                status = live.cancel_status
            duration = round((time.monotonic() - started) * 1000)
            self._set(record.id, status=status, exitCode=exit_code, finishedAt=utcnow_iso(),
                      durationMs=duration)
            record.status, record.exitCode, record.durationMs = status, exit_code, duration
            record.finishedAt = utcnow_iso()
            live.done.set()
            with _publish_lock:
                for listener in list(live.listeners):
                    listener(None, None)  # end of stream
            with self._lock:
                self.live.pop(record.id, None)
            log.info("job finished", extra={"job": record.id, "status": status,
                                            "exit_code": exit_code, "duration_ms": duration})

    def _set(self, job_id: str, **values) -> None:
        with db.connection(self.database) as conn:
            sets = ", ".join(f"{k} = ?" for k in values)
            conn.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*values.values(), job_id))

    def cancel(self, job_id: str) -> bool:
        """Cancel a job: here if it runs in this worker, else via the database."""
        live = self.live.get(job_id)
        if live is not None:
            live.cancelled = True
            if live.stream is not None:
                live.stream.cancel()
            return True
        with db.connection(self.database) as conn:
            cur = conn.execute("UPDATE jobs SET cancelRequested = 1 WHERE id = ? AND"
                               " status = 'running'", (job_id,))
            return cur.rowcount == 1

    def wait_finished(self, job_id: str, timeout: float) -> "JobRecord | None":
        """Wait up to timeout for a job to end, wherever it runs; return its record.

        A job of this worker ends its live event; one of another worker is
        read back from the database (its watcher acts on a cancel within
        HEARTBEAT_EVERY seconds).
        """
        deadline = time.monotonic() + timeout
        live = self.live.get(job_id)
        if live is not None:
            live.done.wait(timeout)
        job = self.get(job_id)
        while job is not None and job.running and time.monotonic() < deadline:
            time.sleep(0.1)
            job = self.get(job_id)
        return job

    def _ensure_watcher(self) -> None:
        with self._lock:
            if self._watcher is None or not self._watcher.is_alive():
                self._watcher = threading.Thread(target=self._watch, daemon=True,
                                                 name="job-watcher")
                self._watcher.start()

    def _watch(self) -> None:
        """Heartbeat our running jobs and act on cancels asked for elsewhere."""
        while True:
            time.sleep(HEARTBEAT_EVERY)
            ids = list(self.live)
            if not ids:
                continue
            try:
                with db.connection(self.database) as conn:
                    marks = ",".join("?" * len(ids))
                    conn.execute(f"UPDATE jobs SET heartbeatAt = ? WHERE id IN ({marks})",
                                 (time.time(), *ids))
                    wanted = [r[0] for r in conn.execute(
                        f"SELECT id FROM jobs WHERE cancelRequested = 1 AND id IN ({marks})",
                        ids)]
                for job_id in wanted:
                    self.cancel(job_id)
            except sqlite3.Error:
                log.exception("job watcher could not reach the database")

    def shutdown(self, wait: float = 10.0) -> None:
        """Let running jobs finish for up to wait seconds, then interrupt them.

        Closing their channels ends the remote commands (they run with a
        pty); they are recorded as interrupted, never left "running".
        """
        deadline = time.monotonic() + wait
        for live in list(self.live.values()):
            live.done.wait(max(0.0, deadline - time.monotonic()))
        for live in list(self.live.values()):
            live.cancel_status = "interrupted"
            live.cancelled = True
            if live.stream is not None:
                live.stream.cancel()
        for live in list(self.live.values()):
            live.done.wait(5)
        with db.connection(self.database) as conn:
            conn.execute("UPDATE jobs SET status = 'interrupted', finishedAt = ? WHERE owner = ?"
                         " AND status = 'running'", (utcnow_iso(), self.owner))
