"""Dokku's tests of report, cleanup and repo (tests/unit/report.bats, core_1.bats,
core_2.bats, repo.bats) ported to the emulator.

Left out: "(report) custom docker bin" swaps the docker binary, and
core_1's "(core) remove exited containers" checks a container Dokku did not
make survives: the emulator models only Dokku's own containers.
"""

import pytest

from docklight.emulator import state as store
from tests.emulator.bats import one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def test_report_global(dokku):
    """report.bats "(report) report": the host vitals include herokuish's version."""
    result = dokku.run("report")
    assert result.status == 0
    assert "herokuish version:" in result.output


def test_report_app(dokku):
    """report.bats: an app's report follows the vitals; a created app is not deployed."""
    result = dokku.run("report", APP)
    assert result.status == 0
    assert "herokuish version:" in result.output
    assert "Deployed:                         false" in result.output


def test_report_missing_app(dokku):
    """report.bats: `dokku report fake-app-name` fails naming the app."""
    result = dokku.run("report", "fake-app-name")
    assert result.status != 0
    assert "App fake-app-name does not exist" in result.output


def test_report_format_refused_globally(dokku):
    """subcommands/report: `--format` is not supported on the global report."""
    result = dokku.run("report", "--format", "json")
    assert result.status == 1
    assert "--format flag not supported on global report" in result.output


def test_cleanup_help(dokku):
    """core_2.bats "(core) cleanup:help"."""
    result = dokku.run("cleanup:help")
    assert "Cleans up exited/dead Docker containers and removes dangling image" in result.output


def test_cleanup_succeeds(dokku):
    """core_1.bats "(core) remove exited containers": `dokku cleanup` succeeds."""
    result = dokku.run("cleanup")
    assert result.status == 0
    assert "Cleaning up..." in result.output


def test_cleanup_honours_skip_cleanup_although_cmd_cleanup_forces(dokku):
    """common/docker.go DockerCleanup: docker_cleanup drops FORCE_CLEANUP, so the property wins."""
    state = dokku.state()
    state["apps"][APP]["builder"]["skip_cleanup"] = "true"
    store.write_state(dokku.home, state)
    assert "DOKKU_SKIP_CLEANUP set. Skipping dokku cleanup" in dokku.run("cleanup", APP).output
    assert "Cleaning up..." in dokku.run("cleanup").output  # global: only the global property


def test_repo_help(dokku):
    """repo.bats "(repo) repo:help": `repo` and `repo:help` print the same help."""
    bare = dokku.run("repo")
    assert "Manage the app's repo" in bare.output
    assert dokku.run("repo:help").output == bare.output


@pytest.mark.parametrize("command", ["repo:gc", "repo:purge-cache"])
def test_repo_commands(dokku, command):
    """repo.bats "(repo) repo:gc" and "(repo) repo:purge-cache" succeed for an app."""
    assert dokku.run(command, APP).status == 0
    missing = dokku.run(command, "missing-app")
    assert missing.status != 0 and "App missing-app does not exist" in missing.output
