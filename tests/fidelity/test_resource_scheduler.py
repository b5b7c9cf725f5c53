"""A CPU reservation the app's scheduler ignores is refused with the reason (issue 11 item 5).

plugins/resource/triggers.go TriggerDockerArgsProcessDeploy, the trigger
the docker-local scheduler builds `docker run` from, passes only
`reserve.memory` (validReservations); k3s turns `reserve.cpu` into a pod
request (plugins/scheduler-k3s/functions.go). The tab reads the computed
scheduler from `scheduler:report` through the real sshd.
"""

from __future__ import annotations

from docklight.emulator import state as emu
from tests.tabs import HX, error_next_to, soup, writes


def with_scheduler(emulator, selected="", resources=None):
    """Reset to one deployed app `api` using the given scheduler ('' = the default)."""
    app = emu.make_app("api", processes={"web": 1})
    app["scheduler"] = {"selected": selected} if selected else {}
    app["resources"] = dict(resources or {})
    emulator.reset(apps=[app])


def test_cpu_reservation_on_docker_local_is_refused_not_silently_ignored(client, auth, emulator):
    with_scheduler(emulator)
    auth.login()
    page = client.get("/apps/api/resources", headers=HX)
    assert ["scheduler:report", "api", "--format", "json"] in emulator.calls()
    assert "ignores CPU reservations" in soup(page).select_one("#f-cpu").find_parent(
        class_="field").get_text(" ", strip=True)
    r = client.post("/apps/api/resources/set", headers=HX,
                    data={"kind": "reserve", "cpu": "0.5", "process_type": ""})
    assert r.status_code == 422
    message = error_next_to(r, "cpu")
    assert "docker-local scheduler ignores CPU reservations" in message
    assert writes(emulator) == []
    assert emulator.state()["apps"]["api"]["resources"] == {}
    # What docker-local does apply still reaches Dokku.
    client.post("/apps/api/resources/set", headers=HX,
                data={"kind": "reserve", "memory": "256m", "process_type": ""})
    client.post("/apps/api/resources/set", headers=HX,
                data={"kind": "limit", "cpu": "1", "process_type": ""})
    assert writes(emulator) == [["resource:reserve", "--memory", "256m", "api"],
                                ["resource:limit", "--cpu", "1", "api"]]


def test_cpu_reservation_on_k3s_reaches_dokku(client, auth, emulator):
    with_scheduler(emulator, "k3s")
    auth.login()
    page = soup(client.get("/apps/api/resources", headers=HX))
    assert "ignores CPU" not in page.get_text(" ", strip=True)
    assert "k3s" in page.select_one("#resources-scheduler").get_text()
    r = client.post("/apps/api/resources/set", headers=HX,
                    data={"kind": "reserve", "cpu": "0.5", "process_type": "web"})
    assert r.status_code == 200
    assert writes(emulator) == [["resource:reserve", "--cpu", "0.5", "--process-type", "web", "api"]]
    assert emulator.state()["apps"]["api"]["resources"] == {"web.reserve.cpu": "0.5"}


def test_stored_cpu_reservation_is_marked_without_effect_on_docker_local(client, auth, emulator):
    with_scheduler(emulator, resources={"web.reserve.cpu": "1", "web.reserve.memory": "128m"})
    auth.login()
    row = soup(client.get("/apps/api/resources", headers=HX)).select_one("#resources-web")
    ignored = row.select("[data-ignored]")
    assert [span["data-ignored"] for span in ignored] == ["cpu"]
    assert "no effect on docker-local" in ignored[0].get_text()
