"""User flows in headless Chromium (Debian's chromium driven by Playwright)."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_login_then_every_app_with_its_status(page, live):
    page.goto(live.url + "/")
    assert page.url.startswith(live.url + "/login")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    page.wait_for_selector("#password-error")
    assert page.inner_text("#password-error") == "Wrong name or password."

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
