"""A thousand slow connections do not keep a normal user out (issue 12.6).

One gunicorn (the Procfile's line, pinned to one gevent worker so that every
slow connection lands on the same one) serves the module. The slowloris test keeps 1000 connections open that trickle their
headers a byte at a time (reopening any the server drops, as an attacker
would), checks that the worker really holds them, and then logs in and
loads the dashboard as a normal user.
"""

from __future__ import annotations

import http.cookiejar
import os
import resource
import selectors
import socket
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import pytest

from tests.conftest import PASSWORD, Emulator, app_config
from tests.live import LiveServer

SLOW = 1000
GUARD = 60  # seconds: a hang guard, never a measure


@pytest.fixture(scope="module")
def server(sshd):
    Emulator(sshd.emulator_home).reset()
    data_dir = tempfile.mkdtemp(prefix="docklight-slow-")
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env["DOCKLIGHT_BODY_READ_SECONDS"] = "2"
    # One worker, the worst case: every slow connection lands on it.
    env["WEB_CONCURRENCY"] = "1"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, 4 * SLOW) if hard != resource.RLIM_INFINITY else 4 * SLOW
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    live = LiveServer(env)
    yield live
    live.stop()


def _worker_pid(master: int) -> int:
    with open(f"/proc/{master}/task/{master}/children") as f:
        children = [int(p) for p in f.read().split()]
    assert len(children) == 1
    return children[0]


def _sockets_held(pid: int) -> int:
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


class Slowloris:
    """Keep n connections open, each sending its headers one byte a second."""

    HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

    def __init__(self, port: int, n: int):
        self.port, self.n = port, n
        self.selector = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.reopened = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> None:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=GUARD)
        s.sendall(self.HEAD)
        s.setblocking(False)
        self.selector.register(s, selectors.EVENT_READ)

    def start(self) -> "Slowloris":
        for _ in range(self.n):
            self._open()
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stop.is_set():
            # The server answering or closing means it gave up on one: reopen it.
            for key, _ in self.selector.select(timeout=1):
                self.selector.unregister(key.fileobj)
                key.fileobj.close()
                self._open()
                self.reopened += 1
            for key in list(self.selector.get_map().values()):
                try:
                    key.fileobj.send(b"a")
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(GUARD)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()
        self.selector.close()


def test_a_user_gets_the_dashboard_while_1000_slow_connections_are_open(server):
    worker = _worker_pid(server.proc.pid)
    attack = Slowloris(server.port, SLOW).start()
    try:
        deadline = time.monotonic() + GUARD
        # The listening socket, plus every slow connection, accepted and held.
        while _sockets_held(worker) < SLOW + 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _sockets_held(worker) >= SLOW + 1, "the worker did not take them all"

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login = urllib.request.Request(
            server.url + "/api/auth/login", method="POST", headers={"Origin": server.url},
            data=f"password={urllib.parse.quote(PASSWORD)}".encode())
        with opener.open(login, timeout=GUARD) as r:
            assert r.status == 200 and r.url.rstrip("/") == server.url
        table = urllib.request.Request(server.url + "/apps", headers={"HX-Request": "true"})
        with opener.open(table, timeout=GUARD) as r:
            html = r.read().decode()
        assert r.status == 200 and 'id="app-api"' in html
        # Still under attack while the user was served.
        assert _sockets_held(worker) >= SLOW + 1 - attack.reopened
    finally:
        attack.close()


def test_a_body_that_trickles_in_gets_408_and_the_connection_ends(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=GUARD) as s:
        s.sendall(b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % server.port +
                  b"Origin: " + server.url.encode() + b"\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: 100\r\n\r\npassword=")
        # Never sends the rest: the server answers on its own.
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
