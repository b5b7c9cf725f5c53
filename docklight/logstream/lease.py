"""Who follows a stream for the whole installation: one lease row per StreamKey in sqlite.

Several gunicorn workers serve the Logs tab, but Dokku should see one
``logs --tail`` per app and options, not one per worker. The worker whose
upstream holds the lease runs the command; every other worker relays its
lines (docklight/logstream/relay.py). A lease names its holder (worker id and
upstream epoch) and the address the holder's relay listens on; it has no
expiry. Whether the holder lives is asked of that address: a dead worker's
socket refuses connections at once, so another worker takes the lease over
with a compare-and-swap on the holder's name, and only one of them wins.

The rows live in the ``kv`` table (``log-upstream:<app> <lines> <ps>``), so
this needs no schema step; every call is one short autocommit statement.
"""

from __future__ import annotations

import json
import time
from typing import NamedTuple

from docklight import db

PREFIX = "log-upstream:"


class Holder(NamedTuple):
    """The upstream that holds a lease: its name and where its relay listens."""

    owner: str
    address: str

    @property
    def worker(self) -> str:
        """Return the worker part of the owner's name (``worker/epoch``)."""
        return self.owner.partition("/")[0]


def row_key(key) -> str:
    """Return the kv key of a StreamKey's lease."""
    return f"{PREFIX}{key.app} {key.lines} {key.ps or '*'}"


def _value(holder: Holder) -> str:
    return json.dumps({"owner": holder.owner, "address": holder.address}, sort_keys=True)


class Leases:
    """The lease rows of one database."""

    def __init__(self, database: str):
        self.database = database

    def holder(self, key) -> Holder | None:
        """Return who holds key's lease, or None."""
        with db.connection(self.database) as conn:
            row = conn.execute("SELECT value FROM kv WHERE key = ?", (row_key(key),)).fetchone()
        if row is None:
            return None
        try:
            data = json.loads(row[0])
            return Holder(str(data["owner"]), str(data["address"]))
        except (ValueError, KeyError, TypeError):
            return Holder("", "")  # unreadable: anyone may take it over

    def claim(self, key, holder: Holder) -> bool:
        """Take key's lease if nobody holds it; return whether we got it."""
        with db.connection(self.database) as conn:
            cur = conn.execute("INSERT OR IGNORE INTO kv (key, value, updatedAt) VALUES (?, ?, ?)",
                               (row_key(key), _value(holder), time.time()))
            return cur.rowcount == 1

    def take_over(self, key, previous: Holder, holder: Holder) -> bool:
        """Replace previous as key's holder; False when someone else changed it first."""
        with db.connection(self.database) as conn:
            old = conn.execute("SELECT value FROM kv WHERE key = ?", (row_key(key),)).fetchone()
            if old is None:
                return False
            try:
                data = json.loads(old[0])
                same = (data.get("owner"), data.get("address")) == (previous.owner,
                                                                    previous.address)
            except (ValueError, AttributeError):
                same = previous == Holder("", "")
            if not same:
                return False
            cur = conn.execute("UPDATE kv SET value = ?, updatedAt = ? WHERE key = ? AND value = ?",
                               (_value(holder), time.time(), row_key(key), old[0]))
            return cur.rowcount == 1

    def release(self, key, holder: Holder) -> None:
        """Give key's lease back if holder still holds it."""
        with db.connection(self.database) as conn:
            conn.execute("DELETE FROM kv WHERE key = ? AND value = ?",
                         (row_key(key), _value(holder)))

    def all(self) -> dict[str, Holder]:
        """Return every lease (the health page and tests read it)."""
        with db.connection(self.database) as conn:
            rows = conn.execute("SELECT key, value FROM kv WHERE key LIKE ?",
                                (PREFIX + "%",)).fetchall()
        out = {}
        for row in rows:
            try:
                data = json.loads(row[1])
                out[row[0][len(PREFIX):]] = Holder(str(data["owner"]), str(data["address"]))
            except (ValueError, KeyError, TypeError):
                continue
        return out
