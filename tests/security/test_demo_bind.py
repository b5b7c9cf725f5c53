"""The demo listens on loopback only unless told otherwise (issue 12.12)."""

from __future__ import annotations

import os

import pytest

from docklight.config import ConfigError, bind_address, load
from tests.live import LiveServer


def _listening(port: int) -> set[str]:
    """Return the local addresses (hex, as /proc/net/tcp* writes them) listening on port."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            fields = row.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_the_demo_under_gunicorn_listens_on_loopback_only(tmp_path):
    env = {"DOCKLIGHT_DATA_DIR": str(tmp_path), "DOCKLIGHT_DEMO": "1"}
    server = LiveServer(env)
    try:
        assert _listening(server.port) == {"0100007F"}  # 127.0.0.1
        log = server.log()
        kept = os.path.join(str(tmp_path), "demo-password")
        assert f"http://127.0.0.1:{server.port}/" in log and kept in log
    finally:
        server.stop()


@pytest.mark.parametrize("env, expected", [
    ({"DOCKLIGHT_DEMO": "1"}, "127.0.0.1:3001"),
    ({"DOCKLIGHT_DEMO": "1", "DOCKLIGHT_BIND": "0.0.0.0"}, "0.0.0.0:3001"),
    ({"DOCKLIGHT_DEMO": "1", "DOCKLIGHT_BIND": "::", "PORT": "8080"}, "[::]:8080"),
    ({"DOCKLIGHT_DEMO": "0", "DOCKLIGHT_DOKKU_SSH_TARGET": "dokku@host",
      "DOCKLIGHT_PASSWORD": "pw"}, "0.0.0.0:3001"),
])
def test_bind_follows_the_mode_unless_told_otherwise(tmp_path, env, expected):
    assert bind_address(load({"DOCKLIGHT_DATA_DIR": str(tmp_path), **env})) == expected


def test_a_bad_bind_address_stops_start_up(tmp_path):
    with pytest.raises(ConfigError, match="DOCKLIGHT_BIND must be an IP address"):
        load({"DOCKLIGHT_DATA_DIR": str(tmp_path), "DOCKLIGHT_DEMO": "1",
              "DOCKLIGHT_BIND": "every interface"})
