"""The Dokku client: every command goes through here, and here it is recorded.

connect() builds the client (and its executors) from the settings. run() and
stream() pick the executor (user or root target), run the command, write one
redacted history row and one log line, and drop cached reads after any state
change. follow() is the source of the live-log fan-out (docklight/logstream/):
each run of ``logs --tail`` on the tail connections is one history row too.
Nothing outside docklight/dokku/ builds or calls an executor.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import Protocol

from docklight.dokku import commands, outcome, parsers, redact
from docklight.dokku.actor import NOBODY, Actor
from docklight.dokku.command import Command, Result
from docklight.dokku.errors import (CommandFailed, CommandTimeout, ConnectionLostMidway,
                                   DokkuError, OutcomeUnknown)
from docklight.dokku.executor import Executors, SSHExecutor
from docklight.dokku.local import LocalExecutor
from docklight.dokku.pool import ExecutorPool
from docklight.dokku.readcache import Cached, ReadCache, SharedStore
from docklight.dokku.targets import DokkuSettings, Timeouts

log = logging.getLogger("docklight.dokku")

# The cache key of plugin:list, and the first Dokku whose plugin:list has
# ``--format json`` (0.38.22).
PLUGINS_KEY = "plugin:list"
PLUGIN_LIST_JSON_SINCE = (0, 38, 22)


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
                 cache_ttl: float = 10.0, generation=None, on_change=None,
                 shared: SharedStore | None = None):
        self.executors = executors
        self.history = history
        self.cache_ttl = cache_ttl
        # generation() returns a number that changes whenever any worker
        # changes state (a cheap check); reads from an older one are dropped.
        # shared holds values and refresh leases every worker sees.
        timeouts = getattr(executors.user, "timeouts", None) or Timeouts()
        self.reads = ReadCache(cache_ttl, generation, shared,
                               lease_seconds=timeouts.read + 5, wait_seconds=timeouts.page)
        # The user target's version and the connection it was read over:
        # (connection number, version). One lock, so that many requests
        # missing it at once send one `version`, not one each.
        self._version: tuple[int | None, parsers.DokkuVersion] | None = None
        self._version_lock = threading.Lock()
        # on_change() tells the other workers that cached reads are stale.
        self.on_change = on_change
        # Follows hold a channel for as long as someone watches; they get
        # connections of their own (`logs` is not root-only: user target).
        self.tails = ExecutorPool(executors.user)

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
        self.tails.close()
        for executor in {id(e): e for e in (self.executors.user, self.executors.root)
                         if e is not None}.values():
            executor.close()

    # running ----------------------------------------------------------------

    def run(self, command: Command, *, actor: Actor = NOBODY) -> Result:
        """Run command, record it, and return its Result (any exit code).

        :raise DokkuError: when Dokku cannot be reached or times out (the
            attempt is recorded too).
        """
        executor = self.executors.for_command(command)
        started = time.monotonic()
        try:
            result = executor.run(command)
        except CommandTimeout as exc:
            if outcome.is_uncertain(command, "timeout"):
                self._record(command, dataclasses.replace(exc.result, status=outcome.UNKNOWN),
                             actor)
                raise _outcome_unknown(command, exc, "It did not finish within its time "
                                       "limit, so Docklight closed the channel.") from exc
            self._record(command, exc.result, actor)
            raise
        except ConnectionLostMidway as exc:
            if command.mutates:
                self._record_error(command, str(executor), exc, time.monotonic() - started,
                                   actor, status=outcome.UNKNOWN)
                raise _outcome_unknown(command, exc, "The SSH connection dropped before "
                                       "Dokku reported how it ended.") from exc
            self._record_error(command, str(executor), exc, time.monotonic() - started, actor)
            raise
        except DokkuError as exc:
            self._record_error(command, str(executor), exc, time.monotonic() - started, actor)
            raise
        stored = self._record(command, result, actor)
        return _scrubbed(result, stored)

    def _record(self, command: Command, result: Result, actor: Actor) -> tuple[str, str]:
        """Write the history row and the log line; return the (stdout, stderr) stored."""
        stored = (redact.redact_output(command, result.stdout),
                  redact.redact_output(command, result.stderr))
        self.history.record(
            command=command.display, subcommand=command.subcommand, app=command.app,
            target=result.target, actor_ip=actor.ip, actor_user=actor.user,
            changes_state=command.mutates,
            status=result.status, exit_code=result.exit_code, duration=result.duration,
            stdout=stored[0], stderr=stored[1])
        self._log(command, result.target, result.status, result.exit_code, result.duration,
                  user=actor.user)
        if command.mutates:
            self.changed(changed_app(command))
        return stored

    def _record_error(self, command, target, exc: DokkuError, duration, actor: Actor, *,
                      status: str = "error") -> None:
        self.history.record(
            command=command.display, subcommand=command.subcommand, app=command.app,
            target=target, actor_ip=actor.ip, actor_user=actor.user,
            changes_state=command.mutates, status=status,
            exit_code=None, duration=duration, stdout="",
            stderr=redact.redact_text(f"{exc.title}: {exc.detail}"))
        self._log(command, target, status, None, duration, error=exc.title, user=actor.user)

    def _log(self, command, target, status, exit_code, duration, **extra) -> None:
        level = logging.INFO if status in ("ok", "failed", "cancelled") else logging.WARNING
        log.log(level, "dokku command", extra={
            "subcommand": command.subcommand, "app": command.app, "target": target,
            "status": status, "exit_code": exit_code, "duration_ms": round(duration * 1000),
            **extra})

    def stream(self, command: Command, *, actor: Actor = NOBODY,
               job_id: str | None = None) -> "_RecordedStream":
        """Start a long command; iterate the answer for its redacted lines.

        Output is appended to the history row as it comes (batched), so a
        reader of history sees it before the command ends. ``cancel()`` (or
        the consumer stopping) ends the command; ``result`` holds the final
        Result once the lines are read.

        :raise DokkuError: when the command cannot start (recorded too).
        """
        executor = self.executors.for_command(command)
        stream, row, started = self._start(executor, command, actor, job_id)
        return _RecordedStream(self, command, stream, row, started, actor)

    def follow(self, command: Command, *, actor: Actor = NOBODY) -> "Follow":
        """Return a source that follows command (``logs --tail``) on the tail connections.

        Each ``open()`` of it is one run and one history row: the command, its
        outcome and Dokku's own messages, never the lines it followed.
        """
        return Follow(self, command, actor)

    def _start(self, executor, command: Command, actor: Actor, job_id=None):
        """Start command on executor under a running history row; return (stream, row, started).

        :raise DokkuError: when it cannot start; the row then records why.
        """
        row = self.history.start(command=command.display, subcommand=command.subcommand,
                                 app=command.app, target=str(executor), actor_ip=actor.ip,
                                 actor_user=actor.user, changes_state=command.mutates,
                                 job_id=job_id)
        started = time.monotonic()
        try:
            return executor.stream(command), row, started
        except DokkuError as exc:
            duration = time.monotonic() - started
            self.history.finish(row, status="error", exit_code=None, duration=duration,
                                stdout="", stderr=redact.redact_text(f"{exc.title}: {exc.detail}"))
            self._log(command, str(executor), "error", None, duration, error=exc.title,
                      user=actor.user)
            raise

    def changed(self, app: str | None = None) -> None:
        """Forget the cached reads a state change to app (None: to no single app) touched.

        Here and, through on_change, in the other workers.
        """
        self.reads.invalidate(app)
        if self.on_change:
            self.on_change(app)

    # cached reads -------------------------------------------------------------

    def cached(self, key: str, load, ttl: float | None = None, *, shared: bool = False,
               app: str | None = None):
        """Return load() from the short-lived cache keyed by key (see readcache.py).

        shared: the value may be kept where every worker reads it (never for
        a read that could hold a secret). app: the one app whose state load()
        reads, so writes to other apps leave it cached (None: it spans apps).
        """
        return self.reads.get(key, load, ttl, shared, app).value

    def lookup(self, key: str, load, ttl: float | None = None, *,
               shared: bool = False, app: str | None = None) -> Cached:
        """Return key as cached() does, with when it was read and whether it is stale."""
        return self.reads.get(key, load, ttl, shared, app)

    def peek(self, key: str):
        """Return the cached value for key if it can be served now (fresh or stale), else None."""
        hit = self.reads.peek(key)
        return None if hit is None else hit.value

    def forget(self, key: str) -> None:
        """Drop one cached read."""
        self.reads.forget(key)

    def version(self, *, actor: Actor = NOBODY) -> parsers.DokkuVersion:
        """Return the Dokku version of the user target, read once per connection.

        Builders and views ask this before choosing a command form (JSON
        reports, per-process options, docker-options quoting). It is kept for
        as long as the connection it was read over lives: a reconnect may
        reach an upgraded Dokku, so the first caller after one reads it again.
        """
        executor = self.executors.user
        with self._version_lock:
            known = self._version
            live = executor.connection
            if known is not None and live is not None and known[0] == live:
                return known[1]
            result = self.run(commands.version(), actor=actor)
            if not result.ok:
                raise DokkuError("Cannot read the Dokku version",
                                 parsers.parse_dokku_error(result.stderr) or result.stdout,
                                 target=self.target, command=result.command)
            version = parsers.parse_version(result.stdout)
            # Keyed by the connection `version` ran over (the run may have
            # reconnected), so the next caller on it is answered from here.
            self._version = (executor.connection, version)
            return version

    def plugins(self, *, actor: Actor = NOBODY) -> list[parsers.Plugin]:
        """Return the installed plugins (``plugin:list``), cached like other reads.

        JSON on Dokku 0.38.22 and later (plugins/plugin plugin.go CommandList
        gained ``--format``), the text table before. Not shared across
        workers: a plugin's source URL can carry credentials.

        :raise DokkuError: Dokku cannot be reached.
        :raise CommandFailed: plugin:list failed.
        """
        return self.cached(PLUGINS_KEY, lambda: self._load_plugins(actor))

    def _load_plugins(self, actor) -> list[parsers.Plugin]:
        json = self.version(actor=actor).at_least(*PLUGIN_LIST_JSON_SINCE)
        result = self.check_result(self.run(commands.plugin_list(json=json), actor=actor))
        if json:
            found = parsers.parse_plugin_list_json(result.stdout)
        else:
            found = parsers.parse_plugin_list(result.stdout)
        return sorted(found, key=lambda p: p.name)

    def plugin_version(self, name: str, *,
                       actor: Actor = NOBODY) -> parsers.DokkuVersion | None:
        """Return the version plugin:list prints for plugin name, or None when not installed.

        A plugin's own commands change between its releases (dokku-letsencrypt
        got ``letsencrypt:report --format json`` in 0.24.0), so views ask this
        before choosing a command form.
        """
        plugin = next((p for p in self.plugins(actor=actor) if p.name == name), None)
        return None if plugin is None else parsers.parse_version(plugin.version)

    def check_result(self, result: Result) -> Result:
        """Return result if Dokku exited 0, else raise CommandFailed."""
        if not result.ok:
            raise CommandFailed(result)
        return result


WIDE_WRITES = frozenset({"apps:rename", "apps:clone"})
"""Writes that name one app but change another's state too (the new name's)."""


def changed_app(command: Command) -> str | None:
    """Return the one app a write changed, or None when it may have changed any."""
    return None if command.subcommand in WIDE_WRITES else command.app


def _outcome_unknown(command: Command, exc: DokkuError, why: str) -> OutcomeUnknown:
    """Return the error for a state change that may or may not have run."""
    return OutcomeUnknown(
        "Outcome unknown: the command may still have run",
        outcome.explanation(command, why), target=exc.target, command=command,
        hint=f"Check with {outcome.check_command(command)} (or reload the page) before "
             "running it again; History records this run as unknown.",
        result=exc.result, check=outcome.check_command(command))


def _scrubbed(result: Result, stored: tuple[str, str]) -> Result:
    """Return result with its output as callers may see it (redact.for_caller).

    For every command but the explicit reveals that is exactly what history
    stored, so the text is scrubbed once: at 200 apps the three bulk reports
    are ~400 kB, and scrubbing them twice was a sizeable part of a cold load.
    """
    if redact.caller_sees_stored(result.command):
        stdout, stderr = stored
    else:
        stdout = redact.for_caller(result.command, result.stdout)
        stderr = redact.for_caller(result.command, result.stderr)
    if stdout == result.stdout and stderr == result.stderr:
        return result
    return dataclasses.replace(result, stdout=stdout, stderr=stderr)


def _final_result(stream, command: Command, started: float) -> Result:
    """Return stream's Result; a consumer that stopped early cancels the command."""
    if stream.result is None:
        stream.cancel()
        return Result(command, None, "", "", time.monotonic() - started, stream.target,
                      "cancelled")
    return stream.result


