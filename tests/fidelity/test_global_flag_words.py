"""A flag word inside a value is a flag to Dokku: such values never leave Docklight.

sshd runs the forced command ``dokku $SSH_ORIGINAL_COMMAND`` through a shell,
so the first ``dokku`` run gets the command line split on whitespace with the
quotes still inside the words, and its parse_args (plugins/common/functions)
exports DOKKU_APPS_FORCE_DELETE, DOKKU_QUIET_OUTPUT, DOKKU_TRACE (``set -x``:
every command and value in the output) or DOKKU_APP_NAME for every standalone
``--force``, ``--quiet``, ``--trace`` or ``--app NAME`` word, then re-runs
itself with those still set. Lines whose first word matches the ``dokku``
script's bash regexes ``git-*`` / ``git:*`` skip xargs and reach the command
split by bash alone.
"""

from __future__ import annotations

import subprocess

import pytest

from docklight.dokku import commands, validators
from docklight.dokku.command import Command
from tests.conftest import PASSWORD
from tests.tabs import HX, error_next_to, writes

POST = {"Origin": "http://localhost", **HX}


@pytest.mark.parametrize("option", [
    "--label a --app blog",
    "--label=x --force",
    "--env A=1 --quiet",
    "--label x --trace",
])
def test_docker_option_with_a_flag_word_cannot_retarget_or_unquiet(client, emulator, option):
    client.post("/api/auth/login", data={"password": PASSWORD}, headers=POST)
    r = client.post("/apps/api/docker-options/add", headers=POST,
                    data={"option": option, "phases": ["deploy"], "confirm_risk": "yes"})
    assert r.status_code == 422
    message = error_next_to(r, "option")
    assert "parse_args" in message and "plugins/common/functions" in message
    assert writes(emulator) == []


def test_every_free_text_field_refuses_flag_words():
    for build in (lambda: commands.network_set("api", "tld", "x --force"),
                  lambda: commands.builder_set("api", "build-dir", "sub --app blog"),
                  lambda: commands.docker_options_change("add", "api", ["run"], "-e A=1 --trace")):
        with pytest.raises(validators.ValidationError):
            build()
    # A flag word glued to other text is no flag to parse_args.
    assert commands.docker_options_change("add", "api", ["run"], "--label=a--force").args[-1] \
        == "--label=a--force"


def _raw(sshd, line: str) -> subprocess.CompletedProcess:
    """Send one command line through the real sshd, as Docklight's wire would."""
    return subprocess.run(sshd.ssh_argv(line), capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


def test_dokku_acts_on_an_app_flag_inside_a_quoted_value(sshd, emulator):
    # What Docklight used to send for the option "--label a --app blog x".
    line = Command(args=("docker-options:add", "api", "deploy", "--label a --app blog x"),
                            shown=()).wire()
    assert line == "docker-options:add api deploy '--label a --app blog x'"
    proc = _raw(sshd, line)
    # DOKKU_APP_NAME=blog is put in front: `docker-options:add blog api deploy ...`.
    assert proc.returncode != 0
    assert "must be one of [build deploy run]" in proc.stdout + proc.stderr
    assert emulator.state()["apps"]["api"]["docker_options"]["deploy"] == []
    # The same value without the word is stored whole.
    assert _raw(sshd, "docker-options:add api deploy '--label a x'").returncode == 0
    assert emulator.state()["apps"]["api"]["docker_options"]["deploy"] == ["--label a x"]


def test_dokku_splits_any_command_holding_git_with_bash(sshd, emulator):
    # `[[ $1 =~ git:* ]]` is an unanchored regex: "logit:x" matches, so no xargs.
    _raw(sshd, "logit:x 'a b'")
    _raw(sshd, "logs:x 'a b'")
    assert emulator.calls()[-2:] == [["logit:x", "'a", "b'"], ["logs:x", "a b"]]
    assert commands.is_split_by_bash("logit:x") and not commands.is_split_by_bash("logs")
