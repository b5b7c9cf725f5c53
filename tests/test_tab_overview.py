"""Overview tab: status, scale, lifecycle, unlock, rename, destroy."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from docklight import services
from docklight.emulator import state as emu
from tests.conftest import job_id_of, wait_for_job
from tests.pages import assert_app_page, assert_fragment


def test_overview_page_and_fragment(client, auth, emulator):
    auth.login()
    page = client.get("/apps/api/overview")
    soup = assert_app_page(page, "div#overview")
    assert page.status_code == 200 and soup.select_one("nav.tabs a[aria-current=page]").text == "Overview"
    assert soup.select_one(".status").text == "running"
    containers = [td.text for td in soup.select("#overview table tbody tr td:first-child")]
    assert containers == ["web.1", "web.2", "worker.1"]
    assert soup.select_one("#f-count-web")["value"] == "2"
    fragment = client.get("/apps/api/overview", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert_fragment(fragment, "div#overview")


def test_unknown_or_invalid_app(client, auth, emulator):
    auth.login()
    assert client.get("/apps/Bad_Name!/overview").status_code == 404
    r = client.get("/apps/nope/overview")
    # Dokku's "App nope does not exist" (exit 20) is a 404 page with a way home.
    assert r.status_code == 404 and b"There is no app nope on this Dokku host" in r.data
    assert b'href="/"' in r.data


def test_scale_runs_as_job_with_exact_argv(app, client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/scale", data={"count-web": "3", "count-worker": "0"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 202
    job = wait_for_job(app, job_id_of(r))
    assert job.status == "ok"
    assert ["ps:scale", "api", "web=3", "worker=0"] in emulator.calls()
    assert emulator.state()["apps"]["api"]["processes"] == {"web": 3, "worker": 0}


@pytest.mark.parametrize("data, field", [
    ({"count-web": "-1"}, "count-web"),
    ({"count-web": "two"}, "count-web"),
    ({"new_type": "--force", "new_count": "1"}, "new_type"),
    ({"new_type": "worker", "new_count": "x"}, "new_count"),
    ({}, "new_type"),
])
def test_bad_scale_is_refused_next_to_the_field(client, auth, emulator, data, field):
    auth.login()
    before = len(emulator.calls())
    r = client.post("/apps/api/scale", data=data, headers={"HX-Request": "true"})
    assert r.status_code == 422
    soup = BeautifulSoup(r.data, "html.parser")
    assert soup.select_one(f"#e-{field}").text
    assert [c for c in emulator.calls()[before:]
            if c[0] == "ps:scale" and any("=" in a for a in c)] == []


def test_unknown_process_type_is_dokkus_message(app, client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/scale", data={"new_type": "ghost", "new_count": "2"},
                    headers={"HX-Request": "true"})
    job = wait_for_job(app, job_id_of(r))
    assert job.status == "failed" and job.exitCode == 1
    with app.app_context():
        output = "\n".join(services.get().jobs.output(job))
    assert "ghost is not a valid process name to scale up" in output


def test_unlock_when_locked(client, auth, emulator):
    locked = emu.make_app("api")
    locked["locked"] = True
    emulator.reset(apps=[locked])
    auth.login()
    page = client.get("/apps/api/overview").get_data(as_text=True)
    assert "deploy locked" in page and "Unlock deploys" in page
    r = client.post("/apps/api/unlock", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "deploy locked" not in r.get_data(as_text=True)
    assert "app-changed" in r.headers["HX-Trigger"]
    assert ["apps:unlock", "api"] in emulator.calls()
    assert emulator.state()["apps"]["api"]["locked"] is False


def test_rename_validates_with_dokkus_rule(app, client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/rename", data={"new_name": "Bad_Name"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 422 and b"must begin with lowercase" in r.data
    r = client.post("/apps/api/rename", data={"new_name": "api-v2"},
                    headers={"HX-Request": "true"})
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert "api-v2" in emulator.state()["apps"] and "api" not in emulator.state()["apps"]


def test_destroy_needs_the_typed_name(app, client, auth, emulator):
    auth.login()
    page = client.get("/apps/blog/destroy").get_data(as_text=True)
    assert "cannot be undone" in page
    r = client.post("/apps/blog/destroy", data={"confirm": "blo"}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and b"Type blog exactly to confirm." in r.data
    assert not [c for c in emulator.calls() if c[0] == "apps:destroy"]
    r = client.post("/apps/blog/destroy", data={"confirm": "blog"}, headers={"HX-Request": "true"})
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert ["apps:destroy", "blog", "--force"] in emulator.calls()
    assert "blog" not in emulator.state()["apps"]


def test_lifecycle_actions(app, client, auth, emulator):
    auth.login()
    for action, app_name in (("stop", "api"), ("start", "blog"), ("rebuild", "shop")):
        r = client.post(f"/apps/{app_name}/ps/{action}", headers={"HX-Request": "true"})
        assert r.status_code == 202
        assert wait_for_job(app, job_id_of(r)).status == "ok"
        assert [f"ps:{action}", app_name] in emulator.calls()
    state = emulator.state()["apps"]
    assert {c["status"] for c in state["api"]["containers"]} == {"exited"}
    assert {c["status"] for c in state["blog"]["containers"]} == {"running"}
    assert client.post("/apps/api/ps/explode").status_code == 404


def test_old_dokku_falls_back_to_text_reports(client, auth, emulator):
    emulator.settings(version="0.22.0")
    auth.login()
    r = client.get("/apps/api/overview")
    soup = BeautifulSoup(r.data, "html.parser")
    assert r.status_code == 200 and soup.select_one(".status").text == "running"
    assert soup.select_one("#f-count-web")["value"] == "2"
    calls = emulator.calls()
    assert ["ps:report", "api"] in calls and ["apps:report", "api"] in calls
    assert not [c for c in calls if "--format" in c]
