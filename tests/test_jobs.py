"""Jobs over the real server: live output to several browsers, re-attach,
cancel, one change per app, and a clean stop."""

from __future__ import annotations

import re
import sqlite3
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
import simple_websocket

from tests.conftest import PASSWORD, app_config
from tests.live import LiveServer, websocket
from tests.pages import assert_page


class Browser:
    """A logged-in HTTP client with its cookie, like one browser tab."""

    def __init__(self, url: str):
        self.url = url
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.post("/api/auth/login", {"password": PASSWORD})

    def request(self, path, data=None, headers=None, method=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.url + path, data=body, method=method,
                                     headers={"Origin": self.url, **(headers or {})})
        try:
            with self.opener.open(req) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)

    def post(self, path, data=None, headers=None):
        return self.request(path, data or {}, headers)

    def get(self, path, headers=None):
        return self.request(path, headers=headers)

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def socket(self, path):
        ws_url = self.url.replace("http://", "ws://") + path
        return websocket(ws_url, headers={"Cookie": self.cookie(), "Origin": self.url})


def start_job(browser, path="/apps/api/ps/restart"):
    status, html, headers = browser.post(path, headers={"HX-Request": "true"})
    assert status == 202, html
    return re.search(r'id="job-([0-9a-f]+)"', html)[1]


def read_stream(ws, timeout=20):
    """Return ([(seq, text)], final_html) from a job WebSocket."""
    lines, final = [], None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            message = ws.receive(timeout=deadline - time.monotonic())
        except simple_websocket.ConnectionClosed:
            break
        if message is None:
            break
        m = re.search(r'data-seq="(\d+)">(.*?)</span>', message, re.S)
        if m:
            lines.append((int(m[1]), m[2]))
        elif "data-job-finished" in message:
            final = message
    return lines, final


def test_two_browsers_get_the_same_lines_in_order(live, emulator):
    emulator.settings(step_delay_ms=40)
    a, b = Browser(live.url), Browser(live.url)
    job = start_job(a)
    ws_a, ws_b = a.socket(f"/ws/jobs/{job}?after=0"), b.socket(f"/ws/jobs/{job}?after=0")
    lines_a, final_a = read_stream(ws_a)
    lines_b, final_b = read_stream(ws_b)
    assert lines_a == lines_b and len(lines_a) > 10
    assert [seq for seq, _ in lines_a] == list(range(1, len(lines_a) + 1))
    assert any("-----&gt; Deploying web" in text for _, text in lines_a)
    assert 'data-job-finished="ok"' in final_a and "exit code <code>0</code>" in final_a


def test_reload_reattaches_without_gaps_or_repeats(live, emulator, data_dir):
    emulator.settings(step_delay_ms=120)
    a = Browser(live.url)
    job = start_job(a)
    time.sleep(1.0)
    status, page, _ = a.get(f"/jobs/{job}")  # a reload in the middle of the job
    shown = [int(s) for s in re.findall(r'data-seq="(\d+)"', page)]
    assert status == 200 and shown and shown == list(range(1, len(shown) + 1))
    # Werkzeug builds WebSocket rules as ws:// URLs; the path and offset matter.
    assert re.search(rf'ws-connect="ws://[^"/]+/ws/jobs/{job}\?after={len(shown)}"', page)
    rest, final = read_stream(a.socket(f"/ws/jobs/{job}?after={len(shown)}"))
    assert [seq for seq, _ in rest] == list(range(len(shown) + 1, len(shown) + len(rest) + 1))
    assert final and 'data-job-finished="ok"' in final
    # The whole output was stored as it came: the history row has every line.
    conn = sqlite3.connect(f"{data_dir}/docklight.sqlite3")
    stdout = conn.execute("SELECT c.stdout FROM commands c JOIN jobs j ON j.historyId = c.id"
                          " WHERE j.id = ?", (job,)).fetchone()[0]
    assert len(stdout.splitlines()) == len(shown) + len(rest)


def test_cancel_ends_the_remote_command(live, emulator, data_dir):
    emulator.settings(step_delay_ms=400)
    a = Browser(live.url)
    job = start_job(a, "/apps/api/ps/rebuild")
    time.sleep(0.8)
    status, html, _ = a.post(f"/jobs/{job}/cancel", headers={"HX-Request": "true"})
    assert status == 200 and 'data-job-finished="cancelled"' in html
    deadline = time.monotonic() + 5
    ends = []
    while time.monotonic() < deadline and not ends:
        ends = [e for e in emulator.events() if e["event"] == "end"
                and e.get("reason") in ("SIGHUP", "SIGPIPE")]
        time.sleep(0.05)
    assert ends, emulator.events()
    conn = sqlite3.connect(f"{data_dir}/docklight.sqlite3")
    assert conn.execute("SELECT status FROM jobs WHERE id = ?", (job,)).fetchone()[0] == "cancelled"


