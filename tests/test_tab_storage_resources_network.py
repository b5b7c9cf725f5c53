"""Storage, Resources and Network & Docker tabs through the real sshd and the emulator."""

from __future__ import annotations

import pytest

from docklight.emulator import state as emu
from docklight.views.tabs.network import docker_option_risks
from tests.tabs import HX, error_next_to, soup, writes
from tests.pages import assert_app_page, assert_fragment

CONFIRM = "I understand this option runs with root-equivalent power on the host"





def refused(client, emulator, tab: str, url: str, data: dict, field: str) -> str:
    """Post data after loading the tab; assert 422, the message, and nothing sent."""
    client.get(f"/apps/api/{tab}", headers=HX)
    before = emulator.calls()
    r = client.post(url, headers=HX, data=data)
    assert r.status_code == 422
    message = error_next_to(r, field)
    assert soup(r).select_one(f"#{tab}")
    assert emulator.calls() == before  # nothing reached Dokku, not even a read
    return message


def with_app(emulator, **changes):
    """Reset the emulator to one deployed app `api` with changed fields."""
    app = emu.make_app("api", processes={"web": 1, "worker": 1})
    app.update(changes)
    emulator.reset(apps=[app, emu.make_app("blog")])
    return app


# --------------------------------------------------------------------------- storage


def test_storage_full_page_and_fragment(client, auth, emulator):
    with_app(emulator, storage=[
        {"entry_name": "api", "host_path": "/var/lib/dokku/data/storage/api",
         "container_path": "/app/storage", "phases": ["deploy", "run"], "readonly": False,
         "volume_options": ""},
        {"entry_name": "certs", "host_path": "/srv/certs", "container_path": "/certs",
         "phases": ["deploy", "run"], "readonly": True, "volume_options": ""}])
    auth.login()
    page = client.get("/apps/api/storage")
    assert page.status_code == 200
    assert_app_page(page, "div#storage")
    fragment = client.get("/apps/api/storage", headers=HX)
    assert fragment.status_code == 200
    rows = assert_fragment(fragment, "div#storage").select("#mounts tbody tr")
    assert [tr["data-mount"] for tr in rows] == ["/var/lib/dokku/data/storage/api:/app/storage",
                                                 "/srv/certs:/certs"]
    assert rows[1].find_all("td")[2].get_text() == "ro"
    assert ["storage:list", "api", "--format", "json"] in emulator.calls()
    hint = soup(fragment).select_one("#ensure-directory").get_text(" ", strip=True)
    assert "dokku storage:ensure-directory api" in hint
    assert not any(c[0] == "storage:ensure-directory" for c in emulator.calls())


def test_storage_empty(client, auth, emulator):
    auth.login()
    r = client.get("/apps/api/storage", headers=HX)
    assert soup(r).select_one("#mounts-none") and not soup(r).select_one("#mounts")


def test_storage_on_dokku_before_0_29_3_reads_the_report(client, auth, emulator):
    with_app(emulator, storage=[
        {"entry_name": "api", "host_path": "/var/lib/dokku/data/storage/api",
         "container_path": "/app/storage", "phases": ["deploy", "run"], "readonly": False,
         "volume_options": ""}])
    emulator.settings(version="0.29.0")
    auth.login()
    r = client.get("/apps/api/storage", headers=HX)
    assert [tr["data-mount"] for tr in soup(r).select("#mounts tbody tr")] == [
        "/var/lib/dokku/data/storage/api:/app/storage"]
    assert not any(c[0] == "storage:list" for c in emulator.calls())
    assert ["storage:report", "api", "--format", "json"] in emulator.calls()


def test_storage_on_dokku_before_json_reports_reads_text(client, auth, emulator):
    with_app(emulator, storage=[
        {"entry_name": "data", "host_path": "/srv/data", "container_path": "/data",
         "phases": ["deploy", "run"], "readonly": False, "volume_options": ""}])
    emulator.settings(version="0.22.0")
    auth.login()
    r = client.get("/apps/api/storage", headers=HX)
    assert [tr["data-mount"] for tr in soup(r).select("#mounts tbody tr")] == ["/srv/data:/data"]
    assert ["storage:report", "api"] in emulator.calls()


