"""Per-process services the views share: the Dokku client, history and the job manager.

They are built lazily in each gunicorn worker (after fork), so every worker
has its own SSH transport, as paramiko requires.
"""

from __future__ import annotations

import os

from flask import current_app

from docklight.dokku.client import Dokku, connect
from docklight.history import History
from docklight.jobs import JobManager
from docklight.readshare import ScopedGeneration, SharedReads

EXTENSION = "docklight"


class Services:
    """What one app instance needs to talk to Dokku and to its database."""

    def __init__(self, settings):
        self.settings = settings
        self.history = History(settings.database)
        # Any worker's state change rewrites this file; every worker's cached
        # reads check its stat (docklight/readshare.py).
        self.state = ScopedGeneration(os.path.join(os.path.dirname(
            os.path.abspath(settings.database)), "state-generations"))
        self._dokku: Dokku | None = None
        self.jobs = JobManager(settings.database, lambda: self.dokku)

    @property
    def dokku(self) -> Dokku:
        """Return the Dokku client, connecting on first use."""
        if self._dokku is None:
            self._dokku = connect(self.settings.dokku, self.history,
                                  cache_ttl=self.settings.cache_ttl,
                                  generation=self.state.current, on_change=self.state.bump,
                                  shared=SharedReads(self.settings.database))
        return self._dokku

    def reload(self, settings) -> None:
        """Use settings from now on: the next command connects with them.

        The old client is closed unless a job is running, whose channel it
        still carries; it is then left to finish on the old connection.
        """
        old, self._dokku = self._dokku, None
        self.settings = settings
        if old is not None and not self.jobs.running_count():
            old.close()


def init_app(app, settings) -> None:
    """Attach the services to app."""
    app.extensions[EXTENSION] = Services(settings)


def get() -> Services:
    """Return the current app's services."""
    return current_app.extensions[EXTENSION]


def dokku() -> Dokku:
    """Return the current app's Dokku client."""
    return get().dokku
