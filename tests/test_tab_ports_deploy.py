"""Ports & proxy and Deploy tabs: reads, writes, jobs, refusals, and no leaked credentials.

Every action goes through the real sshd to the emulator; tests assert the
argv Dokku received and the state it ended in, or, for refused input, that
nothing at all reached Dokku.
"""

from __future__ import annotations

import glob
import sqlite3

import pytest

from docklight.emulator import state as emu
from tests.conftest import job_id_of as job_id
from tests.conftest import wait_for_job
from tests.tabs import HX, error_next_to, soup, writes
from tests.pages import assert_app_page, assert_fragment

TOKEN = "tok3n"
SECRET_URL = f"https://user:{TOKEN}@git.example.com/team/app.git"







@pytest.fixture
def fast(emulator):
    """Let emulated builds stream without pauses."""
    emulator.settings(step_delay_ms=0)
    return emulator


# --------------------------------------------------------------------------- ports: reads


def test_ports_full_page_and_fragment(client, auth, emulator):
    auth.login()
    page = client.get("/apps/api/ports")
    assert page.status_code == 200
    current = assert_app_page(page, "div#ports").select_one("nav.tabs a[aria-current=page]")
    assert current["href"] == "/apps/api/ports"
    fragment = client.get("/apps/api/ports", headers=HX)
    assert fragment.status_code == 200
    root = assert_fragment(fragment, "div#ports").select_one("#ports")
    assert root["hx-get"] == "/apps/api/ports"
    # Nothing configured yet: Dokku's detected mapping is shown and used.
    assert root.select_one("#ports-configured") is None
    assert "No mappings configured" in root.select_one("#ports-none").get_text()
    assert [tr["data-mapping"] for tr in root.select("#ports-detected tbody tr")] == ["http:80:5000"]
    assert root.select_one("#proxy-enabled").get_text() == "yes"
    assert root.select_one("#proxy-type").get_text() == "nginx"
    assert ["ports:report", "api", "--format", "json"] in emulator.calls()
    assert ["proxy:report", "api", "--format", "json"] in emulator.calls()
    assert not any(c[0].startswith("proxy:ports") for c in emulator.calls())


def test_ports_shows_configured_and_detected(client, auth, emulator):
    app = emu.make_app("api")
    app["ports"] = ["http:80:5000", "https:443:5000"]
    emulator.reset(apps=[app])
    auth.login()
    root = soup(client.get("/apps/api/ports", headers=HX))
    assert [tr["data-mapping"] for tr in root.select("#ports-configured tbody tr")] == [
        "http:80:5000", "https:443:5000"]
    assert "unused while mappings are configured" in root.select_one("#ports-detected caption").get_text()


@pytest.mark.parametrize("version", ["0.38.27", "0.38.20"])
def test_ports_reads_text_and_json_reports_alike(client, auth, emulator, version):
    # 0.38.26 added the *-json report keys; before, the space-joined map is parsed.
    app = emu.make_app("api")
    app["ports"] = ["tcp:2222:22"]
    emulator.reset(apps=[app])
    emulator.settings(version=version)
    auth.login()
    root = soup(client.get("/apps/api/ports", headers=HX))
    assert [tr["data-mapping"] for tr in root.select("#ports-configured tbody tr")] == ["tcp:2222:22"]


def test_ports_on_dokku_before_0_31_shows_a_notice_and_asks_nothing(client, auth, emulator):
    emulator.settings(version="0.30.11")
    auth.login()
    root = soup(client.get("/apps/api/ports", headers=HX))
    assert "needs Dokku 0.31 or newer" in root.select_one("#ports").get_text()
    assert root.select_one("form.ports-add") is None
    assert not any(c[0].startswith(("ports:", "proxy:ports")) for c in emulator.calls())


# --------------------------------------------------------------------------- ports: writes


def test_add_mapping(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/ports/add", headers=HX,
                    data={"scheme": "https", "host_port": "443", "container_port": "5000"})
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert writes(emulator) == [["ports:add", "api", "https:443:5000"]]
    assert emulator.state()["apps"]["api"]["ports"] == ["https:443:5000"]
    rows = soup(r).select("#ports-configured tbody tr")
    assert [tr["data-mapping"] for tr in rows] == ["https:443:5000"]


