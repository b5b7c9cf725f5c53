"""A state change that times out or loses its connection has an unknown outcome (issue 12.11).

The page says the command may still have run and names the read that shows
what happened; history records the run as "unknown", never as failed or
succeeded. A read that times out stays a plain timeout: it changed nothing.
"""

from __future__ import annotations

import threading
import time

from docklight import db
from tests.conftest import job_id_of, wait_for_job

GUARD = 30  # seconds: a hang guard, never a measure


def _rows(app, subcommand: str) -> list[dict]:
    with db.connection(app.config["DATABASE"]) as conn:
        return [dict(r) for r in conn.execute(
            "SELECT status, exitCode, command FROM commands WHERE subcommand = ? ORDER BY id",
            (subcommand,))]


def _login(client):
    r = client.post("/api/auth/login", data={"password": "correct horse battery staple"},
                    headers={"Origin": "http://localhost"})
    assert r.status_code == 303


def test_a_change_that_times_out_is_reported_and_recorded_as_unknown(make_app, emulator):
    app = make_app(DOCKLIGHT_DOKKU_WRITE_TIMEOUT="1", DOCKLIGHT_DOKKU_READ_TIMEOUT="1")
    client = app.test_client()
    _login(client)
    # The tab was loaded before Dokku slowed down: the form's checks use its report.
    assert client.get("/apps/api/domains").status_code == 200
    emulator.settings(delay_ms=2500)
    r = client.post("/apps/api/domains/add", data={"add-domains": "late.example.com"},
                    headers={"Origin": "http://localhost"})
    html = r.get_data(as_text=True)
    assert r.status_code == 504
    assert "Outcome unknown" in html and "may still have run" in html
    assert "dokku domains:report api" in html
    assert [row["status"] for row in _rows(app, "domains:add")] == ["unknown"]
    # A read that times out changed nothing: it stays a timeout.
    r = client.get("/apps/api/domains")
    assert "Outcome unknown" not in r.get_data(as_text=True)
    # (the first report is the page load before Dokku slowed down)
    assert [row["status"] for row in _rows(app, "domains:report")] == ["ok", "timeout"]


def test_a_change_whose_connection_drops_is_reported_and_recorded_as_unknown(
        make_app, emulator, sshd):
    app = make_app()
    client = app.test_client()
    _login(client)
    emulator.settings(delay_ms=4000)
    answer = {}

    def post():
        answer["r"] = client.post("/apps/api/domains/add", data={"add-domains": "x.example.com"},
                                  headers={"Origin": "http://localhost"})

    thread = threading.Thread(target=post)
    thread.start()
    deadline = time.monotonic() + GUARD
    while not [c for c in emulator.calls() if c[0] == "domains:add"]:
        assert time.monotonic() < deadline, "domains:add never reached Dokku"
        time.sleep(0.05)
    sshd.kill_connections(include_commands=False)  # the command itself keeps running
    thread.join(GUARD)
    r = answer["r"]
    html = r.get_data(as_text=True)
    assert r.status_code == 504, html[:500]
    assert "Outcome unknown" in html and "connection dropped" in html
    assert "dokku domains:report api" in html
    assert [row["status"] for row in _rows(app, "domains:add")] == ["unknown"]


def test_a_job_that_times_out_ends_unknown_with_how_to_check(make_app, emulator):
    app = make_app(DOCKLIGHT_JOB_TIMEOUT="1")
    client = app.test_client()
    _login(client)
    emulator.settings(step_delay_ms=800)
    r = client.post("/apps/api/ps/restart", headers={"Origin": "http://localhost",
                                                     "HX-Request": "true"})
    job = wait_for_job(app, job_id_of(r))
    assert job.status == "unknown"
    assert [row["status"] for row in _rows(app, "ps:restart")] == ["unknown"]
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Outcome unknown" in html and "may still have run" in html
    assert "dokku ps:report api" in html
