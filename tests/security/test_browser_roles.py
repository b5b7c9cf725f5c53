"""Each role in headless Chromium: what it sees, what the server refuses; sudo and TOTP end to end.

One gunicorn (two workers) for the module; each test opens its own browser
context per person, so cookies never leak between roles.
"""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from docklight import db, totp, users
from tests.browser_session import start_live
from tests.conftest import PASSWORD

PEOPLE = {"vera": ("viewer", "vera's password"), "otto": ("operator", "otto's password"),
          "tia": ("admin", "tia's password")}


@pytest.fixture(scope="module")
def team_live(sshd):
    server = start_live(sshd)
    server.database = os.path.join(os.path.dirname(server.log_path), "docklight.sqlite3")
    for name, (role, password) in PEOPLE.items():
        users.add(server.database, name, password, role)
    yield server
    server.stop()


def log_in(new_page, live, name="admin", password=PASSWORD):
    page = new_page()
    page.goto(live.url + "/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def as_person(new_page, live, name):
    return log_in(new_page, live, name, PEOPLE[name][1])


def test_a_viewer_sees_no_controls_and_a_crafted_post_is_refused(new_page, team_live, emulator):
    page = as_person(new_page, team_live, "vera")
    expect(page.locator(".whoami")).to_have_text("vera (viewer)")
    expect(page.locator("nav a", has_text="Users")).to_have_count(0)
    page.goto(team_live.url + "/apps/api/overview")
    expect(page.locator("button", has_text="Restart")).to_be_hidden()
    page.goto(team_live.url + "/apps/api/config")
    expect(page.locator("#config")).to_be_visible()
    expect(page.locator("form[action$='/config/reveal'] button").first).to_be_hidden()
    # The same POST a visible button would send, made by hand with vera's cookie.
    before = len(emulator.calls())
    r = page.request.post(team_live.url + "/apps/api/ps/restart",
                          headers={"Origin": team_live.url}, max_redirects=0)
    assert r.status == 403
    r = page.request.post(team_live.url + "/apps/api/config/reveal", form={"key": "DATABASE_URL"},
                          headers={"Origin": team_live.url}, max_redirects=0)
    assert r.status == 403 and "postgres://u:pw@db/api" not in r.text()
    assert emulator.calls()[before:] == []


def test_an_operator_restarts_apps_but_gets_no_plugin_or_user_controls(new_page, team_live,
                                                                      emulator):
    page = as_person(new_page, team_live, "otto")
    expect(page.locator("nav a", has_text="Users")).to_have_count(0)
    page.goto(team_live.url + "/plugins")
    expect(page.locator("#install")).to_have_count(0)
    r = page.request.post(team_live.url + "/plugins/install", form={"url": "https://x/y.git"},
                          headers={"Origin": team_live.url}, max_redirects=0)
    assert r.status == 403
    assert page.request.get(team_live.url + "/users", max_redirects=0).status == 403
    page.goto(team_live.url + "/apps/api/overview")
    page.click("#overview button:text-is('Restart')")
    expect(page.locator("#job-slot .job")).to_be_visible()
    deadline = time.monotonic() + 30
    while ["ps:restart", "api"] not in emulator.calls() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ["ps:restart", "api"] in emulator.calls()
    assert not [c for c in emulator.calls() if c[0] == "plugin:install"]


def test_an_admin_manages_users_on_the_users_page(new_page, team_live, emulator):
    page = as_person(new_page, team_live, "tia")
    page.click("nav a:text-is('Users')")
    page.wait_for_url(team_live.url + "/users")
    page.fill("#f-name", "una")
    page.select_option("#f-role", "viewer")
    page.fill("#f-password", "una's password")
    page.click("button:text-is('Add user')")
    expect(page.locator("#user-una")).to_be_visible()
    una = log_in(new_page, team_live, "una", "una's password")
    expect(una.locator(".whoami")).to_have_text("una (viewer)")


def test_sudo_asks_for_the_password_and_keeps_the_typed_name(new_page, team_live, emulator):
    page = as_person(new_page, team_live, "tia")
    with db.connection(team_live.database) as conn:
        conn.execute("UPDATE sessions SET authAt = ? WHERE user = 'tia'", (time.time() - 600,))
    page.goto(team_live.url + "/apps/blog/destroy")
    page.fill("#f-confirm", "blog")
    page.click("button:text-is('Destroy blog')")
    expect(page.locator("#sudo")).to_be_visible()
    assert page.locator("#sudo input[name=confirm]").get_attribute("value") == "blog"
    assert not [c for c in emulator.calls() if c[0] == "apps:destroy"]
    page.fill("#sudo-password", "not it")
    page.click("#sudo button[type=submit]")
    expect(page.locator("#sudo-error")).to_have_text("That is not your password.")
    page.fill("#sudo-password", PEOPLE["tia"][1])
    page.click("#sudo button[type=submit]")
    page.wait_for_url(lambda url: "/jobs/" in url)
    deadline = time.monotonic() + 30
    while "blog" in emulator.state()["apps"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ["apps:destroy", "blog", "--force"] in emulator.calls()


def test_totp_enrolment_and_login_with_a_code(new_page, team_live, emulator):
    users.add(team_live.database, "theo", "theo's password", "operator")
    page = log_in(new_page, team_live, "theo", "theo's password")
    page.goto(team_live.url + "/account")
    page.click("button:text-is('Set up two-step login')")
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.inner_text("#totp-secret")
    page.fill("#f-code", totp.code_at(secret, time.time()))
    page.click("button:text-is('Turn on')")
    expect(page.locator(".recovery-codes li")).to_have_count(totp.RECOVERY_CODES)
    page.click("header .logout button")
    page.wait_for_url(lambda url: "/login" in url)
    expect(page.locator(".notice")).to_have_text("You are logged out.")
    page.fill("#username", "theo")
    page.fill("#password", "theo's password")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/code" in url)
    page.fill("#code", totp.code_at(secret, time.time() + totp.STEP_SECONDS))
    page.click("button:text-is('Continue')")
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator(".whoami")).to_have_text("theo (operator)")
