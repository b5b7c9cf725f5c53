"""The real server: Procfile command line, gevent worker, JSON logs."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from tests.conftest import PASSWORD, app_config
from tests.live import LiveServer


@pytest.fixture
def live(sshd, emulator, data_dir):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env["DOCKLIGHT_LOG_LEVEL"] = "info"
    server = LiveServer(env)
    yield server
    server.stop()


def test_procfile_server_serves_health_login_and_dashboard(live, emulator):
    with urllib.request.urlopen(live.url + "/healthz") as r:
        assert json.load(r) == {"status": "ok", "database": "ok", "dokku": "ok"}
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"password": PASSWORD, "next": "/apps"}).encode()
    req = urllib.request.Request(live.url + "/api/auth/login", data=data,
                                 headers={"Origin": live.url})
    with opener.open(req) as r:
        html = r.read().decode()
        assert r.url == live.url + "/apps"
    for name in ("api", "blog", "draft", "shop"):
        assert f'id="app-{name}"' in html
    logs = [json.loads(line) for line in live.log().splitlines() if line.startswith("{")]
    requests = [e for e in logs if e.get("message") == "request"]
    assert any(e["path"] == "/apps" and e["status"] == 200 and e["method"] == "GET"
               and "duration_ms" in e and e["request_id"] and e["client_ip"] == "127.0.0.1"
               for e in requests)
    dokku = [e for e in logs if e.get("message") == "dokku command"]
    assert {e["subcommand"] for e in dokku} >= {"ps:report", "domains:report", "git:report"}
    assert all({"exit_code", "duration_ms", "app"} <= set(e) for e in dokku)
    assert PASSWORD not in live.log()


def test_healthz_asks_dokku_at_most_every_30_seconds(live, emulator):
    for _ in range(10):
        with urllib.request.urlopen(live.url + "/healthz") as r:
            assert json.load(r)["dokku"] == "ok"
    assert emulator.calls().count(["version"]) == 1


def test_demo_mode_runs_against_the_bundled_simulator(tmp_path):
    env = {"DOCKLIGHT_DATA_DIR": str(tmp_path), "DOCKLIGHT_DOKKU_BIN": "no-such-dokku",
           "DOCKLIGHT_LOG_LEVEL": "info"}
    server = LiveServer(env)
    try:
        password = (tmp_path / "demo-password").read_text()
        assert f"log in with password {password}" in server.log()
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        data = urllib.parse.urlencode({"password": password, "next": "/apps"}).encode()
        req = urllib.request.Request(server.url + "/api/auth/login", data=data,
                                     headers={"Origin": server.url})
        with opener.open(req) as r:
            html = r.read().decode()
        assert "Demo: simulated Dokku host" in html
        assert 'id="app-api-staging"' in html and "partly running" in html
    finally:
        server.stop()
