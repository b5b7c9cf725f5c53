"""Settings: every invalid value is one clear line and exit 1, never a traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading

import pytest

from docklight import config
from docklight.dokku.targets import SSHTarget

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env(tmp_path, **kw):
    base = {"DOCKLIGHT_PASSWORD": "pw", "DOCKLIGHT_DATA_DIR": str(tmp_path),
            "DOCKLIGHT_DOKKU_SSH_TARGET": "dokku@example.com"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize("text, user, host, port", [
    ("dokku@host", "dokku", "host", 22),
    ("dokku@host:2222", "dokku", "host", 2222),
    ("ssh://dokku@host:2200", "dokku", "host", 2200),
    ("ssh://dokku@host", "dokku", "host", 22),
    ("dokku@[::1]:2222", "dokku", "::1", 2222),
    ("dokku@10.0.0.5", "dokku", "10.0.0.5", 22),
    ("host.example.com", "dokku", "host.example.com", 22),
])
def test_ssh_target_forms(text, user, host, port):
    target = SSHTarget.parse(text)
    assert (target.user, target.host, target.port) == (user, host, port)


@pytest.mark.parametrize("text", ["dokku@", "dokku@host:99999", "dokku@host:port", "a b@host",
                                  "dokku@[::1", "ssh://dokku@host:22/path/x"])
def test_ssh_target_rejects(text):
    with pytest.raises(ValueError, match="SSH target"):
        SSHTarget.parse(text)


def test_known_hosts_name_uses_brackets_for_other_ports():
    assert SSHTarget.parse("dokku@h").known_hosts_name == "h"
    assert SSHTarget.parse("dokku@h:2222").known_hosts_name == "[h]:2222"
    assert str(SSHTarget.parse("dokku@[::1]:2222")) == "dokku@[::1]:2222"


def test_ssh_opts_parse_supported_options():
    opts = config.parse_ssh_opts(
        "-o Port=2222 -oIdentityFile=/k -o UserKnownHostsFile=/kh "
        "-o StrictHostKeyChecking=accept-new -o ConnectTimeout=5 -o ServerAliveInterval=30")
    assert opts == {"port": "2222", "identityfile": "/k", "userknownhostsfile": "/kh",
                    "stricthostkeychecking": "accept-new", "connecttimeout": "5",
                    "serveraliveinterval": "30"}


@pytest.mark.parametrize("text, message", [
    ("-o ProxyCommand=nc", "unsupported option 'proxycommand'"),
    ("-o Port", "needs Key=Value"),
    ("--verbose", "unexpected '--verbose'"),
    ("-o 'Port=1", "No closing quotation"),
])
def test_ssh_opts_errors(text, message):
    with pytest.raises(config.ConfigError, match=message):
        config.parse_ssh_opts(text)


@pytest.mark.parametrize("overrides, message", [
    ({"DOCKLIGHT_PASSWORD": None}, "DOCKLIGHT_PASSWORD is required"),
    ({"PORT": "http"}, "PORT must be a whole number"),
    ({"PORT": "70000"}, "PORT must be from 1 to 65535"),
    ({"DOCKLIGHT_LOG_LEVEL": "loud"}, "DOCKLIGHT_LOG_LEVEL must be one of"),
    ({"DOCKLIGHT_TRUSTED_PROXIES": "-1"}, "DOCKLIGHT_TRUSTED_PROXIES must be from 0"),
    ({"DOCKLIGHT_DOKKU_SSH_TARGET": "dokku@host:x"}, "DOCKLIGHT_DOKKU_SSH_TARGET: invalid"),
    ({"DOCKLIGHT_DOKKU_SSH_OPTS": "-o StrictHostKeyChecking=no"}, "not supported"),
    ({"DOCKLIGHT_SECRET": "short"}, "at least 16 characters"),
    ({"DOCKLIGHT_DOKKU_SSH_TARGET": None, "DOCKLIGHT_DEMO": "0",
      "DOCKLIGHT_DOKKU_BIN": "no-such-dokku-binary"}, "no Dokku to talk to"),
])
def test_invalid_settings(tmp_path, overrides, message):
    with pytest.raises(config.ConfigError, match=message):
        config.load(env(tmp_path, **overrides))


def test_ssh_opts_port_applies_when_target_has_none(tmp_path):
    s = config.load(env(tmp_path, DOCKLIGHT_DOKKU_SSH_OPTS="-o Port=2200"))
    assert s.dokku.target.port == 2200
    s = config.load(env(tmp_path, DOCKLIGHT_DOKKU_SSH_TARGET="dokku@h:2201",
                        DOCKLIGHT_DOKKU_SSH_OPTS="-o Port=2200"))
    assert s.dokku.target.port == 2201


def test_generated_secret_is_private_and_reused(tmp_path):
    first = config.load(env(tmp_path)).secret_key
    path = tmp_path / "secret_key"
    assert len(first) == 32 and path.read_bytes() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config.load(env(tmp_path)).secret_key == first
    assert config.load(env(tmp_path, DOCKLIGHT_SECRET="x" * 20)).secret_key == b"x" * 20


def test_concurrent_starts_agree_on_one_secret(tmp_path):
    results = []
    barrier = threading.Barrier(8)

    def start():
        barrier.wait()
        results.append(config.ensure_file(str(tmp_path / "secret_key"), os.urandom(32)))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results[0]) == 32
    assert sorted(os.listdir(tmp_path)) == ["secret_key"]  # no temp files left


def test_demo_mode_without_target_or_dokku(tmp_path):
    s = config.load(env(tmp_path, DOCKLIGHT_DOKKU_SSH_TARGET=None, DOCKLIGHT_PASSWORD=None,
                        DOCKLIGHT_DOKKU_BIN="no-such-dokku-binary"))
    assert s.dokku.demo and s.password_generated and len(s.password) >= 12
    assert s.dokku.local_argv[1] == "-S"
    assert s.dokku.local_argv[2].endswith("/docklight/emulator/dokku.py")
    again = config.load(env(tmp_path, DOCKLIGHT_DOKKU_SSH_TARGET=None, DOCKLIGHT_PASSWORD=None,
                            DOCKLIGHT_DOKKU_BIN="no-such-dokku-binary"))
    assert again.password == s.password


@pytest.mark.parametrize("entry", [
    [sys.executable, "app.py"],
    [sys.executable, "-c", "import wsgi"],
    [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--check-config",
     "-c", "gunicorn.conf.py", "wsgi:app"],
])
def test_entry_points_print_one_line_and_exit_1(tmp_path, entry):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DOCKLIGHT_")}
    environ.update(env(tmp_path, PORT="not-a-port"))
    proc = subprocess.run(entry, cwd=REPO, env=environ, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines == ["docklight: configuration error: PORT must be a whole number, got "
                     "'not-a-port'"]
    assert "Traceback" not in proc.stdout + proc.stderr
