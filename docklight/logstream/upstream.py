"""One upstream ``dokku logs --tail`` and its viewers: reading, ring, reconnect.

An :class:`Upstream` reads one run of its source at a time and hands each
line to every viewer's queue. It keeps the last ``lines`` lines in a ring,
which a late joiner gets first (only those newer than its ``since`` when it
resumes). It reconnects by itself, with backoff, when the connection drops or
Dokku ends the stream with exit 0 (containers stopped or were replaced), and
drops the lines it already sent; a non-zero exit (not deployed, no such app)
ends it for good with Dokku's message.

A source's ``open()`` returns a run (its lines, ``cancel()``, then
``result``, ``messages`` and ``command_display``) or raises DokkuError, which
is retried while ``transient``. A relay's run (docklight/logstream/relay.py)
also yields encoded lines, skip counts and its owner's states, says ``via``,
and may end with the owner's ``final_event``; ``close()`` on the source, if
it has one, runs when the upstream ends. Dokku's own `` !     `` messages never arrive
as lines: the run keeps them for the refusal it ends with. Nothing here knows
Flask or SSH.
"""

from __future__ import annotations

import collections
import itertools
import logging
import secrets
import threading
import time
from typing import TYPE_CHECKING

from docklight.dokku.errors import DokkuError
from docklight.loglines import Line
from docklight.logstream.defaults import RETRY_SECONDS, SINCE_SLACK_NS
from docklight.logstream.subscription import Skipped, Subscription

if TYPE_CHECKING:
    from docklight.logstream.registry import Registry, StreamKey

log = logging.getLogger("docklight.logstream")

# Told to a relay right after its backlog: the owner's ring is backlog for the
# relaying worker's viewers too, so a resuming one gets only what it lacks.
BACKLOG_END = {"type": "backlog-end"}


def _lacking(lines, floor: int | None) -> list[Line]:
    """Return the lines a viewer that holds everything before floor (ns) lacks."""
    if floor is None:
        return list(lines)
    return [line for line in lines if line.ts_ns is not None and line.ts_ns >= floor]


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
        self.via = ""  # "dokku" (this worker runs the command) or "relay" (another does)
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
        self.local_left_at: float | None = None  # monotonic time a browser's viewer last left
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
                            "message": self.state_message, "via": self.via,
                            "heartbeat": self.registry.heartbeat})
            sub.since_floor = None if since_ns is None else since_ns - SINCE_SLACK_NS
            sub.push_lines(_lacking(self._ring, sub.since_floor))
            if sub.internal:  # a relay: what came so far was backlog, what follows is live
                sub.push_event(BACKLOG_END)
            if self.final_event is not None:
                sub.push_event(self.final_event)

    def detach(self, sub: Subscription) -> None:
        """Remove a viewer."""
        with self._lock:
            self.subscribers.discard(sub)

    def _broadcast_lines(self, lines: list[Line], backlog: bool = False) -> None:
        """Ring and hand out lines; a relayed backlog only to viewers who lack it."""
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
                sub.push_lines(_lacking(lines, sub.since_floor) if backlog else lines)

    def _broadcast_skipped(self, count: int) -> None:
        with self._lock:
            for sub in self.subscribers:
                sub.push_skipped(count)

    def _set_state(self, state: str, message: str = "", **extra) -> None:
        with self._lock:
            self.state, self.state_message = state, message
            event = {"type": "state", "state": state, "message": message, "via": self.via,
                     **extra}
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
            close = getattr(self.source, "close", None)
            if close is not None:
                close()  # gives back the installation-wide lease, if held
            self.finished.set()
            self.registry._forget(self)

    def _follow(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                handle = self.source.open()
            except DokkuError as exc:
                message = exc.detail or exc.title
                if not exc.transient:
                    self._finish({"type": "error", "kind": "transport", "title": exc.title,
                                  "message": message, "hint": exc.hint,
                                  "command": exc.command.display if exc.command else ""})
                    return
                delay = self._wait_retry(attempt)
                attempt += 1
                self._set_state("reconnecting", f"{exc.title}: {message}", retry_in=delay)
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
            self.via = getattr(handle, "via", "dokku")
            self._set_state("live")
            got_lines = self._read(handle, reopened, floor)
            result = handle.result
            with self._lock:
                self._handle = None
            if self._stopping.is_set() or (result is not None and result.status == "cancelled"):
                return
            if got_lines or time.monotonic() - opened_at > 10:
                attempt = 0
            final = getattr(handle, "final_event", None)
            if final is not None:  # the owner worker's upstream ended for good
                self._finish(final)
                return
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
                message = getattr(handle, "drop_message", "The connection to Dokku dropped.")
            self._set_state("reconnecting", message, retry_in=delay)
            if self._stopping.wait(delay):
                return

    def _read(self, handle, reopened: bool, floor: int | None) -> bool:
        """Broadcast the handle's lines; return whether any arrived."""
        got = False
        backlog = getattr(handle, "via", "dokku") == "relay"
        for raw in handle:
            if raw == BACKLOG_END:
                backlog = False
                continue
            if isinstance(raw, dict):  # a relay passes on its owner's state
                self._set_state(raw.get("state", "live"), raw.get("message", ""),
                                **{k: v for k, v in raw.items()
                                   if k not in ("type", "state", "message", "via")})
                continue
            if isinstance(raw, Skipped):
                self._broadcast_skipped(raw.count)
                continue
            line = raw if isinstance(raw, Line) else Line(raw, f"{self.epoch}-{next(self._seq)}")
            if reopened and (line.id in self._ring_ids or
                             (floor is not None and line.ts_ns is not None and
                              line.ts_ns < floor)):
                continue  # already sent before the upstream reconnected
            got = True
            self.lines_in += 1
            self._broadcast_lines([line], backlog)
        return got

    def _refusal(self, handle, exit_code: int) -> dict:
        message = "\n".join(handle.messages) or f"Dokku exited {exit_code} without a message."
        command = handle.command_display
        kind, title = "dokku", "Dokku refused the command"
        if "has not been deployed" in message:
            kind, title = "not-deployed", "Not deployed"
            message = (f"{self.key.app} has not been deployed yet, so it has no logs. "
                       f"Dokku said: {message}")
        elif "does not exist" in message:
            kind, title = "no-app", "No such app"
        return {"type": "error", "kind": kind, "title": title, "message": message,
                "command": command, "exit_code": exit_code}