def test_mount_and_unmount(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/storage/mount", headers=HX,
                    data={"host_path": "/var/lib/dokku/data/storage/api", "container_path": "/app/uploads"})
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert writes(emulator) == [["storage:mount", "api",
                                 "/var/lib/dokku/data/storage/api:/app/uploads"]]
    storage = emulator.state()["apps"]["api"]["storage"]
    assert [(e["host_path"], e["container_path"]) for e in storage] == [
        ("/var/lib/dokku/data/storage/api", "/app/uploads")]
    assert [tr["data-mount"] for tr in soup(r).select("#mounts tbody tr")] == [
        "/var/lib/dokku/data/storage/api:/app/uploads"]

    r = client.post("/apps/api/storage/unmount", headers=HX,
                    data={"host_path": "/var/lib/dokku/data/storage/api", "container_path": "/app/uploads"})
    assert writes(emulator)[-1] == ["storage:unmount", "api",
                                    "/var/lib/dokku/data/storage/api:/app/uploads"]
    assert emulator.state()["apps"]["api"]["storage"] == []
    assert soup(r).select_one("#mounts-none")


def test_mount_without_javascript_redirects(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/storage/mount", data={"host_path": "/srv/a", "container_path": "/a"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/apps/api/storage")
    assert emulator.calls()[-1] == ["storage:mount", "api", "/srv/a:/a"]


def test_unmounting_a_missing_mount_shows_dokkus_refusal(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/storage/unmount", headers=HX,
                    data={"host_path": "/srv/none", "container_path": "/none"})
    assert r.status_code == 422
    text = soup(r).select_one("#storage .dokku-error").get_text(" ", strip=True)
    assert "dokku storage:unmount api /srv/none:/none" in text
    assert "Exit code 1" in text and "Mount path does not exist." in text