class _RecordedStream:
    """Iterate a Stream, storing redacted output in history as it arrives."""

    FLUSH_SECONDS = 0.25

    def __init__(self, dokku: Dokku, command: Command, stream, row: int, started: float,
                 actor: Actor = NOBODY):
        self.dokku = dokku
        self.command = command
        self.stream = stream
        self.row = row
        self.started = started
        self.actor = actor
        self.result: Result | None = None

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
            result = _final_result(self.stream, self.command, self.started)
            if outcome.is_uncertain(self.command, result.status):
                # Timed out or dropped mid-way: nobody knows what the host did.
                result = dataclasses.replace(result, status=outcome.UNKNOWN)
            self.result = result
            self.dokku.history.finish(self.row, status=result.status,
                                      exit_code=result.exit_code, duration=result.duration)
            self.dokku._log(self.command, result.target, result.status, result.exit_code,
                            result.duration, user=self.actor.user)
            if self.command.mutates:
                self.dokku.changed(changed_app(self.command))


# --- follows ---------------------------------------------------------------------

MAX_DOKKU_MESSAGES = 20


def is_dokku_message(raw: str) -> bool:
    """Return whether raw is Dokku's own ` !     ` message rather than a followed line."""
    if "!" not in raw[:16]:  # log lines start with a colour code and a timestamp
        return False
    return parsers.has_dokku_prefix(parsers.strip_ansi(raw))


