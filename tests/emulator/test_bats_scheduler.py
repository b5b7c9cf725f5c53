"""Dokku's scheduler unit tests (tests/unit/scheduler.bats) ported to the emulator.

The Resources tab reads `scheduler-computed-selected` to know whether CPU
reservations take effect, so the raw/global/computed rules matter here.
"""

import json

from tests.emulator.bats import ok, one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def key(dokku, name):
    """Return one key of `scheduler:report APP --format json` (bats pipes it through jq)."""
    result = dokku.run("scheduler:report", APP, "--format", "json")
    assert result.status == 0, result.output
    return json.loads(result.output)[name]


def test_scheduler_help(dokku):
    """scheduler.bats: "(scheduler) scheduler:help"."""
    bare = dokku.run("scheduler")
    assert "Manage scheduler settings" in bare.output
    assert dokku.run("scheduler:help").output == bare.output


def test_selected_raw_vs_computed_vs_global(dokku):
    """scheduler.bats: "(scheduler:report) selected raw vs computed vs global"."""
    ok(dokku, "scheduler:set", "--global", "selected")
    assert key(dokku, "scheduler-selected") == ""
    assert key(dokku, "scheduler-global-selected") == ""
    assert key(dokku, "scheduler-computed-selected") == "docker-local"
    ok(dokku, "scheduler:set", "--global", "selected", "null")
    assert key(dokku, "scheduler-global-selected") == "null"
    assert key(dokku, "scheduler-computed-selected") == "null"
    ok(dokku, "scheduler:set", APP, "selected", "docker-local")
    assert key(dokku, "scheduler-selected") == "docker-local"
    assert key(dokku, "scheduler-global-selected") == "null"
    assert key(dokku, "scheduler-computed-selected") == "docker-local"
    ok(dokku, "scheduler:set", APP, "selected")
    ok(dokku, "scheduler:set", "--global", "selected")


def test_shell_raw_vs_computed_vs_global(dokku):
    """scheduler.bats: "(scheduler:report) shell raw vs computed vs global"."""
    ok(dokku, "scheduler:set", "--global", "shell")
    assert key(dokku, "scheduler-shell") == ""
    assert key(dokku, "scheduler-global-shell") == ""
    assert key(dokku, "scheduler-computed-shell") == ""
    ok(dokku, "scheduler:set", "--global", "shell", "sh")
    assert key(dokku, "scheduler-global-shell") == "sh"
    assert key(dokku, "scheduler-computed-shell") == "sh"
    ok(dokku, "scheduler:set", APP, "shell", "bash")
    assert key(dokku, "scheduler-shell") == "bash"
    assert key(dokku, "scheduler-global-shell") == "sh"
    assert key(dokku, "scheduler-computed-shell") == "bash"


def global_report(dokku):
    """Return `scheduler:report --global --format json` parsed."""
    result = dokku.run("scheduler:report", "--global", "--format", "json")
    assert result.status == 0, result.output
    return json.loads(result.output)


def test_global_format_json(dokku):
    """scheduler.bats: "(scheduler:report) --global --format json"."""
    ok(dokku, "scheduler:set", "--global", "selected")
    data = global_report(dokku)
    assert data["scheduler-global-selected"] == ""
    assert data["scheduler-computed-selected"] == "docker-local"
    assert "scheduler-selected" not in data


def test_stripped_json_keys_alongside_legacy(dokku):
    """scheduler.bats: "(scheduler:report) emits new stripped JSON keys alongside legacy"."""
    data = json.loads(dokku.run("scheduler:report", APP, "--format", "json").output)
    for name in ("selected", "global-selected", "computed-selected"):
        assert name in data and f"scheduler-{name}" in data
    data = global_report(dokku)
    assert "global-selected" in data and "scheduler-global-selected" in data
