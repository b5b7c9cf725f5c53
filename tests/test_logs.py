"""Live logs: the Logs tab, and its WebSocket served by gunicorn -k gevent.

The WebSocket tests run the Procfile's server (tests/live.py) against the
real sshd and the emulator, and connect with simple_websocket after logging
in with urllib, as a browser would.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
import simple_websocket
from bs4 import BeautifulSoup as Soup

from docklight.emulator import state as emu
from tests.conftest import PASSWORD, app_config
from tests.live import LiveServer, websocket_client_class
from tests.pages import assert_fragment

LINGER = 1.0


def start_live(sshd, data_dir, **env) -> LiveServer:
    """Start gunicorn with the test settings plus env."""
    settings = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    settings.update({"DOCKLIGHT_LOG_LINGER_SECONDS": str(LINGER),
                     "DOCKLIGHT_LOG_HEARTBEAT_SECONDS": "2"})
    settings.update({k: str(v) for k, v in env.items()})
    return LiveServer(settings)


@pytest.fixture(autouse=True)
def no_old_lines(emulator):
    """Start from empty log sources: the emulator keeps logs/ across resets."""
    for name in ("logs", "log-stamps"):
        shutil.rmtree(os.path.join(emulator.home, name), ignore_errors=True)


@pytest.fixture
def live(sshd, emulator, data_dir):
    server = start_live(sshd, data_dir)
    yield server
    server.stop()


Client = websocket_client_class()


def login(live) -> str:
    """Log in with urllib; return the Cookie header value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"password": PASSWORD, "next": "/apps"}).encode()
    opener.open(urllib.request.Request(live.url + "/api/auth/login", data=data,
                                       headers={"Origin": live.url})).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Viewer:
    """One WebSocket viewer of an app's logs, collecting what arrives."""

    def __init__(self, live, app, cookie, origin=None, **params):
        query = urllib.parse.urlencode(params)
        url = live.url.replace("http://", "ws://") + f"/api/apps/{app}/logs/stream"
        url += f"?{query}" if query else ""
        self.ws = Client.connect(url, headers={"Cookie": cookie, "Origin": origin or live.url})
        self.messages: list[dict] = []
        self.lines: list[dict] = []

    def receive(self, timeout=10.0) -> dict | None:
        """Return the next message, or None when none came in time or the socket closed."""
        try:
            text = self.ws.receive(timeout=timeout)
        except simple_websocket.ConnectionClosed:
            return None
        if text is None:
            return None
        message = json.loads(text)
        self.messages.append(message)
        if message["type"] == "lines":
            self.lines.extend(message["lines"])
        return message

    def wait_for(self, predicate, timeout=15.0) -> dict:
        """Read messages until predicate(message) holds; return that message."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.receive(timeout=max(0.05, deadline - time.monotonic()))
            if message is not None and predicate(message):
                return message
        raise AssertionError(f"not received in {timeout} s; got {self.messages[-5:]}")

    def wait_for_text(self, text, timeout=15.0) -> dict:
        """Read until a line whose HTML contains text arrives; return that line."""
        self.wait_for(lambda m: m["type"] == "lines" and any(text in line["h"]
                                                            for line in m["lines"]), timeout)
        return next(line for line in self.lines if text in line["h"])

    def close(self) -> None:
        try:
            self.ws.close()
        except simple_websocket.ConnectionClosed:
            pass


def logs_calls(emulator) -> list[list[str]]:
    return [argv for argv in emulator.calls() if argv and argv[0] == "logs"]


def wait_until(predicate, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


# --- the WebSocket ---------------------------------------------------------------------

def test_lines_arrive_in_order_escaped_and_with_stable_ids(live, emulator):
    home = emulator.home
    emu.append_log_line(home, "api", "booted")
    emu.append_log_line(home, "api", "<script>alert(1)</script>", ps="worker.1")
    viewer = Viewer(live, "api", login(live))
    try:
        hello = viewer.wait_for(lambda m: m["type"] == "hello")
        assert hello["lines"] == 100 and hello["ps"] == "" and hello["heartbeat"] == 2
        hostile = viewer.wait_for_text("alert(1)")
        assert "<script>" not in hostile["h"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile["h"]
        assert hostile["p"] == "worker.1" and hostile["t"].endswith("Z")
        # The process prefix keeps its colour, as a class.
        assert hostile["h"].startswith('<span class="ansi-')
        for n in range(5):
            emu.append_log_line(home, "api", f"request {n}")
        viewer.wait_for_text("request 4")
        texts = [line["h"] for line in viewer.lines]
        positions = [next(i for i, h in enumerate(texts) if h.endswith(f"request {n}"))
                     for n in range(5)]
        assert positions == sorted(positions)
        ids = [line["i"] for line in viewer.lines]
        assert len(ids) == len(set(ids))
        viewer.wait_for(lambda m: m["type"] == "heartbeat", timeout=5)
    finally:
        viewer.close()


def test_five_viewers_share_one_upstream_which_ends_after_the_last_leaves(live, emulator):
    cookie = login(live)
    emu.append_log_line(emulator.home, "api", "before anyone watched")
    viewers = [Viewer(live, "api", cookie) for _ in range(5)]
    try:
        for viewer in viewers:
            viewer.wait_for_text("before anyone watched")
        emu.append_log_line(emulator.home, "api", "for everyone")
        for viewer in viewers:
            viewer.wait_for_text("for everyone")
        assert logs_calls(emulator) == [["logs", "api", "--num", "100", "--tail"]]
    finally:
        for viewer in viewers:
            viewer.close()
    left = time.monotonic()
    ends = wait_until(lambda: [e for e in emulator.events() if e["event"] == "end"
                               and e.get("reason") == "SIGHUP"], LINGER + 2)
    assert ends, emulator.events()[-3:]
    assert time.monotonic() - left <= LINGER + 2
    assert len(logs_calls(emulator)) == 1
    # One history row for the upstream, without the log lines. Docklight closes the channel
    # (which the emulator sees as SIGHUP) before it finishes the row, so the row may lag.
    db = sqlite3.connect(f"{live_data_dir(live)}/docklight.sqlite3")

    def logs_rows():
        return db.execute("SELECT command, status, stdout, actorUser FROM commands"
                          " WHERE subcommand = 'logs'").fetchall()

    wait_until(lambda: logs_rows() and logs_rows()[0][1] != "running", 5)
    assert logs_rows() == [("dokku logs api --num 100 --tail", "cancelled", "", "admin")]


def live_data_dir(live) -> str:
    return os.path.dirname(live.log_path)


def test_a_late_viewer_gets_the_backlog_and_a_resuming_one_only_what_it_lacks(live, emulator):
    cookie = login(live)
    for n in range(3):
        emu.append_log_line(emulator.home, "api", f"old {n}")
    first = Viewer(live, "api", cookie)
    try:
        first.wait_for_text("old 2")
        late = Viewer(live, "api", cookie)
        late.wait_for_text("old 2")
        assert [line["i"] for line in late.lines] == [line["i"] for line in first.lines]
        late.close()
        # A page that already holds everything up to a point far ahead gets no backlog.
        ahead = Viewer(live, "api", cookie, since="2999-01-01T00:00:00Z")
        ahead.wait_for(lambda m: m["type"] == "hello")
        emu.append_log_line(emulator.home, "api", "news")
        ahead.wait_for_text("news")
        assert [line["h"].rsplit(" ", 1)[-1] for line in ahead.lines] == ["news"]
        ahead.close()
        assert len(logs_calls(emulator)) == 1
    finally:
        first.close()


def test_no_session_is_refused(live, emulator):
    with pytest.raises(simple_websocket.ConnectionError) as refused:
        Viewer(live, "api", cookie="")
    assert refused.value.status_code == 401
    assert logs_calls(emulator) == []


def test_a_foreign_origin_is_refused(live, emulator):
    with pytest.raises(simple_websocket.ConnectionError) as refused:
        Viewer(live, "api", login(live), origin="https://evil.example")
    assert refused.value.status_code == 403
    assert logs_calls(emulator) == []


@pytest.mark.parametrize("params, field", [({"lines": "50"}, "lines"), ({"ps": "web;rm"}, "ps"),
                                           ({"since": "yesterday"}, "since")])
def test_bad_options_get_a_clear_message(live, emulator, params, field):
    viewer = Viewer(live, "api", login(live), **params)
    message = viewer.wait_for(lambda m: m["type"] == "error")
    assert message["kind"] == "invalid" and message["field"] == field and message["final"]
    assert viewer.receive(timeout=2) is None  # the server closed
    assert logs_calls(emulator) == []


def test_the_process_filter_reaches_dokku(live, emulator):
    emu.append_log_line(emulator.home, "api", "from web")
    emu.append_log_line(emulator.home, "api", "from the worker", ps="worker.1")
    viewer = Viewer(live, "api", login(live), ps="worker", lines="500")
    try:
        viewer.wait_for_text("from the worker")
        assert logs_calls(emulator) == [["logs", "api", "--num", "500", "--ps", "worker",
                                         "--tail"]]
        assert all(line["p"].startswith("worker.") for line in viewer.lines)
    finally:
        viewer.close()


def test_not_deployed_app_gets_a_clear_message(live, emulator):
    viewer = Viewer(live, "draft", login(live))
    message = viewer.wait_for(lambda m: m["type"] == "error")
    assert message["kind"] == "not-deployed" and message["final"]
    assert "has not been deployed" in message["message"]
    assert message["command"] == "dokku logs draft --num 100 --tail"
    assert message["exit_code"] == 1
    assert viewer.receive(timeout=2) is None
    assert viewer.lines == []  # Dokku's message is not a log line


def test_dokku_errors_show_command_exit_code_and_message(live, emulator):
    emulator.settings(fail={"logs": [20, " !     App api does not exist"]})
    viewer = Viewer(live, "api", login(live))
    message = viewer.wait_for(lambda m: m["type"] == "error")
    assert (message["kind"], message["exit_code"]) == ("no-app", 20)
    assert message["message"] == "App api does not exist"
    assert message["command"] == "dokku logs api --num 100 --tail"


def test_the_stream_recovers_after_sshd_restarts(live, emulator, sshd):
    emu.append_log_line(emulator.home, "api", "before the restart")
    viewer = Viewer(live, "api", login(live))
    try:
        viewer.wait_for_text("before the restart")
        sshd.restart()
        state = viewer.wait_for(lambda m: m["type"] == "state" and m["state"] == "reconnecting",
                                timeout=15)
        assert state["message"] and state["retry_in"] >= 1
        viewer.wait_for(lambda m: m["type"] == "state" and m["state"] == "live", timeout=30)
        emu.append_log_line(emulator.home, "api", "after the restart")
        viewer.wait_for_text("after the restart")
        # The reopened upstream sends the backlog again; the server drops what it sent.
        ids = [line["i"] for line in viewer.lines]
        assert len(ids) == len(set(ids))
        assert sum("before the restart" in line["h"] for line in viewer.lines) == 1
    finally:
        viewer.close()


def test_limits_per_session_and_in_total(sshd, emulator, data_dir):
    live = start_live(sshd, data_dir, DOCKLIGHT_MAX_LOG_STREAMS=3,
                      DOCKLIGHT_MAX_LOG_STREAMS_PER_SESSION=2)
    viewers = []
    try:
        first, second = login(live), login(live)
        viewers += [Viewer(live, "api", first), Viewer(live, "shop", first)]
        for viewer in viewers:
            viewer.wait_for(lambda m: m["type"] == "hello")
        refused = Viewer(live, "blog", first)
        message = refused.wait_for(lambda m: m["type"] == "error")
        assert message["kind"] == "limit" and "per session" in message["message"]
        viewers.append(Viewer(live, "blog", second))
        viewers[-1].wait_for(lambda m: m["type"] == "hello")
        refused = Viewer(live, "blog", second)
        message = refused.wait_for(lambda m: m["type"] == "error")
        assert message["kind"] == "limit" and "DOCKLIGHT_MAX_LOG_STREAMS)" in message["message"]
        # Leaving frees the place.
        viewers.pop(0).close()
        time.sleep(1.5)
        again = Viewer(live, "blog", first)
        viewers.append(again)
        again.wait_for(lambda m: m["type"] == "hello")
    finally:
        for viewer in viewers:
            viewer.close()
        live.stop()


# --- the tab (in-process) -------------------------------------------------------------------

def test_tab_page_shows_recent_lines_without_javascript(client, auth, emulator):
    emu.append_log_line(emulator.home, "api", "plain <b>bold</b> line")
    emu.append_log_line(emulator.home, "api", "worker line", ps="worker.1")
    auth.login()
    r = client.get("/apps/api/logs")
    assert r.status_code == 200
    page = Soup(r.data, "html.parser")
    panel = page.select_one(".logs-panel")
    assert panel["data-stream-url"] == "/api/apps/api/logs/stream"
    rows = page.select(".logs-output .log-line")
    assert rows[-2].get_text().endswith("plain <b>bold</b> line")
    assert "<b>" not in str(rows[-2]).replace("&lt;b&gt;", "")
    assert rows[-1]["data-proc"] == "worker.1" and rows[-1]["data-id"]
    assert "needs JavaScript" in page.select_one(".logs-nojs").get_text()
    assert page.select_one('script[src="/static/logs.js"]') is not None
    options = [o["value"] for o in page.select("#logs-ps option")]
    assert options == ["", "web", "worker"]
    assert ["logs", "api", "--num", "100"] in emulator.calls()


def test_tab_options_travel_as_query_and_are_validated(client, auth, emulator):
    auth.login()
    r = client.get("/apps/api/logs?lines=500&ps=worker")
    assert r.status_code == 200
    assert ["logs", "api", "--num", "500", "--ps", "worker"] in emulator.calls()
    page = Soup(r.data, "html.parser")
    assert page.select_one("#logs-lines option[selected]")["value"] == "500"
    r = client.get("/apps/api/logs?lines=42")
    assert r.status_code == 422
    assert "100, 500 or 1000" in Soup(r.data, "html.parser").select_one(".field-error").get_text()


def test_tab_fragment_needs_the_script_first(client, auth, emulator):
    auth.login()
    # htmx never runs scripts it swaps in: the first time, load the whole page.
    r = client.get("/apps/api/logs?lines=500", headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/apps/api/logs?lines=500"
    # A page that has logs.js gets the fragment, and the stream brings the lines.
    calls = len(emulator.calls())
    r = client.get("/apps/api/logs", headers={"HX-Request": "true", "X-Docklight-Logs": "1"})
    assert r.status_code == 200
    assert assert_fragment(r, "div#logs").select_one(".logs-panel") is not None
    assert not any(argv[0] == "logs" for argv in emulator.calls()[calls:])


def test_tab_for_an_app_not_deployed_says_so(client, auth, emulator):
    auth.login()
    r = client.get("/apps/draft/logs")
    assert r.status_code == 200
    notice = Soup(r.data, "html.parser").select_one(".logs-notice")
    assert "has not been deployed" in notice.get_text()
    assert not any(argv[0] == "logs" for argv in emulator.calls())


def test_tab_shows_dokku_refusals(client, auth, emulator):
    emulator.settings(fail={"logs": [1, " !     Something broke"]})
    auth.login()
    r = client.get("/apps/api/logs")
    error = Soup(r.data, "html.parser").select_one(".dokku-error")
    assert error is not None and "Something broke" in error.get_text()
    assert "dokku logs api --num 100" in error.get_text()
