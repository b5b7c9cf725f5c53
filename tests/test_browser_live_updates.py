"""Changes made outside this page show up without a reload (issue 13.5).

The Dokku CLI is the emulator run directly on the host, as an operator would
type ``dokku ...``: Docklight learns of it only through its polls. The
dashboard and the app page poll every cache TTL with the ETag of what they
show; unchanged answers are 304 and swap nothing, and however many pages poll,
Dokku gets one refresh per TTL.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import PASSWORD, app_config
from tests import emulator_process
from tests.live import LiveServer

TTL = 2


@pytest.fixture
def polling(sshd, emulator, data_dir):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env["DOCKLIGHT_CACHE_TTL"] = str(TTL)
    server = LiveServer(env)
    yield server
    server.stop()


def dokku_cli(emulator, *args) -> None:
    """Run a command on the emulated host directly, not through Docklight."""
    env = emulator_process.environment(emulator.home)
    subprocess.run(emulator_process.argv(*args), env=env,
                   check=True, capture_output=True)
    emulator._share()


def logged_in(new_page, url):
    page = new_page()
    page.goto(url + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#apps-table tbody tr")
    page.navigations = []
    page.on("framenavigated", lambda frame: page.navigations.append(frame.url)
            if frame == page.main_frame else None)
    page.statuses = []
    page.on("response", lambda r: page.statuses.append(r.status)
            if r.url.startswith(url + "/apps?") or r.url == url + "/apps" else None)
    return page


def test_cli_changes_appear_on_open_pages_without_reload(new_page, polling, emulator):
    pages = [logged_in(new_page, polling.url) for _ in range(3)]
    # Nothing has changed: a poll comes back 304 (polls run every half TTL).
    if 304 not in pages[0].statuses:
        pages[0].wait_for_event("response", lambda r: r.status == 304
                                and r.url.startswith(polling.url + "/apps"), timeout=TTL * 3000)
    dokku_cli(emulator, "apps:create", "made-by-cli")
    for page in pages:
        page.wait_for_selector("#app-made-by-cli", timeout=TTL * 4000)
        assert page.navigations == [], page.navigations  # swapped in place
        assert page.console_errors == [], page.console_errors
    # However many pages poll, refreshes of the bulk report start a TTL apart.
    starts = [e["ts"] for e in emulator.events()
              if e.get("event") == "start" and e.get("argv") == ["ps:report"]]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert gaps and min(gaps) > TTL * 0.75, gaps

    # The app page follows a CLI stop too.
    page = pages[0]
    page.click("#app-api th a")
    page.wait_for_selector("#overview .status-running")
    page.navigations.clear()
    dokku_cli(emulator, "ps:stop", "api")
    page.wait_for_selector("#overview .status-stopped", timeout=TTL * 4000)
    assert page.navigations == [], page.navigations
    assert page.console_errors == [], page.console_errors