def test_add_mapping_without_javascript_redirects_to_the_tab(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/ports/add",
                    data={"scheme": "udp", "host_port": "53", "container_port": "5353"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/apps/api/ports")
    assert emulator.calls()[-1] == ["ports:add", "api", "udp:53:5353"]
    page = client.get("/apps/api/ports")
    assert "udp:53:5353" in [tr["data-mapping"] for tr in soup(page).select("#ports-configured tbody tr")]


def test_remove_set_and_clear_mappings(client, auth, emulator):
    app = emu.make_app("api")
    app["ports"] = ["http:80:5000", "https:443:5000"]
    emulator.reset(apps=[app])
    auth.login()
    r = client.post("/apps/api/ports/remove", headers=HX, data={"mapping": "http:80:5000"})
    assert r.status_code == 200 and writes(emulator)[-1] == ["ports:remove", "api", "http:80:5000"]
    assert emulator.state()["apps"]["api"]["ports"] == ["https:443:5000"]

    r = client.post("/apps/api/ports/set", headers=HX,
                    data={"mappings": "http:8080:3000, grpc:50051:50051"})
    assert writes(emulator)[-1] == ["ports:set", "api", "http:8080:3000", "grpc:50051:50051"]
    # plugins/ports setPortMaps stores the strings sorted.
    assert emulator.state()["apps"]["api"]["ports"] == ["grpc:50051:50051", "http:8080:3000"]
    assert [tr["data-mapping"] for tr in soup(r).select("#ports-configured tbody tr")] == [
        "grpc:50051:50051", "http:8080:3000"]

    r = client.post("/apps/api/ports/clear", headers=HX)
    assert writes(emulator)[-1] == ["ports:clear", "api"]
    assert emulator.state()["apps"]["api"]["ports"] == []
    assert soup(r).select_one("#ports-configured") is None


HOSTILE_PORTS = [
    ("/apps/api/ports/add", {"scheme": "--force", "host_port": "80", "container_port": "5000"}, "scheme"),
    ("/apps/api/ports/add", {"scheme": "ftp", "host_port": "21", "container_port": "21"}, "scheme"),
    ("/apps/api/ports/add", {"scheme": "http;ls", "host_port": "80", "container_port": "5000"}, "scheme"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "--force", "container_port": "5000"}, "host_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "0", "container_port": "5000"}, "host_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "65536", "container_port": "5000"}, "host_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "80;ls", "container_port": "5000"}, "host_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "$(id)", "container_port": "5000"}, "host_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "8 0", "container_port": "5000"}, "host_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "80", "container_port": "99999"}, "container_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "80", "container_port": "50\n00"}, "container_port"),
    ("/apps/api/ports/add", {"scheme": "http", "host_port": "80", "container_port": "-1"}, "container_port"),
    ("/apps/api/ports/set", {"mappings": "http:80:5000 --force"}, "mappings"),
    ("/apps/api/ports/set", {"mappings": "ftp:21:21"}, "mappings"),
    ("/apps/api/ports/set", {"mappings": "http:80:70000"}, "mappings"),
    ("/apps/api/ports/set", {"mappings": "http:80:5000;ls"}, "mappings"),
    ("/apps/api/ports/set", {"mappings": "$(id)"}, "mappings"),
    ("/apps/api/ports/set", {"mappings": "http:80:5000\nhttp:81:5000"}, "mappings"),
    ("/apps/api/ports/set", {"mappings": "  "}, "mappings"),
    ("/apps/api/ports/remove", {"mapping": "--force"}, "mapping"),
    ("/apps/api/ports/remove", {"mapping": "http:80:5000 https:443:5000"}, "mapping"),
]


@pytest.mark.parametrize("url, data, field", HOSTILE_PORTS)
def test_hostile_port_input_is_refused_next_to_the_field(client, auth, emulator, url, data, field):
    auth.login()
    client.get("/apps/api/ports", headers=HX)
    before = emulator.calls()
    r = client.post(url, headers=HX, data=data)
    assert r.status_code == 422
    assert error_next_to(r, field)
    assert emulator.calls() == before  # nothing reached Dokku, not even a read