def test_second_change_on_a_busy_app_is_refused(live, emulator):
    emulator.settings(step_delay_ms=200)
    a = Browser(live.url)
    job = start_job(a)
    status, html, headers = a.post("/apps/api/ps/stop", headers={"HX-Request": "true"})
    assert status == 409
    assert "busy: Restart api is running." in html and f'href="/jobs/{job}"' in html
    assert headers["HX-Retarget"] == "#job-slot"
    # Another app is not blocked.
    other = start_job(a, "/apps/blog/ps/start")
    assert other != job
    starts = [c for c in emulator.calls() if c[0].startswith("ps:")]
    assert ["ps:stop", "api"] not in starts


def test_without_javascript_a_job_redirects_to_its_page(live, emulator):
    a = Browser(live.url)
    status, html, _ = a.post("/apps/api/ps/restart")  # a plain form post
    assert status == 200 and "Restart api" in html
    assert_page(html, "section.job")
    assert 'http-equiv="refresh"' in html or 'data-job-finished' in html


def test_stopping_docklight_interrupts_running_jobs(sshd, emulator, data_dir):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env["DOCKLIGHT_JOB_SHUTDOWN_WAIT"] = "0.5"
    server = LiveServer(env)
    try:
        emulator.settings(step_delay_ms=1000)
        job = start_job(Browser(server.url), "/apps/api/ps/rebuild")
        time.sleep(0.5)
    finally:
        server.stop(graceful=True)
    conn = sqlite3.connect(f"{data_dir}/docklight.sqlite3")
    row = conn.execute("SELECT status, finishedAt FROM jobs WHERE id = ?", (job,)).fetchone()
    assert row[0] == "interrupted" and row[1]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(e["event"] == "end" for e in emulator.events()):
            break
        time.sleep(0.05)
    assert [e["reason"] for e in emulator.events() if e["event"] == "end"] != []


def test_jobs_list_shows_running_and_recent(live, emulator):
    emulator.settings(step_delay_ms=0)
    a = Browser(live.url)
    job = start_job(a)
    time.sleep(1)
    status, html, _ = a.get("/jobs")
    assert status == 200 and f'href="/jobs/{job}"' in html and "Restart api" in html
    status, page, _ = a.get("/")
    assert 'href="/jobs"' in page  # reachable from every page


def test_websocket_needs_session_and_origin(live, emulator):
    a = Browser(live.url)
    job = start_job(a)
    with pytest.raises(simple_websocket.ConnectionError):
        websocket(live.url.replace("http", "ws") + f"/ws/jobs/{job}",
                  headers={"Origin": live.url})
    with pytest.raises(simple_websocket.ConnectionError):
        websocket(live.url.replace("http", "ws") + f"/ws/jobs/{job}",
                  headers={"Cookie": a.cookie(), "Origin": "https://evil.example"})


def test_stale_job_of_a_dead_worker_releases_its_lock(app, emulator):
    from docklight import services
    from docklight.dokku import commands

    with app.app_context():
        manager = services.get().jobs
        conn = sqlite3.connect(app.config["DATABASE"])
        conn.execute("INSERT INTO jobs (id, app, title, command, mutates, lockKey, status,"
                     " createdAt, owner, heartbeatAt) VALUES ('dead', 'api', 'Old', 'dokku x', 1,"
                     " 'app:api', 'running', '2026-01-01T00:00:00.000Z', 'gone:1:x', ?)",
                     (time.time() - 120,))
        conn.commit()
        record = manager.start(commands.ps_action("restart", "api"), title="Restart api")
        assert manager.get("dead").status == "interrupted"
        manager.live[record.id].done.wait(20)
        assert manager.get(record.id).status == "ok"


def test_listing_running_jobs_writes_nothing_when_none_is_stale(tmp_path, monkeypatch):
    """Every page asks for the running jobs: that must not take sqlite's write lock.

    Another connection holds the write lock (as a busy worker would); the
    listing still answers, and a stale job is still marked once the lock is free.
    """
    from docklight import db
    from docklight.jobs import JobManager

    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 200)
    path = str(tmp_path / "docklight.sqlite")
    db.migrate(path)
    manager = JobManager(path, lambda: None)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert manager.running() == []
        assert manager.running_for("app:api") is None
    finally:
        writer.execute("ROLLBACK")
    writer.execute("INSERT INTO jobs (id, app, title, command, mutates, lockKey, status,"
                   " createdAt, owner, heartbeatAt) VALUES ('dead', 'api', 'Old', 'dokku x', 1,"
                   " 'app:api', 'running', '2026-01-01T00:00:00.000Z', 'gone:1:x', ?)",
                   (time.time() - 120,))
    assert manager.running() == []
    assert manager.get("dead").status == "interrupted"
    writer.close()
