"""Per-process services the views share: the Dokku client, history and the job manager.

They are built lazily in each gunicorn worker (after fork), so every worker
has its own SSH transport, as paramiko requires.
"""

from __future__ import annotations

import time

from flask import current_app

from docklight import db
from docklight.dokku.client import Dokku
from docklight.dokku.executor import Executors, LocalExecutor, SSHExecutor
from docklight.history import History
from docklight.jobs import JobManager

EXTENSION = "docklight"
GENERATION_KEY = "state-generation"


class Services:
    """What one app instance needs to talk to Dokku and to its database."""

    def __init__(self, settings):
        self.settings = settings
        self.history = History(settings.database)
        self._dokku: Dokku | None = None
        self.jobs = JobManager(settings.database, lambda: self.dokku)

    @property
    def dokku(self) -> Dokku:
        """Return the Dokku client, building executors on first use."""
        if self._dokku is None:
            self._dokku = Dokku(build_executors(self.settings.dokku), self.history,
                                cache_ttl=self.settings.cache_ttl,
                                generation=self.generation)
            self._dokku.on_change = self.bump_generation
        return self._dokku

    def generation(self) -> int:
        """Return the shared state generation (bumped by any worker's change)."""
        with db.connection(self.settings.database) as conn:
            row = conn.execute("SELECT value FROM kv WHERE key = ?", (GENERATION_KEY,)).fetchone()
            return int(row[0]) if row else 0

    def bump_generation(self) -> None:
        """Tell every worker that cached Dokku reads are stale."""
        with db.connection(self.settings.database) as conn:
            conn.execute(
                "INSERT INTO kv (key, value, updatedAt) VALUES (?, '1', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1,"
                " updatedAt = excluded.updatedAt", (GENERATION_KEY, time.time()))


def build_executors(dokku_settings) -> Executors:
    """Return the user (and optional root) executors the settings describe."""
    s = dokku_settings
    if s.target is None:
        local = LocalExecutor(s.local_argv, s.timeouts, env=s.local_env,
                              label="demo simulator" if s.demo else "local dokku")
        # Locally (and in the demo) the same binary runs root-only commands:
        # Docklight then runs as a user allowed to run them, or they fail
        # with Dokku's own message.
        return Executors(user=local, root=local)
    user = SSHExecutor(s.target, s.ssh, s.timeouts)
    root = SSHExecutor(s.root_target, s.root_ssh, s.timeouts) if s.root_target else None
    return Executors(user=user, root=root)


def init_app(app, settings) -> None:
    """Attach the services to app."""
    app.extensions[EXTENSION] = Services(settings)


def get() -> Services:
    """Return the current app's services."""
    return current_app.extensions[EXTENSION]


def dokku() -> Dokku:
    """Return the current app's Dokku client."""
    return get().dokku
