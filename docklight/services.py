"""Per-process services the views share: the Dokku client, history and the job manager.

They are built lazily in each gunicorn worker (after fork), so every worker
has its own SSH transport, as paramiko requires.
"""

from __future__ import annotations

import time

from flask import current_app

from docklight import db
from docklight.dokku.client import Dokku, connect
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
        """Return the Dokku client, connecting on first use."""
        if self._dokku is None:
            self._dokku = connect(self.settings.dokku, self.history,
                                  cache_ttl=self.settings.cache_ttl,
                                  generation=self.generation, on_change=self.bump_generation)
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


def init_app(app, settings) -> None:
    """Attach the services to app."""
    app.extensions[EXTENSION] = Services(settings)


def get() -> Services:
    """Return the current app's services."""
    return current_app.extensions[EXTENSION]


def dokku() -> Dokku:
    """Return the current app's Dokku client."""
    return get().dokku
