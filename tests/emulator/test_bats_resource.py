"""Dokku's resource unit tests (tests/unit/resource_1.bats, resource_2.bats, resource_3.bats) ported to the emulator.

Ported: the argv, exit status, output and the stored properties (read back
with `resource:report --resource-<proc>.<kind>.<res>`, as the bats tests do).
Left out: the `docker inspect` checks after `ps:rebuild` (no containers
here; the stored properties they derive from are asserted instead) and the
`docker-args-process-build` trigger runs of resource_3.bats (a plugn
trigger, not a command Docklight drives).
"""

import pytest

from tests.emulator.bats import one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def stored(dokku):
    """Return the app's resource properties."""
    return dokku.state()["apps"][APP]["resources"]


def value(dokku, key):
    """Run `resource:report --resource-KEY APP` (bats' single-value read)."""
    return dokku.run("resource:report", f"--resource-{key}", APP)


def test_resource_help(dokku):
    """resource_1.bats: "(resource) resource:help"."""
    bare = dokku.run("resource")
    assert "Manage resource settings for an app" in bare.output
    assert dokku.run("resource:help").output == bare.output


@pytest.mark.parametrize("kind, noun", [("limit", "limits"), ("reserve", "reservation")])
def test_resource_limit_and_reserve_per_process_and_clear(dokku, kind, noun):
    """resource_1.bats "(resource) resource:limit" and resource_2.bats "(resource) resource:reserve"."""
    shown = dokku.run(f"resource:{kind}", APP)
    assert f"resource {noun} {APP} information" in shown.output
    assert "[defaults]" in shown.output
    assert dokku.run(f"resource:{kind}", "--memory", "512MB", APP).status == 0
    assert dokku.run(f"resource:{kind}", "--memory", "1024MB", "--process-type", "worker",
                     APP).status == 0
    assert stored(dokku) == {f"_default_.{kind}.memory": "512MB",
                             f"worker.{kind}.memory": "1024MB"}
    assert dokku.run(f"resource:{kind}-clear", "--process-type", "worker", APP).status == 0
    assert stored(dokku) == {f"_default_.{kind}.memory": "512MB"}
    # Clearing a process type with nothing of its own leaves the defaults.
    assert dokku.run(f"resource:{kind}-clear", "--process-type", "web", APP).status == 0
    assert stored(dokku) == {f"_default_.{kind}.memory": "512MB"}
    assert dokku.run(f"resource:{kind}-clear", APP).status == 0
    assert stored(dokku) == {}


@pytest.mark.parametrize("kind", ["limit", "reserve"])
def test_resource_clear_on_empty_app(dokku, kind):
    """resource_1.bats "(resource) resource:limit-clear", resource_2.bats "resource:reserve-clear"."""
    assert dokku.run(f"resource:{kind}-clear", APP).status == 0
    assert dokku.run(f"resource:{kind}-clear", "--process-type", "web", APP).status == 0


@pytest.mark.parametrize("kind", ["limit", "reserve"])
def test_resource_clear_single_value(dokku, kind):
    """resource_1.bats "resource:limit clear single", resource_2.bats "resource:reserve clear single"."""
    assert dokku.run(f"resource:{kind}", "--memory", "512MB", APP).status == 0
    read = value(dokku, f"_default_.{kind}.memory")
    assert (read.status, read.output) == (0, "512MB\n")
    assert dokku.run(f"resource:{kind}", "--memory", "clear", APP).status == 0
    assert value(dokku, f"_default_.{kind}.memory").status != 0


def test_resource_limit_build_process_type_is_stored(dokku):
    """resource_3.bats "(resource) resource:limit --process-type build (herokuish)" (stored part)."""
    result = dokku.run("resource:limit", "--memory", "256m", "--cpu", "1", "--memory-swap", "512m",
                       "--nvidia-gpu", "1", "--process-type", "build", APP)
    assert result.status == 0
    assert value(dokku, "build.limit.memory").output == "256m\n"


def test_resource_limit_clear_build_process_type(dokku):
    """resource_3.bats "(resource) resource:limit-clear --process-type build"."""
    assert dokku.run("resource:limit", "--memory", "256m", "--process-type", "build", APP).status == 0
    assert value(dokku, "build.limit.memory").output == "256m\n"
    assert dokku.run("resource:limit-clear", "--process-type", "build", APP).status == 0
    assert value(dokku, "build.limit.memory").status != 0


def test_clear_without_process_type_removes_limits_and_reservations_of_every_type(dokku):
    """plugins/resource/functions.go clearByResourceType: processType "" deletes every property.

    Not a bats test: the source's own rule, which resource_1.bats only sees
    through `docker inspect` (Memory back to 0 after the plain clear).
    """
    for args in (["resource:limit", "--memory", "1g"], ["resource:reserve", "--memory", "256m"],
                 ["resource:limit", "--cpu", "2", "--process-type", "web"],
                 ["resource:reserve", "--cpu", "1", "--process-type", "worker"]):
        assert dokku.run(*args, APP).status == 0
    result = dokku.run("resource:reserve-clear", APP)
    assert (result.status, result.output) == (0, f"=====> clearing {APP} reservation\n")
    assert stored(dokku) == {}


def test_clear_default_process_type_touches_only_the_default_row(dokku):
    """functions.go clearByResourceType with processType `_default_`: only _default_.<kind>.*."""
    for args in (["resource:limit", "--memory", "1g"], ["resource:reserve", "--memory", "256m"],
                 ["resource:limit", "--cpu", "2", "--process-type", "web"]):
        assert dokku.run(*args, APP).status == 0
    result = dokku.run("resource:limit-clear", "--process-type", "_default_", APP)
    assert (result.status, result.output) == (0, f"=====> clearing {APP} limits\n")
    assert stored(dokku) == {"_default_.reserve.memory": "256m", "web.limit.cpu": "2"}
    web = dokku.run("--quiet", "resource:limit-clear", "--process-type", "web", APP)
    assert (web.status, web.output) == (0, "")
