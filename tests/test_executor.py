"""The SSH executor against a real sshd: byte-exact arguments, host keys,
timeouts, cancellation, concurrency and reconnection."""

from __future__ import annotations

import logging
import subprocess
import threading
import time

import pytest

from docklight.dokku import commands, envfile, parsers
from docklight.dokku.command import Command
from docklight.dokku.errors import CommandTimeout, DokkuError, HostKeyError
from docklight.dokku.executor import SSHExecutor
from docklight.dokku.targets import SSHSettings, SSHTarget, Timeouts

HOSTILE_VALUES = [
    "two words",
    "both 'single' and \"double\" quotes",
    "$(touch /tmp/pwned) and `id`",
    "a;b|c&d>e<f",
    "back\\slash \\' \\\"",
    "ünïcödé ✓ 日本",
    "tab\there",
    "--force",
    "-x leading dash",
    "=equals=",
    "*glob?[x]",
    "",
]
NEWLINE_VALUES = ["line one\nline two", "trailing newline\n", "-n", "-e", "--help", "--version"]


def executor(sshd, **overrides) -> SSHExecutor:
    settings = SSHSettings(key_path=sshd.key_path, known_hosts=sshd.known_hosts)
    timeouts = Timeouts()
    for key, value in overrides.items():
        if hasattr(settings, key):
            setattr(settings, key, value)
        else:
            setattr(timeouts, key, value)
    return SSHExecutor(SSHTarget.parse(sshd.target), settings, timeouts)


@pytest.fixture
def ssh(sshd, emulator):
    ex = executor(sshd)
    yield ex
    ex.close()


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_plain_arguments_arrive_byte_exact(ssh, emulator, value):
    # A raw Command (tests only) proves the wire encoding itself.
    args = ("config:set", "--no-restart", "api", f"KEY={value}")
    result = ssh.run(Command(args=args, shown=args, mutates=True))
    assert emulator.calls()[-1] == list(args)
    assert result.ok, result.stderr
    # What Dokku then stores is godotenv's reading of it (a trailing " turns into \\).
    assert emulator.state()["apps"]["api"]["config"]["KEY"] == envfile.round_trip("KEY", value)[0]


@pytest.mark.parametrize("value", HOSTILE_VALUES + NEWLINE_VALUES)
def test_config_values_round_trip_through_encoded(ssh, emulator, value):
    if envfile.refusal(value):  # Dokku would not give it back: never sent
        with pytest.raises(ValueError):
            commands.config_set("api", {"KEY": value}, restart=False)
        return
    assert ssh.run(commands.config_set("api", {"KEY": value}, restart=False)).ok
    exported = ssh.run(commands.config_export("api"))
    assert parsers.parse_config_export_json(exported.stdout)["KEY"] == value
    got = ssh.run(commands.config_get("api", "KEY"))
    assert got.stdout == value + "\n"


def test_success_is_the_exit_code_not_stderr(ssh, emulator):
    emulator.reset(apps=[])
    result = ssh.run(commands.report("ps"))
    assert result.ok and "You haven't deployed any applications yet" in result.stderr
    missing = ssh.run(commands.ps_action("restart", "nope"))
    assert missing.exit_code == 20 and not missing.ok
    assert parsers.parse_dokku_error(missing.stderr) == "App nope does not exist"


def test_unknown_host_key_is_refused_with_fingerprint(sshd, emulator, tmp_path):
    ex = executor(sshd, known_hosts=str(tmp_path / "empty_known_hosts"))
    with pytest.raises(HostKeyError) as info:
        ex.run(commands.version())
    assert info.value.title == "Unknown host key"
    assert info.value.fingerprint.startswith("SHA256:")
    assert f"ssh-keyscan -p {sshd.port} 127.0.0.1" in info.value.hint
    assert emulator.calls() == []


def test_accept_new_trusts_the_first_key_then_pins_it(sshd, emulator, tmp_path):
    path = tmp_path / "kh"
    ex = executor(sshd, known_hosts=str(path), strict_host_key_checking="accept-new")
    assert ex.run(commands.version()).ok
    line = path.read_text()
    assert line.startswith(f"[127.0.0.1]:{sshd.port} ssh-ed25519 ")
    ex.close()
    strict = executor(sshd, known_hosts=str(path))
    assert strict.run(commands.version()).ok
    strict.close()


def test_accept_new_logs_the_key_it_trusted(sshd, emulator, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="docklight.dokku")
    path = tmp_path / "kh"
    ex = executor(sshd, known_hosts=str(path), strict_host_key_checking="accept-new")
    assert ex.run(commands.version()).ok
    ex.close()
    [record] = [r for r in caplog.records if r.message == "trusted new host key on first use"]
    assert record.levelno == logging.WARNING and record.name == "docklight.dokku"
    assert record.target == f"dokku@127.0.0.1:{sshd.port}"
    # OpenSSH's own fingerprint of the line we pinned.
    listed = subprocess.run(["ssh-keygen", "-l", "-f", str(path)], check=True,
                            capture_output=True, text=True).stdout.split()
    assert record.fingerprint == listed[1]
    # The key is pinned now: the next connection trusts nothing new.
    caplog.clear()
    again = executor(sshd, known_hosts=str(path), strict_host_key_checking="accept-new")
    assert again.run(commands.version()).ok
    again.close()
    assert not [r for r in caplog.records if r.message == "trusted new host key on first use"]


