"""The app page says how to deploy, where the app answers, what deployed it (Chromium).

One gunicorn for the module; each test resets the emulator.
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


def test_deploy_help_urls_and_history(new_page, live, emulator, sshd):
    emulator.settings(step_delay_ms=0)
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    login(page, live)
    page.goto(live.url + "/apps/api/deploy")
    host, _, port = sshd.target.partition("@")[2].rpartition(":")
    remote = f"git remote add dokku ssh://dokku@{host}:{port}/api"  # sshd is not on 22
    expect(page.locator("#push-line-1")).to_have_text(remote)
    # git:report gives the computed deploy branch, "master" when none is set
    # (fn-git-computed-deploy-branch); a push to it deploys (plugins/git/functions).
    expect(page.locator("#push-line-2")).to_have_text("git push dokku main:master")
    page.click("button[data-copy-from=push-line-1]")
    expect(page.locator("button[data-copy-from=push-line-1]")).to_contain_text("Copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == remote
    # The app's URL, as Dokku's urls would list it (http on 80: no port).
    expect(page.locator("#push-to-deploy .app-urls a")).to_have_text(["http://api.example.com"])
    assert page.locator(".app-urls a").get_attribute("href") == "http://api.example.com"
    sha = emulator.state()["apps"]["api"]["git"]["sha"]
    expect(page.locator("#deploy-history code")).to_have_text(sha[:12])
    expect(page.locator("#deploy-history .deploy")).to_have_count(0)

    # A rebuild Docklight ran is a deploy: who asked, and its output one click away.
    page.click("nav.tabs >> text=Overview")
    page.click("form[action='/apps/api/ps/rebuild'] button")
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    page.click("nav.tabs >> text=Deploy")
    entry = page.locator("#deploy-history .deploy")
    expect(entry).to_have_count(1)
    expect(entry.locator("a")).to_have_text("Rebuild api")
    expect(entry.locator(".job-state")).to_have_text("ok")
    assert "by unknown" not in entry.text_content()
    entry.locator("a").click()
    page.wait_for_url(lambda url: "/jobs/" in url)
    expect(page.locator("main .job .job-output .line").first).to_be_visible()
    assert ["ps:rebuild", "api"] in emulator.calls()
    assert page.console_errors == [], page.console_errors


@pytest.mark.parametrize("branch, line", [("main", "git push dokku main"),
                                          ("production", "git push dokku main:production")])
def test_the_push_line_targets_the_deploy_branch(page, live, emulator, branch, line):
    from docklight.emulator import state as emu

    state = emulator.state()
    state["apps"]["api"]["git"]["deploy_branch"] = branch
    emu.write_state(emulator.home, state)
    login(page, live)
    page.goto(live.url + "/apps/api/deploy")
    expect(page.locator("#push-line-2")).to_have_text(line)


def test_linked_databases_with_link_unlink_and_masked_variables(page, live, emulator):
    from tests.test_databases import seed, standard_services

    seed(emulator, standard_services(), step_delay_ms=0)
    login(page, live)
    page.goto(live.url + "/apps/api/overview")
    page.click("nav.tabs >> text=Databases")
    tab = page.locator("#linked-services")
    expect(tab.locator(".linked-services tr[data-service='postgres/main-db']")).to_be_visible()
    expect(tab.locator(".link-choices li")).to_have_count(2)  # old-db and cache

    tab.locator("li[data-service='redis/cache'] button").click()
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    row = page.locator("#linked-services tr[data-service='redis/cache']")
    expect(row).to_be_visible(timeout=10000)  # the tab refreshed itself when the job ended
    expect(row.locator(".link-keys code")).to_have_text(["REDIS_URL"])
    expect(row.locator(".link-keys .masked")).to_have_text("••••")
    assert ["redis:link", "cache", "api"] in emulator.calls()
    url = emulator.state()["apps"]["api"]["config"]["REDIS_URL"]
    assert "@dokku-redis-cache:" in url
    assert url not in page.content()
    password = url.split("://", 1)[1].split("@", 1)[0].split(":")[-1]
    assert password not in page.content()

    page.on("dialog", lambda dialog: dialog.accept())
    row.locator("button:has-text('Unlink')").click()
    expect(page.locator("#job-slot .job .job-state")).to_have_text("ok", timeout=30000)
    expect(page.locator("#linked-services tr[data-service='redis/cache']")).to_have_count(0,
                                                                                       timeout=10000)
    assert ["redis:unlink", "cache", "api"] in emulator.calls()
    assert "REDIS_URL" not in emulator.state()["apps"]["api"]["config"]
    assert page.console_errors == [], page.console_errors
