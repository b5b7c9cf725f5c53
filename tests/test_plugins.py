"""Plugins: the list, and the root-only actions through the root target (or not at all)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from docklight.emulator import state as emu
from tests.conftest import job_id_of as job_id
from tests.conftest import wait_for_job as wait_job
from tests.test_databases import HX, changes, logged_in_client
from tests.pages import assert_fragment, assert_page


@pytest.fixture
def userless_root(make_app, emulator):
    """A logged-in client of an app without a root target."""
    return logged_in_client(make_app(DOCKLIGHT_DOKKU_SSH_ROOT_TARGET=""))


def rows(html: str) -> dict[str, dict]:
    """Return {name: {version, state, core, description, actions}} from the plugins table."""
    soup = BeautifulSoup(html, "html.parser")
    out = {}
    for tr in soup.select(".plugins-table tbody tr"):
        cells = tr.find_all("td")
        out[tr.th.contents[0].strip()] = {
            "version": cells[0].get_text(strip=True),
            "state": cells[1].get_text(strip=True),
            "core": tr["data-core"] == "true",
            "description": cells[2].get_text(" ", strip=True),
            "actions": [b.get_text(strip=True)
                        for b in tr.select("td.actions button, td.actions a")],
        }
    return out


def root_events(emulator) -> list[tuple[list[str], bool]]:
    """Return (argv, ran as root) for every plugin change Dokku received."""
    return [(e["argv"], e["root"]) for e in emulator.events()
            if e.get("event") == "start" and e["argv"][0].startswith("plugin:")
            and e["argv"][0] != "plugin:list"]


def test_list_from_json(client, auth, emulator):
    auth.login()
    r = client.get("/plugins")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert_page(r, "div#plugins")
    table = rows(html)
    assert table["postgres"] == {"version": "1.48.0", "state": "enabled", "core": False,
                                 "description": "dokku postgres service plugin "
                                                "https://github.com/dokku/dokku-postgres.git",
                                 "actions": ["Update", "Disable", "Uninstall…"]}
    assert table["apps"]["core"] is True and table["apps"]["actions"] == []
    assert table["letsencrypt"]["description"].startswith("Automated installation")
    assert ["plugin:list", "--format", "json"] in emulator.calls()
    assert_fragment(client.get("/plugins", headers=HX), "div#plugins")


def test_list_from_text_on_older_dokku(client, auth, emulator):
    emulator.settings(version="0.38.21")
    auth.login()
    table = rows(client.get("/plugins").get_data(as_text=True))
    assert ["plugin:list"] in emulator.calls()
    assert table["redis"]["version"] == "1.43.0" and not table["redis"]["core"]
    # No core column in text: "dokku core ..." descriptions mark core plugins.
    assert table["apps"]["core"] is True and table["apps"]["actions"] == []


def test_disabled_plugin_offers_enable(client, auth, emulator):
    plugins = emu.default_plugins(community=("letsencrypt", "maintenance"))
    next(p for p in plugins if p["name"] == "maintenance")["enabled"] = False
    emulator.reset(plugins=plugins)
    auth.login()
    table = rows(client.get("/plugins").get_data(as_text=True))
    assert table["maintenance"]["state"] == "disabled"
    assert "Enable" in table["maintenance"]["actions"]


def test_install_form_prefilled_for_official_plugins(client, auth, emulator):
    auth.login()
    soup = BeautifulSoup(client.get("/plugins?install=mysql").get_data(as_text=True),
                         "html.parser")
    assert soup.select_one("#f-url")["value"] == "https://github.com/dokku/dokku-mysql.git"
    assert soup.select_one("#f-name")["value"] == "mysql"
    offered = [a.get_text() for a in soup.select("a.official-plugin")]
    assert "mysql" in offered and "postgres" not in offered  # postgres is installed
    soup = BeautifulSoup(client.get("/plugins?install=evil").get_data(as_text=True),
                         "html.parser")
    assert soup.select_one("#f-url")["value"] == ""


# --- without a root target -----------------------------------------------------------


def test_without_root_target_buttons_become_an_explanation(userless_root, emulator):
    html = userless_root.get("/plugins").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    help_box = soup.select_one("#root-help")
    assert "DOCKLIGHT_DOKKU_SSH_ROOT_TARGET" in help_box.get_text()
    assert "can run anything on the host" in help_box.get_text()
    assert not soup.select("td.actions") and not soup.select("#install")
    assert rows(html)["postgres"]["actions"] == []


@pytest.mark.parametrize(("path", "data"), [
    ("/plugins/install", {"url": "https://github.com/dokku/dokku-mysql.git"}),
    ("/plugins/postgres/update", {}),
    ("/plugins/postgres/disable", {}),
    ("/plugins/postgres/enable", {}),
    ("/plugins/postgres/uninstall", {"confirm": "postgres"}),
])
def test_without_root_target_actions_send_nothing(userless_root, emulator, path, data):
    r = userless_root.post(path, data=data, headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "nothing was sent to Dokku" in html and 'id="root-help"' in html
    assert root_events(emulator) == []


# --- with the root target ------------------------------------------------------------


def test_install_runs_as_a_root_job(app, client, auth, emulator):
    auth.login()
    r = client.post("/plugins/install", headers=HX,
                    data={"url": "https://github.com/dokku/dokku-mysql.git", "name": "mysql"})
    job = wait_job(app, job_id(r))
    assert job.status == "ok" and job.lockKey == "plugins"
    assert root_events(emulator) == [
        (["plugin:install", "https://github.com/dokku/dokku-mysql.git", "--name", "mysql"], True)]
    assert rows(client.get("/plugins").get_data(as_text=True))["mysql"]["state"] == "enabled"
    # The new datastore shows up on the Databases page.
    assert 'id="datastore-mysql"' in client.get("/databases").get_data(as_text=True)


@pytest.mark.parametrize(("url", "name", "field", "message"), [
    ("", "", "url", "Plugin source is required."),
    ("http://example.com/dokku-mysql.git", "", "url", "Dokku refuses this source"),
    ("--help", "", "url", "may not begin with '-'"),
    ("https://example.com/a b.git", "", "url", "may not contain spaces"),
    ("https://github.com/dokku/dokku-mysql.git", "My Plugin", "name", "Plugin name may hold"),
    ("https://github.com/dokku/dokku-mysql.git", "--force", "name", "may not begin with '-'"),
])
def test_install_refuses_bad_input_inline(client, auth, emulator, url, name, field, message):
    auth.login()
    r = client.post("/plugins/install", data={"url": url, "name": name}, headers=HX)
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "#plugins"
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert soup.select_one(f"#f-{field}")["aria-invalid"] == "true"
    assert message in soup.select_one(f"#e-{field}").get_text()
    assert soup.select_one("#f-url")["value"] == url
    assert root_events(emulator) == []


def test_update_runs_as_a_root_job(app, client, auth, emulator):
    auth.login()
    job = wait_job(app, job_id(client.post("/plugins/letsencrypt/update", headers=HX)))
    assert job.status == "ok"
    assert root_events(emulator) == [(["plugin:update", "letsencrypt"], True)]


def test_disable_and_enable_reach_the_root_target(client, auth, emulator):
    auth.login()
    r = client.post("/plugins/redis/disable", headers=HX)
    assert r.status_code == 200 and r.headers["HX-Retarget"] == "#plugins"
    html = r.get_data(as_text=True)
    assert "Plugin redis disabled." in html and rows(html)["redis"]["state"] == "disabled"
    r = client.post("/plugins/redis/enable", headers=HX)
    assert rows(r.get_data(as_text=True))["redis"]["state"] == "enabled"
    assert root_events(emulator) == [(["plugin:disable", "redis"], True),
                                     (["plugin:enable", "redis"], True)]


def test_refused_toggle_shows_dokkus_message(client, auth, emulator):
    auth.login()
    r = client.post("/plugins/apps/disable", headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Cannot disable a core plugin" in html
    assert "dokku plugin:disable apps" in html


def test_uninstall_asks_for_the_typed_name(app, client, auth, emulator):
    auth.login()
    r = client.get("/plugins/redis/uninstall")
    assert r.status_code == 200 and "Type the plugin name to confirm" in r.get_data(as_text=True)
    for typed in ("", "redi", "REDIS", "postgres"):
        r = client.post("/plugins/redis/uninstall", data={"confirm": typed}, headers=HX)
        assert r.status_code == 422
        soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
        assert soup.select_one("#e-confirm").get_text() == "Type redis exactly to confirm."
    assert root_events(emulator) == []
    r = client.post("/plugins/redis/uninstall", data={"confirm": "redis"}, headers=HX)
    job = wait_job(app, job_id(r))
    assert job.status == "ok" and job.lockKey == "plugins"
    assert root_events(emulator) == [(["plugin:uninstall", "redis"], True)]
    assert "redis" not in rows(client.get("/plugins").get_data(as_text=True))


def test_hostile_plugin_names_in_urls_are_404(client, auth, emulator):
    auth.login()
    for path in ("/plugins/Bad%20Name/update", "/plugins/-x/disable",
                 "/plugins/a;b/uninstall"):
        assert client.post(path, headers=HX).status_code == 404
    assert root_events(emulator) == []


def test_changes_helper_sees_nothing_for_reads(client, auth, emulator):
    auth.login()
    client.get("/plugins")
    assert changes(emulator) == []