def test_changed_host_key_is_refused(sshd, emulator):
    ex = executor(sshd, known_hosts=sshd.wrong_known_hosts)
    with pytest.raises(HostKeyError, match="Host key mismatch"):
        ex.run(commands.version())
    assert emulator.calls() == []


def test_wrong_key_is_an_authentication_error(sshd, emulator, tmp_path):
    key = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    ex = executor(sshd, key_path=str(key))
    with pytest.raises(DokkuError, match="Authentication failed"):
        ex.run(commands.version())


def test_read_timeout_closes_the_channel(sshd, emulator):
    emulator.settings(delay_ms=5000)
    ex = executor(sshd, read=0.5)
    started = time.monotonic()
    with pytest.raises(CommandTimeout) as info:
        ex.run(commands.report("ps"))
    assert time.monotonic() - started < 3
    assert info.value.result.status == "timeout"
    ex.close()


def test_cancelling_a_stream_ends_the_remote_command(ssh, emulator):
    emulator.settings(step_delay_ms=300)
    stream = ssh.stream(commands.ps_action("rebuild", "api"))
    lines = iter(stream)
    first = next(lines)
    assert first
    stream.cancel()
    rest = list(lines)  # iteration ends once the channel is closed
    assert not any("Application deployed" in line for line in [first, *rest])
    assert stream.result.status == "cancelled"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ends = [e for e in emulator.events() if e["event"] == "end"]
        if ends:
            break
        time.sleep(0.05)
    assert ends and ends[-1]["reason"] in ("SIGHUP", "SIGPIPE", "SIGTERM")


def test_closing_a_silent_log_tail_ends_it(ssh, emulator):
    # logs --tail writes nothing while the app is quiet: only the pty's
    # hang-up can end it (reference 0.7).
    stream = ssh.stream(commands.logs("api", num=0, tail=True))
    reader = threading.Thread(target=lambda: list(stream), daemon=True)
    reader.start()
    time.sleep(0.5)
    stream.cancel()
    reader.join(5)
    assert not reader.is_alive()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(e["event"] == "end" for e in emulator.events()):
            break
        time.sleep(0.05)
    ends = [e for e in emulator.events() if e["event"] == "end"]
    assert ends and ends[-1]["reason"] == "SIGHUP"


def test_stream_yields_lines_in_order_with_exit_code(ssh, emulator):
    emulator.settings(step_delay_ms=0)
    stream = ssh.stream(commands.ps_action("restart", "api"))
    lines = list(stream)
    assert any(line.startswith("-----> Deploying web") for line in lines)
    assert all("\r" not in line for line in lines)
    assert stream.result.exit_code == 0 and stream.result.status == "ok"


def test_channels_run_concurrently_up_to_the_bound(sshd, emulator):
    emulator.settings(delay_ms=400)
    ex = executor(sshd, max_channels=4)
    results = []
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: results.append(ex.run(commands.version())))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert len(results) == 8 and all(r.ok for r in results)
    # 8 commands of 0.4 s with 4 at a time: two waves, not one and not eight.
    assert 0.8 <= elapsed < 3.2
    ex.close()


def test_large_stderr_does_not_deadlock(sshd, emulator):
    # A small SSH window makes a sequential reader stall: stderr fills the
    # window while stdout waits for EOF.
    ex = executor(sshd, window_size=32768, read=20)
    result = ex.run(Command(args=("no-such-command", "x" * 100000), shown=("no-such-command",)))
    assert result.exit_code == 1
    assert len(result.stderr) > 100000
    ex.close()


def test_reconnects_after_the_connection_drops(ssh, sshd, emulator):
    assert ssh.run(commands.version()).ok
    sshd.kill_connections()
    time.sleep(0.2)
    assert ssh.run(commands.version()).ok
    assert [c for c in emulator.calls()] == [["version"], ["version"]]


def test_one_transport_for_many_commands(sshd, emulator):
    def logins():
        with open(sshd.sshd_log) as f:
            return f.read().count("Accepted publickey")

    before = logins()
    ex = executor(sshd)
    for _ in range(5):
        assert ex.run(commands.version()).ok
    ex.close()
    time.sleep(0.1)
    assert logins() - before == 1  # five commands, one SSH login


def test_lost_connection_mid_read_is_retried_once(ssh, sshd, emulator):
    emulator.settings(delay_ms=800)
    assert ssh.run(commands.version()).ok
    timer = threading.Timer(0.3, lambda: sshd.kill_connections(include_commands=False))
    timer.start()
    result = ssh.run(commands.report("ps"))
    timer.join()
    assert result.ok and "=====> api ps information" in result.stdout
    assert emulator.calls().count(["ps:report"]) == 2


def test_lost_connection_mid_change_is_not_retried(ssh, sshd, emulator):
    emulator.settings(delay_ms=800)
    assert ssh.run(commands.version()).ok
    timer = threading.Timer(0.3, lambda: sshd.kill_connections(include_commands=False))
    timer.start()
    with pytest.raises(DokkuError, match="connection lost while the command ran"):
        ssh.run(commands.domains_change("add", "api", ["new.example.com"]))
    timer.join()
    time.sleep(1.0)
    assert [c for c in emulator.calls() if c[0] == "domains:add"] == [
        ["domains:add", "api", "new.example.com"]]


def test_the_connection_uses_an_aead_cipher_when_the_server_offers_one(ssh):
    """AES-GCM authenticates each packet in the decrypting call; CTR would add an HMAC."""
    assert ssh.run(commands.version()).ok
    transport = ssh._transport
    assert transport.remote_cipher == transport.local_cipher == "aes128-gcm@openssh.com"
