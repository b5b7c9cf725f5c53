"""One upstream ``logs --tail`` per app for the whole installation, with two gunicorn workers.

Viewers connect to whichever worker accepts them; the worker holding the
stream's lease runs the one ``logs`` command Dokku sees, the other relays it
(docklight/logstream/shared.py). When the owner dies, the other takes over.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import tempfile
import zlib

import pytest
from itsdangerous import base64_decode

from docklight import session_store
from docklight.emulator import state as emu
from tests.test_logs import Viewer, login, logs_calls, start_live, wait_until

MAX_VIEWERS = 30


@pytest.fixture(scope="module")
def two_workers(sshd):
    """gunicorn with two gevent workers, shared by this module's tests."""
    data_dir = tempfile.mkdtemp(prefix="docklight-data-")
    # Room for every viewer it may take to reach both workers.
    server = start_live(sshd, data_dir, WEB_CONCURRENCY=2, DOCKLIGHT_MAX_LOG_STREAMS=100,
                        DOCKLIGHT_MAX_LOG_STREAMS_PER_SESSION=MAX_VIEWERS + 5)
    server.data_dir = data_dir
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_logs(emulator):
    for name in ("logs", "log-stamps"):
        path = os.path.join(emulator.home, name)
        if os.path.isdir(path):
            for entry in os.scandir(path):
                os.remove(entry.path)


def via_of(viewer: Viewer) -> str:
    """Return how the viewer's worker follows the stream: "dokku" or "relay"."""
    message = viewer.wait_for(lambda m: m.get("via") and (
        m["type"] == "hello" or (m["type"] == "state" and m["state"] == "live")))
    return message["via"]


def viewers_on_both_workers(live, app: str) -> tuple[list[Viewer], dict[str, list[Viewer]]]:
    """Open viewers until one worker runs the command and the other relays it."""
    cookie = login(live)
    viewers, by_via = [], {"dokku": [], "relay": []}
    while not (by_via["dokku"] and by_via["relay"]) and len(viewers) < MAX_VIEWERS:
        viewer = Viewer(live, app, cookie)
        viewers.append(viewer)
        by_via[via_of(viewer)].append(viewer)
    assert by_via["dokku"] and by_via["relay"], f"{len(viewers)} viewers, all on one worker"
    return viewers, by_via


def leases(live) -> list[dict]:
    """Return the api stream's lease rows (from sqlite)."""
    db = sqlite3.connect(os.path.join(live.data_dir, "docklight.sqlite3"))
    try:
        rows = db.execute("SELECT value FROM kv WHERE key LIKE 'log-upstream:api %'").fetchall()
    finally:
        db.close()
    return [json.loads(row[0]) for row in rows]


def lease_owner_pid(live) -> int:
    """Return the pid of the worker that holds the api stream's lease."""
    rows = leases(live)
    assert len(rows) == 1, rows
    return int(rows[0]["owner"].split("-", 1)[0])


@pytest.fixture(autouse=True)
def no_upstream_left(two_workers):
    """Each test starts after the last one's upstream closed and gave its lease back."""
    assert wait_until(lambda: not leases(two_workers), 15), leases(two_workers)


def test_viewers_on_two_workers_share_one_logs_command(two_workers, emulator):
    emu.append_log_line(emulator.home, "api", "before anyone watched")
    viewers, by_via = viewers_on_both_workers(two_workers, "api")
    try:
        for viewer in viewers:
            viewer.wait_for_text("before anyone watched")
        emu.append_log_line(emulator.home, "api", "for every worker")
        seen = [viewer.wait_for_text("for every worker") for viewer in viewers]
        # The same line has the same id on both workers, so a page that
        # reconnects to the other one does not repeat it.
        assert len({line["i"] for line in seen}) == 1
        assert logs_calls(emulator) == [["logs", "api", "--num", "100", "--tail"]]
    finally:
        for viewer in viewers:
            viewer.close()


def test_when_the_owner_dies_the_other_worker_takes_over(two_workers, emulator):
    emu.append_log_line(emulator.home, "api", "first words")
    viewers, by_via = viewers_on_both_workers(two_workers, "api")
    survivor = by_via["relay"][0]
    try:
        survivor.wait_for_text("first words")
        assert len(logs_calls(emulator)) == 1
        killed = lease_owner_pid(two_workers)
        os.kill(killed, signal.SIGKILL)
        survivor.wait_for(lambda m: m["type"] == "state" and m["state"] == "live"
                          and m["via"] == "dokku", timeout=20)
        emu.append_log_line(emulator.home, "api", "after the takeover")
        survivor.wait_for_text("after the takeover")
        ids = [line["i"] for line in survivor.lines]
        assert len(ids) == len(set(ids)), "a line was repeated after the takeover"
        assert logs_calls(emulator) == [["logs", "api", "--num", "100", "--tail"]] * 2
        assert lease_owner_pid(two_workers) != killed
        db = sqlite3.connect(os.path.join(two_workers.data_dir, "docklight.sqlite3"))
        users = db.execute("SELECT actorUser FROM commands WHERE subcommand = 'logs'").fetchall()
        assert users and set(users) == {("admin",)}, "each upstream's row names who opened it"
    finally:
        for viewer in viewers:
            viewer.close()


def session_id_of(cookie_header: str) -> str:
    """Return the session id inside Flask's signed session cookie (payload is not secret-keyed)."""
    for part in cookie_header.split("; "):
        name, _, value = part.partition("=")
        if "docklight" in name or name == "session":
            compressed = value.startswith(".")
            data = base64_decode(value.lstrip(".").split(".")[0])
            return json.loads(zlib.decompress(data) if compressed else data)["sid"]
    raise AssertionError(f"no session cookie in {cookie_header!r}")


def test_viewers_are_counted_for_every_worker_by_the_session_ids_hash(two_workers, emulator):
    cookie = login(two_workers)
    viewer = Viewer(two_workers, "api", cookie)
    try:
        via_of(viewer)
        db = sqlite3.connect(os.path.join(two_workers.data_dir, "docklight.sqlite3"))
        try:
            stored = [row[0] for row in db.execute("SELECT sessionId FROM log_viewers")]
        finally:
            db.close()
        sid = session_id_of(cookie)
        assert stored == [session_store.id_hash(sid)] and sid not in stored
    finally:
        viewer.close()
