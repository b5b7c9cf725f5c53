"""Several gunicorn workers by default, and what must hold across them.

The server runs with the Procfile's line and no WEB_CONCURRENCY, so the
worker count is the host-based default (at least two). Requests go out on
fresh connections so both workers serve them; the JSON request log names the
worker (pid) that served each one, so each test can show that it crossed.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.conftest import app_config
from tests.live import LiveServer
from tests.test_jobs import Browser

CLOSE = {"Connection": "close"}


@pytest.fixture
def workers(sshd, emulator, data_dir):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env["DOCKLIGHT_LOG_LEVEL"] = "info"
    server = LiveServer(env)
    yield server
    server.stop()


def served_by(server, path: str) -> set[int]:
    """Return the pids of the workers that answered requests for path."""
    logs = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    return {e["pid"] for e in logs if e.get("message") == "request" and e.get("path") == path}


def worker_pids(server) -> set[int]:
    """Return the pids of gunicorn's worker processes (children of the master)."""
    children = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == server.proc.pid:
                children.add(int(entry))
    return children


def test_default_is_several_workers_sharing_the_per_app_lock(workers, emulator):
    assert len(worker_pids(workers)) >= 2
    emulator.settings(step_delay_ms=300)
    browser = Browser(workers.url)
    status, html, _ = browser.post("/apps/api/ps/restart", headers={"HX-Request": "true", **CLOSE})
    assert status == 202, html
    job = re.search(r'id="job-([0-9a-f]+)"', html)[1]
    # Linux may hand a run of new connections to one idle worker: ask until
    # both have answered (at least 12 times, at most 60).
    answers = []
    while len(answers) < 12 or (len(answers) < 60
                                and len(served_by(workers, "/apps/api/ps/stop")) < 2):
        answers.append(browser.post("/apps/api/ps/stop", headers={"HX-Request": "true", **CLOSE}))
    assert len(served_by(workers, "/apps/api/ps/stop")) >= 2, "one worker served everything"
    for status, html, _ in answers:
        assert status == 409 and f'href="/jobs/{job}"' in html
    assert ["ps:stop", "api"] not in emulator.calls()
    # Every worker shows the job running, from the database.
    pages = []
    while len(pages) < 8 or (len(pages) < 60 and len(served_by(workers, f"/jobs/{job}")) < 2):
        pages.append(browser.get(f"/jobs/{job}", headers=CLOSE))
    assert len(served_by(workers, f"/jobs/{job}")) >= 2
    assert all(status == 200 and f'id="job-{job}" data-status="running"' in html
               for status, html, _ in pages)
    # A cancel served by any worker ends the job and answers with its end.
    status, html, _ = browser.post(f"/jobs/{job}/cancel", headers={"HX-Request": "true", **CLOSE})
    assert status == 200 and 'data-job-finished="cancelled"' in html
    status, html, _ = browser.post("/apps/api/ps/stop", headers={"HX-Request": "true", **CLOSE})
    assert status == 202, html
