"""Live logs: one upstream ``dokku logs --tail`` per app and options, shared by every viewer.

A :class:`Registry` maps ``StreamKey(app, lines, ps)`` to an :class:`Upstream`.
The first viewer of a key opens the upstream; later viewers of the same key
in this worker share it. Each viewer holds a :class:`Subscription`, a bounded
queue: a viewer that falls behind loses lines (and is told how many) instead
of slowing the others or growing memory. The upstream keeps the last ``lines``
lines in a ring, which a late joiner gets first (only those newer than its
``since`` when it resumes), then the live tail. When the last viewer leaves,
the upstream lingers a few seconds (a reload or tab switch reuses it), then
closes its channel; the pty hangs up the remote ``logs --tail`` (reference 0.7).

The upstream reconnects by itself, with backoff, when the SSH connection drops
or Dokku ends the stream with exit 0 (containers stopped or were replaced),
and drops the lines it already sent. A non-zero exit (not deployed, no such
app) ends it for good with Dokku's message.

Only the standard library's threading primitives are used, so under
gunicorn's gevent worker (which patches them) every upstream and viewer is a
greenlet, and in plain tests they are threads. Nothing here knows Flask: the
WebSocket view (docklight/views/logs.py) passes in a source and a socket.

Every line gets a stable id: a hash of Dokku's RFC3339Nano timestamp, the
process and the message (docker keeps each line's timestamp, so two runs of
``logs`` agree), or the upstream's epoch and a sequence number for lines
without a timestamp. The page drops ids it already holds.
"""

from __future__ import annotations

import calendar
import collections
import hashlib
import itertools
import json
import logging
import re
import secrets
import threading
import time
from typing import NamedTuple

from docklight.dokku import parsers
from docklight.templating import ansi

log = logging.getLogger("docklight.logstream")
command_log = logging.getLogger("docklight.dokku")

LINES_CHOICES = (100, 500, 1000)
# Defaults; the app passes the validated settings (docklight/config.py).
# Seconds an upstream stays open after its last viewer left.
LINGER_SECONDS = 5.0
# Seconds between app-level heartbeats, so the page can tell live from stale.
HEARTBEAT_SECONDS = 15.0
# Lines one viewer may have waiting before it starts skipping.
QUEUE_LINES = 2000
# Waits before reopening a dropped upstream (the last one repeats).
RETRY_SECONDS = (1, 2, 4, 8, 15, 30)
# Containers log in parallel, so lines are not globally time-ordered: a
# resuming viewer also gets lines up to this much older than what it has.
SINCE_SLACK_NS = 2_000_000_000
BATCH_LINES = 200  # lines per WebSocket message
POLL_SECONDS = 1.0  # how often a viewer notices its socket closed
MAX_DOKKU_MESSAGES = 20


class StreamKey(NamedTuple):
    """What one upstream follows: app, lines of backlog, process type ('' for all)."""

    app: str
    lines: int
    ps: str = ""


class LimitReached(Exception):
    """Too many live log streams, in total or for one session."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def event(self) -> dict:
        """Return the message the page shows."""
        return {"type": "error", "kind": "limit", "final": True,
                "title": "Too many live log streams", "message": self.message}


class SourceError(Exception):
    """The upstream could not be opened; fatal errors are not retried."""

    def __init__(self, message: str, *, fatal: bool = False, title: str = "Cannot reach Dokku",
                 hint: str = "", command: str = ""):
        super().__init__(message)
        self.message = message
        self.fatal = fatal
        self.title = title
        self.hint = hint
        self.command = command


# --- lines --------------------------------------------------------------------

_TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                    r"(Z|[+-]\d{2}:?\d{2})$")


def timestamp_ns(text: str | None) -> int | None:
    """Return unix nanoseconds for an RFC3339(Nano) timestamp, or None."""
    m = _TS_RE.match(text or "")
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    nanos = int((m.group(7) or "").ljust(9, "0"))
    zone = m.group(8)
    offset = 0
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[-2:]) * 60)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset
    return seconds * 1_000_000_000 + nanos


def line_id(parsed: parsers.LogLine) -> str | None:
    """Return the stable id of a timestamped line (None without a timestamp)."""
    if not parsed.timestamp:
        return None
    key = f"{parsed.timestamp}|{parsed.process}|{parsed.message}"
    return hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).hexdigest()


def is_dokku_message(raw: str) -> bool:
    """Return whether raw is Dokku's own ` !     ` message rather than a log line."""
    if "!" not in raw[:16]:  # log lines start with a colour code and a timestamp
        return False
    return parsers.has_dokku_prefix(parsers.strip_ansi(raw))


