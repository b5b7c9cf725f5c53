"""Docker options per process type (Dokku 0.38 plugins/docker-options, issue 11 item 7).

Options scoped with `--process` (deploy phase only) live apart from the
default scope: the report shows them as `deploy.<proc>` keys, and
`docker-options:clear` without --process leaves them (functions.go
CommandClear -> clearDefaultScope). The tab shows, adds, removes and clears
them through the real sshd; the emulator stores them as Dokku does.
"""

from __future__ import annotations

from docklight.emulator import state as emu
from tests.tabs import HX, error_next_to, soup, writes


def with_options(emulator, default=(), worker=()):
    """Reset to one deployed app `api` with default-scope deploy options and worker-only ones."""
    app = emu.make_app("api", processes={"web": 1, "worker": 1})
    app["docker_options"]["deploy"] = list(default)
    app["docker_options_process"] = {"worker": list(worker)} if worker else {}
    emulator.reset(apps=[app])


def stored(emulator) -> tuple[list, dict]:
    """Return (default deploy options, per-process options) as Dokku holds them."""
    app = emulator.state()["apps"]["api"]
    return app["docker_options"]["deploy"], app.get("docker_options_process", {})


def test_options_scoped_to_one_process_type_are_shown(client, auth, emulator):
    with_options(emulator, default=["--shm-size=1g"], worker=["--memory=2g"])
    auth.login()
    page = soup(client.get("/apps/api/network", headers=HX))
    scoped = page.select_one('ul.docker-options[data-process="worker"]')
    assert [li["data-option"] for li in scoped.select("li")] == ["--memory=2g"]
    assert "process type worker only" in scoped.find_previous("h3").get_text(" ", strip=True)


def test_adding_an_option_for_one_process_type_scopes_it(client, auth, emulator):
    with_options(emulator)
    auth.login()
    r = client.post("/apps/api/docker-options/add", headers=HX,
                    data={"phases": "deploy", "option": "--memory=2g", "process": "worker",
                          "confirm_risk": "yes"})
    assert r.status_code == 200
    assert writes(emulator) == [["docker-options:add", "--process", "worker", "api", "deploy",
                                 "--memory=2g"]]
    assert stored(emulator) == ([], {"worker": ["--memory=2g"]})


def test_a_process_scope_outside_the_deploy_phase_is_refused_before_dokku(client, auth, emulator):
    with_options(emulator)
    auth.login()
    client.get("/apps/api/network", headers=HX)
    r = client.post("/apps/api/docker-options/add", headers=HX,
                    data={"phases": ["deploy", "run"], "option": "--memory=2g",
                          "process": "worker", "confirm_risk": "yes"})
    assert r.status_code == 422
    assert "deploy phase only" in error_next_to(r, "process")
    assert writes(emulator) == []


def test_removing_a_process_scoped_option_leaves_the_default_one(client, auth, emulator):
    with_options(emulator, default=["--memory=2g"], worker=["--memory=2g"])
    auth.login()
    page = soup(client.get("/apps/api/network", headers=HX))
    form = page.select_one('ul.docker-options[data-process="worker"] li form')
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    client.post("/apps/api/docker-options/remove", headers=HX, data=data)
    assert writes(emulator) == [["docker-options:remove", "--process", "worker", "api", "deploy",
                                 "--memory=2g"]]
    assert stored(emulator) == (["--memory=2g"], {})


def test_clear_without_a_process_says_per_process_options_stay(client, auth, emulator):
    with_options(emulator, default=["--shm-size=1g"], worker=["--memory=2g"])
    auth.login()
    page = soup(client.get("/apps/api/network", headers=HX))
    hint = " ".join(page.select_one("#docker-options-clear-scope").get_text(" ", strip=True).split())
    assert "leaves the options scoped to a process type in place" in hint
    r = client.post("/apps/api/docker-options/clear", headers=HX, data={})
    assert writes(emulator) == [["docker-options:clear", "api"]]
    assert stored(emulator) == ([], {"worker": ["--memory=2g"]})
    assert soup(r).select_one('ul.docker-options[data-process="worker"]')
    client.post("/apps/api/docker-options/clear", headers=HX, data={"clear_process": "worker"})
    assert writes(emulator)[-1] == ["docker-options:clear", "--process", "worker", "api", "deploy"]
    assert stored(emulator) == ([], {})
