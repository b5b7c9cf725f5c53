"""The Resources tab sends Dokku what clears exactly the row the user picked (issue 11 items 1, 5).

Dokku's plugins/resource/functions.go clearByResourceType deletes EVERY
resource property of the app when `--process-type` is missing, so each
row's button must name its process type (`_default_` for the all-processes
row) and "clear everything" is its own, typed-name action. Every test goes
through the real sshd to the emulator and reads its argv log and state.
"""

from __future__ import annotations

from docklight.emulator import state as emu
from tests.tabs import HX, error_next_to, soup, writes

SETTINGS = {"_default_.limit.memory": "1g", "_default_.reserve.memory": "256m",
            "web.limit.cpu": "2", "web.reserve.memory": "128m", "worker.limit.memory": "2g"}


def with_resources(emulator, resources=None):
    """Reset the emulator to one deployed app `api` holding resources."""
    app = emu.make_app("api", processes={"web": 1, "worker": 1})
    app["resources"] = dict(SETTINGS if resources is None else resources)
    emulator.reset(apps=[app])


def stored(emulator) -> dict:
    """Return what Dokku holds for api."""
    return emulator.state()["apps"]["api"]["resources"]


def row_buttons(response) -> dict:
    """Return each clear button's hidden fields, by (row, kind)."""
    found = {}
    for tr in soup(response).select("#resource-table tbody tr"):
        for form in tr.select("form"):
            hidden = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
            found[(tr["data-process"], hidden["kind"])] = hidden
    return found


def test_clearing_the_default_row_keeps_every_process_types_limits_and_reservations(client, auth,
                                                                                    emulator):
    with_resources(emulator)
    auth.login()
    buttons = row_buttons(client.get("/apps/api/resources", headers=HX))
    assert buttons[("_default_", "limit")]["process_type"] == "_default_"
    r = client.post("/apps/api/resources/clear", headers=HX, data=buttons[("_default_", "limit")])
    assert r.status_code == 200
    assert writes(emulator) == [["resource:limit-clear", "--process-type", "_default_", "api"]]
    expected = dict(SETTINGS)
    del expected["_default_.limit.memory"]
    assert stored(emulator) == expected
    # A named row touches its own kind only: web keeps its limits.
    client.post("/apps/api/resources/clear", headers=HX, data=buttons[("web", "reserve")])
    assert writes(emulator)[-1] == ["resource:reserve-clear", "--process-type", "web", "api"]
    del expected["web.reserve.memory"]
    assert stored(emulator) == expected


def test_clear_form_with_empty_process_type_clears_only_the_default_row(client, auth, emulator):
    with_resources(emulator)
    auth.login()
    r = client.post("/apps/api/resources/clear", headers=HX,
                    data={"clear_kind": "reserve", "clear_process_type": ""})
    assert r.status_code == 200
    assert writes(emulator) == [["resource:reserve-clear", "--process-type", "_default_", "api"]]
    expected = dict(SETTINGS)
    del expected["_default_.reserve.memory"]
    assert stored(emulator) == expected


def test_clear_everything_needs_the_typed_app_name_and_says_what_it_removes(client, auth, emulator):
    with_resources(emulator)
    auth.login()
    page = soup(client.get("/apps/api/resources", headers=HX))
    card = page.select_one("#resources-clear-everything")
    assert "every limit and every reservation" in card.get_text(" ", strip=True)
    r = client.post("/apps/api/resources/clear-everything", headers=HX, data={"confirm": "ap"})
    assert r.status_code == 422
    assert "Type api exactly" in error_next_to(r, "confirm")
    assert writes(emulator) == []
    assert stored(emulator) == SETTINGS
    r = client.post("/apps/api/resources/clear-everything", headers=HX, data={"confirm": "api"})
    assert r.status_code == 200
    assert writes(emulator) == [["resource:limit-clear", "api"]]
    assert stored(emulator) == {}
    assert soup(r).select_one("#resources-none")


def test_clearing_the_default_row_without_js_keeps_the_other_rows(client, auth, emulator):
    with_resources(emulator)
    auth.login()
    r = client.post("/apps/api/resources/clear",
                    data={"row": "1", "kind": "reserve", "process_type": "_default_"})
    assert r.status_code in (302, 303)
    assert writes(emulator) == [["resource:reserve-clear", "--process-type", "_default_", "api"]]
    expected = dict(SETTINGS)
    del expected["_default_.reserve.memory"]
    assert stored(emulator) == expected
