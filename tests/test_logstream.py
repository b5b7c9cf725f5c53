"""The live-log fan-out (docklight/logstream/) with a fake upstream: no SSH, no browser."""

from __future__ import annotations

import json
import queue
import threading
import time
from types import SimpleNamespace

import pytest

from docklight.dokku.errors import DokkuError
from docklight.loglines import Line, timestamp_ns
from docklight.logstream import (
    LimitReached,
    Registry,
    Skipped,
    StreamKey,
    Subscription,
    encode,
    pump,
)

KEY = StreamKey("api", 100, "")
_END = object()


def log_line(n: int, ts: str | None = None, proc: str = "web.1", msg: str | None = None) -> str:
    """Return a line as Dokku prints it (colour, RFC3339Nano timestamp, process)."""
    ts = ts or f"2024-05-01T12:00:{n // 1000:02d}.{n % 1000:03d}000001Z"
    return f"\x1b[36m{ts} app[{proc}]:\x1b[0m {msg if msg is not None else f'line {n}'}"


class FakeHandle:
    """One run of the fake `logs --tail`: lines fed by the test, ended by it or by cancel()."""

    def __init__(self, source):
        self.source = source
        self.lines: queue.Queue = queue.Queue()
        self.result = None
        self.cancelled = False
        self.messages: list[str] = []
        self.command_display = "dokku logs api --num 100 --tail"

    def feed(self, *lines: str) -> None:
        for line in lines:
            self.lines.put(line)

    def end(self, exit_code: int | None, status: str = "ok") -> None:
        self.lines.put((_END, exit_code, status))

    def cancel(self) -> None:
        self.cancelled = True
        self.lines.put((_END, None, "cancelled"))

    def __iter__(self):
        while True:
            item = self.lines.get()
            if isinstance(item, tuple) and item[0] is _END:
                self.result = SimpleNamespace(exit_code=item[1], status=item[2])
                return
            if item.startswith(" !"):  # Dokku's message: kept, never yielded (Dokku.follow)
                self.messages.append(item.strip(" !"))
                continue
            yield item


class FakeSource:
    """Counts opens; each open returns a new FakeHandle (or raises a queued error)."""

    def __init__(self):
        self.handles: list[FakeHandle] = []
        self.errors: list[Exception] = []
        self.opened = threading.Event()

    def open(self) -> FakeHandle:
        if self.errors:
            raise self.errors.pop(0)
        handle = FakeHandle(self)
        self.handles.append(handle)
        self.opened.set()
        return handle

    def wait_open(self, count: int = 1, timeout: float = 5) -> FakeHandle:
        deadline = time.monotonic() + timeout
        while len(self.handles) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.handles) >= count, f"{len(self.handles)} opens"
        return self.handles[count - 1]


def drain(sub: Subscription, until, timeout: float = 5) -> list:
    """Collect items from sub until until(items) holds."""
    items: list = []
    deadline = time.monotonic() + timeout
    while not until(items) and time.monotonic() < deadline:
        items += sub.get(timeout=0.1, max_lines=10_000)
    assert until(items), items[-5:]
    return items


def lines_of(items) -> list[str]:
    return [json.loads(i.json)["h"].rsplit(" ", 1)[-1] for i in items
            if isinstance(i, Line)]


def events_of(items, kind: str | None = None) -> list[dict]:
    return [i for i in items if isinstance(i, dict) and (kind is None or i["type"] == kind)]


@pytest.fixture
def registry():
    reg = Registry(max_streams=10, max_per_session=5, linger=0.3, heartbeat=15,
                   queue_lines=50, retry=(0.05, 0.1))
    yield reg
    reg.close()


# --- lines and ids --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2024-05-01T12:34:56Z", 1714566896_000_000_000),
    ("2024-05-01T12:34:56.1Z", 1714566896_100_000_000),
    ("2024-05-01T12:34:56.123456789Z", 1714566896_123_456_789),
    ("2024-05-01T14:34:56.5+02:00", 1714566896_500_000_000),
    ("2024-13-01T12:34:56Z", None),
    ("yesterday", None),
    ("", None),
])
def test_timestamps_parse_to_nanoseconds(text, expected):
    assert timestamp_ns(text) == expected


