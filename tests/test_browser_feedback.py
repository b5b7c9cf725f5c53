"""Controls that say what they wait for, and pages that show what is going on (Chromium).

Typed-name buttons wait for the name, Let's Encrypt waits for an e-mail, a
request in flight shows a bar and a spinner and disables its submit button,
and status follows a job as soon as it ends. One gunicorn for the module.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_session import login, start_live


@pytest.fixture(scope="module")
def live(sshd):
    server = start_live(sshd)
    yield server
    server.stop()


def test_typed_name_buttons_wait_for_the_name(page, new_page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/blog/destroy")
    button = page.locator("#destroy button[type=submit]")
    expect(button).to_be_disabled()
    page.fill("#destroy input[name=confirm]", "blo")
    expect(button).to_be_disabled()
    page.fill("#destroy input[name=confirm]", "blog")
    expect(button).to_be_enabled()
    page.fill("#destroy input[name=confirm]", "blog ")
    expect(button).to_be_disabled()
    # The same on the resources tab's "clear everything", swapped in by htmx.
    page.click("nav.tabs >> text=Resources")
    clear = page.locator("form[data-confirm-name=blog] button[type=submit]")
    expect(clear).to_be_disabled()
    page.locator("form[data-confirm-name=blog] input[name=confirm]").fill("blog")
    expect(clear).to_be_enabled()
    assert page.console_errors == [], page.console_errors
    # Without JavaScript the button is there to press; the server checks the name.
    plain = new_page(java_script_enabled=False)
    login(plain, live)
    plain.goto(live.url + "/apps/blog/destroy")
    expect(plain.locator("#destroy button[type=submit]")).to_be_enabled()


def test_lets_encrypt_enable_waits_for_an_email(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/api/ssl")
    enable = page.locator("form[action='/apps/api/ssl/enable'] button")
    expect(enable).to_be_disabled()
    expect(page.locator("#le-needs-email")).to_be_visible()
    page.fill("#f-email", "ops@example.com")
    page.click("form[action='/apps/api/ssl/email'] button")
    expect(page.locator("form[action='/apps/api/ssl/enable'] button")).to_be_enabled()
    assert not [c for c in emulator.calls() if c[0] == "letsencrypt:enable"]


def test_a_request_in_flight_shows_a_bar_a_spinner_and_a_disabled_button(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/api/domains")
    emulator.settings(delay_ms=1500)  # every Dokku command takes 1.5 s from now on
    page.click("nav.tabs >> text=Ports & proxy")
    expect(page.locator("html.htmx-busy")).to_have_count(1)
    expect(page.locator("nav.tabs a.htmx-request:has-text('Ports & proxy')")).to_have_count(1)
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("Ports & proxy",
                                                                       timeout=30000)
    expect(page.locator("html.htmx-busy")).to_have_count(0)
    # A submit: its button is disabled (and spins) until the answer is in.
    page.click("nav.tabs >> text=Domains")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("Domains", timeout=30000)
    form = page.locator("form[action='/apps/api/domains/add']")
    form.locator("textarea").fill("www.example.com")
    form.locator("button[type=submit]").click()
    expect(form.locator("button[type=submit]")).to_be_disabled()
    expect(page.locator("form.htmx-request")).to_have_count(1)
    expect(page.locator("html.htmx-busy")).to_have_count(1)
    expect(page.locator("html.htmx-busy")).to_have_count(0, timeout=30000)
    emulator.settings(delay_ms=0)
    assert page.console_errors == [], page.console_errors


def test_status_follows_a_job_as_soon_as_it_ends(page, live, emulator):
    emulator.settings(step_delay_ms=300)
    login(page, live)
    dashboard = page.context.new_page()
    dashboard.goto(live.url + "/")
    expect(dashboard.locator("#app-blog .status")).to_have_text("stopped")
    page.goto(live.url + "/apps/blog/overview")
    expect(page.locator("#overview .status").first).to_have_text("stopped")
    page.click("form[action='/apps/blog/ps/start'] button")
    expect(page.locator("#job-slot .job[data-status=running]")).to_have_count(1, timeout=20000)
    # The dashboard row says a job runs there, and links to it.
    dashboard.reload()
    expect(dashboard.locator("#app-blog a.row-job")).to_have_text("Start blog…")
    # When the job ends both pages show the new status without a reload.
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    expect(page.locator("#overview .status").first).to_have_text("running")
    expect(dashboard.locator("#app-blog .status")).to_have_text("running", timeout=10000)
    expect(dashboard.locator("#app-blog a.row-job")).to_have_count(0)
    assert page.console_errors == [], page.console_errors
