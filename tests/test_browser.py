"""User flows in headless Chromium (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import PASSWORD, app_config
from tests.live import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def live(sshd, emulator, data_dir):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    server = LiveServer(env)
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    problems = []
    # Script errors and CSP violations; a 401 for a wrong password is expected.
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and ("Content Security Policy" in m.text
                                      or "Refused" in m.text or "404" in m.text) else None)
    page.console_errors = problems
    yield page
    context.close()


def test_login_then_every_app_with_its_status(page, live):
    page.goto(live.url + "/")
    assert page.url.startswith(live.url + "/login")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("#password-error")
    assert page.inner_text("#password-error") == "Wrong password."

    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#apps-table tbody tr")
    statuses = {
        row.query_selector("th").inner_text(): row.query_selector(".status").inner_text()
        for row in page.query_selector_all("#apps-table tbody tr")
    }
    assert statuses == {"api": "running", "blog": "stopped", "draft": "not deployed",
                        "shop": "partly running"}
    assert "web 2/2" in page.inner_text("#app-api")
    # No CSP violations or script errors on the way.
    assert page.console_errors == [], page.console_errors


def test_sort_and_refresh_swap_the_table_in_place(page, live, emulator):
    page.goto(live.url + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#apps-table tbody tr")
    page.click("th >> text=Status")
    # (wait_for_function would need eval, which our CSP rightly forbids)
    page.wait_for_selector("#apps-table tbody tr:first-child th:has-text('shop')")
    from docklight.emulator import state as emu

    state = emulator.state()
    state["apps"]["new-app"] = emu.make_app("new-app")
    emu.write_state(emulator.home, state)
    page.click("text=Refresh")
    page.wait_for_selector("#app-new-app")
    assert page.url.startswith(live.url + "/")  # swapped, not navigated away
    assert page.console_errors == [], page.console_errors


def test_links_inside_self_refreshing_regions_navigate_the_page(page, live, emulator):
    # Regression: a boosted link used to inherit the hx-target of the region
    # around it and pour the next page into that region.
    page.goto(live.url + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#apps-table tbody tr")
    page.click("#app-api th a")
    page.wait_for_url(live.url + "/apps/api/overview")
    page.wait_for_selector("#overview")
    assert page.locator("header.topbar").count() == 1
    assert page.locator("#apps-table").count() == 0
    page.click("nav.tabs >> text=Domains")
    page.wait_for_selector("nav.tabs a[aria-current=page]:has-text('Domains')")
    assert page.locator("nav.tabs a[aria-current=page]").count() == 1
    assert page.console_errors == [], page.console_errors
