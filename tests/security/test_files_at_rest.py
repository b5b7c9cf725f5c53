"""The data folder is 0700 and its files 0600; start-up refuses anything looser (issue 12.10)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from docklight import create_app, db
from docklight.config import ConfigError, load
from tests.conftest import REPO_ROOT, app_config


def _mode(path: str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def fresh_dir(data_dir):
    """A data folder that does not exist yet, under a permissive umask."""
    old = os.umask(0o022)
    yield os.path.join(data_dir, "new", "data")
    os.umask(old)


def test_a_new_data_folder_and_every_file_in_it_are_private(sshd, emulator, fresh_dir):
    app = create_app(app_config(sshd, fresh_dir))
    # sqlite removes -wal and -shm when its last connection closes: hold one.
    held = db.connect(app.config["DATABASE"])
    try:
        client = app.test_client()
        client.post("/api/auth/login", data={"password": "wrong"},
                    headers={"Origin": "http://localhost"})  # a write goes to the WAL
        assert _mode(fresh_dir) == 0o700
        names = sorted(os.listdir(fresh_dir))
        for name in ("secret_key", "docklight.sqlite3", "docklight.sqlite3-wal",
                     "docklight.sqlite3-shm"):
            assert name in names
            assert _mode(os.path.join(fresh_dir, name)) == 0o600, name
    finally:
        held.close()
        dokku = app.extensions["docklight"]._dokku
        if dokku is not None:
            dokku.close()


@pytest.mark.parametrize("name, mode", [
    ("", 0o755), ("", 0o750), ("docklight.sqlite3", 0o644), ("secret_key", 0o640),
    ("docklight.sqlite3-wal", 0o604), ("demo-password", 0o644),
])
def test_start_up_refuses_a_folder_or_file_others_can_read(data_dir, name, mode):
    env = {"DOCKLIGHT_DATA_DIR": data_dir, "DOCKLIGHT_DEMO": "1"}
    load(env)  # private: starts
    path = os.path.join(data_dir, name) if name else data_dir
    if name:
        with open(path, "ab"):
            pass
    os.chmod(path, mode)
    with pytest.raises(ConfigError) as caught:
        load(env)
    message = str(caught.value)
    assert path in message and f"mode {mode:04o}" in message
    assert f"chmod {'700' if not name else '600'} {path}" in message


def test_gunicorn_stops_with_one_line_when_the_folder_is_open(data_dir):
    os.chmod(data_dir, 0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKLIGHT_")}
    env.update(DOCKLIGHT_DATA_DIR=data_dir, DOCKLIGHT_DEMO="1")
    done = subprocess.run([sys.executable, "-c", "import gunicorn.config; "
                           "from docklight.config import load_or_exit; load_or_exit()"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is open to other users (mode 0755)" in lines[0]
    assert lines[0].startswith("docklight: configuration error: the data folder")
