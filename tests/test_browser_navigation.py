"""Everyday navigation in headless Chromium: jobs survive a reload, no blank or dead pages.

One gunicorn (two workers) for the module; each test resets the emulator.
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
        page.wait_for_load_state("networkidle")
        found = page.evaluate(INHERITED)
        if found:
            inherited[path] = found
    assert inherited == {}
