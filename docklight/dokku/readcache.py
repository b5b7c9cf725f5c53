"""Short-lived cached reads that load cannot turn into Dokku calls.

Without this, every request that missed the cache started its own bulk
report, and under load they queued behind the channel limit (issue 13: 1365
commands in 30 s with a 10 s TTL). Here:

* **Single flight.** One refresh per key at a time in a worker: the first
  miss starts it, every later miss of the same key waits on that one.
* **Stale while revalidate.** A value older than the TTL is still returned at
  once, marked stale (with the time it was read), while one refresh runs in
  the background. Only a cold key (never read, or dropped by a state change)
  makes a request wait, and then on the refresh already in flight.
* **Across workers** (optional ``shared`` store, docklight/readshare.py): a
  refresh first looks for a value another worker read within the TTL, and
  otherwise claims a lease, so Dokku is asked at most once per TTL per key
  for the whole installation. A worker that loses the lease waits for the
  winner's value (cold) or keeps serving its stale one (warm).
* **Invalidation.** ``generation(scope)`` is a cheap check (a file's stat,
  see readshare.ScopedGeneration) that changes whenever any worker changed
  what a key reads: a key belongs to one app (its scope) or spans apps
  (scope None). A write to one app ends that app's keys and the keys that
  span apps, and leaves other apps' keys cached; a write that names no app
  ends every key. An entry read under an older generation is never served,
  not even stale: after a write the page must show the new state.

No Flask and no sqlite here: the shared store and the generation are handed
in, as the history store is handed to the client.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from docklight.dokku.errors import DokkuBusy

log = logging.getLogger("docklight.dokku")

# A value older than this is not served even stale: better "Dokku is not
# answering" than a table from long ago.
MAX_STALE_SECONDS = 600.0
# After a failed background refresh, the stale value is served for this long
# before the next attempt (a refused connection would otherwise be retried by
# every request).
RETRY_AFTER_FAILURE = 5.0
# A value served past OVERDUE x TTL is marked in the page ("as of 21 s ago"):
# just past the TTL, the refresh it started is normally back before anyone
# could read the mark; pages poll every TTL/2, so a healthy value is never
# older than TTL + TTL/2 + one round trip.
OVERDUE = 2.0
# How often a worker that lost the lease looks for the winner's value.
SHARED_POLL_SECONDS = 0.05


class SharedStore(Protocol):
    """Values and refresh leases shared by every worker (docklight.readshare.SharedReads)."""

    def get(self, key: str) -> "tuple[int, float, object] | None": ...

    def claim(self, key: str, generation: int, ttl: float, lease: float) -> bool: ...

    def put(self, key: str, generation: int, fetched_at: float, value) -> None: ...

    def release(self, key: str) -> None: ...


@dataclass
class Cached:
    """A value as served: when it was read from Dokku and whether it is past its TTL."""

    value: object
    fetched_at: float  # unix seconds
    stale: bool = False  # past the TTL: a refresh runs behind
    error: Exception | None = None  # why the last background refresh failed
    overdue: bool = False  # past OVERDUE x TTL: worth saying so in the page

    @property
    def age(self) -> float:
        """Return seconds since the value was read from Dokku."""
        return max(0.0, time.time() - self.fetched_at)


@dataclass
class _Entry:
    value: object
    fetched_at: float
    generation: object
    expires: float  # monotonic
    error: Exception | None = None
    retry_at: float = 0.0  # monotonic; no background refresh before


class _Flight:
    """One refresh in progress; waiters block on done."""

    def __init__(self):
        self.done = threading.Event()
        self.entry: _Entry | None = None
        self.error: BaseException | None = None


class ReadCache:
    """Per-worker cache of Dokku reads with single flight and stale-while-revalidate."""

    def __init__(self, ttl: float, generation=None, shared: SharedStore | None = None,
                 lease_seconds: float = 60.0, wait_seconds: float | None = None, spawn=None):
        self.ttl = ttl
        # A cold read waits this long at most; the refresh itself goes on.
        self.wait_seconds = wait_seconds
        self._generation = generation or (lambda scope=None: 0)
        # This worker's own writes, counted the same way (scope -> count; None: every write,
        # "" : writes that named no app).
        self._local: dict[str | None, int] = {}
        self._scopes: dict[str, str | None] = {}  # key -> the app it belongs to
        self.shared = shared
        self.lease_seconds = lease_seconds
        self._spawn = spawn or _spawn_thread
        self._entries: dict[str, _Entry] = {}
        self._flights: dict[str, _Flight] = {}
        self._forced: set[str] = set()  # keys whose next refresh must ask Dokku
        self._lock = threading.Lock()

    def generation(self, scope: str | None = None):
        """Return the generation entries of scope are checked against (shared, local)."""
        if scope is None:
            return (self._generation(None), self._local.get(None, 0))
        return (self._generation(scope), self._local.get("", 0), self._local.get(scope, 0))

    def invalidate(self, app: str | None = None) -> None:
        """Forget the entries a write to app (None: to no single app) may have changed.

        The shared generation is bumped by the caller.
        """
        with self._lock:
            for counter in (None, app or ""):
                self._local[counter] = self._local.get(counter, 0) + 1
            for key in [k for k in self._entries
                        if app is None or self._scopes.get(k) in (None, app)]:
                del self._entries[key]

    def forget(self, key: str) -> None:
        """Drop one entry: the next read of key waits for Dokku (not another worker's copy)."""
        with self._lock:
            self._entries.pop(key, None)
            self._forced.add(key)

    def peek(self, key: str) -> Cached | None:
        """Return key's entry if it may be served now (fresh or stale), without loading."""
        entry = self._servable(key, self.generation(self._scopes.get(key)))
        if entry is None:
            return None
        return Cached(entry.value, entry.fetched_at, entry.expires <= time.monotonic(),
                      entry.error)

    def fresh(self, key: str) -> bool:
        """Return whether key is cached and within its TTL."""
        entry = self._servable(key, self.generation(self._scopes.get(key)))
        return entry is not None and entry.expires > time.monotonic()

    def refreshing(self, key: str) -> bool:
        """Return whether a refresh of key is in flight in this worker."""
        return key in self._flights

    def get(self, key: str, load, ttl: float | None = None, shared: bool = False,
            scope: str | None = None) -> Cached:
        """Return key's value: fresh, stale (refreshing behind), or loaded (waiting).

        scope: the app whose state key reads (None: it spans apps).

        :raise: whatever load() raised, when there was no value to serve.
        """
        ttl = self.ttl if ttl is None else ttl
        if ttl <= 0:  # caching switched off
            fetched_at = time.time()
            return Cached(load(), fetched_at)
        self._scopes[key] = scope
        generation = self.generation(scope)
        now = time.monotonic()
        entry = self._servable(key, generation)
        if entry is not None:
            if entry.expires > now:
                return Cached(entry.value, entry.fetched_at, False, entry.error)
            if entry.retry_at <= now:
                self._start(key, load, ttl, shared, generation, background=True)
            overdue = time.time() - entry.fetched_at > ttl * OVERDUE
            return Cached(entry.value, entry.fetched_at, True, entry.error, overdue)
        flight = self._start(key, load, ttl, shared, generation, background=False)
        if not flight.done.wait(self.wait_seconds):
            raise DokkuBusy(
                "Dokku is not answering",
                f"no answer within {self.wait_seconds:g} s; the read goes on and the next "
                "request will show it", hint="Try again in a few seconds.")
        if flight.error is not None:
            raise flight.error
        entry = flight.entry
        return Cached(entry.value, entry.fetched_at, entry.expires <= time.monotonic())

    # internals --------------------------------------------------------------

    def _servable(self, key: str, generation) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.generation != generation:
            return None
        if time.time() - entry.fetched_at > MAX_STALE_SECONDS:
            return None
        return entry

    def _start(self, key, load, ttl, shared, generation, *, background: bool) -> _Flight:
        """Join the flight for key, or start one (in the background if asked)."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight
            flight = self._flights[key] = _Flight()
        # Cold reads run apart too, so a waiter can give up at its own timeout.
        self._spawn(self._fly, key, load, ttl, shared, generation, flight, background)
        return flight

    def _fly(self, key, load, ttl, shared, generation, flight: _Flight, background: bool):
        store = self.shared if shared else None
        try:
            entry = self._refresh(key, load, ttl, store, generation, background)
            if entry is not None:
                with self._lock:
                    if self.generation(self._scopes.get(key)) == generation:
                        self._entries[key] = entry
            flight.entry = entry
        except BaseException as exc:  # handed to the waiters, or kept beside the stale value
            flight.error = exc
            if background:
                log.warning("background refresh failed", extra={"key": key, "error": str(exc)})
                with self._lock:
                    stale = self._entries.get(key)
                    if stale is not None:
                        stale.error = exc
                        stale.retry_at = time.monotonic() + min(ttl, RETRY_AFTER_FAILURE)
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.done.set()

    def _refresh(self, key, load, ttl, store, generation, background) -> _Entry | None:
        """Read key from the shared store or from Dokku; None: keep the stale value."""
        with self._lock:
            forced = key in self._forced
            self._forced.discard(key)
        if store is None:
            return self._load(key, load, ttl, generation)
        shared_generation = generation[0]
        deadline = time.monotonic() + self.lease_seconds
        while True:
            row = None if forced else store.get(key)
            if row is not None:
                row_generation, fetched_at, value = row
                age = time.time() - fetched_at
                if row_generation == shared_generation and age < ttl:
                    return _Entry(value, fetched_at, generation,
                                  time.monotonic() + max(0.0, ttl - age))
            if store.claim(key, shared_generation, 0.0 if forced else ttl, self.lease_seconds):
                try:
                    entry = self._load(key, load, ttl, generation)
                    store.put(key, shared_generation, entry.fetched_at, entry.value)
                    return entry
                finally:
                    store.release(key)
            # Another worker is reading it from Dokku right now.
            forced = False  # its answer is as fresh as ours would be
            if background:
                return None
            if time.monotonic() > deadline:
                return self._load(key, load, ttl, generation)
            time.sleep(SHARED_POLL_SECONDS)

    @staticmethod
    def _load(key, load, ttl, generation) -> _Entry:
        fetched_at = time.time()
        value = load()
        return _Entry(value, fetched_at, generation, time.monotonic() + ttl)


def _spawn_thread(fn, *args) -> None:
    """Run fn in a daemon thread (a greenlet under gunicorn's gevent worker).

    The caller's context variables go along (Flask keeps its app and request
    context in them), so a loader may use what the request that started it
    could: a refresh is that request's read, recorded with its address.
    """
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(fn, *args), daemon=True,
                     name="docklight-refresh").start()