def test_a_line_is_escaped_coloured_and_has_a_stable_id():
    raw = log_line(1, msg="<img src=x onerror=alert(1)>")
    a, b = Line(raw, "e-1"), Line(raw, "e-2")
    data = json.loads(a.json)
    assert a.id == b.id != "e-1"  # the same line read twice has the same id
    assert data["h"].startswith('<span class="ansi-cyan">2024-05-01T12:00:00.001000001Z app[web.1]:'
                                '</span>')
    assert "&lt;img src=x onerror=alert(1)&gt;" in data["h"] and "<img" not in data["h"]
    assert data["p"] == "web.1" and data["t"] == "2024-05-01T12:00:00.001000001Z"
    plain = Line("no timestamp here", "e-3")
    assert plain.id == "e-3" and plain.ts_ns is None


# --- fan-out ---------------------------------------------------------------------------

def test_viewers_of_one_key_share_one_upstream(registry):
    source = FakeSource()
    subs = [registry.subscribe(KEY, session_id=f"s{i}", source_factory=lambda: source)
            for i in range(5)]
    handle = source.wait_open()
    handle.feed(*(log_line(n) for n in range(3)))
    for sub in subs:
        items = drain(sub, lambda items: len(lines_of(items)) == 3)
        assert events_of(items, "hello")[0]["state"] in ("connecting", "live")
        assert lines_of(items) == ["0", "1", "2"]
    assert len(source.handles) == 1 and registry.upstream_count == 1
    assert registry.viewer_count == 5
    other = registry.subscribe(StreamKey("api", 500, ""), session_id="s0",
                               source_factory=FakeSource)
    assert registry.upstream_count == 2
    registry.unsubscribe(other)


def test_a_slow_viewer_skips_lines_while_a_fast_one_gets_everything(registry):
    source = FakeSource()
    fast = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    slow = registry.subscribe(KEY, session_id="b", source_factory=lambda: source)
    handle = source.wait_open()
    got: list = []
    total, burst = 500, 20
    for start in range(0, total, burst):
        handle.feed(*(log_line(n) for n in range(start, start + burst)))
        got += drain(fast, lambda items: len(lines_of(items)) == burst)
    assert lines_of(got) == [str(n) for n in range(total)]
    assert not [i for i in got if isinstance(i, Skipped)]
    # The slow viewer never read: its queue stopped at its bound (50 lines).
    assert slow.pending == 50
    items = slow.get(timeout=0, max_lines=10_000)
    assert lines_of(items) == [str(n) for n in range(50)]
    markers = [i for i in items if isinstance(i, Skipped)]
    assert [m.count for m in markers] == [total - 50] and slow.skipped_total == total - 50
    assert isinstance(items[-1], Skipped)  # the gap comes after what it had
    # Then it gets new lines again.
    handle.feed(log_line(total))
    items = drain(slow, lambda items: lines_of(items) == [str(total)])
    assert not [i for i in items if isinstance(i, Skipped)]


def wait_lines_in(sub: Subscription, count: int) -> None:
    deadline = time.monotonic() + 5
    while sub.upstream.lines_in < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sub.upstream.lines_in == count


def test_the_marker_sits_where_the_gap_is(registry):
    source = FakeSource()
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    handle.feed(*(log_line(n) for n in range(60)))
    wait_lines_in(sub, 60)  # 50 queued, 10 dropped
    first = sub.get(timeout=0, max_lines=10)  # hello, state and 10 lines
    handle.feed(log_line(60))
    wait_lines_in(sub, 61)
    rest = sub.get(timeout=0, max_lines=10_000)
    order = [("skip", i.count) if isinstance(i, Skipped) else lines_of([i])[0]
             for i in rest if not isinstance(i, dict)]
    assert lines_of(first) == [str(n) for n in range(10)]
    assert order == [str(n) for n in range(10, 50)] + [("skip", 10), "60"]