class Follow:
    """A command that follows forever, opened again each time it ends or drops."""

    def __init__(self, dokku: Dokku, command: Command, actor: Actor = NOBODY):
        self.dokku = dokku
        self.command = command
        self.actor = actor

    def open(self) -> "FollowRun":
        """Start one run on a pooled tail connection.

        :raise DokkuError: when Dokku cannot be reached (recorded too);
            ``transient`` says whether opening again may help.
        """
        tails = self.dokku.tails
        executor = tails.acquire()
        try:
            stream, row, started = self.dokku._start(executor, self.command, self.actor)
        except DokkuError:
            tails.release(executor)
            raise
        return FollowRun(self.dokku, self.command, stream, row, executor, started)


class FollowRun:
    """The followed lines of one run; Dokku's messages are kept, not yielded.

    When the lines end (or the consumer stops), the run's history row gets
    its outcome and Dokku's messages, and its channel goes back to the pool.
    """

    def __init__(self, dokku: Dokku, command: Command, stream, row: int, executor,
                 started: float):
        self._dokku = dokku
        self._command = command
        self._stream = stream
        self._row = row
        self._executor = executor
        self._started = started
        self.command_display = command.display
        self.messages: list[str] = []
        self.result: Result | None = None

    def cancel(self) -> None:
        """Close the channel: the pty hangs up the remote command."""
        self._stream.cancel()

    def __iter__(self):
        try:
            for raw in self._stream:
                if is_dokku_message(raw):
                    if len(self.messages) < MAX_DOKKU_MESSAGES:
                        self.messages.append(parsers.parse_dokku_error(raw))
                    continue
                yield raw
        finally:
            result = self.result = _final_result(self._stream, self._command, self._started)
            self._dokku.history.finish(
                self._row, status=result.status, exit_code=result.exit_code,
                duration=result.duration, stdout="",
                stderr=redact.redact_output(self._command, "\n".join(self.messages)))
            self._dokku._log(self._command, result.target, result.status, result.exit_code,
                             result.duration)
            self._dokku.tails.release(self._executor)
