"""Everyday navigation in headless Chromium: jobs survive a reload, no blank or dead pages.

One gunicorn (two workers) for the module; each test resets the emulator.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser_session import login, settle, start_live


@pytest.fixture(scope="module")
def live(sshd):
    server = start_live(sshd)
    yield server
    server.stop()


# Walks up from each boosted link and form the way htmx looks up an inherited
# attribute (hx-disinherit stops it) and reports what each one would inherit.
INHERITED = """() => {
  const names = ["hx-select", "hx-target", "hx-swap"];
  const own = el => ["hx-get", "hx-post", "hx-put", "hx-delete", "hx-patch"].some(a => el.hasAttribute(a));
  const out = [];
  for (const el of document.querySelectorAll("body a[href], body form")) {
    if (own(el) || el.closest("[hx-boost=false]")) continue;
    for (const name of names) {
      for (let up = el.parentElement; up; up = up.parentElement) {
        const dis = up.getAttribute("hx-disinherit");
        if (dis && (dis === "*" || dis.split(" ").includes(name))) break;
        if (up.hasAttribute(name)) {
          out.push(`${el.outerHTML.slice(0, 80)} inherits ${name}="${up.getAttribute(name)}"`);
          break;
        }
      }
    }
  }
  return out;
}"""


def test_a_running_job_comes_back_after_a_reload(page, live, emulator):
    emulator.settings(step_delay_ms=400)
    login(page, live)
    page.goto(live.url + "/apps/api/overview")
    page.click("form[action='/apps/api/ps/restart'] button")
    panel = page.locator("#job-slot .job")
    expect(panel.locator(".job-output .line").first).to_be_visible(timeout=20000)
    first_line = panel.locator(".job-output .line").first.text_content()

    for path in ("/apps/api/overview", "/apps/api/config"):
        page.goto(live.url + path)
        panel = page.locator("#job-slot .job[data-status=running]")
        expect(panel).to_have_count(1)
        expect(panel.locator("h2")).to_have_text("Restart api")
        # The output so far is there at once, not only what arrives from now on.
        assert panel.locator(".job-output .line").first.text_content() == first_line
    # ...and the live tail runs to the end, after which the overview refreshes.
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    assert ["ps:restart", "api"] in emulator.calls()
    # Another app's page does not show api's job.
    page.goto(live.url + "/apps/blog/overview")
    expect(page.locator("#job-slot .job")).to_have_count(0)
    assert page.console_errors == [], page.console_errors


def test_a_job_opened_from_the_jobs_list_shows_the_job(page, live, emulator):
    emulator.settings(step_delay_ms=0)
    login(page, live)
    page.goto(live.url + "/apps/blog/overview")
    page.click("form[action='/apps/blog/ps/start'] button")
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    page.click("nav[aria-label=Main] >> text=Jobs")
    page.wait_for_url(live.url + "/jobs")
    page.click("#jobs-list a:text-is('Start blog')")
    page.wait_for_url(lambda url: "/jobs/" in url)
    # A whole page: the top bar, the way back and the job itself.
    expect(page.locator("header.topbar")).to_have_count(1)
    expect(page.locator("main .job h2")).to_have_text("Start blog")
    expect(page.locator("main a:text-is('← All jobs')")).to_be_visible()
    # The panel's app link opens the app page, not an anchor on the dashboard.
    page.click("main .job .command a:text-is('blog')")
    page.wait_for_url(live.url + "/apps/blog/overview")
    expect(page.locator("#overview")).to_be_visible()
    assert page.console_errors == [], page.console_errors


PAGES = ("/", "/apps", "/jobs", "/history", "/databases", "/plugins", "/apps/api/overview",
         "/apps/api/config", "/apps/api/domains", "/apps/api/ssl", "/apps/api/ports",
         "/apps/api/deploy", "/apps/api/storage", "/apps/api/resources", "/apps/api/network",
         "/apps/api/logs", "/apps/api/destroy")


def test_no_boosted_link_or_form_inherits_a_region_target(page, live, emulator):
    emulator.settings(step_delay_ms=0)
    login(page, live)
    page.goto(live.url + "/apps/blog/overview")
    page.click("form[action='/apps/blog/ps/start'] button")  # one job in /jobs and history
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    inherited = {}
    for path in PAGES:
        page.goto(live.url + path)
        settle(page)
        found = page.evaluate(INHERITED)
        if found:
            inherited[path] = found
    assert inherited == {}


def test_after_destroy_the_dashboard_and_a_gone_app_is_a_404(page, live, emulator):
    emulator.settings(step_delay_ms=0)
    login(page, live)
    page.goto(live.url + "/apps/blog/destroy")
    page.fill("#destroy input[name=confirm]", "blog")
    page.click("#destroy button[type=submit]")
    page.wait_for_url(live.url + "/", timeout=30000)
    expect(page.locator("#flash .notice")).to_have_text("Destroyed blog.")
    expect(page.locator("#app-api")).to_be_visible()
    expect(page.locator("#app-blog")).to_have_count(0)
    assert ["apps:destroy", "blog", "--force"] in emulator.calls()
    # The flash is shown once.
    page.reload()
    expect(page.locator("#app-api")).to_be_visible()
    expect(page.locator("#flash .notice")).to_have_count(0)

    # Its pages are a 404 with a way home, not a 502.
    response = page.goto(live.url + "/apps/blog/config")
    assert response.status == 404
    expect(page.locator("main h1")).to_have_text("404 · No such app")
    page.console_errors.remove(
        "Failed to load resource: the server responded with a status of 404 (NOT FOUND)")
    page.click("main a:text-is('Back to the dashboard')")
    page.wait_for_url(live.url + "/")
    assert page.console_errors == [], page.console_errors


def test_after_rename_the_new_name_and_stale_tabs_are_a_404(page, live, emulator):
    emulator.settings(step_delay_ms=0)
    login(page, live)
    stale = page.context.new_page()
    stale.goto(live.url + "/apps/api/overview")
    page.goto(live.url + "/apps/api/overview")
    page.fill("#f-new_name", "api-v2")
    page.click("form[action='/apps/api/rename'] button")
    page.wait_for_url(live.url + "/apps/api-v2/overview", timeout=30000)
    expect(page.locator("#flash .notice")).to_have_text("Renamed api to api-v2.")
    expect(page.locator("main h1")).to_have_text("api-v2")
    assert ["apps:rename", "api", "api-v2"] in emulator.calls()
    # A page still showing the old name: its tabs lead to the 404 page.
    stale.click("nav.tabs >> text=Domains")
    stale.wait_for_selector("main h1:text-is('404 · No such app')")
    assert stale.locator("main a:text-is('Back to the dashboard')").count() == 1
    assert page.console_errors == [], page.console_errors


def test_a_job_started_on_the_databases_page_comes_back_there(page, live, emulator):
    from tests.test_databases import seed, standard_services

    seed(emulator, standard_services(), step_delay_ms=300)
    login(page, live)
    page.goto(live.url + "/databases")
    form = page.locator("#service-redis-cache form.link-service")
    form.locator("select").select_option("blog")
    form.locator("button[type=submit]").click()
    expect(page.locator("#job-slot .job .job-output .line").first).to_be_visible(timeout=20000)
    page.reload()
    panel = page.locator("#job-slot .job[data-status=running]")
    expect(panel).to_have_count(1)
    expect(panel.locator("h2")).to_have_text("Link redis service cache to blog")
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    # The plugins page starts other jobs: it does not show this one.
    assert ["redis:link", "cache", "blog"] in emulator.calls()
    assert page.console_errors == [], page.console_errors
