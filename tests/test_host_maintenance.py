"""Host health from `dokku report`, and Dokku's clean-up commands as confirmed jobs.

Through the real sshd: what reached Dokku (the argv log, as root or not),
what the page shows, and what the emulator's state holds afterwards.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from docklight.dokku import commands
from docklight.dokku.parsers.host import parse_host_report, to_bytes
from tests.conftest import job_id_of, wait_for_job
from tests.test_databases import HX, logged_in_client


def text_of(html: str, selector: str) -> str:
    node = BeautifulSoup(html, "html.parser").select_one(selector)
    assert node is not None, selector
    return " ".join(node.get_text(" ", strip=True).split())


def report_calls(emulator) -> list[tuple[list[str], bool]]:
    return [(e["argv"], e["root"]) for e in emulator.events()
            if e.get("event") == "start" and e["argv"][:1] == ["report"]]


def test_host_page_reads_report_through_the_root_target_once_a_minute(client, auth, emulator):
    auth.login()
    first = client.get("/host")
    client.get("/host")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert text_of(html, "#host-dokku-version") == "0.38.27"
    assert text_of(html, "#host-memory").startswith("38% in use (3915 MiB total, 2410 MiB available")
    assert text_of(html, "#host-dokku-disk") == "42% used, 44G free on /"
    assert text_of(html, "#host-docker-disk") == "42% used, 44G free on /"
    assert "postgres" in html and "1.48.0" in html
    # The second load came from the cache, and the one read went through root.
    assert report_calls(emulator) == [(["report"], True)]


def test_host_page_reads_as_dokku_without_a_root_target(make_app, emulator):
    client = logged_in_client(make_app(DOCKLIGHT_DOKKU_SSH_ROOT_TARGET=""))
    assert client.get("/host").status_code == 200
    assert report_calls(emulator) == [(["report"], False)]


def test_a_nearly_full_disk_is_called_out(client, auth, emulator):
    emulator.settings(host={"disks": [["/dev/vda1", "78G", "73G", "1.2G", "95%", "/"],
                                      ["/dev/vdb", "200G", "20G", "180G", "10%", "/var/lib/docker"]]})
    auth.login()
    html = client.get("/host").get_data(as_text=True)
    notes = [n.get_text(" ", strip=True) for n in BeautifulSoup(html, "html.parser").select(".flash.error")]
    assert notes[0].startswith("The disk holding Dokku's data (/) is 95% full: 1.2G left.")
    assert len([n for n in notes if "full" in n]) == 1  # Docker's own disk has room
    assert text_of(html, "#host-docker-disk") == "10% used, 180G free on /var/lib/docker"


def test_host_page_shows_the_failed_command_when_report_fails(client, auth, emulator):
    emulator.settings(fail={"report": [1, " !     docker: permission denied"]})
    auth.login()
    r = client.get("/host")
    html = r.get_data(as_text=True)
    assert r.status_code == 502
    assert "dokku report" in html and "permission denied" in html
    assert "could not be read" in html


def test_parser_leaves_unreadable_sections_empty():
    report = parse_host_report("-----> uname: Linux x\n-----> memory: \n       garbage\n"
                               "-----> dokku version: dokku version 0.38.1\n")
    assert report.uname == "Linux x" and report.dokku_version == "0.38.1"
    assert report.memory is None and report.disks == () and report.cpus is None
    assert to_bytes("1.5T") == int(1.5 * 1024 ** 4) and to_bytes("-") is None


def test_global_cleanup_needs_the_typed_word_and_removes_stopped_containers(client, auth, emulator):
    auth.login()
    refused = client.post("/maintenance/cleanup", data={"confirm": "yes"}, headers=HX)
    assert refused.status_code == 422
    assert refused.headers["HX-Retarget"] == "#maintenance-forms"
    assert "Type cleanup to confirm." in refused.get_data(as_text=True)
    assert not [c for c in emulator.calls() if c[0] == "cleanup"]
    assert emulator.state()["apps"]["blog"]["containers"]  # stopped, still there

    r = client.post("/maintenance/cleanup", data={"confirm": "cleanup"}, headers=HX)
    assert r.status_code == 202
    job = wait_for_job(client.application, job_id_of(r))
    assert job.status == "ok"
    assert ["cleanup"] in emulator.calls()
    state = emulator.state()["apps"]
    assert state["blog"]["containers"] == []  # every container of a stopped app goes
    assert [c["status"] for c in state["shop"]["containers"]] == ["running"]
    assert len(state["api"]["containers"]) == 3


def test_cleanup_is_skipped_when_the_builder_says_so(client, auth, emulator):
    auth.login()
    state = emulator.state()
    state["global"]["props"]["builder"] = {"skip-cleanup": "true"}
    from docklight.emulator import state as emu
    emu.write_state(emulator.home, state)
    r = client.post("/maintenance/cleanup", data={"confirm": "cleanup"}, headers=HX)
    job = wait_for_job(client.application, job_id_of(r))
    assert "DOKKU_SKIP_CLEANUP set. Skipping dokku cleanup" in client.get(
        f"/jobs/{job.id}").get_data(as_text=True)
    assert emulator.state()["apps"]["blog"]["containers"]


@pytest.mark.parametrize("action, argv", [("cleanup", ["cleanup", "blog"]),
                                          ("gc", ["repo:gc", "blog"]),
                                          ("purge-cache", ["repo:purge-cache", "blog"])])
def test_app_actions_need_the_checkbox(client, auth, emulator, action, argv):
    auth.login()
    refused = client.post("/maintenance/app", data={"app": "blog", "action": action})
    assert refused.status_code == 422
    assert "Tick the box" in refused.get_data(as_text=True)
    r = client.post("/maintenance/app", data={"app": "blog", "action": action, "understood": "1"},
                    headers=HX)
    assert wait_for_job(client.application, job_id_of(r)).status == "ok"
    assert [c for c in emulator.calls() if c[0] in ("cleanup", "repo:gc", "repo:purge-cache")] == [argv]


def test_app_action_refuses_a_bad_app_name_next_to_its_field(client, auth, emulator):
    auth.login()
    r = client.post("/maintenance/app", data={"app": "Bad Name!", "action": "gc", "understood": "1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert BeautifulSoup(html, "html.parser").select_one("#e-app") is not None
    assert not [c for c in emulator.calls() if c[0] == "repo:gc"]


def test_the_clean_up_commands_are_allowlisted():
    assert {"report", "cleanup", "repo:gc", "repo:purge-cache"} <= set(commands.ALLOWED)
    assert commands.cleanup("blog").long and commands.host_report(root=True).root


def test_only_admins_see_or_reach_host_maintenance_and_settings(app, emulator):
    from docklight import users
    from tests.conftest import ORIGIN

    users.add(app.config["DATABASE"], "otto", "otto's password", "operator")
    operator = app.test_client()
    operator.post("/api/auth/login", data={"username": "otto", "password": "otto's password"},
                  headers={"Origin": ORIGIN})
    nav = BeautifulSoup(operator.get("/apps").get_data(as_text=True), "html.parser").select_one("nav")
    links = {a.get_text(strip=True) for a in nav.select("a")}
    assert "Apps" in links and not links & {"Host", "Maintenance", "Settings", "Users"}
    for path in ("/host", "/maintenance", "/settings"):
        assert operator.get(path).status_code == 403, path
    r = operator.post("/maintenance/cleanup", data={"confirm": "cleanup"}, headers={"Origin": ORIGIN})
    assert r.status_code == 403
    assert not [c for c in emulator.calls() if c[:1] in (["cleanup"], ["report"])]