class Line:
    """One log line, encoded once for every viewer."""

    __slots__ = ("id", "ts_ns", "json")

    def __init__(self, raw: str, fallback_id: str):
        parsed = parsers.parse_log_line(raw)
        self.id = line_id(parsed) or fallback_id
        self.ts_ns = timestamp_ns(parsed.timestamp)
        # h is escaped HTML (ANSI colours as classes): the page may insert it.
        self.json = json.dumps({"i": self.id, "t": parsed.timestamp, "p": parsed.process,
                                "h": str(ansi(raw))}, separators=(",", ":"))


class Skipped:
    """Marker: this many lines were dropped for a slow viewer at this point."""

    __slots__ = ("count",)

    def __init__(self, count: int):
        self.count = count


# --- one viewer -------------------------------------------------------------------

class Subscription:
    """One viewer's bounded queue of lines and events.

    When ``maxsize`` lines wait, newer lines are dropped and counted; the next
    line that fits (or the next read) is preceded by a Skipped marker, so the
    page shows exactly where the gap is. Events (state, errors) always fit.
    """

    def __init__(self, upstream: "Upstream", session_id: str, maxsize: int):
        self.upstream = upstream
        self.session_id = session_id
        self.maxsize = maxsize
        self.closed = False
        self.skipped_total = 0
        self._items: collections.deque = collections.deque()
        self._lines = 0
        self._skipped = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()

    def push_lines(self, lines) -> None:
        """Queue lines, dropping (and counting) what does not fit."""
        with self._lock:
            for line in lines:
                if self._lines >= self.maxsize:
                    self._skipped += 1
                    self.skipped_total += 1
                    continue
                if self._skipped:
                    self._items.append(Skipped(self._skipped))
                    self._skipped = 0
                self._items.append(line)
                self._lines += 1
        self._ready.set()

    def push_event(self, event: dict) -> None:
        """Queue a control message (never dropped)."""
        with self._lock:
            if self._skipped:
                self._items.append(Skipped(self._skipped))
                self._skipped = 0
            self._items.append(event)
        self._ready.set()

    @property
    def pending(self) -> int:
        """Return how many lines wait to be sent."""
        return self._lines

    def get(self, timeout: float | None = None, max_lines: int = BATCH_LINES) -> list:
        """Return queued items, oldest first (at most max_lines lines), waiting up to timeout."""
        if not self._items and not self._skipped:
            self._ready.wait(timeout)
        out: list = []
        with self._lock:
            self._ready.clear()
            taken = 0
            while self._items and taken < max_lines:
                item = self._items.popleft()
                if isinstance(item, Line):
                    taken += 1
                    self._lines -= 1
                out.append(item)
            if self._items:
                self._ready.set()
            elif self._skipped:
                out.append(Skipped(self._skipped))
                self._skipped = 0
        return out


# --- one upstream -------------------------------------------------------------------