def test_refused_input_is_kept_in_the_form(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/ports/add",
                    data={"scheme": "tcp", "host_port": "70000", "container_port": "22"})
    assert r.status_code == 422
    page = assert_app_page(r, "div#ports")  # without JS: the whole page
    assert page.select_one("#f-host_port")["value"] == "70000"
    assert page.select_one("#f-scheme option[selected]")["value"] == "tcp"
    assert "from 1 to 65535" in error_next_to(r, "host_port")


def test_dokku_failure_is_shown_inline(client, auth, emulator):
    emulator.settings(fail={"ports:add": [1, " !     Port 80 is already bound by another app"]})
    auth.login()
    r = client.post("/apps/api/ports/add", headers=HX,
                    data={"scheme": "http", "host_port": "80", "container_port": "3000"})
    assert r.status_code == 422
    box = soup(r).select_one("#ports .dokku-error")
    text = box.get_text(" ", strip=True)
    assert "dokku ports:add api http:80:3000" in text
    assert "Exit code 1" in text and "Port 80 is already bound by another app" in text


# --------------------------------------------------------------------------- proxy (jobs)


def test_proxy_disable_and_enable_run_as_jobs(app, client, auth, fast):
    auth.login()
    r = client.post("/apps/api/proxy/disable", headers=HX)
    assert r.status_code == 202 and r.headers["HX-Retarget"] == "#job-slot"
    panel = soup(r).select_one("section.job")
    assert "dokku proxy:disable api" in panel.get_text()
    job = wait_for_job(app, job_id(r))
    assert job.status == "ok" and job.command == "dokku proxy:disable api"
    assert fast.calls()[-1] == ["proxy:disable", "api"]
    assert fast.state()["apps"]["api"]["proxy"]["enabled"] is False
    root = soup(client.get("/apps/api/ports", headers=HX))
    assert root.select_one("#proxy-enabled").get_text() == "no"
    assert root.select_one('form[action="/apps/api/proxy/enable"]')

    r = client.post("/apps/api/proxy/enable", headers=HX)
    assert wait_for_job(app, job_id(r)).status == "ok"
    assert fast.calls()[-1] == ["proxy:enable", "api"]
    assert fast.state()["apps"]["api"]["proxy"]["enabled"] is True


def test_proxy_job_without_javascript_redirects_to_the_job_page(app, client, auth, fast):
    auth.login()
    r = client.post("/apps/api/proxy/disable")
    assert r.status_code == 303 and "/jobs/" in r.headers["Location"]
    wait_for_job(app, r.headers["Location"].rsplit("/", 1)[1])


def test_unknown_proxy_action_sends_nothing(client, auth, emulator):
    auth.login()
    client.get("/apps/api/ports", headers=HX)
    before = emulator.calls()
    assert client.post("/apps/api/proxy/restart", headers=HX).status_code == 404
    assert emulator.calls() == before


# --------------------------------------------------------------------------- deploy: reads


def test_deploy_full_page_and_fragment(client, auth, emulator):
    app = emu.make_app("api")
    app["buildpacks"] = ["https://github.com/heroku/heroku-buildpack-nodejs.git", "heroku/procfile"]
    app["checks"]["disabled"] = ["worker"]
    app["builder"]["selected"] = "dockerfile"
    app["git"]["deploy_branch"] = "main"
    emulator.reset(apps=[app])
    auth.login()
    page = client.get("/apps/api/deploy")
    assert page.status_code == 200
    assert_app_page(page, "div#deploy")
    fragment = client.get("/apps/api/deploy", headers=HX)
    assert fragment.status_code == 200
    root = assert_fragment(fragment, "div#deploy").select_one("#deploy")
    sha = emulator.state()["apps"]["api"]["git"]["sha"]
    assert root.select_one("#git-branch").get_text() == "main"
    assert root.select_one("#git-sha code")["title"] == sha
    assert "ago" in root.select_one("#git-updated").get_text()
    assert root.select_one("#builder-selected").get_text(strip=True) == "dockerfile"
    assert [li["data-buildpack"] for li in root.select("#buildpacks li")] == [
        "https://github.com/heroku/heroku-buildpack-nodejs.git", "heroku/procfile"]
    assert root.select_one("#checks-disabled").get_text() == "worker"
    assert root.select_one("#checks-skipped").get_text() == "none"
    for plugin in ("git", "builder", "buildpacks", "checks"):
        assert [f"{plugin}:report", "api", "--format", "json"] in emulator.calls()


