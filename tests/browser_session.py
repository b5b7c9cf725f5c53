"""One Docklight under gunicorn and one logged-in browser context per test module.

Browser tests of everyday use walk many pages; starting a server and logging
in per test would dominate the suite's time. Two workers, so a reload may
land on a worker that did not start the job it shows. The cache TTL is 0:
tests reset the emulator behind Docklight's back.
"""

from __future__ import annotations

import tempfile
import time

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


# htmx marks an element while its request runs (htmx-request, removed only
# after the swap) and while new content swaps and settles.
HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def settle(page, timeout: float = 20.0) -> None:
    """Wait until the page has loaded and nothing it started is still under way.

    The page's load event has fired, no request it made (htmx's lazy regions,
    a fetch) is unanswered and htmx is not swapping. This replaces Playwright's
    "networkidle", which always waits for half a second of silence: seconds
    per page walk. Needs a page from the new_page fixture (it counts requests).
    WebSocket traffic is not counted, as networkidle did not count it either.
    """
    page.wait_for_load_state("load")
    deadline = time.monotonic() + timeout
    while page.in_flight or not page.evaluate(HTMX_IDLE):
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url} still loading after {timeout} s: "
                                 f"{sorted(r.url for r in page.in_flight)}")
        page.wait_for_timeout(10)
