"""Domains and SSL tabs, and creating an app from the dashboard."""

from __future__ import annotations

import json
import time

import pytest
from bs4 import BeautifulSoup

from docklight import services
from docklight.emulator import state as emu
from tests.conftest import job_id_of, standard_apps, wait_for_job
from tests.tabs import HX, soup, writes
from tests.pages import assert_app_page, assert_fragment


def app_domains(page: BeautifulSoup) -> list[str]:
    return [tr["data-domain"] for tr in page.select(".domains-list tbody tr")]





# --- domains -------------------------------------------------------------------

def test_domains_page_and_fragment(client, auth, emulator):
    auth.login()
    r = client.get("/apps/api/domains")
    assert r.status_code == 200
    page = assert_app_page(r, "div#domains")
    assert page.select_one('.tabs a[aria-current="page"]').get_text(strip=True) == "Domains"
    assert app_domains(page) == ["api.example.com"]
    assert page.select_one("#domains h2 .status").get_text() == "enabled"
    assert [li.get_text() for li in page.select(".global-domains li")] == ["dokku.me"]
    assert ["domains:report", "api", "--format", "json"] in emulator.calls()

    r = client.get("/apps/api/domains", headers=HX)
    fragment = assert_fragment(r, "div#domains")
    # Global domains are read-only: no form posts to a *-global command.
    assert "global" not in " ".join(f["action"] for f in fragment.select("form"))


def test_add_several_domains(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/domains/add",
                    data={"add-domains": "www.example.com, Example.COM\n*.example.org"},
                    headers=HX)
    assert r.status_code == 200
    assert json.loads(r.headers["HX-Trigger"])["app-changed"] == {"app": "api"}
    assert writes(emulator) == [["domains:add", "api", "www.example.com", "example.com",
                                 "*.example.org"]]
    assert emulator.state()["apps"]["api"]["domains"] == [
        "api.example.com", "www.example.com", "example.com", "*.example.org"]
    page = soup(r)
    assert app_domains(page) == ["api.example.com", "www.example.com", "example.com",
                                 "*.example.org"]
    assert page.select_one(".done .command code").get_text() == \
        "dokku domains:add api www.example.com example.com *.example.org"
    assert "Added www.example.com to api" in page.select_one(".done pre").get_text()


def test_remove_one_domain(client, auth, emulator):
    auth.login()
    page = soup(client.get("/apps/api/domains"))
    form = page.select_one('tr[data-domain="api.example.com"] form')
    assert form["action"] == "/apps/api/domains/remove" and form["method"] == "post"
    r = client.post(form["action"], data={"domain": "api.example.com"}, headers=HX)
    assert r.status_code == 200
    assert writes(emulator) == [["domains:remove", "api", "api.example.com"]]
    assert emulator.state()["apps"]["api"]["domains"] == []
    assert app_domains(soup(r)) == []


def test_remove_refused_when_dokkus_pattern_takes_other_domains(client, auth, emulator):
    """plugins/domains domains_remove deletes with sed, where each '.' matches any character."""
    app = emu.make_app("api", domains=["app.example.com", "app-example.com", "www.example.com"])
    emulator.reset(apps=[app])
    auth.login()
    r = client.post("/apps/api/domains/remove", data={"domain": "app.example.com"}, headers=HX)
    assert r.status_code == 422
    assert "would also remove app-example.com" in soup(r).select_one("#e-domain").get_text()
    assert writes(emulator) == []
    assert emulator.state()["apps"]["api"]["domains"] == [
        "app.example.com", "app-example.com", "www.example.com"]
    r = client.post("/apps/api/domains/remove", data={"domain": "www.example.com"}, headers=HX)
    assert r.status_code == 200 and writes(emulator) == [["domains:remove", "api", "www.example.com"]]
    assert emulator.state()["apps"]["api"]["domains"] == ["app.example.com", "app-example.com"]


