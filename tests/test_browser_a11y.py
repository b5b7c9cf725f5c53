"""Keyboard and screen readers: axe-core finds no serious or critical problem (Chromium).

axe-core is vendored (static/vendor/axe-core-*.min.js, from the npm package)
and loaded from Docklight's own origin, so the page's CSP allows it. Each page
is checked in the light and the dark theme (contrast differs).
"""

from __future__ import annotations

import glob
import os

import pytest
from playwright.sync_api import expect

from tests.browser_session import login, settle, start_live
from tests.conftest import REPO_ROOT
from tests.test_browser_layout import page_paths
from tests.test_databases import seed, standard_services

AXE = os.path.basename(glob.glob(os.path.join(REPO_ROOT, "static", "vendor", "axe-core-*.min.js"))[0])
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
}"""


@pytest.fixture(scope="module")
def live(sshd):
    server = start_live(sshd)
    yield server
    server.stop()


def axe_problems(page) -> list[str]:
    page.add_script_tag(url=f"/static/vendor/{AXE}")
    return page.evaluate(SERIOUS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_axe_violation(new_page, live, emulator, scheme):
    seed(emulator, standard_services())
    page = new_page(color_scheme=scheme)
    page.goto(live.url + "/login")
    problems = {}
    found = axe_problems(page)
    if found:
        problems["/login"] = found
    login(page, live)
    for path in page_paths(page, live):
        page.goto(live.url + path)
        settle(page)
        found = axe_problems(page)
        if found:
            problems[path] = found
    assert problems == {}
    assert page.console_errors == [], page.console_errors


def test_keyboard_reaches_the_controls_with_a_visible_focus_ring(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/api/overview")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
          const s = getComputedStyle(e);
          return {text: (e.textContent || e.value || "").trim().slice(0, 30), tag: e.tagName,
                  ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2}; }""")
        seen.append(focused["text"])
        assert focused["ring"], focused
    for control in ("Apps", "Dark theme", "Config", "Restart"):
        assert control in seen, seen


def test_a_job_result_is_announced(page, live, emulator):
    emulator.settings(step_delay_ms=0)
    login(page, live)
    page.goto(live.url + "/apps/blog/overview")
    page.click("form[action='/apps/blog/ps/start'] button")
    announce = page.locator("#job-slot .job [role=status]")
    expect(announce).to_have_text("Start blog: ok", timeout=30000)