class Upstream:
    """One running ``logs --tail`` and its viewers."""

    def __init__(self, registry: "Registry", key: StreamKey, source, *, retry=RETRY_SECONDS):
        self.registry = registry
        self.key = key
        self.source = source
        self.retry = tuple(retry)
        self.epoch = secrets.token_hex(4)
        self.subscribers: set[Subscription] = set()
        self.state = "connecting"
        self.state_message = ""
        self.final_event: dict | None = None
        self.lines_in = 0
        self.opens = 0
        self.finished = threading.Event()
        self._ring: collections.deque = collections.deque()
        self._ring_ids: collections.Counter = collections.Counter()
        self._max_ts: int | None = None
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._handle = None
        self.idle_token: object | None = None  # set each time the last viewer leaves
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"logs {key.app} {key.lines} {key.ps or '*'}")

    @property
    def done(self) -> bool:
        """Return whether this upstream ended for good (or is closing)."""
        return self.final_event is not None or self._stopping.is_set()

    def start(self) -> None:
        """Start following in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Close the channel (which ends the remote command) and stop retrying."""
        self._stopping.set()
        with self._lock:
            handle = self._handle
        if handle is not None:
            handle.cancel()

    # viewers ---------------------------------------------------------------------

    def attach(self, sub: Subscription, since_ns: int | None) -> None:
        """Add a viewer: hello, then the backlog it lacks, then live lines."""
        with self._lock:
            self.subscribers.add(sub)
            sub.push_event({"type": "hello", "app": self.key.app, "lines": self.key.lines,
                            "ps": self.key.ps, "state": self.state,
                            "message": self.state_message,
                            "heartbeat": self.registry.heartbeat})
            if since_ns is None:
                backlog = list(self._ring)
            else:
                floor = since_ns - SINCE_SLACK_NS
                backlog = [line for line in self._ring
                           if line.ts_ns is not None and line.ts_ns >= floor]
            sub.push_lines(backlog)
            if self.final_event is not None:
                sub.push_event(self.final_event)

    def detach(self, sub: Subscription) -> None:
        """Remove a viewer."""
        with self._lock:
            self.subscribers.discard(sub)

    def _broadcast_lines(self, lines: list[Line]) -> None:
        with self._lock:
            for line in lines:
                self._ring.append(line)
                self._ring_ids[line.id] += 1
                if line.ts_ns is not None and (self._max_ts is None or line.ts_ns > self._max_ts):
                    self._max_ts = line.ts_ns
            while len(self._ring) > self.key.lines:
                old = self._ring.popleft()
                self._ring_ids[old.id] -= 1
                if self._ring_ids[old.id] <= 0:
                    del self._ring_ids[old.id]
            for sub in self.subscribers:
                sub.push_lines(lines)

    def _set_state(self, state: str, message: str = "", **extra) -> None:
        with self._lock:
            self.state, self.state_message = state, message
            event = {"type": "state", "state": state, "message": message, **extra}
            for sub in self.subscribers:
                sub.push_event(event)

    def _finish(self, event: dict) -> None:
        event = {**event, "final": True}
        with self._lock:
            self.state = "stopped"
            self.final_event = event
            for sub in self.subscribers:
                sub.push_event(event)

    # the reader ------------------------------------------------------------------

    def _wait_retry(self, attempt: int) -> int:
        return self.retry[min(attempt, len(self.retry) - 1)]

    def _run(self) -> None:
        try:
            self._follow()
        except Exception:  # a bug here must not leave viewers hanging
            log.exception("live log upstream failed", extra={"app": self.key.app})
            self._finish({"type": "error", "kind": "internal", "title": "Live logs failed",
                          "message": "Docklight could not follow these logs; see its log."})
        finally:
            with self._lock:
                self._handle = None
            self.finished.set()
            self.registry._forget(self)

    def _follow(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                handle = self.source.open()
            except SourceError as exc:
                if exc.fatal:
                    self._finish({"type": "error", "kind": "transport", "title": exc.title,
                                  "message": exc.message, "hint": exc.hint,
                                  "command": exc.command})
                    return
                delay = self._wait_retry(attempt)
                attempt += 1
                self._set_state("reconnecting", f"{exc.title}: {exc.message}", retry_in=delay)
                if self._stopping.wait(delay):
                    return
                continue
            with self._lock:
                self._handle = handle
            if self._stopping.is_set():
                handle.cancel()
            reopened = self.opens > 0
            self.opens += 1
            floor = None
            if reopened and self._max_ts is not None:
                floor = self._max_ts - SINCE_SLACK_NS
            opened_at = time.monotonic()
            self._set_state("live")
            got_lines = self._read(handle, reopened, floor)
            result = handle.result
            with self._lock:
                self._handle = None
            if self._stopping.is_set() or (result is not None and result.status == "cancelled"):
                return
            if got_lines or time.monotonic() - opened_at > 10:
                attempt = 0
            exit_code = None if result is None else result.exit_code
            if exit_code is not None and exit_code != 0:
                self._finish(self._refusal(handle, exit_code))
                return
            delay = self._wait_retry(attempt)
            attempt += 1
            if exit_code == 0:
                message = ("Dokku ended the log stream (exit 0): the app's containers stopped "
                           "or were replaced, or none is running.")
            else:
                message = "The connection to Dokku dropped."
            self._set_state("reconnecting", message, retry_in=delay)
            if self._stopping.wait(delay):
                return

    def _read(self, handle, reopened: bool, floor: int | None) -> bool:
        """Broadcast the handle's lines; return whether any arrived."""
        got = False
        for raw in handle:
            if is_dokku_message(raw):
                continue  # the handle keeps them for the error message
            line = Line(raw, f"{self.epoch}-{next(self._seq)}")
            if reopened and (line.id in self._ring_ids or
                             (floor is not None and line.ts_ns is not None and
                              line.ts_ns < floor)):
                continue  # already sent before the upstream reconnected
            got = True
            self.lines_in += 1
            self._broadcast_lines([line])
        return got

    def _refusal(self, handle, exit_code: int) -> dict:
        message = "\n".join(getattr(handle, "messages", ()) or ()) or \
            f"Dokku exited {exit_code} without a message."
        command = getattr(handle, "command_display", "")
        kind, title = "dokku", "Dokku refused the command"
        if "has not been deployed" in message:
            kind, title = "not-deployed", "Not deployed"
            message = (f"{self.key.app} has not been deployed yet, so it has no logs. "
                       f"Dokku said: {message}")
        elif "does not exist" in message:
            kind, title = "no-app", "No such app"
        return {"type": "error", "kind": kind, "title": title, "message": message,
                "command": command, "exit_code": exit_code}


# --- the registry ---------------------------------------------------------------------

class Registry:
    """The upstreams of one worker, keyed by StreamKey, and the viewer limits."""

    def __init__(self, *, max_streams: int = 100, max_per_session: int = 10,
                 linger: float = LINGER_SECONDS, heartbeat: float = HEARTBEAT_SECONDS,
                 queue_lines: int = QUEUE_LINES, retry=RETRY_SECONDS):
        self.max_streams = max_streams
        self.max_per_session = max_per_session
        self.linger = linger
        self.heartbeat = heartbeat
        self.queue_lines = queue_lines
        self.retry = retry
        self.opened_total = 0
        self._upstreams: dict[StreamKey, Upstream] = {}
        self._per_session: collections.Counter = collections.Counter()
        self._viewers = 0
        self._lock = threading.Lock()

    @property
    def upstream_count(self) -> int:
        """Return how many upstreams are open (lingering ones included)."""
        with self._lock:
            return len(self._upstreams)

    @property
    def viewer_count(self) -> int:
        """Return how many viewers are subscribed."""
        return self._viewers

    def upstream(self, key: StreamKey) -> Upstream | None:
        """Return the open upstream for key, if any."""
        return self._upstreams.get(key)

    def subscribe(self, key: StreamKey, *, session_id: str, source_factory,
                  since_ns: int | None = None) -> Subscription:
        """Add a viewer of key, opening its upstream if none is open.

        :raise LimitReached: when the worker or the session follows too many.
        """
        start = None
        with self._lock:
            if self._viewers >= self.max_streams:
                raise LimitReached(
                    f"Docklight already serves {self._viewers} live log streams, the most it "
                    "allows (DOCKLIGHT_MAX_LOG_STREAMS). Close a Logs tab somewhere, then "
                    "reconnect.")
            if self._per_session[session_id] >= self.max_per_session:
                raise LimitReached(
                    f"This login already follows {self._per_session[session_id]} live log "
                    "streams, the most allowed per session "
                    "(DOCKLIGHT_MAX_LOG_STREAMS_PER_SESSION). Close another Logs tab, "
                    "then reconnect.")
            upstream = self._upstreams.get(key)
            if upstream is None or upstream.done:
                upstream = Upstream(self, key, source_factory(), retry=self.retry)
                self._upstreams[key] = upstream
                self.opened_total += 1
                start = upstream
            sub = Subscription(upstream, session_id, self.queue_lines)
            upstream.attach(sub, since_ns)
            self._viewers += 1
            self._per_session[session_id] += 1
        if start is not None:
            start.start()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Remove a viewer; its upstream closes after the linger if it was the last."""
        with self._lock:
            if sub.closed:
                return
            sub.closed = True
            self._viewers -= 1
            self._per_session[sub.session_id] -= 1
            if self._per_session[sub.session_id] <= 0:
                del self._per_session[sub.session_id]
            upstream = sub.upstream
            upstream.detach(sub)
            token = None
            if not upstream.subscribers:
                token = upstream.idle_token = object()
        if token is not None:
            if self.linger <= 0:
                self._close_if_idle(upstream, token)
            else:
                timer = threading.Timer(self.linger, self._close_if_idle, (upstream, token))
                timer.daemon = True
                timer.start()

    def _close_if_idle(self, upstream: Upstream, token: object) -> None:
        # Only the timer of the latest departure counts: a viewer who came
        # and went in between restarted the linger.
        with self._lock:
            if upstream.subscribers or upstream.idle_token is not token:
                return
            if self._upstreams.get(upstream.key) is upstream:
                del self._upstreams[upstream.key]
        upstream.stop()

    def _forget(self, upstream: Upstream) -> None:
        """Drop an upstream that ended (its viewers got the final event)."""
        with self._lock:
            if self._upstreams.get(upstream.key) is upstream:
                del self._upstreams[upstream.key]

    def close(self) -> None:
        """Stop every upstream (shutdown and tests)."""
        with self._lock:
            upstreams = list(self._upstreams.values())
            self._upstreams.clear()
        for upstream in upstreams:
            upstream.stop()


# --- sending to one socket -----------------------------------------------------------

def encode(items: list) -> list[tuple[str, bool]]:
    """Turn queued items into WebSocket messages: (text, is_final)."""
    out: list[tuple[str, bool]] = []
    batch: list[str] = []

    def flush():
        if batch:
            out.append(('{"type":"lines","lines":[' + ",".join(batch) + "]}", False))
            batch.clear()

    for item in items:
        if isinstance(item, Line):
            batch.append(item.json)
            continue
        flush()
        if isinstance(item, Skipped):
            out.append((json.dumps({"type": "skipped", "count": item.count}), False))
        else:
            out.append((json.dumps(item), bool(item.get("final"))))
    flush()
    return out


def pump(ws, sub: Subscription, heartbeat: float, poll: float = POLL_SECONDS) -> str:
    """Send sub's items to ws until the socket closes or a final event went out.

    ws needs ``send(text)``, ``receive(timeout)`` and ``connected`` (a
    simple_websocket connection has them). Returns why it stopped:
    ``"closed"`` or ``"final"``.
    """
    next_beat = time.monotonic() + heartbeat
    while ws.connected:
        wait = max(0.0, min(poll, next_beat - time.monotonic()))
        items = sub.get(timeout=wait)
        for text, final in encode(items):
            ws.send(text)
            if final:
                return "final"
        if time.monotonic() >= next_beat:
            ws.send(json.dumps({"type": "heartbeat", "state": sub.upstream.state,
                                "at": round(time.time(), 3)}))
            next_beat = time.monotonic() + heartbeat
        if not items:
            # The page sends nothing we act on; keep its input from piling
            # up (when idle: each look costs a trip through the event loop).
            while ws.receive(timeout=0) is not None:
                pass
    return "closed"


# --- the Dokku side ----------------------------------------------------------------------

class ExecutorPool:
    """SSH connections of their own for log tails.

    A tail holds an SSH channel for as long as someone watches. On the shared
    executor those channels would take the slots (and OpenSSH's sessions per
    connection) that page reads need, so tails get their own connections, at
    most ``per_connection`` channels each; a connection closes when its last
    tail ends. Other executors (local dokku, the demo) are used as they are.
    """

    def __init__(self, base, per_connection: int | None = None):
        from docklight.dokku.executor import SSHExecutor

        self.base = base
        self._ssh = isinstance(base, SSHExecutor)
        self._per = per_connection or (base.settings.max_channels if self._ssh else 0)
        self._entries: list[list] = []
        self._lock = threading.Lock()

    @property
    def connections(self) -> int:
        """Return how many log connections are open."""
        return len(self._entries)

    def acquire(self):
        """Return an executor with a free channel."""
        if not self._ssh:
            return self.base
        from docklight.dokku.executor import SSHExecutor

        with self._lock:
            for entry in self._entries:
                if entry[1] < self._per:
                    entry[1] += 1
                    return entry[0]
            executor = SSHExecutor(self.base.target, self.base.settings, self.base.timeouts)
            self._entries.append([executor, 1])
            return executor

    def release(self, executor) -> None:
        """Give a channel back; close the connection when it has none left."""
        if not self._ssh:
            return
        with self._lock:
            for entry in self._entries:
                if entry[0] is executor:
                    entry[1] -= 1
                    if entry[1] <= 0:
                        self._entries.remove(entry)
                        break
                    return
            else:
                return
        executor.close()

    def close(self) -> None:
        """Close every log connection."""
        with self._lock:
            entries, self._entries = self._entries, []
        for executor, _ in entries:
            executor.close()


FATAL_TITLES = ("Authentication failed", "No SSH key", "Cannot read the SSH key",
                "Cannot read known_hosts")


class DokkuTail:
    """Open ``dokku logs --tail`` on a pooled executor; one history row per run.

    Log lines are not stored: the row holds the command, its outcome and
    Dokku's own messages (`` !     `` lines) only.
    """

    def __init__(self, command, pool: ExecutorPool, history, actor_ip: str | None = None):
        self.command = command
        self.pool = pool
        self.history = history
        self.actor_ip = actor_ip

    def open(self) -> "RecordedTail":
        """Start the command.

        :raise SourceError: when Dokku cannot be reached (recorded too).
        """
        from docklight import redact
        from docklight.dokku.executor import DokkuError, HostKeyError, RootNotConfigured

        executor = self.pool.acquire()
        started = time.monotonic()
        row = self.history.start(command=self.command.display, subcommand="logs",
                                 app=self.command.app, target=str(executor),
                                 actor_ip=self.actor_ip, changes_state=False)
        try:
            stream = executor.stream(self.command)
        except DokkuError as exc:
            duration = time.monotonic() - started
            self.history.finish(row, status="error", exit_code=None, duration=duration,
                                stdout="", stderr=redact.redact_text(f"{exc.title}: {exc.detail}"))
            _log_command(self.command, str(executor), "error", None, duration, error=exc.title)
            self.pool.release(executor)
            fatal = isinstance(exc, (HostKeyError, RootNotConfigured)) or exc.title in FATAL_TITLES
            raise SourceError(exc.detail or exc.title, fatal=fatal, title=exc.title,
                              hint=exc.hint, command=self.command.display) from exc
        return RecordedTail(self, stream, row, executor, started)


class RecordedTail:
    """Lines of one ``logs --tail`` run; finishing it writes its history row."""

    def __init__(self, tail: DokkuTail, stream, row: int, executor, started: float):
        self._tail = tail
        self._stream = stream
        self._row = row
        self._executor = executor
        self._started = started
        self.command_display = tail.command.display
        self.messages: list[str] = []
        self.result = None

    def cancel(self) -> None:
        """Close the channel: the pty hangs up the remote command."""
        self._stream.cancel()

    def __iter__(self):
        try:
            for raw in self._stream:
                if is_dokku_message(raw) and len(self.messages) < MAX_DOKKU_MESSAGES:
                    self.messages.append(parsers.parse_dokku_error(raw))
                yield raw
        finally:
            result = self._stream.result
            if result is None:
                self._stream.cancel()
            self.result = result
            status = result.status if result else "cancelled"
            exit_code = result.exit_code if result else None
            duration = time.monotonic() - self._started
            self._tail.history.finish(self._row, status=status, exit_code=exit_code,
                                      duration=duration, stdout="",
                                      stderr="\n".join(self.messages))
            _log_command(self._tail.command, str(self._executor), status, exit_code, duration)
            self._tail.pool.release(self._executor)


def _log_command(command, target, status, exit_code, duration, **extra) -> None:
    level = logging.INFO if status in ("ok", "failed", "cancelled") else logging.WARNING
    command_log.log(level, "dokku command", extra={
        "subcommand": command.subcommand, "app": command.app, "target": target,
        "status": status, "exit_code": exit_code, "duration_ms": round(duration * 1000),
        **extra})