@pytest.mark.parametrize("action", ["add", "set"])
def test_add_and_set_refused_while_domains_are_disabled(client, auth, emulator, action):
    """domains_add/domains_set enable a disabled app, which writes the defaults over the list."""
    auth.login()
    client.post("/apps/api/domains/disable", headers=HX)
    before = writes(emulator)
    field = f"{action}-domains"
    r = client.post(f"/apps/api/domains/{action}", data={field: "shop.example.com"}, headers=HX)
    assert r.status_code == 422
    assert "Enable domains first" in soup(r).select_one(f"#e-{field}").get_text()
    assert writes(emulator) == before
    assert emulator.state()["apps"]["api"]["domains_enabled"] is False


def test_disable_says_the_domain_list_is_deleted(client, auth, emulator):
    """disable_app_vhost removes the VHOST file; domains_enable writes only the defaults back."""
    auth.login()
    page = soup(client.get("/apps/api/domains"))
    form = page.select_one('form[action="/apps/api/domains/disable"]')
    assert "enabling again brings back only the default domains" in str(form)


def test_set_replaces_all(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/domains/set", data={"set-domains": "a.example.com b.example.com"})
    assert r.status_code == 200
    assert_app_page(r, "div#domains")  # plain form: a page
    assert writes(emulator) == [["domains:set", "api", "a.example.com", "b.example.com"]]
    assert emulator.state()["apps"]["api"]["domains"] == ["a.example.com", "b.example.com"]


def test_clear_disable_enable(client, auth, emulator):
    auth.login()
    client.post("/apps/api/domains/clear", headers=HX)
    assert emulator.state()["apps"]["api"]["domains"] == []
    r = client.post("/apps/api/domains/disable", headers=HX)
    assert emulator.state()["apps"]["api"]["domains_enabled"] is False
    assert soup(r).select_one("#domains h2 .status").get_text() == "disabled"
    client.post("/apps/api/domains/enable", headers=HX)
    state = emulator.state()["apps"]["api"]
    assert state["domains_enabled"] is True and state["domains"] == ["api.dokku.me"]
    assert writes(emulator) == [["domains:clear", "api"], ["domains:disable", "api"],
                                ["domains:enable", "api"]]


@pytest.mark.parametrize("typed, message", [
    ("bad_domain.com", "bad_domain.com is not a valid domain name."),
    ("ok.example.com --force", "Domain may not begin with '-'"),
    ("-n", "Domain may not begin with '-'"),
    ("ok.example.com mple.com;id", "mple.com;id is not a valid domain name."),
    ("$(id).example.com", "is not a valid domain name"),
    ("trailing-dot.", "trailing-dot. is not a valid domain name."),
    ("a..b", "a..b is not a valid domain name."),
    ("   ", "Give at least one domain."),
])
@pytest.mark.parametrize("action", ["add", "set"])
def test_invalid_domains_refused_nothing_sent(client, auth, emulator, action, typed, message):
    auth.login()
    client.get("/apps/api/domains")
    before = emulator.calls()
    field = f"{action}-domains"
    r = client.post(f"/apps/api/domains/{action}", data={field: typed}, headers=HX)
    assert r.status_code == 422
    assert r.headers["HX-Retarget"] == "#domains-edit"
    page = soup(r)
    box = page.select_one(f"textarea[name={field}]").find_parent(class_="field")
    assert message in box.select_one(".field-error").get_text()
    assert page.select_one(f"textarea[name={field}]").get_text() == typed
    assert emulator.calls() == before
    assert emulator.state()["apps"]["api"]["domains"] == ["api.example.com"]


def test_invalid_domain_without_javascript(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/domains/add", data={"add-domains": "no_underscores.com"})
    assert r.status_code == 422
    assert assert_app_page(r, "div#domains").select_one("#e-add-domains").get_text() == \
        "no_underscores.com is not a valid domain name."
    assert writes(emulator) == []


def test_tampered_remove_refused(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/domains/remove", data={"domain": "--force"}, headers=HX)
    assert r.status_code == 422 and "may not begin with '-'" in soup(r).select_one("#e-domain").text
    assert writes(emulator) == []


def test_domains_failure_inline(client, auth, emulator):
    auth.login()
    emulator.settings(fail={"domains:add": [1, " !     Access denied"]})
    r = client.post("/apps/api/domains/add", data={"add-domains": "x.example.com"}, headers=HX)
    assert r.status_code == 422
    box = soup(r).select_one(".dokku-error")
    assert [dd.get_text(strip=True) for dd in box.select("dd")][:2] == \
        ["dokku domains:add api x.example.com", "1"]
    assert box.select_one("pre").get_text() == "Access denied"


# --- ssl -------------------------------------------------------------------------

def test_ssl_page_and_fragment(client, auth, emulator):
    auth.login()
    r = client.get("/apps/api/ssl")
    assert r.status_code == 200
    page = assert_app_page(r, "div#ssl")
    assert page.select_one('.tabs a[aria-current="page"]').get_text(strip=True) == "SSL"
    assert "not enabled" in page.select_one("#letsencrypt .facts").get_text()
    assert page.select_one('form[action="/apps/api/ssl/enable"]')
    assert "plain HTTP" in page.select_one("#certs").get_text()
    calls = emulator.calls()
    assert ["letsencrypt:active", "api"] in calls and ["letsencrypt:list"] in calls
    assert ["certs:report", "api", "--format", "json"] in calls
    r = client.get("/apps/api/ssl", headers=HX)
    assert_fragment(r, "div#ssl")


def test_set_email(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/ssl/email", data={"email": "ops@example.com"}, headers=HX)
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert ["letsencrypt:set", "api", "email", "ops@example.com"] in emulator.calls()
    assert emulator.state()["apps"]["api"]["letsencrypt"]["email"] == "ops@example.com"
    page = soup(r)
    assert page.select_one(".done code").get_text() == \
        "dokku letsencrypt:set api email ops@example.com"
    assert page.select_one("input[name=email]")["value"] == "ops@example.com"


@pytest.mark.parametrize("email", ["not-an-email", "--force@x.com", "a@b", ""])
def test_bad_email_refused(client, auth, emulator, email):
    auth.login()
    r = client.post("/apps/api/ssl/email", data={"email": email}, headers=HX)
    assert r.status_code == 422
    assert soup(r).select_one("#e-email").get_text()
    assert not [c for c in emulator.calls() if c[0] == "letsencrypt:set"]


def test_enable_as_a_job_then_status_shows_expiry(app, client, auth, emulator):
    auth.login()
    client.post("/apps/api/ssl/email", data={"email": "ops@example.com"}, headers=HX)
    r = client.post("/apps/api/ssl/enable", headers=HX)
    assert r.status_code == 202 and r.headers["HX-Retarget"] == "#job-slot"
    assert "dokku letsencrypt:enable api" in soup(r).select_one(".command").get_text()
    job = wait_for_job(app, job_id_of(r))
    assert job.status == "ok", job
    assert ["letsencrypt:enable", "api"] in emulator.calls()
    assert emulator.state()["apps"]["api"]["letsencrypt"]["enabled"] is True
    page = soup(client.get("/apps/api/ssl", headers=HX))
    facts = page.select_one("#letsencrypt .facts").get_text(" ", strip=True)
    assert "enabled" in facts and "Time before renewal" in facts
    assert "59d" in facts or "60d" in facts  # 90-day certificate, 30-day grace
    certs = page.select_one("#certs").get_text(" ", strip=True)
    assert "api.example.com" in certs and "GMT" in certs
    assert page.select_one('form[action="/apps/api/ssl/disable"]')
    assert page.select_one('form[action="/apps/api/ssl/auto-renew"]')


def test_enable_without_email_is_refused_next_to_the_field(app, client, auth, emulator):
    # dokku-letsencrypt's fn-letsencrypt-check-email would fail the job; we say so first.
    auth.login()
    r = client.post("/apps/api/ssl/enable", headers=HX)
    assert r.status_code == 422
    assert r.headers["HX-Retarget"] == "#ssl"
    assert "Set an e-mail first" in soup(r).select_one("#e-email").get_text()
    assert not [c for c in emulator.calls() if c[0] == "letsencrypt:enable"]
    # The page offers the button disabled, saying why.
    button = soup(client.get("/apps/api/ssl")).select_one('form[action="/apps/api/ssl/enable"] button')
    assert button.has_attr("disabled") and button["title"] == "Set an e-mail first."


def test_disable_and_renew_are_jobs(app, client, auth, emulator):
    state = emulator.state()
    state["apps"]["api"]["letsencrypt"].update(enabled=True, email="a@example.com",
                                               expires_at=int(time.time()) + 80 * 86400)
    emu.write_state(emulator.home, state)
    auth.login()
    r = client.post("/apps/api/ssl/auto-renew")
    assert r.status_code == 303 and r.headers["Location"].startswith("/jobs/")
    assert wait_for_job(app, r.headers["Location"].rsplit("/", 1)[1]).status == "ok"
    r = client.post("/apps/api/ssl/disable", headers=HX)
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert ["letsencrypt:auto-renew", "api"] in emulator.calls()
    assert ["letsencrypt:disable", "api"] in emulator.calls()
    assert emulator.state()["apps"]["api"]["letsencrypt"]["enabled"] is False


def test_plugin_missing_says_how_to_install(client, auth, emulator):
    emulator.reset(plugins=emu.default_plugins(community=()))
    auth.login()
    r = client.get("/apps/api/ssl")
    assert r.status_code == 200
    box = soup(r).select_one(".plugin-missing")
    assert "not installed" in box.get_text()
    assert box.select_one("pre").get_text() == \
        "sudo dokku plugin:install https://github.com/dokku/dokku-letsencrypt.git"
    assert "Plugins page" in box.get_text()  # the test app has a root target
    assert not soup(r).select('form[action="/apps/api/ssl/enable"]')
    # certs:report is core: still shown.
    assert "plain HTTP" in soup(r).select_one("#certs").get_text()
    # A write anyway gets Dokku's own refusal inline.
    r = client.post("/apps/api/ssl/email", data={"email": "ops@example.com"}, headers=HX)
    assert r.status_code == 422
    assert "is not a dokku command" in soup(r).select_one(".dokku-error pre").get_text()


# --- create app ---------------------------------------------------------------------

def test_dashboard_has_the_create_form(client, auth, emulator):
    auth.login()
    page = soup(client.get("/apps"))
    form = page.select_one("form#create-app")
    assert form["action"] == "/apps" and form["method"] == "post"
    assert form.find_next("div", id="apps")  # above the table


def test_create_app_redirects_to_its_page(client, auth, emulator):
    auth.login()
    client.get("/apps", headers=HX)  # warm the dashboard cache
    r = client.post("/apps", data={"name": "new-app.v2"}, headers=HX)
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/apps/new-app.v2/overview"
    assert "new-app.v2" in emulator.state()["apps"]
    assert ["apps:create", "new-app.v2"] in emulator.calls()
    # The dashboard does not serve the cached list without the new app.
    assert soup(client.get("/apps", headers=HX)).select_one("#app-new-app\\.v2")


def test_create_app_without_javascript(client, auth, emulator):
    auth.login()
    r = client.post("/apps", data={"name": "plain"})
    assert r.status_code == 303 and r.headers["Location"] == "/apps/plain/overview"
    assert "plain" in emulator.state()["apps"]


@pytest.mark.parametrize("name", ["Bad", "under_score", "-force", "a b", "ñ", "x/y", ".dot"])
def test_create_invalid_name_refused_with_dokkus_message(client, auth, emulator, name):
    auth.login()
    r = client.post("/apps", data={"name": name}, headers=HX)
    assert r.status_code == 422
    page = assert_fragment(r, "form#create-app")
    message = page.select_one("#e-name").get_text()
    assert ("App name must begin with lowercase alphanumeric character" in message
            or "may not begin with '-'" in message)
    assert page.select_one("input[name=name]")["value"] == name
    assert not [c for c in emulator.calls() if c[0] == "apps:create"]


def test_create_existing_name_shows_dokkus_refusal(client, auth, emulator):
    auth.login()
    r = client.post("/apps", data={"name": "api"}, headers=HX)
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-name").get_text() == "Name is already taken"
    assert page.select_one(".create-failed").get_text(" ", strip=True) == \
        "dokku apps:create api exited 1"
    assert ["apps:create", "api"] in emulator.calls()
    # Without JavaScript: the dashboard page with the message.
    r = client.post("/apps", data={"name": "api"})
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-name").get_text() == "Name is already taken"
    assert len(page.select("#apps-table tbody tr")) == len(standard_apps())
