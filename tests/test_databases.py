"""Databases: datastore plugins and services through the real sshd and the emulator.

Listing (plugins detected, services with status, version and links), create,
link, unlink and destroy as jobs, typed-name confirmation, hostile names
refused inline, one failing plugin kept in its own section, and connection
details kept secret: hidden until revealed, never in the sqlite files.
"""

from __future__ import annotations

import glob
import logging
import sqlite3

import pytest
from bs4 import BeautifulSoup

from docklight import datastores
from docklight.dokku import parsers
from docklight.emulator import state as emu
from tests.conftest import PASSWORD, BrowserLikeClient
from tests.conftest import job_id_of as job_id
from tests.conftest import wait_for_job as wait_job
from tests.pages import assert_fragment, assert_page

HX = {"HX-Request": "true"}


def logged_in_client(app):
    """Return a logged-in browser-like client of app."""
    app.test_client_class = BrowserLikeClient
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD})
    return client


def seed(emulator, services=None, plugins=None, **settings):
    """Reset the emulator with the standard apps plus these services."""
    state = {}
    if plugins is not None:
        state["plugins"] = plugins
    emulator.reset(services=services or {}, **state)
    if settings:
        emulator.settings(**settings)


def standard_services():
    return {
        "postgres": {"main-db": emu.make_service("postgres", "main-db", links=["api", "shop"]),
                     "old-db": emu.make_service("postgres", "old-db", status="exited")},
        "redis": {"cache": emu.make_service("redis", "cache")},
    }


def sections(html: str) -> dict[str, dict]:
    """Return {plugin: {error, services: {name: {status, version, links}}}} from the page."""
    soup = BeautifulSoup(html, "html.parser")
    out = {}
    for section in soup.select("section.datastore"):
        services = {}
        for tr in section.select("tbody tr"):
            cells = tr.find_all("td")
            services[tr["data-service"]] = {
                "status": cells[0].get_text(strip=True),
                "version": cells[1].get_text(strip=True) if len(cells) > 1 else "",
                "links": [li["data-app"] for li in tr.select("li.linked-app")],
                "error": tr.select_one(".dokku-error").get_text(" ", strip=True)
                if tr.select_one(".dokku-error") else None,
            }
        error = section.find(class_="dokku-error", recursive=False)
        out[section["data-plugin"]] = {"services": services,
                                       "error": error.get_text(" ", strip=True) if error else None}
    return out




def changes(emulator) -> list[list[str]]:
    """Return the state-changing datastore/plugin commands Dokku received."""
    verbs = ("create", "link", "unlink", "destroy", "install", "uninstall", "enable",
             "disable", "update")
    return [c for c in emulator.calls() if c[0].split(":")[-1] in verbs]


def all_db_bytes(app) -> bytes:
    """Return the raw bytes of the sqlite database and its WAL/SHM files."""
    data = b""
    for path in glob.glob(app.config["DATABASE"] + "*"):
        with open(path, "rb") as f:
            data += f.read()
    return data


# --- listing ----------------------------------------------------------------------


