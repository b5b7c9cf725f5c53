"""The Storage tab shows each mount as Dokku 0.38 models it and unmounts it with the form that works (issue 11 item 6).

plugins/storage: a colon-form `storage:unmount app host:container` derives
a legacy-<hash> entry name (subcommands.go unmountLegacyColon), so for a
named entry (`storage:create`) it answers "Mount path does not exist." and
the mount stays; only `storage:unmount app NAME --container-dir PATH`
removes it. Mounts are made through the emulator's own commands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from docklight.emulator import state as emu
from tests import emulator_process
from tests.tabs import HX, soup, writes


def dokku(emulator, *args):
    """Run a Dokku command on the emulated host, as an operator would on the server."""
    env = emulator_process.environment(emulator.home, DOKKU_EMULATOR_ROOT="1")
    done = subprocess.run(emulator_process.argv(*args), env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def mounted(emulator) -> list[tuple[str, str]]:
    """Return (entry, container path) of each of api's mounts, as Dokku holds them."""
    return [(a["entry_name"], a["container_path"]) for a in emulator.state()["apps"]["api"]["storage"]]


def host_with_mounts(emulator):
    """api with a named entry, a bind mount and a docker volume, each mounted the Dokku way."""
    emulator.reset(apps=[emu.make_app("api")])
    dokku(emulator, "storage:create", "uploads")
    dokku(emulator, "storage:mount", "api", "uploads", "--container-dir", "/app/uploads")
    dokku(emulator, "storage:mount", "api", "/srv/certs:/certs:ro")
    dokku(emulator, "storage:mount", "api", "cache-volume:/cache")


def sent(emulator, setup: int) -> list[list[str]]:
    """Return the writes Docklight sent after the setup's own commands."""
    return writes(emulator)[setup:]


def rows(response) -> dict:
    """Return each mount row by container path."""
    return {tr["data-mount"].split(":")[1]: tr for tr in soup(response).select("#mounts tbody tr")}


def post_row(client, tr):
    """Press a row's Unmount button (its hidden fields)."""
    data = {i["name"]: i.get("value", "") for i in tr.select("form input[type=hidden]")}
    return client.post("/apps/api/storage/unmount", headers=HX, data=data)


def test_unmounting_a_named_storage_entry_really_removes_it(client, auth, emulator):
    host_with_mounts(emulator)
    setup = len(writes(emulator))
    auth.login()
    tr = rows(client.get("/apps/api/storage", headers=HX))["/app/uploads"]
    assert tr["data-kind"] == "entry"
    assert "storage entry uploads" in tr.get_text(" ", strip=True)
    assert "dokku storage:unmount api uploads --container-dir /app/uploads" in tr.select_one(
        ".unmount-command").get_text(" ", strip=True)
    r = post_row(client, tr)
    assert r.status_code == 200
    assert sent(emulator, setup) == [["storage:unmount", "api", "uploads", "--container-dir",
                                   "/app/uploads"]]
    assert ("uploads", "/app/uploads") not in mounted(emulator)
    assert "/app/uploads" not in rows(r)


def test_bind_mounts_and_docker_volumes_unmount_by_their_colon_form(client, auth, emulator):
    host_with_mounts(emulator)
    setup = len(writes(emulator))
    auth.login()
    table = rows(client.get("/apps/api/storage", headers=HX))
    assert (table["/certs"]["data-kind"], table["/cache"]["data-kind"]) == ("bind", "volume")
    post_row(client, table["/certs"])
    post_row(client, table["/cache"])
    assert sent(emulator, setup) == [["storage:unmount", "api", "/srv/certs:/certs"],
                                  ["storage:unmount", "api", "cache-volume:/cache"]]
    assert mounted(emulator) == [("uploads", "/app/uploads")]


def test_storage_list_of_the_emulator_names_each_entry(emulator):
    """The emulator's storage:list JSON carries entry_name as Dokku 0.38's ListAppMountEntries does."""
    host_with_mounts(emulator)
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "DOKKU_EMULATOR_HOME": str(emulator.home)}
    out = subprocess.run([sys.executable, "-m", "docklight.emulator", "storage:list", "api",
                          "--format", "json"], env=env, capture_output=True, text=True).stdout
    names = [row["entry_name"] for row in json.loads(out)]
    assert "uploads" in names and all(n == "uploads" or n.startswith("legacy-") for n in names)