def test_a_late_joiner_gets_the_ring_then_live_lines():
    registry = Registry(queue_lines=1000, linger=0)
    source = FakeSource()
    key = StreamKey("api", 100, "")
    first = registry.subscribe(key, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    handle.feed(*(log_line(n) for n in range(150)))
    drain(first, lambda items: len(lines_of(items)) == 150)
    late = registry.subscribe(key, session_id="b", source_factory=lambda: source)
    handle.feed(log_line(150))
    items = drain(late, lambda items: "150" in lines_of(items))
    # The ring holds the last `lines` lines.
    assert lines_of(items) == [str(n) for n in range(50, 151)]
    registry.close()


def test_a_resuming_viewer_gets_only_lines_near_or_after_since(registry):
    source = FakeSource()
    first = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    stamps = ["2024-05-01T12:00:00Z", "2024-05-01T12:00:05Z", "2024-05-01T12:00:09Z",
              "2024-05-01T12:00:10.5Z"]
    handle.feed(*(log_line(n, ts=ts) for n, ts in enumerate(stamps)))
    drain(first, lambda items: len(lines_of(items)) == 4)
    since = timestamp_ns("2024-05-01T12:00:10Z")
    again = registry.subscribe(KEY, session_id="a", since_ns=since, source_factory=lambda: source)
    items = drain(again, lambda items: bool(events_of(items, "hello")))
    assert lines_of(items) == ["2", "3"]  # 2 s of slack: containers interleave


def test_the_upstream_lingers_then_closes_its_channel(registry):
    source = FakeSource()
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    registry.unsubscribe(sub)
    assert registry.upstream_count == 1 and not handle.cancelled
    # Coming back within the linger reuses it.
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    time.sleep(0.4)
    assert not handle.cancelled and len(source.handles) == 1
    registry.unsubscribe(sub)
    registry.unsubscribe(sub)  # twice is harmless
    assert registry.viewer_count == 0
    deadline = time.monotonic() + 2
    while not handle.cancelled and time.monotonic() < deadline:
        time.sleep(0.01)
    assert handle.cancelled and registry.upstream_count == 0
    upstream = sub.upstream
    assert upstream.finished.wait(2)


def test_a_viewer_returning_resets_the_linger(registry):
    source = FakeSource()
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    registry.unsubscribe(sub)
    time.sleep(0.2)
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    registry.unsubscribe(sub)
    time.sleep(0.2)  # 0.4 s after the first departure, 0.2 s after the second
    assert not handle.cancelled
    time.sleep(0.3)
    assert handle.cancelled


def test_a_dropped_upstream_reconnects_without_repeating_lines(registry):
    source = FakeSource()
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    handle.feed(*(log_line(n) for n in range(3)))
    drain(sub, lambda items: len(lines_of(items)) == 3)
    handle.end(None, "error")  # the connection dropped: no exit status
    items = drain(sub, lambda items: bool(events_of(items, "state") and
                                          events_of(items, "state")[-1]["state"] == "live"))
    reconnecting = events_of(items, "state")[0]
    assert reconnecting["state"] == "reconnecting" and reconnecting["retry_in"] == 0.05
    assert "dropped" in reconnecting["message"]
    again = source.wait_open(2)
    # The new run prints its backlog again, then something new.
    again.feed(*(log_line(n) for n in range(4)))
    items = drain(sub, lambda items: "3" in lines_of(items))
    assert lines_of(items) == ["3"]


def test_exit_zero_means_follow_again(registry):
    source = FakeSource()
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    source.wait_open().end(0)
    items = drain(sub, lambda items: any(e.get("state") == "reconnecting"
                                         for e in events_of(items, "state")))
    assert "exit 0" in events_of(items, "state")[-1]["message"]
    source.wait_open(2)


def test_a_refusal_is_final_and_says_command_exit_code_and_message(registry):
    source = FakeSource()
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    handle.feed(" !     App api has not been deployed")
    handle.end(1)
    items = drain(sub, lambda items: bool(events_of(items, "error")))
    error = events_of(items, "error")[0]
    assert error["kind"] == "not-deployed" and error["final"] and error["exit_code"] == 1
    assert error["command"] == "dokku logs api --num 100 --tail"
    assert "has not been deployed" in error["message"]
    assert sub.upstream.finished.wait(2)
    assert registry.upstream_count == 0
    # The next viewer starts afresh.
    fresh = FakeSource()
    registry.subscribe(KEY, session_id="b", source_factory=lambda: fresh)
    fresh.wait_open()


def test_transport_errors_retry_until_fatal(registry):
    source = FakeSource()
    source.errors = [DokkuError("Cannot connect", "refused"),
                     DokkuError("Authentication failed", "key refused", transient=False,
                                hint="Register the key")]
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    items = drain(sub, lambda items: bool(events_of(items, "error")))
    assert events_of(items, "state")[0]["message"] == "Cannot connect: refused"
    error = events_of(items, "error")[0]
    assert (error["title"], error["hint"], error["final"]) == ("Authentication failed",
                                                              "Register the key", True)


def test_limits_per_session_and_in_total():
    registry = Registry(max_streams=3, max_per_session=2, linger=0)
    try:
        a = [registry.subscribe(KEY, session_id="a", source_factory=FakeSource) for _ in range(2)]
        with pytest.raises(LimitReached, match="per session"):
            registry.subscribe(KEY, session_id="a", source_factory=FakeSource)
        registry.subscribe(KEY, session_id="b", source_factory=FakeSource)
        with pytest.raises(LimitReached) as full:
            registry.subscribe(KEY, session_id="c", source_factory=FakeSource)
        assert full.value.event()["kind"] == "limit"
        registry.unsubscribe(a[0])
        registry.subscribe(KEY, session_id="c", source_factory=FakeSource)
    finally:
        registry.close()


# --- sending ------------------------------------------------------------------------------

class FakeSocket:
    def __init__(self, close_after: int | None = None):
        self.sent: list[dict] = []
        self.connected = True
        self.close_after = close_after

    def send(self, text):
        self.sent.append(json.loads(text))
        if self.close_after is not None and len(self.sent) >= self.close_after:
            self.connected = False

    def receive(self, timeout=None):
        return None


def test_encode_batches_lines_between_events():
    lines = [Line(log_line(n), f"x-{n}") for n in range(3)]
    messages = encode([{"type": "hello"}, *lines[:2], Skipped(7), lines[2],
                       {"type": "error", "final": True}])
    kinds = [(json.loads(text)["type"], final) for text, final in messages]
    assert kinds == [("hello", False), ("lines", False), ("skipped", False), ("lines", False),
                     ("error", True)]
    assert len(json.loads(messages[1][0])["lines"]) == 2


def test_pump_sends_heartbeats_and_stops_at_a_final_event(registry):
    source = FakeSource()
    sub = registry.subscribe(KEY, session_id="a", source_factory=lambda: source)
    handle = source.wait_open()
    ws = FakeSocket()
    done = []
    thread = threading.Thread(target=lambda: done.append(pump(ws, sub, heartbeat=0.2, poll=0.05)))
    thread.start()
    handle.feed(log_line(1))
    time.sleep(0.5)
    handle.feed(" !     App api does not exist")
    handle.end(20)
    thread.join(5)
    assert done == ["final"]
    kinds = [m["type"] for m in ws.sent]
    assert kinds[0] == "hello" and "lines" in kinds and "heartbeat" in kinds
    assert ws.sent[-1]["type"] == "error" and ws.sent[-1]["exit_code"] == 20


def test_pump_stops_when_the_socket_closes(registry):
    sub = registry.subscribe(KEY, session_id="a", source_factory=FakeSource)
    ws = FakeSocket(close_after=1)
    assert pump(ws, sub, heartbeat=10, poll=0.05) == "closed"
