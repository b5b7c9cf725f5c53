"""Config values reach Dokku's env file byte-exact, or are refused before anything is sent.

Dokku stores an app's config in a file written by godotenv's Marshal and read
back by godotenv's parser (plugins/config/environment.go). The emulator
behind the real sshd keeps that file the same way (docklight.dokku.envfile),
so these tests assert on what reached Dokku (the argv log) and on the file
Dokku would hold. Each test is named after what a user would lose.
"""

from __future__ import annotations

import sqlite3

import pytest

from docklight.dokku import envfile
from docklight.emulator import state as emu
from tests.tabs import HX, soup

APP = "api"


def _set(client, pairs: dict[str, str], **extra):
    """Post the Config tab's set form (no restart, so it runs inline)."""
    data = {"rows": str(len(pairs)), "no_restart": "1", **extra}
    for i, (key, value) in enumerate(pairs.items()):
        data[f"key-{i}"], data[f"value-{i}"] = key, value
    return client.post(f"/apps/{APP}/config", data=data, headers=HX)


def _config_sets(emulator) -> list[list[str]]:
    return [argv for argv in emulator.calls() if argv[:1] == ["config:set"]]


def _error_of(response, field: str) -> str:
    """Return the message shown next to *field* (the form's own error paragraph)."""
    page = soup(response)
    box = page.select_one(f"#f-{field}")
    assert box is not None and box.get("aria-invalid") == "true"
    return page.select_one(f"#e-{field}").get_text()


def test_value_ending_in_backslash_is_refused_not_corrupting_the_app(client, auth, emulator):
    auth.login()
    before = emulator.state()["apps"][APP]
    r = _set(client, {"WIN_PATH": "C:\\data\\"})
    assert r.status_code == 422
    message = _error_of(r, "value-0")
    assert "ends in a backslash" in message and "every later config command" in message
    assert _config_sets(emulator) == []
    after = emulator.state()["apps"][APP]
    assert after.get("env_file") == before.get("env_file")
    assert "config_error" not in after and after["config"] == before["config"]


@pytest.mark.parametrize("typed, stored", [("007", "7"), ("+5", "5"), ("-0", "0")])
def test_number_with_sign_or_zeros_is_refused_showing_what_dokku_would_store(
        client, auth, emulator, typed, stored):
    auth.login()
    r = _set(client, {"PIN": typed})
    assert r.status_code == 422
    assert f"Dokku would store '{stored}' instead" in _error_of(r, "value-0")
    assert _config_sets(emulator) == []
    assert "PIN" not in emulator.state()["apps"][APP]["config"]


def test_value_ending_in_a_quote_is_refused_not_stored_with_a_backslash(client, auth, emulator):
    auth.login()
    r = _set(client, {"OK": "fine", "GREETING": 'say "hi"'})
    assert r.status_code == 422
    assert "Dokku would store 'say \"hi\\\\' instead" in _error_of(r, "value-1")
    assert _config_sets(emulator) == []  # one bad row keeps the whole set from being sent


# Values that godotenv does give back unchanged; each must land in the env file as Marshal writes it.
EXACT = {
    "DOLLAR_VAR": "$HOME and ${PATH} and $(id)",
    "ENDS_IN_DOLLAR": "price$",
    "BANG": "wow!",
    "BACKSLASH_N": "not\\na newline",
    "REAL_NEWLINES": "one\ntwo\n",  # (the form turns a textarea's CRLF into LF first)
    "HASH": "x # not a comment",
    "QUOTE_INSIDE": 'a "b" c',
    "SINGLE_AT_END": "it's'",
    "UNICODE": "grüße 🚀\u00a0",
    "BIG_NUMBER": "99999999999999999999",
    "NUMBER": "42",
    "EMPTY_LOOKING": " ",
}


def test_values_dokku_can_store_reach_its_env_file_byte_exact(client, auth, emulator):
    auth.login()
    r = _set(client, EXACT)
    assert r.status_code == 200, soup(r).get_text()
    (argv,) = _config_sets(emulator)
    assert argv[:4] == ["config:set", "--encoded", "--no-restart", APP]
    app = emulator.state()["apps"][APP]
    lines = app["env_file"].split("\n")
    for key, value in EXACT.items():
        assert envfile.marshal_line(key, value) in lines
        assert app["config"][key] == value, key
    assert '"\\$HOME and \\${PATH} and \\$(id)"' in app["env_file"]
    assert "NUMBER=42" in lines


def test_value_too_large_for_ssh_is_refused_not_lost_without_a_word(client, auth, emulator):
    # 100,000 bytes become 133,336 of base64: sshd could not even start Dokku.
    auth.login()
    r = _set(client, {"SMALL": "x", "CERT_BUNDLE": "A" * 100_000})
    assert r.status_code == 422
    message = _error_of(r, "value-1")
    assert "131,072 bytes (MAX_ARG_STRLEN" in message and "Nothing was sent" in message
    assert _config_sets(emulator) == []


@pytest.mark.parametrize("size, reaches", [(131_050, True), (131_051, False)])
def test_the_real_sshd_passes_exactly_the_line_length_docklight_allows(sshd, emulator, size, reaches):
    # The cap Docklight computes is the one Linux enforces on the way through sshd.
    import paramiko

    from docklight.dokku.command import MAX_WIRE_BYTES

    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(sshd.host, sshd.port, username=sshd.user, key_filename=sshd.key_path,
                   look_for_keys=False, allow_agent=False)
    try:
        prefix = f"config:set --no-restart {APP} BIG="
        channel = client.get_transport().open_session()
        channel.exec_command(prefix + "a" * (size - len(prefix)))
        stderr = channel.makefile_stderr().read().decode()
        code = channel.recv_exit_status()
    finally:
        client.close()
    assert (size <= MAX_WIRE_BYTES) is reaches
    if reaches:
        assert code == 0 and _config_sets(emulator)
    else:
        assert code != 0 and "Argument list too long" in stderr
        assert emulator.calls() == []


def test_an_env_file_broken_outside_docklight_fails_visibly_without_printing_its_values(
        app, client, auth, emulator):
    # godotenv's error quotes the file; Dokku prints it on every config command of the app.
    secret = "hunter2-database-password"
    state = emulator.state()
    holder = state["apps"][APP]
    holder["config"] = {}
    holder["env_file"] = f'Z="{secret}\\\\"\n'
    holder["config_error"] = f'unterminated quoted value "{secret}\\\\"'
    emu.write_state(emulator.home, state)
    emulator._share()
    auth.login()
    r = client.get(f"/apps/{APP}/config")
    page = r.get_data(as_text=True)
    assert r.status_code == 502 and "Exit code" in page
    assert "unterminated quoted value ***" in page and "config:export" in page
    assert secret not in page
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        stored = " ".join(str(v) for row in conn.execute("SELECT * FROM commands") for v in row)
    assert "unterminated quoted value ***" in stored and secret not in stored
