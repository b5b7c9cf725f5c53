"""The upstreams of one worker, keyed by what they follow, and the viewer limits.

The first viewer of a :class:`StreamKey` opens its upstream; later viewers of
the same key share it. When the last viewer leaves, the upstream lingers a few
seconds (a reload or tab switch reuses it), then closes its channel, which
hangs up the remote ``logs --tail`` (reference 0.7).
"""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

from docklight.logstream.defaults import (HEARTBEAT_SECONDS, LINGER_SECONDS, QUEUE_LINES,
                                          RETRY_SECONDS)
from docklight.logstream.seats import LocalSeats
from docklight.logstream.subscription import Subscription
from docklight.logstream.upstream import Upstream


class StreamKey(NamedTuple):
    """What one upstream follows: app, lines of backlog, process type ('' for all)."""

    app: str
    lines: int
    ps: str = ""


class Registry:
    """The upstreams of one worker, keyed by StreamKey, and the viewer limits."""

    def __init__(self, *, max_streams: int = 100, max_per_session: int = 10,
                 linger: float = LINGER_SECONDS, heartbeat: float = HEARTBEAT_SECONDS,
                 queue_lines: int = QUEUE_LINES, retry=RETRY_SECONDS, seats=None):
        self.max_streams = max_streams
        self.max_per_session = max_per_session
        # Where the limits are counted: this process, or every worker (seats.py).
        self.seats = seats if seats is not None else LocalSeats(max_streams, max_per_session)
        self.linger = linger
        self.heartbeat = heartbeat
        self.queue_lines = queue_lines
        self.retry = retry
        self._upstreams: dict[StreamKey, Upstream] = {}
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

    def subscribe(self, key: StreamKey, *, session_id: str, source_factory,
                  since_ns: int | None = None, internal: bool = False) -> Subscription:
        """Add a viewer of key, opening its upstream if none is open.

        ``internal`` viewers (another worker's relay, docklight/logstream/relay.py)
        are not counted against the limits: the browsers behind them are
        counted by the worker they connected to.

        :raise LimitReached: when the installation or the session follows too many.
        """
        start = None
        seat = None if internal else self.seats.take(session_id)
        try:
            with self._lock:
                upstream = self._upstreams.get(key)
                if upstream is None or upstream.done:
                    upstream = Upstream(self, key, source_factory(), retry=self.retry)
                    self._upstreams[key] = upstream
                    start = upstream
                sub = Subscription(upstream, session_id, self.queue_lines)
                sub.internal, sub.seat = internal, seat
                upstream.attach(sub, since_ns)
                if not internal:
                    self._viewers += 1
        except BaseException:
            if seat is not None:
                self.seats.give_back(seat)
            raise
        if start is not None:
            start.start()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Remove a viewer; its upstream closes after the linger if it was the last."""
        with self._lock:
            if sub.closed:
                return
            sub.closed = True
            if not sub.internal:
                self._viewers -= 1
            upstream = sub.upstream
            upstream.detach(sub)
            now = time.monotonic()
            if not sub.internal:
                upstream.local_left_at = now
            token, linger = None, self.linger
            if not upstream.subscribers:
                token = upstream.idle_token = object()
                if sub.internal:
                    # The relaying worker lingered already; only a local
                    # viewer's own linger, if one left lately, still counts.
                    left = upstream.local_left_at
                    linger = 0.0 if left is None else max(0.0, left + self.linger - now)
        if sub.seat is not None:
            self.seats.give_back(sub.seat)
        if token is not None:
            if linger <= 0:
                self._close_if_idle(upstream, token)
            else:
                timer = threading.Timer(linger, self._close_if_idle, (upstream, token))
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


