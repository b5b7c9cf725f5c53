"""One upstream per stream for the whole installation, whatever the number of workers.

Each worker has one :class:`SharedStreams`. The view hands the registry a
:class:`SharedSource` instead of the Dokku client's ``follow()``; each time the
upstream opens it, it asks the lease (docklight/logstream/lease.py):

- nobody holds it: claim it and run ``logs --tail`` here (``via`` "dokku"),
  listening on this worker's relay socket so that other workers can join;
- another live worker holds it: relay its lines (``via`` "relay");
- its holder's socket refuses (the worker died) or it is an earlier upstream
  of this worker: take it over with a compare-and-swap, and run it here.

A relaying upstream that loses its owner reconnects with the same backoff as
after a dropped SSH connection, and the next open finds the dead socket and
takes over. The lease goes back when the upstream that holds it ends.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading

from docklight.dokku.errors import DokkuError
from docklight.logstream.defaults import HEARTBEAT_SECONDS
from docklight.logstream.lease import Holder, Leases
from docklight.logstream.relay import RelayRun, RelayServer, remove_dead_sockets, socket_folder

log = logging.getLogger("docklight.logstream")

OPEN_ATTEMPTS = 5


class SharedStreams:
    """This worker's side of the installation-wide fan-out: its name, lease store and socket.

    ``follow(key, actor)`` returns the Dokku client's source for a key
    (``Dokku.follow`` of the ``logs --tail`` command); it runs only where the
    lease is held.
    """

    def __init__(self, registry, database: str, data_dir: str, follow, *,
                 heartbeat: float = HEARTBEAT_SECONDS):
        self.registry = registry
        self.leases = Leases(database)
        self.follow = follow
        self.heartbeat = heartbeat
        self.worker = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._data_dir = data_dir
        self._server: RelayServer | None = None
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        """Return where this worker's relay listens, starting it on first use."""
        with self._lock:
            if self._server is None:
                folder = socket_folder(self._data_dir)
                remove_dead_sockets(folder)
                path = os.path.join(folder, f"{self.worker}.sock")
                server = RelayServer(self.registry, path, self._accepts, heartbeat=self.heartbeat)
                server.start()
                self._server = server
            return self._server.path

    def source(self, key, actor) -> "SharedSource":
        """Return the source a registry upstream of key opens."""
        return SharedSource(self, key, actor)

    def _accepts(self, key, actor):
        """Return a source factory for a relay's request, or None if another worker holds key."""
        holder = self.leases.holder(key)
        if holder is not None and holder.worker != self.worker:
            return None
        return lambda: self.source(key, actor)

    def close(self) -> None:
        """Stop listening (shutdown and tests); the registry closes the upstreams."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.close()


class SharedSource:
    """What one registry upstream opens: the Dokku command here, or a relay from its owner."""

    def __init__(self, shared: SharedStreams, key, actor):
        self.shared = shared
        self.key = key
        self.actor = actor
        self.name = secrets.token_hex(4)
        self.me: Holder | None = None  # set while this upstream holds the lease
        self._local = None

    def open(self):
        """Open one run: ``logs --tail`` if we hold (or win) the lease, else a relay."""
        leases = self.shared.leases
        for _ in range(OPEN_ATTEMPTS):
            mine = Holder(f"{self.shared.worker}/{self.name}", self.shared.address)
            holder = leases.holder(self.key)
            if holder is None:
                if leases.claim(self.key, mine):
                    return self._own(mine)
                continue
            if holder == mine or holder == self.me:
                return self._own(holder)
            if holder.worker == self.shared.worker:
                # An earlier upstream of this worker (ended, or closing): ours now.
                if leases.take_over(self.key, holder, mine):
                    return self._own(mine)
                continue
            try:
                return RelayRun(holder.address, self.key, self.actor, self.shared.heartbeat)
            except OSError:
                log.info("live log owner is gone; taking over",
                         extra={"app": self.key.app, "owner": holder.owner})
                if leases.take_over(self.key, holder, mine):
                    return self._own(mine)
        raise DokkuError("Live logs are being handed over",
                         "Docklight workers are changing which of them follows these logs.",
                         target="docklight", transient=True)

    def _own(self, me: Holder):
        self.me = me
        if self._local is None:
            self._local = self.shared.follow(self.key, self.actor)
        return self._local.open()

    def close(self) -> None:
        """Give the lease back (the upstream ended)."""
        if self.me is not None:
            self.shared.leases.release(self.key, self.me)
            self.me = None