def test_deploy_reads_text_reports_on_old_dokku(client, auth, emulator):
    # git:report learnt --format json in 0.38.0: before, the text report is parsed.
    app = emu.make_app("api")
    app["git"]["deploy_branch"] = "release"
    emulator.reset(apps=[app])
    emulator.settings(version="0.37.5")
    auth.login()
    root = soup(client.get("/apps/api/deploy", headers=HX))
    assert root.select_one("#git-branch").get_text() == "release"
    assert ["git:report", "api"] in emulator.calls()


# --------------------------------------------------------------------------- deploy: git:sync


def test_git_sync_runs_as_a_job_and_deploys(app, client, auth, fast):
    auth.login()
    old_sha = fast.state()["apps"]["draft"]["git"]["sha"]
    r = client.post("/apps/draft/git/sync", headers=HX,
                    data={"repository": "https://github.com/dokku/smoke-test-app.git", "ref": "main"})
    assert r.status_code == 202 and r.headers["HX-Retarget"] == "#job-slot"
    job = wait_for_job(app, job_id(r))
    assert job.status == "ok"
    assert fast.calls()[-1] == ["git:sync", "--build", "draft",
                                "https://github.com/dokku/smoke-test-app.git", "main"]
    state = fast.state()["apps"]["draft"]
    assert state["deployed"] and state["git"]["sha"] != old_sha
    # plugins/git/internal-functions cmd-git-sync: deploy-source-set APP git-sync REMOTE#SHA
    assert state["deploy_source"] == "git-sync"
    assert state["deploy_source_metadata"] == f"https://github.com/dokku/smoke-test-app.git#{state['git']['sha']}"
    root = soup(client.get("/apps/draft/deploy", headers=HX))
    assert root.select_one("#git-sha code")["title"] == state["git"]["sha"]


@pytest.mark.parametrize("url", [
    "git@github.com:dokku/smoke-test-app.git",
    "ssh://git@github.com:22/dokku/smoke-test-app.git",
])
def test_git_sync_accepts_ssh_urls(app, client, auth, fast, url):
    auth.login()
    r = client.post("/apps/api/git/sync", headers=HX, data={"repository": url})
    assert wait_for_job(app, job_id(r)).status == "ok"
    assert fast.calls()[-1] == ["git:sync", "--build", "api", url]


def _all_db_bytes(app) -> bytes:
    """Return the raw bytes of the database and its -wal/-shm files."""
    data = b""
    for path in glob.glob(app.config["DATABASE"] + "*"):
        with open(path, "rb") as f:
            data += f.read()
    return data


def test_git_sync_credentials_are_never_stored_or_shown(app, client, auth, fast):
    auth.login()
    r = client.post("/apps/api/git/sync", headers=HX, data={"repository": SECRET_URL, "ref": "main"})
    assert r.status_code == 202 and TOKEN.encode() not in r.data
    job = wait_for_job(app, job_id(r))
    assert job.status == "ok"
    # Dokku got the credentials (it needs them) ...
    assert fast.calls()[-1] == ["git:sync", "--build", "api", SECRET_URL, "main"]
    # ... and Docklight kept none of them: not in history, jobs, or the files.
    assert TOKEN not in job.command and TOKEN not in job.title
    assert job.command == "dokku git:sync --build api https://***@git.example.com/team/app.git main"
    conn = sqlite3.connect(app.config["DATABASE"])
    try:
        for table in ("commands", "jobs", "kv"):
            for row in conn.execute(f"SELECT * FROM {table}"):
                assert TOKEN not in repr(row), (table, row)
        history = conn.execute("SELECT command, stdout FROM commands WHERE subcommand = 'git:sync'"
                               ).fetchone()
    finally:
        conn.close()
    assert "git.example.com" in history[1] and "***" in history[1]  # output kept, scrubbed
    raw = _all_db_bytes(app)
    assert raw and TOKEN.encode() not in raw
    # No page shows it either.
    for url in (f"/jobs/{job.id}", "/jobs", "/apps/api/deploy"):
        for headers in ({}, HX):
            body = client.get(url, headers=headers).data
            assert TOKEN.encode() not in body, url
    assert "git.example.com" in client.get(f"/jobs/{job.id}").get_data(as_text=True)


