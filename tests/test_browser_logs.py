"""The Logs tab in headless Chromium: live lines, pause, filter, options, download, htmx."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from playwright.sync_api import expect

from docklight.emulator import state as emu
from tests.conftest import PASSWORD, app_config
from tests.live import LiveServer

LINGER = 1.0


@pytest.fixture(autouse=True)
def no_old_lines(emulator):
    """Start from empty log sources: the emulator keeps logs/ across resets."""
    for name in ("logs", "log-stamps"):
        shutil.rmtree(os.path.join(emulator.home, name), ignore_errors=True)


@pytest.fixture
def live(sshd, emulator, data_dir):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env["DOCKLIGHT_LOG_LINGER_SECONDS"] = str(LINGER)
    server = LiveServer(env)
    server.env = env
    yield server
    server.stop()


@pytest.fixture
def page(new_page):
    """A page that may download (the download test)."""
    return new_page(accept_downloads=True)


def login(page, live):
    page.goto(live.url + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def visible_lines(page) -> list[str]:
    return page.eval_on_selector_all(
        ".logs-output .log-line:not([hidden])", "els => els.map(e => e.textContent)")


def ended_with_sighup(emulator) -> bool:
    return any(e["event"] == "end" and e.get("reason") == "SIGHUP" for e in emulator.events())


def test_follow_pause_filter_and_download(page, live, emulator):
    home = emulator.home
    emu.append_log_line(home, "api", "booting api")
    login(page, live)
    page.goto(live.url + "/apps/api/overview")
    # The tab link is an htmx swap: the first time the server has the page
    # load whole, so that logs.js runs.
    page.click("nav.tabs a:text-is('Logs')")
    page.wait_for_url(live.url + "/apps/api/logs")
    state = page.locator(".logs-state")
    expect(state).to_have_attribute("data-state", "live")
    expect(page.locator(".logs-output")).to_contain_text("booting api")

    # Lines appear as Dokku prints them, escaped, coloured per process.
    emu.append_log_line(home, "api", "GET /needle 200")
    emu.append_log_line(home, "api", "<img src=x id=injected> plain text", ps="worker.1")
    expect(page.locator(".logs-output")).to_contain_text("<img src=x id=injected> plain text")
    assert page.locator("#injected").count() == 0
    worker = page.locator(".logs-output .log-line[data-proc='worker.1']")
    assert worker.locator("span[class^=ansi-]").count() == 1

    # Pause: new lines are held, not shown (so nothing scrolls); resume shows them.
    page.click(".logs-pause")
    expect(page.locator(".logs-pause")).to_have_attribute("aria-pressed", "true")
    emu.append_log_line(home, "api", "arrived while paused")
    expect(page.locator(".logs-held")).to_have_text("1 new line held")
    assert not any("arrived while paused" in text for text in visible_lines(page))
    page.click(".logs-pause")
    expect(page.locator(".logs-output")).to_contain_text("arrived while paused")
    expect(page.locator(".logs-held")).to_be_hidden()

    # Filter: only matching lines stay visible, case-insensitively; new ones too.
    page.fill(".logs-filter", "NEEDLE")
    emu.append_log_line(home, "api", "second needle here")
    emu.append_log_line(home, "api", "hay")
    expect(page.locator(".logs-output")).to_contain_text("hay")
    expect(page.locator(".logs-output .log-line:not([hidden])")).to_have_count(2)
    assert all("needle" in text.lower() for text in visible_lines(page))

    # Download saves what is shown.
    with page.expect_download() as info:
        page.click(".logs-download")
    download = info.value
    assert download.suggested_filename == "api-logs.txt"
    with open(download.path(), encoding="utf-8") as f:
        saved = f.read().splitlines()
    assert saved == visible_lines(page) and len(saved) == 2
    page.fill(".logs-filter", "")
    expect(page.locator(".logs-output .log-line[hidden]")).to_have_count(0)

    # Each line once, though the page loaded some and the stream sent them too.
    ids = page.eval_on_selector_all(".logs-output .log-line", "els => els.map(e => e.dataset.id)")
    assert len(ids) == len(set(ids))
    assert page.console_errors == [], page.console_errors


def test_options_reconnect_and_leaving_the_tab_closes_the_stream(page, live, emulator):
    home = emulator.home
    emu.append_log_line(home, "api", "web says hi")
    emu.append_log_line(home, "api", "worker says hi", ps="worker.1")
    login(page, live)
    page.goto(live.url + "/apps/api/logs")
    expect(page.locator(".logs-state")).to_have_attribute("data-state", "live")
    expect(page.locator(".logs-output")).to_contain_text("worker says hi")

    # The process filter asks Dokku again, for that process only.
    page.select_option("#logs-ps", "worker")
    page.wait_for_url(live.url + "/apps/api/logs?lines=100&ps=worker")
    expect(page.locator(".logs-state")).to_have_attribute("data-state", "live")
    expect(page.locator(".logs-output")).to_contain_text("worker says hi")
    expect(page.locator(".logs-output")).not_to_contain_text("web says hi")
    assert ["logs", "api", "--num", "100", "--ps", "worker", "--tail"] in emulator.calls()

    # Switching tabs (an htmx swap) closes the socket; the upstream follows
    # after the linger, which hangs up the remote command.
    page.click("nav.tabs a:text-is('Overview')")
    page.wait_for_url(live.url + "/apps/api/overview")
    deadline = time.monotonic() + LINGER + 4
    while not ended_with_sighup(emulator) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ended_with_sighup(emulator)

    # Back to Logs: logs.js is loaded now, so htmx swaps the tab in and it follows.
    page.click("nav.tabs a:text-is('Logs')")
    page.wait_for_url(live.url + "/apps/api/logs")
    expect(page.locator(".logs-state")).to_have_attribute("data-state", "live")
    emu.append_log_line(home, "api", "after coming back")
    expect(page.locator(".logs-output")).to_contain_text("after coming back")
    assert page.console_errors == [], page.console_errors


def test_an_app_that_is_not_deployed_says_so(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/draft/logs")
    message = page.locator(".logs-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("has not been deployed")
    expect(message).to_contain_text("dokku logs draft --num 100 --tail")
    expect(page.locator(".logs-state")).to_have_attribute("data-state", "stopped")


def test_the_page_recovers_after_docklight_restarts(page, live, emulator, monkeypatch):
    home = emulator.home
    emu.append_log_line(home, "api", "before the restart")
    login(page, live)
    page.goto(live.url + "/apps/api/logs")
    state = page.locator(".logs-state")
    expect(state).to_have_attribute("data-state", "live")
    expect(page.locator(".logs-output")).to_contain_text("before the restart")

    # Stop Docklight and start it again on the same port with the same data
    # (and so the same secret key: the session cookie stays valid).
    live.stop(graceful=True)
    expect(state).to_have_attribute("data-state", "reconnecting")
    expect(state).to_contain_text("reconnecting in")
    import tests.live as live_module

    monkeypatch.setattr(live_module, "free_port", lambda: live.port)
    again = LiveServer(live.env)
    try:
        expect(state).to_have_attribute("data-state", "live", timeout=40_000)
        emu.append_log_line(home, "api", "after the restart")
        expect(page.locator(".logs-output")).to_contain_text("after the restart")
        # The backlog came again from a new upstream: nothing shows twice.
        texts = visible_lines(page)
        assert sum("before the restart" in t for t in texts) == 1
        assert page.console_errors == [], page.console_errors
    finally:
        again.stop()
