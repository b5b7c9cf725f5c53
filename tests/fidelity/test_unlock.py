"""Unlocking an app whose lock is already gone says "not locked", not "failed" (issue 11 item 10).

plugins/apps/subcommands.go CommandUnlock removes the lock file with
os.Remove and fails with "Unable to remove deploy lock" (exit 1) when there
is none, which happens whenever a deploy ends between loading the page and
clicking "Unlock deploys".
"""

from __future__ import annotations

from docklight.emulator import state as emu
from tests.tabs import HX, soup


def locked_app(emulator):
    """Reset to one deployed app `api` holding a deploy lock."""
    app = emu.make_app("api")
    app["locked"] = True
    emulator.reset(apps=[app])


def test_unlocking_an_app_whose_deploy_ended_meanwhile_says_not_locked(client, auth, emulator):
    locked_app(emulator)
    auth.login()
    assert "Unlock deploys" in client.get("/apps/api/overview", headers=HX).get_data(as_text=True)
    state = emulator.state()
    state["apps"]["api"]["locked"] = False  # the deploy finished and took its lock away
    emu.write_state(emulator.home, state)
    r = client.post("/apps/api/unlock", headers=HX)
    assert r.status_code == 200
    page = soup(r)
    assert "is not locked" in page.select_one("#unlock-not-locked").get_text()
    assert page.select_one(".dokku-error") is None
    assert "deploy locked" not in page.get_text()
    events = emulator.events()
    pids = {e["pid"] for e in events if e.get("argv") == ["apps:unlock", "api"]}
    assert [e["exit"] for e in events if e["event"] == "end" and e["pid"] in pids] == [1]