@pytest.mark.parametrize("data, field", [
    ({"repository": SECRET_URL, "ref": "--force"}, "ref"),
    ({"repository": SECRET_URL + ";ls", "ref": ""}, "repository"),
    ({"repository": f"http://user:{TOKEN}@git.example.com/r.git"}, "repository"),
    ({"repository": f"user:{TOKEN}@git.example.com:r.git"}, "repository"),
    ({"repository": f"https://user:{TOKEN}/x@git.example.com/r.git"}, "repository"),
    ({"repository": "https://git.example.com/r.git", "ref": SECRET_URL}, "ref"),
])
def test_refused_sync_never_echoes_credentials(client, auth, emulator, data, field):
    auth.login()
    client.get("/apps/api/deploy", headers=HX)
    before = emulator.calls()
    for headers in (HX, {}):
        r = client.post("/apps/api/git/sync", headers=headers, data=data)
        assert r.status_code == 422
        assert error_next_to(r, field)
        assert TOKEN.encode() not in r.data
    assert soup(r).select_one("#f-repository")["value"].startswith(("https://git.example.com",
                                                                    "http://git.example.com",
                                                                    "git.example.com"))
    assert emulator.calls() == before


HOSTILE_DEPLOY = [
    ("/apps/api/git/sync", {"repository": "file:///etc/passwd"}, "repository"),
    ("/apps/api/git/sync", {"repository": "--upload-pack=touch /tmp/x"}, "repository"),
    ("/apps/api/git/sync", {"repository": "https://x.org/r.git; rm -rf /"}, "repository"),
    ("/apps/api/git/sync", {"repository": "https://x.org/$(id).git"}, "repository"),
    ("/apps/api/git/sync", {"repository": "https://x.org/r.git\n--force"}, "repository"),
    ("/apps/api/git/sync", {"repository": "ext::sh -c touch% /tmp/pwned"}, "repository"),
    ("/apps/api/git/sync", {"repository": "http://x.org/r.git"}, "repository"),
    ("/apps/api/git/sync", {"repository": ""}, "repository"),
    ("/apps/api/git/sync", {"repository": "https://x.org/r.git", "ref": "--force"}, "ref"),
    ("/apps/api/git/sync", {"repository": "https://x.org/r.git", "ref": "main; ls"}, "ref"),
    ("/apps/api/git/sync", {"repository": "https://x.org/r.git", "ref": "$(id)"}, "ref"),
    ("/apps/api/git/sync", {"repository": "https://x.org/r.git", "ref": "a..b"}, "ref"),
    ("/apps/api/git/sync", {"repository": "https://x.org/r.git", "ref": "main\nx"}, "ref"),
    ("/apps/api/git/deploy-branch", {"deploy_branch": "--force"}, "deploy_branch"),
    ("/apps/api/git/deploy-branch", {"deploy_branch": "a b"}, "deploy_branch"),
    ("/apps/api/git/deploy-branch", {"deploy_branch": "$(id)"}, "deploy_branch"),
    ("/apps/api/git/deploy-branch", {"deploy_branch": "x;y"}, "deploy_branch"),
    ("/apps/api/git/deploy-branch", {"deploy_branch": "../main"}, "deploy_branch"),
    ("/apps/api/git/deploy-branch", {"deploy_branch": ""}, "deploy_branch"),
    ("/apps/api/builder/selected", {"builder": "--force"}, "builder"),
    ("/apps/api/builder/selected", {"builder": "docker;ls"}, "builder"),
    ("/apps/api/builder/selected", {"builder": "herokuish\nx"}, "builder"),
    ("/apps/api/builder/build-dir", {"build_dir": "/etc"}, "build_dir"),
    ("/apps/api/builder/build-dir", {"build_dir": "../up"}, "build_dir"),
    ("/apps/api/builder/build-dir", {"build_dir": "a b"}, "build_dir"),
    ("/apps/api/builder/build-dir", {"build_dir": "$(id)"}, "build_dir"),
    ("/apps/api/builder/build-dir", {"build_dir": "--force"}, "build_dir"),
    ("/apps/api/builder/build-dir", {"build_dir": "a;b"}, "build_dir"),
    ("/apps/api/buildpacks/add", {"url": "--force"}, "url"),
    ("/apps/api/buildpacks/add", {"url": "https://x.org/bp.git;ls"}, "url"),
    ("/apps/api/buildpacks/add", {"url": "https://x.org/$(id).git"}, "url"),
    ("/apps/api/buildpacks/add", {"url": "file:///tmp/bp"}, "url"),
    ("/apps/api/buildpacks/add", {"url": "heroku/node js"}, "url"),
    ("/apps/api/buildpacks/add", {"url": "heroku/nodejs\n--force"}, "url"),
    ("/apps/api/buildpacks/add", {"url": "heroku/nodejs", "index": "0"}, "index"),
    ("/apps/api/buildpacks/add", {"url": "heroku/nodejs", "index": "-1"}, "index"),
    ("/apps/api/buildpacks/add", {"url": "heroku/nodejs", "index": "101"}, "index"),
    ("/apps/api/buildpacks/add", {"url": "heroku/nodejs", "index": "1;ls"}, "index"),
    ("/apps/api/buildpacks/remove", {"buildpack": "--force"}, "buildpack"),
    ("/apps/api/buildpacks/remove", {"index": "1;ls"}, "buildpack"),
    ("/apps/api/checks", {"action": "disable", "process_types": "--force"}, "process_types"),
    ("/apps/api/checks", {"action": "disable", "process_types": "web;ls"}, "process_types"),
    ("/apps/api/checks", {"action": "skip", "process_types": "$(id)"}, "process_types"),
    ("/apps/api/checks", {"action": "restart", "process_types": ""}, "process_types"),
    ("/apps/api/checks/run", {"run_process_type": "--force"}, "run_process_type"),
    ("/apps/api/checks/run", {"run_process_type": "web worker"}, "run_process_type"),
]


