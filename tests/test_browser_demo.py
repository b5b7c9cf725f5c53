"""The demo, as a visitor sees it in headless Chromium: deploys take time, logs keep coming.

One gunicorn in demo mode (the bundled simulator at the demo's pace, no sshd)
for the module. Nothing here measures time: each test checks an order of
events (a line shown while the job still runs, a cancel before the deploy).
"""

from __future__ import annotations

import os
import tempfile

import pytest
from playwright.sync_api import expect

from docklight.emulator import state as emu
from tests.live import LiveServer

APP = "node-js-app"


@pytest.fixture(scope="module")
def demo():
    data_dir = tempfile.mkdtemp(prefix="docklight-demo-")
    server = LiveServer({"DOCKLIGHT_DATA_DIR": data_dir, "DOCKLIGHT_DEMO": "1",
                         "DOCKLIGHT_LOG_LEVEL": "warning", "DOCKLIGHT_CACHE_TTL": "0",
                         "WEB_CONCURRENCY": "2"})
    server.data_dir = data_dir
    with open(os.path.join(data_dir, "demo-password")) as f:
        server.password = f.read()
    yield server
    server.stop()


def login(page, demo) -> None:
    page.goto(demo.url + "/login")
    page.fill("#password", demo.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def simulator_app(demo) -> dict:
    """Return the simulated host's record of APP."""
    return emu.read_state(os.path.join(demo.data_dir, "demo-dokku"))["apps"][APP]


def job_lines(panel) -> int:
    return panel.locator(".job-output .line").count()


def test_the_demo_prints_where_its_password_is_kept(demo):
    kept = os.path.join(os.path.abspath(demo.data_dir), "demo-password")
    assert f"open http://127.0.0.1:{demo.port}/" in demo.log()
    assert f"kept in {kept}" in demo.log()


def test_a_restart_streams_its_transcript_and_survives_a_reload(page, demo):
    login(page, demo)
    page.goto(demo.url + f"/apps/{APP}/overview")
    page.click(f"form[action='/apps/{APP}/ps/restart'] button")
    panel = page.locator("#job-slot .job")
    expect(panel.locator(".job-output .line").first).to_be_visible(timeout=20000)
    # The first line is on the page while the job still runs, and more follow.
    expect(panel.locator(".job-state")).to_have_text("running")
    first = job_lines(panel)
    expect(panel.locator(".job-output .line").nth(first)).to_be_visible(timeout=20000)
    expect(panel.locator(".job-state")).to_have_text("running")

    seen = job_lines(panel)
    page.reload()
    panel = page.locator("#job-slot .job[data-status=running]")
    expect(panel).to_have_count(1)
    # The output so far comes back at once, then the rest streams to the end.
    assert job_lines(panel) >= seen
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=60000)
    expect(page.locator("#job-slot .job .job-output")).to_contain_text(
        "Shutting down old containers")
    assert page.console_errors == [], page.console_errors


def test_a_rebuild_builds_slowly_and_a_cancel_stops_it_before_the_deploy(page, demo):
    release = simulator_app(demo)["release"]
    login(page, demo)
    page.goto(demo.url + f"/apps/{APP}/overview")
    page.click(f"form[action='/apps/{APP}/ps/rebuild'] button")
    panel = page.locator("#job-slot .job")
    expect(panel.locator(".job-output")).to_contain_text("Building", timeout=20000)
    expect(panel.locator(".job-state")).to_have_text("running")
    page.once("dialog", lambda dialog: dialog.accept())
    panel.locator("button:text-is('Cancel')").click()
    expect(page.locator("#job-slot .job .job-state, .job .job-state").first).to_have_text(
        "cancelled", timeout=20000)
    output = page.locator(".job .job-output").first.text_content()
    assert "Releasing" not in output and "Application deployed" not in output
    # Dokku builds before it deploys: the running release is the one we had.
    assert simulator_app(demo)["release"] == release
    assert page.console_errors == [], page.console_errors


def test_running_apps_keep_logging_from_several_processes_in_colour(page, demo):
    login(page, demo)
    page.goto(demo.url + f"/apps/{APP}/logs")
    expect(page.locator(".logs-state")).to_have_attribute("data-state", "live", timeout=20000)
    lines = page.locator(".logs-output .log-line")
    expect(lines.first).to_be_visible(timeout=20000)
    before = lines.count()
    # New lines keep arriving without anyone writing logs.
    expect(lines.nth(before)).to_be_attached(timeout=20000)
    procs = set(page.eval_on_selector_all(".logs-output .log-line",
                                          "els => els.map(e => e.dataset.proc)"))
    assert {"web", "worker"} <= {p.split(".")[0] for p in procs}, procs
    # Colours inside the messages too, not only the process prefix.
    assert page.locator(".logs-output .log-line span[class^=ansi-]").count() > lines.count()
    assert page.console_errors == [], page.console_errors