@pytest.mark.parametrize("data, field", [
    ({"host_path": "relative/dir", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/../etc", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/..", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/my data", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/a:/b", "container_path": "/app"}, "host_path"),
    ({"host_path": "--force", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/x;rm -rf /", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/$(id)", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/a\n/b", "container_path": "/app"}, "host_path"),
    ({"host_path": "", "container_path": "/app"}, "host_path"),
    ({"host_path": "/srv/a", "container_path": "app"}, "container_path"),
    ({"host_path": "/srv/a", "container_path": "/app/.."}, "container_path"),
    ({"host_path": "/srv/a", "container_path": "/app/../etc"}, "container_path"),
    ({"host_path": "/srv/a", "container_path": "/app data"}, "container_path"),
    ({"host_path": "/srv/a", "container_path": "/app:ro"}, "container_path"),
    ({"host_path": "/srv/a", "container_path": "-v"}, "container_path"),
    ({"host_path": "/srv/a", "container_path": "/`id`"}, "container_path"),
])
def test_hostile_mount_paths_are_refused(client, auth, emulator, data, field):
    auth.login()
    refused(client, emulator, "storage", "/apps/api/storage/mount", data, field)


def test_hostile_unmount_row_is_refused_above_the_list(client, auth, emulator):
    auth.login()
    message = refused(client, emulator, "storage", "/apps/api/storage/unmount",
                      {"host_path": "/srv/a;ls", "container_path": "/a"}, "mount")
    assert "Host path must be absolute" in message


def test_refused_mount_keeps_what_was_typed(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/storage/mount", data={"host_path": "/srv/a b", "container_path": "/a"})
    assert r.status_code == 422
    assert assert_app_page(r, "div#storage").select_one("#f-host_path")["value"] == "/srv/a b"
    assert soup(r).select_one("#f-container_path")["value"] == "/a"


# --------------------------------------------------------------------------- resources


def test_resources_without_settings_say_no_limits(client, auth, emulator):
    auth.login()
    page = client.get("/apps/api/resources")
    assert page.status_code == 200
    assert_app_page(page, "div#resources")
    r = client.get("/apps/api/resources", headers=HX)
    fragment = assert_fragment(r, "div#resources")
    assert "No limits" in fragment.select_one("#resources-none").get_text()
    assert ["resource:report", "api", "--format", "json"] in emulator.calls()


@pytest.mark.parametrize("version", ["0.38.27", "0.22.0"])
def test_resources_table_from_json_and_text(client, auth, emulator, version):
    with_app(emulator, resources={"_default_.limit.memory": "1g", "web.limit.cpu": "2",
                                  "web.reserve.memory": "256m"})
    emulator.settings(version=version)
    auth.login()
    page = soup(client.get("/apps/api/resources", headers=HX))
    rows = page.select("#resource-table tbody tr")
    assert [tr["data-process"] for tr in rows] == ["_default_", "web"]
    assert "all processes" in rows[0].th.get_text()
    assert rows[0].select_one('td[data-kind=limit]').get_text(" ", strip=True) == "memory 1g"
    assert rows[1].select_one('td[data-kind=limit]').get_text(" ", strip=True) == "cpu 2"
    assert rows[1].select_one('td[data-kind=reserve]').get_text(" ", strip=True) == "memory 256m"


def test_set_limits_for_all_and_reservation_per_process(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/resources/set", headers=HX,
                    data={"kind": "limit", "process_type": "", "cpu": "1.5", "memory": "512M"})
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert writes(emulator) == [["resource:limit", "--cpu", "1.5", "--memory", "512m", "api"]]
    r = client.post("/apps/api/resources/set", headers=HX,
                    data={"kind": "reserve", "process_type": "worker", "memory": "128m"})
    assert writes(emulator)[-1] == ["resource:reserve", "--memory", "128m",
                                    "--process-type", "worker", "api"]
    assert emulator.state()["apps"]["api"]["resources"] == {
        "_default_.limit.cpu": "1.5", "_default_.limit.memory": "512m",
        "worker.reserve.memory": "128m"}
    rows = {tr["data-process"]: tr for tr in soup(r).select("#resource-table tbody tr")}
    assert rows["worker"].select_one("td[data-kind=reserve]").get_text(" ", strip=True) == \
        "memory 128m"


def test_clear_limits_per_process_and_for_the_default_row(client, auth, emulator):
    with_app(emulator, resources={"_default_.limit.memory": "1g", "web.limit.cpu": "2",
                                  "web.reserve.memory": "256m"})
    auth.login()
    r = client.post("/apps/api/resources/clear", headers=HX,
                    data={"row": "1", "kind": "limit", "process_type": "web"})
    assert r.status_code == 200
    assert writes(emulator) == [["resource:limit-clear", "--process-type", "web", "api"]]
    assert emulator.state()["apps"]["api"]["resources"] == {
        "_default_.limit.memory": "1g", "web.reserve.memory": "256m"}
    # The "all processes" row names Dokku's _default_: without --process-type
    # Dokku would delete every setting of every process type.
    client.post("/apps/api/resources/clear", headers=HX,
                data={"row": "1", "kind": "limit", "process_type": "_default_"})
    assert writes(emulator)[-1] == ["resource:limit-clear", "--process-type", "_default_", "api"]
    r = client.post("/apps/api/resources/clear", headers=HX,
                    data={"clear_kind": "reserve", "clear_process_type": "web"})
    assert writes(emulator)[-1] == ["resource:reserve-clear", "--process-type", "web", "api"]
    assert emulator.state()["apps"]["api"]["resources"] == {}
    assert soup(r).select_one("#resources-none")


@pytest.mark.parametrize("url, data, field", [
    ("/apps/api/resources/set", {"kind": "bogus", "cpu": "1"}, "kind"),
    ("/apps/api/resources/set", {"kind": "--force", "cpu": "1"}, "kind"),
    ("/apps/api/resources/set", {"kind": "limit", "process_type": "--force", "cpu": "1"}, "process_type"),
    ("/apps/api/resources/set", {"kind": "limit", "process_type": "web;ls", "cpu": "1"}, "process_type"),
    ("/apps/api/resources/set", {"kind": "limit", "process_type": "$(id)", "cpu": "1"}, "process_type"),
    ("/apps/api/resources/set", {"kind": "limit", "cpu": "-1"}, "cpu"),
    ("/apps/api/resources/set", {"kind": "limit", "cpu": "1;ls"}, "cpu"),
    ("/apps/api/resources/set", {"kind": "limit", "cpu": "$(id)"}, "cpu"),
    ("/apps/api/resources/set", {"kind": "limit", "cpu": "1\n2"}, "cpu"),
    ("/apps/api/resources/set", {"kind": "limit", "memory": "--force"}, "memory"),
    ("/apps/api/resources/set", {"kind": "limit", "memory": "lots"}, "memory"),
    ("/apps/api/resources/set", {"kind": "limit", "memory": "512m 1g"}, "memory"),
    ("/apps/api/resources/set", {"kind": "limit", "cpu": "", "memory": ""}, "cpu"),
    ("/apps/api/resources/clear", {"clear_kind": "all"}, "clear_kind"),
    ("/apps/api/resources/clear", {"clear_kind": "limit", "clear_process_type": "--force"},
     "clear_process_type"),
    ("/apps/api/resources/clear", {"row": "1", "kind": "limit", "process_type": "a b"}, "row"),
])
def test_hostile_resource_input_is_refused(client, auth, emulator, url, data, field):
    auth.login()
    refused(client, emulator, "resources", url, data, field)


# --------------------------------------------------------------------------- network


def test_network_full_page_and_fragment(client, auth, emulator):
    app = with_app(emulator, network={"attach-post-deploy": "backend"})
    app_state = emulator.state()
    assert app_state["apps"]["api"]["network"] == {"attach-post-deploy": "backend"}
    auth.login()
    page = client.get("/apps/api/network")
    assert page.status_code == 200
    assert_app_page(page, "div#network")
    r = client.get("/apps/api/network", headers=HX)
    fragment = assert_fragment(r, "div#network")
    rows = {tr["data-property"]: tr for tr in fragment.select("#network-properties tbody tr")}
    assert list(rows) == ["attach-post-create", "attach-post-deploy", "bind-all-interfaces",
                          "initial-network", "static-web-listener", "tld"]
    assert rows["attach-post-deploy"].select_one("td[data-col=app]").get_text() == "backend"
    assert rows["bind-all-interfaces"].select_one("td[data-col=computed]").get_text() == "false"
    assert rows["attach-post-deploy"].select_one('form input[name=property]')["value"] == \
        "attach-post-deploy"
    assert ["network:report", "api", "--format", "json"] in emulator.calls()
    assert ["docker-options:report", "api", "--format", "json"] in emulator.calls()
    assert app["name"] == "api"


@pytest.mark.parametrize("prop, value", [
    ("attach-post-create", "backend-net"),
    ("attach-post-deploy", "backend.net"),
    ("bind-all-interfaces", "true"),
    ("initial-network", "isolated_1"),
    ("static-web-listener", "127.0.0.1:5000"),
    ("tld", "svc.cluster.local"),
])
def test_network_set_every_property(client, auth, emulator, prop, value):
    auth.login()
    r = client.post("/apps/api/network/set", headers=HX, data={"property": prop, "value": value})
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert writes(emulator) == [["network:set", "api", prop, value]]
    assert emulator.state()["apps"]["api"]["network"][prop] == value
    row = soup(r).select_one(f"#net-{prop}")
    assert row.select_one("td[data-col=app]").get_text() == value


def test_network_reset_a_property(client, auth, emulator):
    with_app(emulator, network={"tld": "svc.local"})
    auth.login()
    r = client.post("/apps/api/network/set", headers=HX, data={"row": "1", "property": "tld"})
    assert writes(emulator) == [["network:set", "api", "tld"]]
    assert emulator.state()["apps"]["api"]["network"].get("tld", "") == ""
    assert soup(r).select_one("#net-tld td[data-col=app]").get_text() == "–"


@pytest.mark.parametrize("data, field", [
    ({"property": "bogus", "value": "x"}, "property"),
    ({"property": "--force", "value": "x"}, "property"),
    ({"property": "tld", "value": "a b"}, "value"),
    ({"property": "tld", "value": "--force"}, "value"),
    ({"property": "tld", "value": "x;ls"}, "value"),
    ({"property": "initial-network", "value": "$(id)"}, "value"),
    ({"property": "initial-network", "value": "net\nx"}, "value"),
    ({"property": "attach-post-deploy", "value": "-net"}, "value"),
    ({"property": "bind-all-interfaces", "value": "yes please"}, "value"),
    ({"property": "static-web-listener", "value": "127.0.0.1:99999"}, "value"),
    ({"property": "static-web-listener", "value": "127.0.0.1"}, "value"),
    ({"property": "static-web-listener", "value": "../x:80"}, "value"),
])
def test_hostile_network_input_is_refused(client, auth, emulator, data, field):
    auth.login()
    refused(client, emulator, "network", "/apps/api/network/set", data, field)


# --------------------------------------------------------------------------- docker options


def test_docker_options_report_marks_dangerous_options(client, auth, emulator):
    with_app(emulator, docker_options={"build": ["--build-arg X=1"],
                                       "deploy": ["--privileged", "--restart=on-failure:10"],
                                       "run": ["-v /var/run/docker.sock:/var/run/docker.sock"]})
    auth.login()
    r = client.get("/apps/api/network", headers=HX)
    lists = {ul["data-phase"]: ul for ul in soup(r).select("ul.docker-options")}
    assert [li["data-option"] for li in lists["deploy"].select("li")] == [
        "--privileged", "--restart=on-failure:10"]
    privileged, restart = lists["deploy"].select("li")
    assert "root inside it is root on the host" in privileged.select_one(".risk").get_text()
    assert restart.select_one(".risk") is None
    assert "Docker socket" in lists["run"].select_one(".risk").get_text()
    assert lists["build"].select_one("li")["data-option"] == "--build-arg X=1"


def test_add_option_with_confirmation(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/docker-options/add", headers=HX,
                    data={"phases": ["deploy", "run"], "option": "--shm-size=256m",
                          "confirm_risk": "yes"})
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert writes(emulator) == [["docker-options:add", "api", "deploy,run", "--shm-size=256m"]]
    options = emulator.state()["apps"]["api"]["docker_options"]
    assert options == {"build": [], "deploy": ["--shm-size=256m"], "run": ["--shm-size=256m"]}
    lists = {ul["data-phase"]: ul for ul in soup(r).select("ul.docker-options")}
    assert sorted(lists) == ["deploy", "run"]


def test_option_with_spaces_travels_as_one_argument(client, auth, emulator):
    auth.login()
    client.post("/apps/api/docker-options/add", headers=HX,
                data={"phases": "build", "option": "--build-arg 'GREETING=hello world'",
                      "confirm_risk": "yes"})
    assert writes(emulator) == [["docker-options:add", "api", "build",
                                 "--build-arg 'GREETING=hello world'"]]


@pytest.mark.parametrize("option, risk", [
    ("--privileged", "root inside it is root on the host"),
    ("-v /:/host", "mounts the host's whole filesystem"),
    ("--volume=/etc:/host-etc", "mounts the host directory /etc"),
    ("-v /var/run/docker.sock:/var/run/docker.sock", "mounts the Docker socket"),
    ("--mount type=bind,source=/run/docker.sock,target=/d.sock", "mounts the Docker socket"),
    ("--pid=host", "sees every process of the host"),
    ("--net=host", "shares the host's network stack"),
    ("--network host", "shares the host's network stack"),
    ("--cap-add=SYS_ADMIN", "--cap-add SYS_ADMIN"),
    ("--device /dev/sda", "--device /dev/sda"),
    ("--security-opt seccomp=unconfined", "turns off a security profile"),
])
def test_dangerous_option_needs_the_checkbox_and_names_its_risk(client, auth, emulator, option,
                                                                risk):
    auth.login()
    message = refused(client, emulator, "network", "/apps/api/docker-options/add",
                      {"phases": ["deploy"], "option": option}, "confirm_risk")
    assert "Tick this box" in message and risk in message
    r = client.post("/apps/api/docker-options/add", headers=HX,
                    data={"phases": ["deploy"], "option": option})
    warning = soup(r).select_one("#docker-options-warning").get_text(" ", strip=True)
    assert risk in warning
    page = soup(r)
    assert page.select_one("#f-option")["value"] == option  # kept for the second try
    assert not page.select_one("#f-confirm_risk").has_attr("checked")
    assert CONFIRM in page.select_one("#f-confirm_risk").find_parent("label").get_text(" ", strip=True)
    # With the box ticked it goes through, exactly as typed.
    r = client.post("/apps/api/docker-options/add", headers=HX,
                    data={"phases": ["deploy"], "option": option, "confirm_risk": "yes"})
    assert r.status_code == 200
    assert writes(emulator) == [["docker-options:add", "api", "deploy", option]]
    assert emulator.state()["apps"]["api"]["docker_options"]["deploy"] == [option]


def test_harmless_option_still_needs_the_checkbox(client, auth, emulator):
    auth.login()
    message = refused(client, emulator, "network", "/apps/api/docker-options/add",
                      {"phases": ["run"], "option": "--restart=always"}, "confirm_risk")
    assert message.startswith("Tick this box")


def test_risk_detection_leaves_ordinary_options_alone():
    for option in ("--restart=always", "-v /var/lib/dokku/data/storage/api:/data",
                   "-v named-volume:/data", "--shm-size=256m", "--network=backend",
                   "--privileged=false", "--label traefik.enable=true"):
        assert docker_option_risks(option) == [], option


@pytest.mark.parametrize("data, field", [
    ({"phases": ["boot"], "option": "--rm", "confirm_risk": "yes"}, "phases"),
    ({"phases": ["deploy;ls"], "option": "--rm", "confirm_risk": "yes"}, "phases"),
    ({"option": "--rm", "confirm_risk": "yes"}, "phases"),
    ({"phases": ["deploy"], "option": "--force", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "--app blog", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "--quiet", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "restart=always", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "$(id)", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "-v /a:/b; rm -rf /", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "-e X=$(id) && sh", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "--label #x", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "--label a=b | sh", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "--rm\n--privileged", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "-e", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "--label 'open", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "", "confirm_risk": "yes"}, "option"),
    ({"phases": ["deploy"], "option": "--rm"}, "confirm_risk"),
    ({"phases": ["deploy"], "option": "--rm", "confirm_risk": "on"}, "confirm_risk"),
])
def test_hostile_docker_option_input_is_refused(client, auth, emulator, data, field):
    auth.login()
    refused(client, emulator, "network", "/apps/api/docker-options/add", data, field)


def test_remove_and_clear_options(client, auth, emulator):
    with_app(emulator, docker_options={"build": ["--pull"], "deploy": ["--privileged", "--rm"],
                                       "run": ["--rm"]})
    auth.login()
    r = client.post("/apps/api/docker-options/remove", headers=HX,
                    data={"phase": "deploy", "remove_option": "--privileged"})
    assert r.status_code == 200
    assert writes(emulator) == [["docker-options:remove", "api", "deploy", "--privileged"]]
    assert emulator.state()["apps"]["api"]["docker_options"]["deploy"] == ["--rm"]
    client.post("/apps/api/docker-options/clear", headers=HX, data={"clear_phases": ["run", "deploy"]})
    assert writes(emulator)[-1] == ["docker-options:clear", "api", "deploy,run"]
    assert emulator.state()["apps"]["api"]["docker_options"] == {
        "build": ["--pull"], "deploy": [], "run": []}
    r = client.post("/apps/api/docker-options/clear", headers=HX)
    assert writes(emulator)[-1] == ["docker-options:clear", "api"]
    assert emulator.state()["apps"]["api"]["docker_options"] == {"build": [], "deploy": [], "run": []}
    assert soup(r).select("ul.docker-options") == []


@pytest.mark.parametrize("url, data, field", [
    ("/apps/api/docker-options/remove", {"phase": "boot", "remove_option": "--rm"}, "options_row"),
    ("/apps/api/docker-options/remove", {"phase": "deploy", "remove_option": "--force"}, "options_row"),
    ("/apps/api/docker-options/clear", {"clear_phases": ["deploy", "--force"]}, "clear_phases"),
])
def test_hostile_remove_and_clear_are_refused(client, auth, emulator, url, data, field):
    auth.login()
    refused(client, emulator, "network", url, data, field)


def test_docker_options_failure_is_shown_inline(client, auth, emulator):
    emulator.settings(fail={"docker-options:add": [1, " !     Invalid docker option"]})
    auth.login()
    r = client.post("/apps/api/docker-options/add", headers=HX,
                    data={"phases": ["run"], "option": "--rm", "confirm_risk": "yes"})
    assert r.status_code == 422
    text = soup(r).select_one("#network .dokku-error").get_text(" ", strip=True)
    assert "dokku docker-options:add api run --rm" in text
    assert "Exit code 1" in text and "Invalid docker option" in text
