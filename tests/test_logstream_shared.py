"""The installation-wide fan-out in one process: two "workers" (registries) on one database.

Each worker is a Registry with its SharedStreams; the source is the fake
``logs --tail`` of tests/test_logstream.py, so what reaches "Dokku" is the
number of its opens. No SSH, no gunicorn (tests/test_logs_workers.py runs
the same with two real workers).
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import threading
import time
from types import SimpleNamespace

import pytest

from docklight import db
from docklight.logstream import LimitReached, Registry, SharedSeats, SharedStreams, StreamKey
from docklight.loglines import Line
from docklight.logstream.lease import Leases
from docklight.logstream.relay import RelayRun, encode_items
from docklight.logstream.subscription import Skipped
from tests.test_logstream import FakeSource, drain, events_of, lines_of, log_line

KEY = StreamKey("api", 100, "")


class Worker:
    """One registry and its side of the shared fan-out, following through one FakeSource."""

    def __init__(self, database: str, data_dir: str):
        self.source = FakeSource()
        self.registry = Registry(max_streams=10, max_per_session=5, linger=0.2, heartbeat=15,
                                 queue_lines=50, retry=(0.05, 0.1))
        self.shared = SharedStreams(self.registry, database, data_dir,
                                    lambda key, actor: self.source, heartbeat=15)

    def view(self, session: str = "s"):
        return self.registry.subscribe(KEY, session_id=session,
                                       source_factory=lambda: self.shared.source(KEY, None))

    def die(self) -> None:
        """What the other workers see when this one is killed: its socket and channels go."""
        self.shared.close()
        self.registry.close()


@pytest.fixture
def workers():
    data_dir = tempfile.mkdtemp(prefix="docklight-shared-")
    database = os.path.join(data_dir, "docklight.sqlite3")
    db.migrate(database)
    made = [Worker(database, data_dir), Worker(database, data_dir)]
    yield made
    for worker in made:
        worker.die()


def live_via(sub) -> str:
    items = drain(sub, lambda got: any(e.get("state") == "live" for e in events_of(got)))
    return next(e["via"] for e in events_of(items) if e.get("state") == "live")


def test_the_second_worker_relays_the_first_ones_upstream(workers):
    a, b = workers
    first = a.view()
    assert live_via(first) == "dokku"
    second = b.view()
    assert live_via(second) == "relay"
    handle = a.source.wait_open()
    handle.feed(log_line(1), log_line(2))
    got_a = drain(first, lambda items: len(lines_of(items)) == 2)
    got_b = drain(second, lambda items: len(lines_of(items)) == 2)
    assert lines_of(got_a) == lines_of(got_b) == ["1", "2"]
    # The relay keeps the owner's ids.
    assert [i.id for i in got_a if isinstance(i, Line)] == [i.id for i in got_b
                                                           if isinstance(i, Line)]
    assert len(a.source.handles) == 1 and b.source.handles == []


def test_a_refusal_reaches_the_relayed_viewers_as_the_final_event(workers):
    a, b = workers
    first = a.view()
    live_via(first)
    second = b.view()
    live_via(second)
    handle = a.source.wait_open()
    handle.feed(" !     App api has not been deployed")
    handle.end(1)
    final = drain(second, lambda items: any(e.get("final") for e in events_of(items)))
    event = next(e for e in events_of(final) if e.get("final"))
    assert event["kind"] == "not-deployed" and event["exit_code"] == 1
    assert event["command"] == "dokku logs api --num 100 --tail"
    assert b.source.handles == []


def test_when_the_owner_dies_the_relay_takes_over_without_repeating_lines(workers):
    a, b = workers
    live_via(a.view())
    second = b.view()
    live_via(second)
    owner = a.source.wait_open()
    owner.feed(log_line(1))
    drain(second, lambda items: lines_of(items) == ["1"])

    a.die()
    took_over = drain(second, lambda items: any(
        e.get("state") == "live" and e.get("via") == "dokku" for e in events_of(items)))
    assert any(e.get("state") == "reconnecting" for e in events_of(took_over))
    fresh = b.source.wait_open()
    # Dokku's new run starts with the backlog again: line 1 is not shown twice.
    fresh.feed(log_line(1), log_line(2))
    assert lines_of(drain(second, lambda items: lines_of(items) == ["2"])) == ["2"]
    holder = Leases(b.shared.leases.database).holder(KEY)
    assert holder.worker == b.shared.worker


def test_the_lease_goes_back_when_the_last_viewer_anywhere_leaves(workers):
    a, b = workers
    first = a.view()
    assert live_via(first) == "dokku"
    second = b.view()
    assert live_via(second) == "relay"
    a.registry.unsubscribe(first)
    # The relay keeps the owner's upstream open after its own viewer left.
    owner = a.source.wait_open()
    owner.feed(log_line(5))
    drain(second, lambda items: lines_of(items) == ["5"])
    assert not owner.cancelled
    b.registry.unsubscribe(second)
    leases = a.shared.leases
    deadline = time.monotonic() + 5
    while leases.holder(KEY) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert leases.holder(KEY) is None and owner.cancelled


# --- limits for the installation ------------------------------------------------------------

def test_the_stream_limits_hold_across_workers_and_a_dead_workers_seats_come_back(workers):
    database = workers[0].shared.leases.database
    a = SharedSeats(database, max_streams=3, max_per_session=2)
    b = SharedSeats(database, max_streams=3, max_per_session=2)
    a.take("alice")
    b.take("alice")
    with pytest.raises(LimitReached, match="per session"):
        a.take("alice")
    seat = b.take("bob")
    with pytest.raises(LimitReached, match="DOCKLIGHT_MAX_LOG_STREAMS\\)"):
        a.take("carol")
    b.give_back(seat)
    a.take("carol")
    # A worker that was killed cannot give its seats back: its pid no longer runs.
    dead = subprocess.Popen(["true"])
    dead.wait()
    ghost = SharedSeats(database, max_streams=3, max_per_session=2,
                        worker=f"{dead.pid}-deadbeef")
    with db.connection(database) as conn:
        conn.execute("DELETE FROM log_viewers")
        for n in range(3):
            conn.execute("INSERT INTO log_viewers VALUES (?, 'x', ?, 0)", (f"s{n}", ghost.worker))
    a.take("dave")


def test_a_relay_passes_on_how_many_lines_its_owner_skipped(tmp_path):
    """The owner's relay queue is bounded like a browser's: its skips reach the relay's viewers."""
    path = str(tmp_path / "owner.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    done = threading.Event()

    def owner():
        conn, _ = listener.accept()
        conn.makefile("rb").readline()  # the relay's request
        conn.sendall(encode_items([{"type": "hello", "state": "live", "message": ""},
                                   Skipped(7), Line(log_line(1), "x-1")]))
        done.wait(5)
        conn.close()

    threading.Thread(target=owner, daemon=True).start()
    relay_source = SimpleNamespace(open=lambda: RelayRun(path, KEY, None, heartbeat=15))
    registry = Registry(linger=0, retry=(0.05,))
    try:
        sub = registry.subscribe(KEY, session_id="s", source_factory=lambda: relay_source)
        items = drain(sub, lambda got: lines_of(got) == ["1"])
        skipped = [i for i in items if isinstance(i, Skipped)]
        assert [s.count for s in skipped] == [7]
        assert items.index(skipped[0]) < next(i for i, x in enumerate(items)
                                              if isinstance(x, Line))
    finally:
        done.set()
        registry.close()
        listener.close()
