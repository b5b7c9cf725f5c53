"""One viewer's bounded queue: a slow viewer skips lines instead of slowing the others.

Each viewer of an upstream holds a :class:`Subscription`. When ``maxsize``
lines wait, newer ones are dropped and counted, and a :class:`Skipped` marker
sits where the gap is, so the page can say how many lines it missed. Only
threading primitives: under gevent (which patches them) a viewer is a
greenlet, in plain tests a thread.
"""

from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING

from docklight.loglines import Line
from docklight.logstream.defaults import BATCH_LINES

if TYPE_CHECKING:
    from docklight.logstream.upstream import Upstream


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
        self.internal = False  # another worker's relay, outside the viewer limits
        self.seat = None  # this viewer's place in the limits (docklight/logstream/seats.py)
        self.since_floor: int | None = None  # resumed: holds every line older than this (ns)
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

    def wake(self) -> None:
        """End a wait in get() now (its reader has something else to look at)."""
        self._ready.set()

    def push_skipped(self, count: int) -> None:
        """Count lines lost before they reached this worker (a relay that fell behind)."""
        with self._lock:
            self._skipped += count
            self.skipped_total += count
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


