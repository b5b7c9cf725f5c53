"""Shell syntax in a docker option is refused only where that Dokku release would act on it.

Dokku 0.38.0-0.38.24 split an option with mvdan.cc/sh shell.Fields and an
empty environment (plugins/docker-options/dockeroptions.go SplitOptionString):
`--label x=$HOME` was stored as `--label x=` and `$(...)` refused. Before
0.38.0 the stored text went through bash eval at every build and deploy.
0.38.25 (dokku/dokku 1a376c362) stores options verbatim. Docklight refused
`$` and backticks on every release, so on a current Dokku a Traefik rule or a
literal `$` could not be added at all; on the older releases it now says what
that release would do. The emulator's release setting drives both.
"""

from __future__ import annotations

import pytest

from docklight.emulator import state as emu
from tests.tabs import HX, error_next_to, writes

ADD = "/apps/api/docker-options/add"


def one_app(emulator, version: str) -> None:
    """Reset to one deployed app `api` on the given Dokku release."""
    emulator.reset(apps=[emu.make_app("api", processes={"web": 1})])
    emulator.settings(version=version)


def add(client, option: str):
    client.get("/apps/api/network", headers=HX)
    return client.post(ADD, headers=HX, data={"phases": "deploy", "option": option,
                                              "confirm_risk": "yes"})


def stored(emulator) -> list[str]:
    return emulator.state()["apps"]["api"]["docker_options"]["deploy"]


@pytest.mark.parametrize("option, kept", [
    ("--label x=$HOME", "--label 'x=$HOME'"),
    ('--label "traefik.http.routers.web.rule=Host(`api.example.com`)"',
     "--label 'traefik.http.routers.web.rule=Host(`api.example.com`)'"),
    ("-e GREETING=$(hello)", "-e 'GREETING=$(hello)'"),
])
def test_a_literal_dollar_or_backtick_reaches_a_current_dokku_verbatim(client, auth, emulator,
                                                                        option, kept):
    one_app(emulator, "0.38.25")
    auth.login()
    r = add(client, option)
    assert r.status_code == 200
    assert writes(emulator) == [["docker-options:add", "api", "deploy", option]]
    assert stored(emulator) == [kept]


@pytest.mark.parametrize("option, found", [
    ("--label x=$HOME", "'$HOME'"),
    ("-e GREETING=$(hello)", "'$(hello)'"),
    ('--label "rule=Host(`api.example.com`)"', "'`api.example.com`'"),
])
def test_dokku_0_38_24_would_expand_the_value_so_it_is_refused_with_why(client, auth, emulator,
                                                                         option, found):
    one_app(emulator, "0.38.24")
    auth.login()
    r = add(client, option)
    assert r.status_code == 422
    message = error_next_to(r, "option")
    assert found in message
    assert "shell.Fields(input, func(string) string { return \"\" })" in message
    assert "0.38.25" in message and "1a376c362" in message
    assert writes(emulator) == []


def test_before_0_38_the_refusal_names_bash_eval(client, auth, emulator):
    one_app(emulator, "0.37.10")
    auth.login()
    r = add(client, "-e GREETING=$(hello)")
    assert r.status_code == 422
    message = error_next_to(r, "option")
    assert "eval set -- \"$DOCKER_ARGS\"" in message and "run or expanded on the host" in message
    assert writes(emulator) == []


def test_single_quoted_text_is_literal_on_0_38_24_and_stored_as_typed(client, auth, emulator):
    one_app(emulator, "0.38.24")
    auth.login()
    r = add(client, "--label 'x=$HOME'")
    assert r.status_code == 200
    assert stored(emulator) == ["--label 'x=$HOME'"]


def test_the_emulated_0_38_24_expands_as_its_source_does(sshd, emulator):
    """What Docklight now prevents: the 0.38.24 plugin's own answers, through the real sshd."""
    one_app(emulator, "0.38.24")
    done = sshd.run("docker-options:add api deploy '--label x=$HOME'")
    assert done.returncode == 0
    assert stored(emulator) == ["--label x="]  # $HOME was expanded to nothing
    done = sshd.run("docker-options:add api deploy '-e X=$(id)'")
    assert done.returncode == 1
    assert "Unable to parse docker option: unexpected command substitution at 1:6" in done.stderr
    emulator.settings(version="0.38.25")
    assert sshd.run("docker-options:add api deploy '-e X=$(id)'").returncode == 0
    assert "-e 'X=$(id)'" in stored(emulator)
