"""Dashboard search, filters and sort in Chromium: as you type, and as a plain GET form.

One gunicorn for the module; each test resets the emulator.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from docklight.emulator import state as emu
from tests.browser_session import login, start_live


@pytest.fixture(scope="module")
def live(sshd):
    server = start_live(sshd)
    yield server
    server.stop()


def visible_apps(page) -> list[str]:
    return [row.get_attribute("data-name")
            for row in page.locator("#apps-table tr.app-row:visible").all()]


def test_filters_apply_as_you_type_without_asking_dokku(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/")
    expect(page.locator("#apps-table tr.app-row")).to_have_count(4)
    asked = len(emulator.calls())
    page.fill("#filter-q", "b")
    expect(page.locator("#apps-table tr.app-row:visible")).to_have_count(1)
    assert visible_apps(page) == ["blog"]
    expect(page.locator(".apps-filter-count")).to_have_text("1 of 4 shown")
    page.fill("#filter-q", "")
    page.fill("#filter-domain", "EXAMPLE")
    expect(page.locator("#apps-table tr.app-row:visible")).to_have_count(1)
    assert visible_apps(page) == ["api"]
    page.fill("#filter-domain", "")
    page.select_option("#filter-status", "partly running")
    expect(page.locator("#apps-table tr.app-row:visible")).to_have_count(1)
    assert visible_apps(page) == ["shop"]
    page.fill("#filter-q", "zzz")
    expect(page.locator(".apps-filter-none")).to_be_visible()
    # Filtering the rendered rows asked Dokku nothing.
    assert len(emulator.calls()) == asked
    assert page.url == live.url + "/"
    assert page.console_errors == [], page.console_errors


def test_filters_work_as_a_get_form_without_javascript(new_page, live, emulator):
    page = new_page(java_script_enabled=False)
    login(page, live)
    page.goto(live.url + "/apps")
    page.fill("#filter-q", "sh")
    page.click("#apps-filter button[type=submit]")
    page.wait_for_url(lambda url: "q=sh" in url)
    assert [r.get_attribute("data-name") for r in page.locator("tr.app-row").all()] == ["shop"]
    assert page.input_value("#filter-q") == "sh"
    page.goto(live.url + "/apps?status=stopped")
    assert [r.get_attribute("data-name") for r in page.locator("tr.app-row").all()] == ["blog"]
    # Sorting keeps the filters.
    href = page.locator("th a:has-text('Status')").get_attribute("href")
    assert "status=stopped" in href and "sort=status" in href


def test_sort_by_last_deploy(page, live, emulator):
    state = emulator.state()
    for name, at in (("api", 1_700_000_000), ("blog", 1_800_000_000), ("shop", 1_750_000_000)):
        state["apps"][name]["git"]["last_updated_at"] = at
    emu.write_state(emulator.home, state)
    login(page, live)
    page.goto(live.url + "/")
    expect(page.locator("#apps-table tr.app-row")).to_have_count(4)
    page.click("th a:has-text('Last deployed')")
    expect(page.locator("th[aria-sort=descending] a")).to_contain_text("Last deployed")
    # Newest first; an app never deployed comes last either way.
    assert [r.get_attribute("data-name") for r in page.locator("tr.app-row").all()] == \
        ["blog", "shop", "api", "draft"]
    page.click("th a:has-text('Last deployed')")
    expect(page.locator("th[aria-sort=ascending] a")).to_contain_text("Last deployed")
    assert [r.get_attribute("data-name") for r in page.locator("tr.app-row").all()] == \
        ["api", "shop", "blog", "draft"]
    assert page.console_errors == [], page.console_errors
