"""Operating an app in headless Chromium: config, destroy, and the same without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

VALUE = "hello 'world' \"$(id)\" `x`\n  second line = ünïcödé "


@pytest.fixture
def plain_page(new_page):
    """A page with JavaScript disabled: only forms, links and meta refresh."""
    return new_page(java_script_enabled=False)


def login(page, live):
    page.goto(live.url + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_set_a_config_value_then_reveal_it(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/api/config")
    # "Add row" swaps in the form with one more row, keeping what was typed.
    page.fill("#f-key-0", "GREETING")
    page.click("#config-set button:text-is('Add row')")
    expect(page.locator("#config-set input[name^=key-]")).to_have_count(4)
    assert page.input_value("#f-key-0") == "GREETING"
    # No write, and no second read: the form alone came back.
    assert [c[0] for c in emulator.calls() if c[0].startswith("config:")] == ["config:export"]
    page.fill("#f-key-0", "GREETING")
    page.fill("#f-value-0", VALUE)
    page.check("#config-set input[name=no_restart]")
    page.click("#config-set button:text-is('Set')")
    row = page.locator('tr[data-key="GREETING"]')
    expect(row).to_be_visible()
    expect(page.locator("#config .done")).to_contain_text("without restarting api")
    assert emulator.state()["apps"]["api"]["config"]["GREETING"] == VALUE
    # The value is nowhere on the page until asked for.
    assert "second line" not in page.content()
    expect(row.locator(".masked")).to_have_text("••••")

    row.locator("button:has-text('Reveal')").click()
    secret = row.locator("pre.config-secret code")
    expect(secret).to_be_visible()
    assert secret.text_content() == VALUE
    assert page.url == live.url + "/apps/api/config"  # swapped in place
    row.locator("a:text-is('Hide')").click()
    expect(row.locator(".masked")).to_be_visible()
    assert "second line" not in page.content()

    # Without "don't restart" it runs as a job; when it ends the tab refreshes itself.
    page.fill("#f-key-0", "MODE")
    page.fill("#f-value-0", "job value")
    page.click("#config-set button:text-is('Set')")
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    expect(page.locator('tr[data-key="MODE"]')).to_be_visible(timeout=10000)
    assert emulator.state()["apps"]["api"]["config"]["MODE"] == "job value"
    assert page.console_errors == [], page.console_errors


def test_destroy_needs_the_typed_name(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/blog/destroy")
    form = page.locator("form:has(input[name=confirm])").first
    form.locator("input[name=confirm]").fill("blo")
    # The button waits for the exact name (the server checks it again: test_tab_overview).
    expect(form.locator("button[type=submit]")).to_be_disabled()
    assert "blog" in emulator.state()["apps"]
    assert not [c for c in emulator.calls() if c[0] == "apps:destroy"]

    form = page.locator("form:has(input[name=confirm])").first
    form.locator("input[name=confirm]").fill("blog")
    form.locator("button[type=submit]").click()
    page.wait_for_url(live.url + "/", timeout=30000)  # the dashboard, once it is gone
    assert "blog" not in emulator.state()["apps"]
    assert ["apps:destroy", "blog", "--force"] in emulator.calls()

    page.goto(live.url + "/")
    expect(page.locator("#app-api")).to_be_visible()
    assert page.locator("#app-blog").count() == 0
    assert page.console_errors == [], page.console_errors


def test_config_without_javascript(plain_page, live, emulator):
    page = plain_page
    login(page, live)
    page.goto(live.url + "/apps/api/config")
    page.fill("#f-key-0", "PLAIN")
    page.fill("#f-value-0", VALUE)
    page.check("#config-set input[name=no_restart]")
    page.click("#config-set button:text-is('Set')")
    # The result page: the tab again, with what was done and the new key.
    expect(page.locator(".done")).to_contain_text("Set PLAIN without restarting api.")
    expect(page.locator(".done code")).to_have_text(
        "dokku config:set --encoded --no-restart api PLAIN=***")
    assert "second line" not in page.content()
    assert emulator.state()["apps"]["api"]["config"]["PLAIN"] == VALUE

    # Reveal works too: the form posts to the reveal URL and the page shows that value.
    page.locator('tr[data-key="PLAIN"] button:has-text("Reveal")').click()
    secret = page.locator('tr[data-key="PLAIN"] pre.config-secret code')
    expect(secret).to_be_visible()
    assert secret.text_content() == VALUE
    assert page.locator("pre.config-secret").count() == 1

    # "Add row" keeps what was typed and adds a row.
    page.goto(live.url + "/apps/api/config")
    page.fill("#f-key-0", "KEPT")
    page.click("#config-set button:text-is('Add row')")
    expect(page.locator("#config-set input[name^=key-]")).to_have_count(4)
    assert page.input_value("#f-key-0") == "KEPT"


def test_restart_without_javascript(plain_page, live, emulator):
    page = plain_page
    login(page, live)
    page.goto(live.url + "/apps/api/overview")
    page.click("form[action='/apps/api/ps/restart'] button")
    page.wait_for_url(lambda url: "/jobs/" in url)
    # The job page refreshes itself (noscript meta refresh) until the job ends.
    expect(page.locator(".job-state")).to_have_text("ok", timeout=30000)
    assert ["ps:restart", "api"] in emulator.calls()


def test_edit_loads_the_value_and_a_pasted_env_file_sets_many_keys(page, live, emulator):
    login(page, live)
    page.goto(live.url + "/apps/api/config")
    # Edit reads the current value into the form, swapped in place, kept out of htmx's history.
    page.locator('tr[data-key="DATABASE_URL"] button:has-text("Edit")').click()
    expect(page.locator("#config-set")).to_have_attribute("hx-history", "false")
    expect(page.locator("#f-value-0")).to_have_value("postgres://u:pw@db/api")
    assert page.input_value("#f-key-0") == "DATABASE_URL"
    assert page.url == live.url + "/apps/api/config"
    # Emptying it and pressing Set is refused until the empty value is confirmed.
    page.fill("#f-value-0", "")
    page.check("#config-set input[name=no_restart]")
    page.click("#config-set button:text-is('Set')")
    expect(page.locator("#e-value-0")).to_contain_text("is empty")
    assert emulator.state()["apps"]["api"]["config"]["DATABASE_URL"] == "postgres://u:pw@db/api"
    page.check("#config-set input[name=empty-0]")
    page.click("#config-set button:text-is('Set')")
    expect(page.locator("#config .done")).to_contain_text("without restarting api")
    assert emulator.state()["apps"]["api"]["config"]["DATABASE_URL"] == ""

    # A pasted .env file: a preview first, then one config:set for every key.
    page.fill("#f-envfile", "export ONE=1\n# a comment\nTWO='two words'\nTHREE=\"3\\n3\"\n")
    page.check("#config-paste input[name=no_restart]")
    page.click("#config-paste button:text-is('Preview')")
    preview = page.locator(".config-paste-preview tr[data-key]")
    expect(preview).to_have_count(3)
    expect(page.locator("#config-paste")).to_have_attribute("hx-history", "false")
    assert not [c for c in emulator.calls() if c[0] == "config:set" and "ONE" in " ".join(c)]
    page.click("#config-paste button:text-is('Set these 3 keys')")
    expect(page.locator("#config .done")).to_contain_text("Set ONE, TWO, THREE")
    sets = [c for c in emulator.calls() if c[0] == "config:set"]
    assert len(sets) == 2 and [a.split("=")[0] for a in sets[-1][4:]] == ["ONE", "TWO", "THREE"]
    config = emulator.state()["apps"]["api"]["config"]
    assert (config["ONE"], config["TWO"], config["THREE"]) == ("1", "two words", "3\n3")
    assert page.console_errors == [], page.console_errors
