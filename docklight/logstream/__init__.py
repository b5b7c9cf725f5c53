"""Live logs: one upstream ``dokku logs --tail`` per app and options, shared by every viewer.

The package keeps one idea per module:

- ``registry``: the upstreams of a worker keyed by ``StreamKey(app, lines,
  ps)``, the viewer limits and the linger after the last viewer;
- ``upstream``: one run of the source at a time, its ring, reconnects;
- ``subscription``: one viewer's bounded queue (a slow viewer skips);
- ``pump``: one viewer's queue to its WebSocket, with heartbeats;
- ``shared``, ``lease``, ``relay``: one upstream per stream for the whole
  installation: the worker holding a stream's lease (sqlite) runs it, the
  others relay its lines over a unix socket, and a survivor takes over when
  the owner dies;
- ``seats``: the viewer limits, counted for the whole installation;
- ``defaults``: the numbers the app may override from its settings.

Only the standard library's threading primitives are used, so under gunicorn's
gevent worker (which patches them) every upstream and viewer is a greenlet,
and in plain tests they are threads. Nothing here knows Flask or SSH: the
WebSocket view (docklight/views/logs.py) passes in a socket and a source
built on the Dokku client's ``follow()``. Each line is encoded once for every viewer
(docklight/loglines.py).
"""

from docklight.logstream.defaults import (BATCH_LINES, HEARTBEAT_SECONDS, LINES_CHOICES,
                                          LINGER_SECONDS, POLL_SECONDS, QUEUE_LINES,
                                          RETRY_SECONDS, SINCE_SLACK_NS)
from docklight.logstream.pump import encode, pump
from docklight.logstream.registry import Registry, StreamKey
from docklight.logstream.seats import LimitReached, LocalSeats, SharedSeats
from docklight.logstream.shared import SharedSource, SharedStreams
from docklight.logstream.subscription import Skipped, Subscription
from docklight.logstream.upstream import Upstream

__all__ = [
    "BATCH_LINES", "HEARTBEAT_SECONDS", "LINES_CHOICES", "LINGER_SECONDS", "POLL_SECONDS",
    "QUEUE_LINES", "RETRY_SECONDS", "SINCE_SLACK_NS", "LimitReached", "LocalSeats",
    "Registry", "SharedSeats", "SharedSource", "SharedStreams", "Skipped", "StreamKey",
    "Subscription", "Upstream", "encode", "pump",
]
