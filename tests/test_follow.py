"""The client's follow (``Dokku.follow``), the live-log fan-out's source, against the real sshd.

Each run is one history row holding the command, its outcome and Dokku's own
messages, never the followed lines; runs share SSH connections of their own.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from docklight import db
from docklight.dokku import commands
from docklight.dokku.actor import Actor
from docklight.dokku.client import connect
from docklight.dokku.errors import DokkuError
from docklight.dokku.targets import DokkuSettings, SSHSettings, SSHTarget, Timeouts
from docklight.emulator import state as emu
from docklight.history import History


@pytest.fixture(autouse=True)
def no_old_lines(emulator):
    """Start from empty log sources: the emulator keeps logs/ across resets."""
    for name in ("logs", "log-stamps"):
        shutil.rmtree(os.path.join(emulator.home, name), ignore_errors=True)


@pytest.fixture
def database(tmp_path) -> str:
    path = str(tmp_path / "docklight.sqlite3")
    db.migrate(path)
    return path


def make_dokku(sshd, database, key_path=None):
    ssh = SSHSettings(key_path=key_path or sshd.key_path, known_hosts=sshd.known_hosts)
    settings = DokkuSettings(target=SSHTarget.parse(sshd.target), root_target=None, ssh=ssh,
                             root_ssh=ssh, local_argv=[], local_env=None, timeouts=Timeouts())
    return connect(settings, History(database))


@pytest.fixture
def dokku(sshd, emulator, database):
    client = make_dokku(sshd, database)
    yield client
    client.close()


def logs_rows(database) -> list[tuple]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute("SELECT command, status, exitCode, stdout, stderr FROM commands"
                            " WHERE subcommand = 'logs' ORDER BY id").fetchall()
    finally:
        conn.close()


def logins(sshd) -> int:
    with open(sshd.sshd_log) as f:
        return f.read().count("Accepted publickey")


class Reader:
    """Read one run's lines in the background, as the fan-out does."""

    def __init__(self, run):
        self.run = run
        self.lines: list[str] = []
        self.thread = threading.Thread(target=lambda: self.lines.extend(run), daemon=True)
        self.thread.start()

    def wait_for(self, text: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(text in line for line in self.lines), self.lines

    def stop(self) -> None:
        self.run.cancel()
        self.thread.join(10)
        assert not self.thread.is_alive()


def test_a_refusal_keeps_dokkus_message_out_of_the_lines_and_in_one_row(dokku, database):
    command = commands.logs("draft", num=100, tail=True)
    run = dokku.follow(command, actor=Actor("203.0.113.9", "ann")).open()
    assert list(run) == []  # Dokku's ` !     ` line is not a log line
    assert run.messages == ["App draft has not been deployed"]
    assert (run.result.exit_code, run.result.status) == (1, "failed")
    assert run.command_display == "dokku logs draft --num 100 --tail"
    assert logs_rows(database) == [("dokku logs draft --num 100 --tail", "failed", 1, "",
                                    "App draft has not been deployed")]


def test_lines_are_followed_but_never_stored(dokku, database, emulator):
    emu.append_log_line(emulator.home, "api", "booted")
    reader = Reader(dokku.follow(commands.logs("api", num=100, tail=True)).open())
    reader.wait_for("booted")
    emu.append_log_line(emulator.home, "api", "later")
    reader.wait_for("later")
    assert logs_rows(database) == [("dokku logs api --num 100 --tail", "running", None, "", "")]
    reader.stop()
    assert reader.run.result.status == "cancelled"
    assert logs_rows(database) == [("dokku logs api --num 100 --tail", "cancelled", None, "", "")]


def test_follows_share_a_connection_of_their_own(dokku, sshd, emulator):
    before = logins(sshd)
    assert dokku.run(commands.version()).ok
    source = dokku.follow(commands.logs("api", num=100, tail=True))
    emu.append_log_line(emulator.home, "api", "for both")
    readers = [Reader(source.open()), Reader(source.open())]
    for reader in readers:
        reader.wait_for("for both")
    # One login for reads, one for the two follows: tails never take the
    # channels page reads need.
    assert logins(sshd) - before == 2
    assert emulator.calls() == [["version"], ["logs", "api", "--num", "100", "--tail"],
                                ["logs", "api", "--num", "100", "--tail"]]
    for reader in readers:
        reader.stop()
    assert dokku.run(commands.version()).ok
    assert logins(sshd) - before == 2  # reads kept their connection


def test_a_refused_key_is_recorded_and_not_worth_retrying(sshd, emulator, database, tmp_path):
    key = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    client = make_dokku(sshd, database, key_path=str(key))
    try:
        with pytest.raises(DokkuError) as info:
            client.follow(commands.logs("api", num=100, tail=True)).open()
    finally:
        client.close()
    assert info.value.title == "Authentication failed" and not info.value.transient
    assert info.value.command.display == "dokku logs api --num 100 --tail"
    [(command, status, exit_code, stdout, stderr)] = logs_rows(database)
    assert (command, status, exit_code, stdout) == ("dokku logs api --num 100 --tail", "error",
                                                    None, "")
    assert stderr.startswith("Authentication failed: ")
    assert emulator.calls() == []


def test_an_unreachable_host_is_worth_retrying(sshd, emulator, database):
    ssh = SSHSettings(key_path=sshd.key_path, known_hosts=sshd.known_hosts, connect_timeout=2)
    closed_port = SSHTarget("dokku", "127.0.0.1", 1)
    settings = DokkuSettings(target=closed_port, root_target=None, ssh=ssh, root_ssh=ssh,
                             local_argv=[], local_env=None, timeouts=Timeouts())
    client = connect(settings, History(database))
    with pytest.raises(DokkuError) as info:
        client.follow(commands.logs("api", num=100, tail=True)).open()
    client.close()
    assert info.value.title == "Cannot connect" and info.value.transient
    assert [row[1] for row in logs_rows(database)] == ["error"]