@pytest.mark.parametrize("url, data, field", HOSTILE_DEPLOY)
def test_hostile_deploy_input_is_refused_next_to_the_field(client, auth, emulator, url, data,
                                                           field):
    auth.login()
    client.get("/apps/api/deploy", headers=HX)
    before = emulator.calls()
    r = client.post(url, headers=HX, data=data)
    assert r.status_code == 422
    assert error_next_to(r, field)
    assert soup(r).select_one("#deploy")
    assert emulator.calls() == before


# --------------------------------------------------------------------------- deploy: writes


def test_set_deploy_branch(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/git/deploy-branch", headers=HX, data={"deploy_branch": "release/v2"})
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert writes(emulator) == [["git:set", "api", "deploy-branch", "release/v2"]]
    assert emulator.state()["apps"]["api"]["git"]["deploy_branch"] == "release/v2"
    assert soup(r).select_one("#git-branch").get_text() == "release/v2"


def test_builder_selection_and_build_dir(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/builder/selected", headers=HX, data={"builder": "dockerfile"})
    assert writes(emulator)[-1] == ["builder:set", "api", "selected", "dockerfile"]
    assert soup(r).select_one("#builder-selected").get_text(strip=True) == "dockerfile"
    assert soup(r).select_one("#f-builder option[selected]")["value"] == "dockerfile"
    r = client.post("/apps/api/builder/build-dir", headers=HX, data={"build_dir": "apps/web"})
    assert writes(emulator)[-1] == ["builder:set", "api", "build-dir", "apps/web"]
    assert emulator.state()["apps"]["api"]["builder"] == {
        "selected": "dockerfile", "detected": "herokuish", "build_dir": "apps/web"}
    assert soup(r).select_one("#builder-build-dir").get_text() == "apps/web"
    # An empty value resets to Dokku's default (auto-detect / repository root).
    client.post("/apps/api/builder/selected", headers=HX, data={"builder": ""})
    r = client.post("/apps/api/builder/build-dir", headers=HX, data={"build_dir": ""})
    assert writes(emulator)[-2:] == [["builder:set", "api", "selected"],
                                     ["builder:set", "api", "build-dir"]]
    assert soup(r).select_one("#builder-selected").get_text(strip=True) == "auto-detect"
    assert soup(r).select_one("#builder-build-dir").get_text() == "repository root"


def test_buildpacks_add_at_index_remove_and_clear(client, auth, emulator):
    auth.login()
    client.post("/apps/api/buildpacks/add", headers=HX, data={"url": "heroku/procfile"})
    assert writes(emulator)[-1] == ["buildpacks:add", "api", "heroku/procfile"]
    nodejs = "https://github.com/heroku/heroku-buildpack-nodejs.git#v250"
    r = client.post("/apps/api/buildpacks/add", headers=HX, data={"url": nodejs, "index": "1"})
    assert writes(emulator)[-1] == ["buildpacks:add", "--index", "1", "api", nodejs]
    # plugins/buildpacks/functions.go validBuildpackURL stores owner/name expanded
    procfile = "https://github.com/heroku/heroku-buildpack-procfile.git"
    assert emulator.state()["apps"]["api"]["buildpacks"] == [nodejs, procfile]
    assert [li["data-buildpack"] for li in soup(r).select("#buildpacks li")] == [nodejs, procfile]

    r = client.post("/apps/api/buildpacks/remove", headers=HX, data={"index": "2", "shown": procfile})
    assert writes(emulator)[-1] == ["buildpacks:remove", "--index", "2", "api"]
    assert emulator.state()["apps"]["api"]["buildpacks"] == [nodejs]

    r = client.post("/apps/api/buildpacks/clear", headers=HX)
    assert writes(emulator)[-1] == ["buildpacks:clear", "api"]
    assert emulator.state()["apps"]["api"]["buildpacks"] == []
    assert soup(r).select_one("#buildpacks-none")


def test_removing_a_buildpack_that_is_gone_sends_nothing(client, auth, emulator):
    # The list is read again before `buildpacks:remove --index`: position 1 of an
    # empty list is not what the page showed.
    auth.login()
    r = client.post("/apps/api/buildpacks/remove", headers=HX,
                    data={"index": "1", "shown": "https://github.com/heroku/heroku-buildpack-ruby.git"})
    assert r.status_code == 422
    assert "changed since this page was loaded" in error_next_to(r, "buildpack")
    assert ["buildpacks:list", "api"] in emulator.calls()
    assert not [c for c in emulator.calls() if c[0] == "buildpacks:remove"]


@pytest.mark.parametrize("action, process_types, argv, disabled, skipped", [
    ("disable", "", ["checks:disable", "api"], "all processes", "none"),
    ("disable", "web, worker", ["checks:disable", "api", "web,worker"], "web, worker", "none"),
    ("skip", "worker", ["checks:skip", "api", "worker"], "none", "worker"),
    ("enable", "", ["checks:enable", "api"], "none", "none"),
])
def test_checks_enable_disable_skip(client, auth, emulator, action, process_types, argv,
                                    disabled, skipped):
    auth.login()
    r = client.post("/apps/api/checks", headers=HX,
                    data={"action": action, "process_types": process_types})
    assert r.status_code == 200
    assert writes(emulator) == [argv]
    assert soup(r).select_one("#checks-disabled").get_text() == disabled
    assert soup(r).select_one("#checks-skipped").get_text() == skipped


def test_checks_run_is_a_job(app, client, auth, fast):
    auth.login()
    r = client.post("/apps/api/checks/run", headers=HX, data={"run_process_type": "web"})
    assert r.status_code == 202
    job = wait_for_job(app, job_id(r))
    assert job.status == "ok" and fast.calls()[-1] == ["checks:run", "api", "web"]
    output = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Running checks for app (api.web.1)" in output


def test_checks_run_on_an_undeployed_app_fails_in_the_job(app, client, auth, fast):
    auth.login()
    r = client.post("/apps/draft/checks/run", headers=HX)
    job = wait_for_job(app, job_id(r))
    assert job.status == "failed" and job.exitCode == 1
    assert "Invalid container index specified (draft.web.1)" in client.get(f"/jobs/{job.id}").get_data(as_text=True)
