"""Every page fits a phone and a desktop, in the light and the dark theme (Chromium).

Walks every page reachable from the main navigation and the app tabs at
360x740 and 1280x800, with prefers-color-scheme light and dark, and asserts
that nothing makes the page scroll sideways. Screenshots of each go to
tests/artifacts/ (gitignored); with UPDATE_SCREENSHOTS=1 the dashboard and an
app page in light and dark are also written to docs/screenshots/ for the README.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser_session import login, settle, start_live
from tests.conftest import REPO_ROOT
from tests.test_databases import seed, standard_services

ARTIFACTS = os.path.join(REPO_ROOT, "tests", "artifacts", "layout")
README_SHOTS = os.path.join(REPO_ROOT, "docs", "screenshots")
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}
FOR_README = {"/": "dashboard", "/apps/api/overview": "app"}
WIDTHS = """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
  wide: [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
          && !e.closest(".scroll-x, pre, .logs-output, table")).slice(0, 5)
          .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).split(" ").join(".") : ""))})"""


@pytest.fixture(scope="module")
def live(sshd):
    server = start_live(sshd)
    yield server
    server.stop()


def page_paths(page, live) -> list[str]:
    """Return every page of the main navigation and the app tabs, and a job page."""
    page.goto(live.url + "/apps/api/overview")
    hrefs = [a.get_attribute("href") for a in
             page.locator("nav[aria-label=Main] a, nav.tabs a").all()]
    page.click("form[action='/apps/api/ps/restart'] button")
    job = page.locator("#job-slot .job h2 a")
    expect(job).to_be_visible(timeout=20000)
    hrefs.append(job.get_attribute("href"))
    hrefs += ["/apps/api/destroy", "/databases/postgres/main-db/destroy"]
    return list(dict.fromkeys(hrefs))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_fits_without_sideways_scrolling(new_page, live, emulator, size, scheme):
    seed(emulator, standard_services())
    page = new_page(viewport=SIZES[size], color_scheme=scheme)
    os.makedirs(ARTIFACTS, exist_ok=True)
    too_wide = {}
    paths = ["/login"]
    for path in paths:
        page.goto(live.url + path)
        settle(page)
        # The theme followed the browser's preference.
        theme = page.evaluate("() => getComputedStyle(document.documentElement)"
                              ".getPropertyValue('--scheme').trim()")
        assert theme == scheme, (path, theme)
        widths = page.evaluate(WIDTHS)
        if widths["scroll"] > widths["inner"]:
            too_wide[path] = widths
        name = path.strip("/").replace("/", "_") or "dashboard"
        page.screenshot(path=os.path.join(ARTIFACTS, f"{name}-{size}-{scheme}.png"), full_page=True)
        if size == "desktop" and path in FOR_README and os.environ.get("UPDATE_SCREENSHOTS"):
            page.screenshot(path=os.path.join(README_SHOTS, f"{FOR_README[path]}-{scheme}.png"))
        if path == "/login":
            login(page, live)
            paths += page_paths(page, live)
    assert too_wide == {}
    assert page.console_errors == [], page.console_errors


def test_the_theme_toggle_is_remembered_by_this_browser(new_page, live, emulator):
    page = new_page(color_scheme="light")
    login(page, live)
    page.goto(live.url + "/")
    scheme = "() => getComputedStyle(document.documentElement).getPropertyValue('--scheme').trim()"
    assert page.evaluate(scheme) == "light"
    toggle = page.locator("button.theme-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    assert page.evaluate(scheme) == "dark"
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.goto(live.url + "/apps/api/overview")
    assert page.evaluate(scheme) == "dark"
    page.reload()
    assert page.evaluate(scheme) == "dark"
    page.locator("button.theme-toggle").click()
    assert page.evaluate(scheme) == "light"
    page.reload()
    assert page.evaluate(scheme) == "light"
    assert page.console_errors == [], page.console_errors


def test_the_navigation_collapses_on_a_phone(new_page, live, emulator):
    page = new_page(viewport=SIZES["phone"])
    login(page, live)
    page.goto(live.url + "/")
    nav = page.locator("nav[aria-label=Main]")
    menu = page.locator("button.nav-toggle")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(nav).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav.locator("a:text-is('Jobs')").click()
    page.wait_for_url(live.url + "/jobs")
    expect(page.locator("nav[aria-label=Main]")).to_be_hidden()
    # On a desktop there is nothing to open.
    wide = new_page(viewport=SIZES["desktop"])
    login(wide, live)
    expect(wide.locator("nav[aria-label=Main]")).to_be_visible()
    expect(wide.locator("button.nav-toggle")).to_be_hidden()
