"""Buildpacks: only what Dokku's validBuildpackURL accepts is sent, and removing one never needs its URL (issue 11 item 9).

plugins/buildpacks/functions.go validBuildpackURL accepts ``owner/name`` or an
http/https/git URL (or git@host:path) with two path parts; anything else is
"Invalid buildpack specified". subcommands.go CommandRemove takes
``--index N`` (PropertyListGetByIndex), so the page, which shows a URL's
credential as ***, posts the position instead of the URL it cannot know.
"""

from __future__ import annotations

import pytest

from docklight.emulator import state as emu
from tests.tabs import HX, error_next_to, soup

TOKEN = "ghp_buildpackToken1234567890"
NODEJS = "https://github.com/heroku/heroku-buildpack-nodejs.git"
PRIVATE = f"https://x-access-token:{TOKEN}@github.com/acme/private-buildpack.git"
PROCFILE = "https://github.com/heroku/heroku-buildpack-procfile.git"


def buildpacks(emulator) -> list[str]:
    """Return api's buildpack list as Dokku holds it."""
    return emulator.state()["apps"]["api"]["buildpacks"]


def with_buildpacks(emulator, packs):
    """Reset to one app `api` holding packs."""
    app = emu.make_app("api")
    app["buildpacks"] = list(packs)
    emulator.reset(apps=[app])


@pytest.mark.parametrize("reference", [
    "nodejs",                                                   # no owner
    "heroku/node.js",                                           # '.' is not a word character
    "ssh://git@github.com/heroku/heroku-buildpack-nodejs.git",  # ssh:// is not http/https/git
    "https://github.com/heroku",                                # one path part
])
def test_a_buildpack_dokku_would_refuse_is_refused_with_its_rule(client, auth, emulator, sshd,
                                                                reference):
    auth.login()
    r = client.post("/apps/api/buildpacks/add", headers=HX, data={"url": reference})
    assert r.status_code == 422
    message = error_next_to(r, "url")
    assert "validBuildpackURL in plugins/buildpacks/functions.go" in message
    assert "owner/name" in message
    assert not [c for c in emulator.calls() if c[0] == "buildpacks:add"]
    done = sshd.run(f"buildpacks:add api {reference}")
    assert done.returncode == 1 and f"Invalid buildpack specified: {reference}" in done.stderr


def test_removing_a_buildpack_with_a_token_removes_that_one_and_never_shows_the_token(
        client, auth, emulator):
    with_buildpacks(emulator, [NODEJS, PRIVATE, PROCFILE])
    auth.login()
    page = client.get("/apps/api/deploy", headers=HX)
    assert TOKEN not in page.get_data(as_text=True)
    rows = soup(page).select("#buildpacks li")
    assert "github.com/acme/private-buildpack.git" in rows[1].get_text()
    form = rows[1].find("form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert TOKEN not in str(data)
    r = client.post(form["action"], headers=HX, data=data)
    assert r.status_code == 200
    assert ["buildpacks:remove", "--index", "2", "api"] in emulator.calls()
    assert buildpacks(emulator) == [NODEJS, PROCFILE]
    assert TOKEN not in r.get_data(as_text=True)


def test_a_buildpack_list_changed_since_the_page_was_loaded_is_left_alone(client, auth, emulator):
    with_buildpacks(emulator, [NODEJS, PRIVATE, PROCFILE])
    auth.login()
    form = soup(client.get("/apps/api/deploy", headers=HX)).select("#buildpacks li")[1].find("form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    state = emulator.state()  # someone else removes the first buildpack meanwhile
    state["apps"]["api"]["buildpacks"] = [PRIVATE, PROCFILE]
    emu.write_state(emulator.home, state)
    r = client.post(form["action"], headers=HX, data=data)
    assert r.status_code == 422
    assert "changed since this page was loaded" in error_next_to(r, "buildpack")
    assert not [c for c in emulator.calls() if c[0] == "buildpacks:remove"]
    assert buildpacks(emulator) == [PRIVATE, PROCFILE]
    assert TOKEN not in r.get_data(as_text=True)
