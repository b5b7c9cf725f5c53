"""One Docklight under gunicorn and one logged-in browser context per test module.

Browser tests of everyday use walk many pages; starting a server and logging
in per test would dominate the suite's time. Two workers, so a reload may
land on a worker that did not start the job it shows. The cache TTL is 0:
tests reset the emulator behind Docklight's back.
"""

from __future__ import annotations

import tempfile

from tests.conftest import PASSWORD, app_config
from tests.live import LiveServer


def start_live(sshd, **extra) -> LiveServer:
    """Start gunicorn (the Procfile's line) against the test sshd."""
    data_dir = tempfile.mkdtemp(prefix="docklight-ux-")
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env.update({"DOCKLIGHT_CACHE_TTL": "0", "WEB_CONCURRENCY": "2"}, **extra)
    return LiveServer(env)


def login(page, live) -> None:
    """Log in through the form."""
    page.goto(live.url + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