def test_page_lists_plugins_services_status_version_and_links(client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.get("/databases")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert_page(r, "div#job-slot ~ div#databases")
    found = sections(html)
    assert list(found) == ["postgres", "redis"]
    assert found["postgres"]["services"] == {
        "main-db": {"status": "running", "version": "postgres:18.4", "links": ["api", "shop"],
                    "error": None},
        "old-db": {"status": "exited", "version": "postgres:18.4", "links": [], "error": None},
    }
    assert found["redis"]["services"]["cache"]["version"] == "redis:8.2.1"
    # Reads: version, plugin:list as JSON, each plugin's list, each service's info, apps.
    assert sorted(emulator.calls()) == [
        ["apps:list", "--format", "json"], ["plugin:list", "--format", "json"],
        ["postgres:info", "main-db"], ["postgres:info", "old-db"], ["postgres:list"],
        ["redis:info", "cache"], ["redis:list"], ["version"]]
    # The link picker offers the apps not linked yet.
    soup = BeautifulSoup(html, "html.parser")
    options = [o["value"] for o in soup.select("#service-postgres-main-db-app option")
               if o["value"]]
    assert options == ["blog", "draft"]


def test_fragment_and_cache(client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.get("/databases", headers=HX)
    assert r.status_code == 200
    assert_fragment(r, "div#databases")
    assert "HX-Request" in r.headers["Vary"]
    n = len(emulator.calls())
    client.get("/databases", headers=HX)
    assert len(emulator.calls()) == n  # served from the cache
    client.get("/databases?refresh=1", headers=HX)
    assert ["postgres:list"] in emulator.calls()[n:]


def test_text_listings_on_older_dokku(client, auth, emulator):
    seed(emulator, standard_services(), version="0.38.20")
    auth.login()
    found = sections(client.get("/databases").get_data(as_text=True))
    assert list(found) == ["postgres", "redis"]
    calls = emulator.calls()
    assert ["plugin:list"] in calls and ["apps:list"] in calls
    assert ["plugin:list", "--format", "json"] not in calls


def test_detection_rule():
    def plugin(name, description, core=False):
        return parsers.Plugin(name, "1.0", True, core, description)

    assert datastores.is_datastore(plugin("postgres", "anything"))
    assert datastores.is_datastore(plugin("timescale", "dokku timescale service plugin"))
    assert datastores.is_datastore(plugin("neo4j", "Neo4j database for dokku"))
    assert not datastores.is_datastore(plugin("maintenance", "Maintenance mode for dokku apps"))
    assert not datastores.is_datastore(
        plugin("scheduler", "dokku core service scheduler", core=True))
    # A name whose verbs are other commands (apps:destroy!) is never a datastore.
    assert not datastores.is_datastore(plugin("apps", "a database service"))
    assert not datastores.is_datastore(plugin("config", "a database service"))
    # Text listings carry no core flag: "dokku core ..." descriptions count as core.
    assert datastores.is_core(parsers.Plugin("ps", "0.38", True, None, "dokku core ps plugin"))
    assert not datastores.is_datastore(
        parsers.Plugin("x", "0.38", True, None, "dokku core database-ish service plugin"))


def test_unofficial_datastore_gets_its_own_section_even_when_it_fails(client, auth, emulator):
    plugins = emu.default_plugins(community=("letsencrypt", "maintenance"))
    plugins.append(emu.community_plugin("timescale", "0.3.0", "dokku timescale service plugin"))
    seed(emulator, standard_services(), plugins=plugins)
    auth.login()
    found = sections(client.get("/databases").get_data(as_text=True))
    assert list(found) == ["postgres", "redis", "timescale"]  # not letsencrypt, maintenance
    # The emulator has no timescale commands: Dokku's own message, in its section only.
    assert "`timescale:list` is not a dokku command" in found["timescale"]["error"]
    assert found["postgres"]["error"] is None and len(found["postgres"]["services"]) == 2


def test_failing_plugin_or_service_does_not_blank_the_others(client, auth, emulator):
    seed(emulator, standard_services(),
         fail={"redis:list": [1, " !     redis is having a bad day"],
               "postgres:info old-db": [1, " !     Postgres service old-db does not exist"]})
    auth.login()
    r = client.get("/databases")
    found = sections(r.get_data(as_text=True))
    assert r.status_code == 200
    assert "redis is having a bad day" in found["redis"]["error"]
    assert found["postgres"]["error"] is None
    assert found["postgres"]["services"]["main-db"]["links"] == ["api", "shop"]
    assert "old-db does not exist" in found["postgres"]["services"]["old-db"]["error"]


def test_plugin_list_failure_is_shown_not_raised(client, auth, emulator):
    seed(emulator, standard_services(), fail={"plugin:list": [1, " !     Access denied"]})
    auth.login()
    r = client.get("/databases")
    html = r.get_data(as_text=True)
    assert r.status_code == 502 and "Access denied" in html
    assert_page(r, "div#databases")


def test_disabled_datastore_plugin_is_mentioned(client, auth, emulator):
    plugins = emu.default_plugins()
    next(p for p in plugins if p["name"] == "redis")["enabled"] = False
    seed(emulator, standard_services(), plugins=plugins)
    auth.login()
    html = client.get("/databases").get_data(as_text=True)
    assert list(sections(html)) == ["postgres"]
    assert "The redis plugin is installed but disabled" in html


def test_no_datastore_plugin_shows_install_command_and_offer(client, auth, emulator):
    seed(emulator, plugins=emu.default_plugins(datastores=()))
    auth.login()
    soup = BeautifulSoup(client.get("/databases").get_data(as_text=True), "html.parser")
    box = soup.select_one(".no-datastores")
    assert "sudo dokku plugin:install https://github.com/dokku/dokku-postgres.git postgres" \
        in box.get_text()
    assert box.select_one('a[href="/plugins?install=postgres#install"]')


def test_no_datastore_plugin_without_root_target(make_app, emulator):
    app = make_app(DOCKLIGHT_DOKKU_SSH_ROOT_TARGET="")
    seed(emulator, plugins=emu.default_plugins(datastores=()))
    client = logged_in_client(app)
    soup = BeautifulSoup(client.get("/databases").get_data(as_text=True), "html.parser")
    box = soup.select_one(".no-datastores")
    assert "sudo dokku plugin:install" in box.get_text()
    assert not box.select('a[href^="/plugins?install"]')
    assert "no root connection" in box.get_text()


def test_pages_need_a_login(client, emulator):
    r = client.get("/databases")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    r = client.post("/databases/postgres/create", data={"name": "x"})
    assert r.status_code in (302, 303, 401, 403)
    assert emulator.calls() == []


# --- create --------------------------------------------------------------------------


def test_create_runs_as_a_job(app, client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/postgres/create", data={"name": "orders"}, headers=HX)
    assert r.headers["HX-Retarget"] == "#job-slot"
    job = wait_job(app, job_id(r))
    assert job.status == "ok" and job.lockKey == "service:postgres:orders"
    assert job.command == "dokku postgres:create orders"
    assert changes(emulator) == [["postgres:create", "orders"]]
    assert "orders" in emulator.state()["services"]["postgres"]
    html = client.get("/databases").get_data(as_text=True)
    assert sections(html)["postgres"]["services"]["orders"]["status"] == "running"


def test_create_without_javascript_redirects_to_the_job(app, client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/redis/create", data={"name": "sessions"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/jobs/")
    assert wait_job(app, r.headers["Location"].rsplit("/", 1)[1]).status == "ok"


@pytest.mark.parametrize(("name", "message"), [
    ("", "Service name is required."),
    ("bad name", "Valid characters are"),
    ("--force", "may not begin with '-'"),
    ("db;rm -rf /", "Valid characters are"),
    ("x'$(id)", "Valid characters are"),
    ("naïve", "Valid characters are"),
])
def test_create_refuses_hostile_names_inline(client, auth, emulator, name, message):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/postgres/create", data={"name": name}, headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert r.headers["HX-Retarget"] == "#datastore-postgres"
    soup = BeautifulSoup(html, "html.parser")
    field = soup.select_one("#datastore-postgres-name")
    assert field["aria-invalid"] == "true" and field["value"] == name
    assert message in soup.select_one("#datastore-postgres-name-error").get_text()
    assert changes(emulator) == []


def test_create_refusal_without_javascript_is_the_whole_page(client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/postgres/create", data={"name": "bad name"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "datastore-postgres-name-error" in html
    assert_page(r, "div#databases")


def test_unknown_plugin_or_service_name_is_404(client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    assert client.post("/databases/nosuch/create", data={"name": "x"}).status_code == 404
    assert client.post("/databases/postgres/bad%20name/reveal").status_code == 404
    assert client.get("/databases/postgres/..%2f..%2fetc/destroy").status_code == 404
    assert changes(emulator) == []
    assert not [c for c in emulator.calls() if c[0].startswith("nosuch")]


# --- link / unlink ----------------------------------------------------------------


def test_link_and_unlink_run_as_jobs_that_lock_the_app(app, client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/postgres/main-db/link", data={"app": "blog"}, headers=HX)
    job = wait_job(app, job_id(r))
    assert job.status == "ok" and job.lockKey == "app:blog" and job.app == "blog"
    state = emulator.state()
    # dokku-postgres add_to_links_file keeps the LINKS file `sort -u`-ed
    assert state["services"]["postgres"]["main-db"]["links"] == ["api", "blog", "shop"]
    assert "DATABASE_URL" in state["apps"]["blog"]["config"]
    found = sections(client.get("/databases").get_data(as_text=True))
    assert found["postgres"]["services"]["main-db"]["links"] == ["api", "blog", "shop"]

    r = client.post("/databases/postgres/main-db/unlink", data={"app": "blog"}, headers=HX)
    job = wait_job(app, job_id(r))
    assert job.status == "ok" and job.lockKey == "app:blog"
    assert changes(emulator) == [["postgres:link", "main-db", "blog"],
                                 ["postgres:unlink", "main-db", "blog"]]
    assert "DATABASE_URL" not in emulator.state()["apps"]["blog"]["config"]


def test_link_while_the_app_is_busy_is_refused(app, client, auth, emulator):
    seed(emulator, standard_services(), step_delay_ms=300)
    auth.login()
    first = job_id(client.post("/apps/blog/ps/restart", headers=HX))
    r = client.post("/databases/postgres/main-db/link", data={"app": "blog"}, headers=HX)
    assert r.status_code == 409 and "busy" in r.get_data(as_text=True)
    wait_job(app, first)
    assert ["postgres:link", "main-db", "blog"] not in emulator.calls()


@pytest.mark.parametrize(("app_name", "message"), [
    ("", "App name is required."),
    ("--force", "may not begin with '-'"),
    ("Bad App", "App name must begin with lowercase"),
    ("blog;reboot", "App name must begin with lowercase"),
])
def test_link_refuses_hostile_app_names_inline(client, auth, emulator, app_name, message):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/postgres/main-db/link", data={"app": app_name}, headers=HX)
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "#datastore-postgres"
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    assert message in soup.select_one("#service-postgres-main-db-app-error").get_text()
    assert changes(emulator) == []


# --- destroy ----------------------------------------------------------------------


def test_destroy_asks_for_the_typed_name(app, client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.get("/databases/postgres/old-db/destroy")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "cannot be undone" in html
    assert_page(r, "div#destroy")
    assert_fragment(client.get("/databases/postgres/old-db/destroy", headers=HX), "div#destroy")

    for typed in ("", "old", "OLD-DB", "main-db"):
        r = client.post("/databases/postgres/old-db/destroy", data={"confirm": typed}, headers=HX)
        assert r.status_code == 422
        soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
        assert soup.select_one("#e-confirm").get_text() == "Type old-db exactly to confirm."
    assert changes(emulator) == []

    r = client.post("/databases/postgres/old-db/destroy", data={"confirm": "old-db"}, headers=HX)
    job = wait_job(app, job_id(r))
    assert job.status == "ok" and job.lockKey == "service:postgres:old-db"
    assert changes(emulator) == [["postgres:destroy", "old-db", "--force"]]
    assert "old-db" not in emulator.state()["services"]["postgres"]


def test_destroy_of_a_linked_service_shows_dokkus_refusal(app, client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/postgres/main-db/destroy", data={"confirm": "main-db"}, headers=HX)
    job = wait_job(app, job_id(r))
    assert job.status == "failed"
    lines = app.extensions["docklight"].jobs.output(job)
    assert any("Cannot delete linked service" in line for line in lines)


# --- secrets ------------------------------------------------------------------------


def test_connection_details_stay_secret(app, client, auth, emulator, caplog):
    caplog.set_level(logging.DEBUG)
    seed(emulator, standard_services(), step_delay_ms=100)  # slow enough to listen live
    password = emu.service_password("postgres", "orders").encode()
    auth.login()
    # Create (its output ends with the info block, Dsn included), listening live.
    r = client.post("/databases/postgres/create", data={"name": "orders"}, headers=HX)
    job = job_id(r)
    streamed = []
    live = app.extensions["docklight"].jobs.live[job]
    streamed += live.subscribe(lambda seq, line: streamed.append(line) if line else None)
    wait_job(app, job)
    # Link (config:set prints the URL in clear text).
    r = client.post("/databases/postgres/orders/link", data={"app": "blog"}, headers=HX)
    job = job_id(r)
    live = app.extensions["docklight"].jobs.live[job]
    streamed += live.subscribe(lambda seq, line: streamed.append(line) if line else None)
    wait_job(app, job)
    assert any("Dsn:" in line for line in streamed)
    assert any("DATABASE_URL:" in line for line in streamed)
    for line in streamed:
        assert password.decode() not in line

    # The page (full info read for every service) holds no password.
    html = client.get("/databases?refresh=1").get_data(as_text=True)
    assert password.decode() not in html and "postgres://" not in html
    for job in app.extensions["docklight"].jobs.recent():
        page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
        assert password.decode() not in page

    # Reveal: an explicit read, shown once, recorded redacted.
    r = client.post("/databases/postgres/orders/reveal", headers=HX)
    shown = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    dsn = BeautifulSoup(shown, "html.parser").select_one("code.dsn").get_text()
    assert dsn == f"postgres://postgres:{password.decode()}@dokku-postgres-orders:5432/orders"
    assert ["postgres:info", "orders", "--dsn"] in emulator.calls()
    hide = client.get("/databases/postgres/orders/connection", headers=HX).get_data(as_text=True)
    assert password.decode() not in hide and "Reveal" in hide

    raw = all_db_bytes(app)
    assert raw and password not in raw
    conn = sqlite3.connect(app.config["DATABASE"])
    rows = conn.execute("SELECT command, stdout FROM commands WHERE subcommand LIKE 'postgres:%'"
                        " ORDER BY id").fetchall()
    conn.close()
    commands_run = [c for c, _ in rows]
    assert "dokku postgres:create orders" in commands_run
    assert "dokku postgres:link orders blog" in commands_run
    assert "dokku postgres:info orders" in commands_run
    assert "dokku postgres:info orders --dsn" in commands_run
    reveal_out = dict(rows)["dokku postgres:info orders --dsn"]
    assert reveal_out.strip() == "postgres://postgres:***@dokku-postgres-orders:5432/orders"
    assert password.decode() not in caplog.text


def test_reveal_without_javascript_is_a_page(client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/redis/cache/reveal")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert_page(r, "div#service-redis-cache-connection.revealed")
    assert emu.service_password("redis", "cache") in html


def test_reveal_of_a_missing_service_shows_dokkus_message(client, auth, emulator):
    seed(emulator, standard_services())
    auth.login()
    r = client.post("/databases/postgres/ghost/reveal", headers=HX)
    assert r.status_code == 502 and r.headers["HX-Retarget"] == "#flash"
    assert "Postgres service ghost does not exist" in r.get_data(as_text=True)
