"""The Dokku version is read once per SSH connection, and again after a reconnect (issue 11 item 10).

What a form sends depends on the version (JSON reports, per-process docker
options, which docker-option values Dokku would expand), so a page asks for it
often. Asking Dokku every time would double the round trips; asking once per
process would keep an old answer after the host was upgraded and the
connection came back. The client keeps the version with the number of the
connection it was read over.
"""

from __future__ import annotations

import time

from tests.tabs import HX

# Tabs whose reads each ask the client for the version (storage list-entries
# JSON since 0.38, ports since 0.31, report JSON since 0.23.1, ...).
TABS = ("/apps/api/storage", "/apps/api/ports", "/apps/api/overview", "/apps/api/network")


def version_calls(emulator) -> int:
    """Return how many `dokku version` reached the emulator."""
    return emulator.calls().count(["version"])


def test_an_upgraded_host_is_seen_after_a_reconnect_with_one_version_per_connection(
        client, auth, emulator, app, sshd):
    auth.login()
    for path in TABS * 2:
        assert client.get(path, headers=HX).status_code == 200
    assert len(emulator.calls()) > len(TABS)  # many commands went over the connection ...
    assert version_calls(emulator) == 1  # ... and the version was asked once
    dokku = app.extensions["docklight"].dokku
    first = dokku.executors.user.connection
    sshd.kill_connections()
    time.sleep(0.2)
    emulator.settings(version="0.38.26")  # the host was upgraded while we were away
    for path in TABS * 2:
        assert client.get(path, headers=HX).status_code == 200
    assert dokku.executors.user.connection == first + 1
    assert version_calls(emulator) == 2  # one more for the new connection, not one per page
    assert str(dokku.version()) == "0.38.26"
