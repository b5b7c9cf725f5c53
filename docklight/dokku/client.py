"""The Dokku client: every command goes through here, and here it is recorded.

connect() builds the client (and its executors) from the settings. run() and
stream() pick the executor (user or root target), run the command, write one
redacted history row and one log line, and drop cached reads after any state
change. Nothing outside docklight/dokku/ builds or calls an executor.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from docklight.dokku import commands, parsers, redact
from docklight.dokku.command import Command, Result
from docklight.dokku.errors import CommandFailed, CommandTimeout, DokkuError
from docklight.dokku.executor import Executors, LocalExecutor, SSHExecutor
from docklight.dokku.targets import DokkuSettings

log = logging.getLogger("docklight.dokku")


class HistoryStore(Protocol):
    """Where the client records what it ran (docklight.history.History).

    The client is handed one rather than importing it: storage sits above the
    road to Dokku and is written only through this seam.
    """

    def start(self, **row) -> int: ...

    def finish(self, row_id: int, **outcome) -> None: ...

    def append_output(self, row_id: int, text: str) -> None: ...

    def record(self, **row) -> int: ...


def connect(settings: DokkuSettings, history: HistoryStore, **options) -> "Dokku":
    """Return a client for the Dokku the settings describe; options go to Dokku()."""
    s = settings
    if s.target is None:
        local = LocalExecutor(s.local_argv, s.timeouts, env=s.local_env,
                              label="demo simulator" if s.demo else "local dokku")
        # Locally (and in the demo) the same binary runs root-only commands:
        # Docklight then runs as a user allowed to run them, or they fail
        # with Dokku's own message.
        return Dokku(Executors(user=local, root=local), history, **options)
    user = SSHExecutor(s.target, s.ssh, s.timeouts)
    root = SSHExecutor(s.root_target, s.root_ssh, s.timeouts) if s.root_target else None
    return Dokku(Executors(user=user, root=root), history, **options)


class Dokku:
    """Run allowlisted commands, record them, and cache short-lived reads."""

    def __init__(self, executors: Executors, history: HistoryStore, *,
                 cache_ttl: float = 10.0, generation=None, on_change=None):
        self.executors = executors
        self.history = history
        self.cache_ttl = cache_ttl
        # generation() returns a number that changes whenever any worker
        # changes state; cached reads from an older generation are stale.
        self._generation = generation or (lambda: 0)
        self._local_generation = 0
        self._cache: dict[str, tuple[float, object, object]] = {}
        self._versions: dict[str, parsers.DokkuVersion] = {}
        self._lock = threading.Lock()
        # on_change() tells the other workers that cached reads are stale.
        self.on_change = on_change

    @property
    def target(self) -> str:
        """Return the user target as text."""
        return str(self.executors.user)

    @property
    def has_root(self) -> bool:
        """Return whether root-only commands (plugins, ssh-keys) have a target."""
        return self.executors.root is not None

    def host_key_fingerprint(self, *, root: bool = False) -> str:
        """Return the SSH host key fingerprint of the user (or root) target, connecting."""
        return (self.executors.root if root else self.executors.user).host_key_fingerprint()

    def close(self) -> None:
        """Close every connection the client opened (they reopen on the next command)."""
        for executor in {id(e): e for e in (self.executors.user, self.executors.root)
                         if e is not None}.values():
            executor.close()

    # running ----------------------------------------------------------------

    def run(self, command: Command, *, actor_ip: str | None = None) -> Result:
        """Run command, record it, and return its Result (any exit code).

        :raise DokkuError: when Dokku cannot be reached or times out (the
            attempt is recorded too).
        """
        executor = self.executors.for_command(command)
        started = time.monotonic()
        try:
            result = executor.run(command)
        except CommandTimeout as exc:
            self._record(command, exc.result, actor_ip)
            raise
        except DokkuError as exc:
            self._record_error(command, str(executor), exc, time.monotonic() - started, actor_ip)
            raise
        self._record(command, result, actor_ip)
        return result

    def _record(self, command: Command, result: Result, actor_ip) -> int:
        row = self.history.record(
            command=command.display, subcommand=command.subcommand, app=command.app,
            target=result.target, actor_ip=actor_ip, changes_state=command.mutates,
            status=result.status, exit_code=result.exit_code, duration=result.duration,
            stdout=redact.redact_output(command, result.stdout),
            stderr=redact.redact_output(command, result.stderr))
        self._log(command, result.target, result.status, result.exit_code, result.duration)
        if command.mutates:
            self.changed()
        return row

    def _record_error(self, command, target, exc: DokkuError, duration, actor_ip) -> None:
        self.history.record(
            command=command.display, subcommand=command.subcommand, app=command.app,
            target=target, actor_ip=actor_ip, changes_state=command.mutates, status="error",
            exit_code=None, duration=duration, stdout="",
            stderr=redact.redact_text(f"{exc.title}: {exc.detail}"))
        self._log(command, target, "error", None, duration, error=exc.title)

    def _log(self, command, target, status, exit_code, duration, **extra) -> None:
        level = logging.INFO if status in ("ok", "failed") else logging.WARNING
        log.log(level, "dokku command", extra={
            "subcommand": command.subcommand, "app": command.app, "target": target,
            "status": status, "exit_code": exit_code, "duration_ms": round(duration * 1000),
            **extra})

    def stream(self, command: Command, *, actor_ip: str | None = None,
               job_id: str | None = None, on_line=None):
        """Run a long command, yielding redacted lines as they arrive.

        Output is appended to the history row as it comes (batched), so a
        reader of history sees it before the command ends. The generator's
        ``close()`` (or the consumer stopping) cancels the command. Returns,
        via StopIteration, the final Result.
        """
        executor = self.executors.for_command(command)
        row = self.history.start(command=command.display, subcommand=command.subcommand,
                                 app=command.app, target=str(executor), actor_ip=actor_ip,
                                 changes_state=command.mutates, job_id=job_id)
        started = time.monotonic()
        try:
            stream = executor.stream(command)
        except DokkuError as exc:
            self.history.finish(row, status="error", exit_code=None,
                                duration=time.monotonic() - started, stdout="",
                                stderr=redact.redact_text(f"{exc.title}: {exc.detail}"))
            self._log(command, str(executor), "error", None, time.monotonic() - started,
                      error=exc.title)
            raise
        return _RecordedStream(self, command, stream, row, started)

    def changed(self) -> None:
        """Forget cached reads after a state change (here and in other workers)."""
        with self._lock:
            self._cache.clear()
            self._local_generation += 1
        if self.on_change:
            self.on_change()

    # cached reads -------------------------------------------------------------

    def cached(self, key: str, load, ttl: float | None = None):
        """Return load() from a short-lived cache keyed by key."""
        ttl = self.cache_ttl if ttl is None else ttl
        generation = self._current_generation()
        hit = self._fresh(key, generation)
        if hit is not None:
            return hit
        value = load()
        with self._lock:
            self._cache[key] = (time.monotonic() + ttl, generation, value)
        return value

    def peek(self, key: str):
        """Return the cached value for key if it is still fresh, else None."""
        return self._fresh(key, self._current_generation())

    def _current_generation(self):
        return (self._generation(), self._local_generation)

    def _fresh(self, key: str, generation):
        hit = self._cache.get(key)
        if hit and hit[0] > time.monotonic() and hit[1] == generation:
            return hit[2]
        return None

    def forget(self, key: str | None = None) -> None:
        """Drop one cached read (or all)."""
        with self._lock:
            if key is None:
                self._cache.clear()
            else:
                self._cache.pop(key, None)

    def version(self, *, actor_ip: str | None = None) -> parsers.DokkuVersion:
        """Return the Dokku version of the user target, asked once per process."""
        key = self.target
        if key not in self._versions:
            result = self.run(commands.version(), actor_ip=actor_ip)
            if not result.ok:
                raise DokkuError("Cannot read the Dokku version",
                                 parsers.parse_dokku_error(result.stderr) or result.stdout,
                                 target=key, command=result.command)
            self._versions[key] = parsers.parse_version(result.stdout)
        return self._versions[key]

    def check_result(self, result: Result) -> Result:
        """Return result if Dokku exited 0, else raise CommandFailed."""
        if not result.ok:
            raise CommandFailed(result)
        return result


class _RecordedStream:
    """Iterate a Stream, storing redacted output in history as it arrives."""

    FLUSH_SECONDS = 0.25

    def __init__(self, dokku: Dokku, command: Command, stream, row: int, started: float):
        self.dokku = dokku
        self.command = command
        self.stream = stream
        self.row = row
        self.started = started
        self.result: Result | None = None
        self.lines: list[str] = []

    def cancel(self) -> None:
        """End the remote command (closes its channel)."""
        self.stream.cancel()

    def __iter__(self):
        pending: list[str] = []
        last_flush = time.monotonic()
        state: dict = {}
        try:
            for line in self.stream:
                line = redact.redact_line(self.command, line, state)
                pending.append(line + "\n")
                yield line
                if time.monotonic() - last_flush >= self.FLUSH_SECONDS:
                    self.dokku.history.append_output(self.row, "".join(pending))
                    pending.clear()
                    last_flush = time.monotonic()
        finally:
            if pending:
                self.dokku.history.append_output(self.row, "".join(pending))
            result = self.stream.result
            if result is None:  # the consumer stopped early: treat as a cancel
                self.stream.cancel()
                result = Result(self.command, None, "", "", time.monotonic() - self.started,
                                self.stream.target, "cancelled")
            self.result = result
            self.dokku.history.finish(self.row, status=result.status,
                                      exit_code=result.exit_code, duration=result.duration)
            self.dokku._log(self.command, result.target, result.status, result.exit_code,
                            result.duration)
            if self.command.mutates:
                self.dokku.changed()
