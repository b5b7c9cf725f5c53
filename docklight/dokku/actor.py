"""Who asked for a Dokku command: recorded with its history row and log line.

A page's reads often run far from the request that wanted them: in a pool
behind the read cache, in a job's thread, or in the worker that holds an
app's shared log upstream.  Passing one value that names both the client's
address and the logged-in user keeps the two together on every such path,
so no history row knows the address but not the name.

A NamedTuple so that it crosses the log relay's JSON socket as a plain pair.
"""

from __future__ import annotations

from typing import NamedTuple


class Actor(NamedTuple):
    """The client address (as the proxy rules give it) and the user's name."""

    ip: str | None = None
    user: str | None = None

    @classmethod
    def from_json(cls, value) -> "Actor":
        """Return the Actor a JSON round trip turned into a list (or None: nobody)."""
        return cls(*value) if value else NOBODY


NOBODY = Actor()
"""Docklight itself: start-up probes, the CLI, tests."""
