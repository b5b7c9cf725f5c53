"""What cached Dokku reads share across gunicorn workers: a generation and the values.

``StateGeneration`` is a small file whose content changes whenever any
worker changes state through Dokku. Checking it costs one ``os.stat`` (the
content is read only when the file changed, or changed so recently that the
file system's coarse timestamps could hide a second change), so the client
can check it on every cached read; the old check was a sqlite query per
call.

``SharedReads`` keeps the last value of each shared key in sqlite with a
refresh lease: one UPDATE claims the right to ask Dokku, and only when no
other worker holds it and the stored value is older than the TTL or from an
older generation. So however many workers miss at once, Dokku is asked once
per key per TTL (docklight/dokku/readcache.py uses both).

Values are pickled: they are our own parsed reports (dataclasses, dicts),
written and read only by this program in its own data folder. Keys that
could hold a secret are never shared (the caller decides, see
views/app_page.SHAREABLE_REPORTS); they stay in each worker's memory.
"""

from __future__ import annotations

import os
import pickle
import secrets
import time

from docklight import db

# A change this recent may hide a second one with the same timestamp.
RECENT_NS = 50_000_000


class StateGeneration:
    """A number every worker can check cheaply, changed by bump() from any worker."""

    def __init__(self, path: str):
        self.path = path
        self._seen: tuple | None = None
        self._value = 0

    def current(self) -> int:
        """Return the current generation (0 before the first change)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return 0
        seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        if seen == self._seen and time.time_ns() - st.st_mtime_ns > RECENT_NS:
            return self._value
        try:
            with open(self.path, encoding="ascii") as f:
                value = int(f.read().strip() or 0)
        except (OSError, ValueError):
            return self._value
        self._seen, self._value = seen, value
        return value

    def bump(self) -> int:
        """Write a new generation (atomically: readers see the old or the new one)."""
        value = secrets.randbits(62) + 1
        tmp = f"{self.path}.{os.getpid()}.{secrets.token_hex(4)}"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(str(value))
        os.replace(tmp, self.path)
        return value


class ScopedGeneration:
    """Generations per scope, so a write to one app leaves other apps' reads cached.

    Three kinds of file in one folder, each a StateGeneration:

    * ``any`` changes on every write: reads that span apps (the dashboard,
      databases, plugins, the host) check it;
    * ``app-<name>`` changes on a write to that app;
    * ``global`` changes on a write that names no single app (global config,
      plugins, renames): it ends every app's reads too.

    A read of one app checks that app's file and ``global``: two stats.
    """

    def __init__(self, folder: str):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        self.folder = folder
        self._any = StateGeneration(os.path.join(folder, "any"))
        self._global = StateGeneration(os.path.join(folder, "global"))
        self._apps: dict[str, StateGeneration] = {}

    def _app(self, app: str) -> StateGeneration:
        found = self._apps.get(app)
        if found is None:
            # App names are Dokku's (lowercase letters, digits, dashes): safe file names.
            found = self._apps[app] = StateGeneration(os.path.join(self.folder, f"app-{app}"))
        return found

    def current(self, scope: str | None = None) -> int:
        """Return the generation reads of scope (an app, or None: across apps) check."""
        if scope is None:
            return self._any.current()
        # One number for the pair, as the shared store keeps one per key.
        return hash((self._global.current(), self._app(scope).current())) & (2**62 - 1)

    def bump(self, app: str | None = None) -> None:
        """Record a write to app (or to no single app: every scope then changes)."""
        self._any.bump()
        (self._app(app) if app else self._global).bump()


class SharedReads:
    """Last values and refresh leases of shared cache keys, in the read_cache table."""

    def __init__(self, database: str):
        self.database = database

    def get(self, key: str):
        """Return (generation, fetched_at, value) of key, or None."""
        with db.connection(self.database) as conn:
            row = conn.execute("SELECT generation, fetchedAt, value FROM read_cache"
                               " WHERE key = ? AND value IS NOT NULL", (key,)).fetchone()
        if row is None:
            return None
        try:
            return row[0], row[1], pickle.loads(row[2])
        except Exception:  # a value from an older version of a class: read again
            return None

    def claim(self, key: str, generation: int, ttl: float, lease: float) -> bool:
        """Take the refresh lease for key if nobody holds it and the value needs a refresh."""
        now = time.time()
        with db.connection(self.database) as conn:
            cur = conn.execute(
                "INSERT INTO read_cache (key, generation, fetchedAt, value, leaseUntil)"
                " VALUES (?, -1, 0, NULL, ?)"
                " ON CONFLICT(key) DO UPDATE SET leaseUntil = excluded.leaseUntil"
                " WHERE read_cache.leaseUntil <= ?"
                " AND (read_cache.generation != ? OR read_cache.fetchedAt <= ?)",
                (key, now + lease, now, generation, now - ttl))
            return cur.rowcount == 1

    def put(self, key: str, generation: int, fetched_at: float, value) -> None:
        """Store the value just read from Dokku."""
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with db.connection(self.database) as conn:
            conn.execute("UPDATE read_cache SET generation = ?, fetchedAt = ?, value = ?"
                         " WHERE key = ?", (generation, fetched_at, blob, key))

    def release(self, key: str) -> None:
        """Give the lease back (the value, if any, was stored first)."""
        with db.connection(self.database) as conn:
            conn.execute("UPDATE read_cache SET leaseUntil = 0 WHERE key = ?", (key,))
