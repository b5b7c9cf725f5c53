"""Dokku's docker-options unit tests (tests/unit/docker-options.bats, docker-options-2.bats) ported to the emulator.

Ported: add/remove/clear per phase, multi-flag splitting, --process scopes
(add, remove, clear, list, report keys, JSON -list arrays). Left out: the
deploy tests (docker run lines of a real build), the Procfile warning (needs
a deployed Procfile), clone/rename, and the pre-0.38.25 file migration.
"""

import json

import pytest

from tests.emulator.bats import ok, one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def flag(dokku, phase):
    """Return `docker-options:report APP --docker-options-PHASE`."""
    return ok(dokku, "docker-options:report", APP, f"--docker-options-{phase}")


def listed(dokku, *args):
    """Return `docker-options:list APP ARGS` lines."""
    return ok(dokku, "docker-options:list", APP, *args).splitlines()


def test_docker_options_clear(dokku):
    """docker-options.bats: "(docker-options) docker-options:clear"."""
    ok(dokku, "docker-options:add", APP, "build,deploy,run", "-v /tmp")
    ok(dokku, "docker-options:clear", APP)
    assert all("-v /tmp" not in flag(dokku, p) for p in ("build", "deploy", "run"))
    ok(dokku, "docker-options:add", APP, "build,deploy,run", "-v /tmp")
    ok(dokku, "docker-options:clear", APP, "build")
    assert ["-v /tmp" in flag(dokku, p) for p in ("build", "deploy", "run")] == [False, True, True]
    ok(dokku, "docker-options:clear", APP, "deploy")
    ok(dokku, "docker-options:clear", APP, "run")
    assert all("-v /tmp" not in flag(dokku, p) for p in ("build", "deploy", "run"))


@pytest.mark.parametrize("phases", ["build,deploy,run", "build", "deploy", "run"])
def test_docker_options_add_and_remove(dokku, phases):
    """docker-options.bats: "docker-options:add (... phase)" and "docker-options:remove (... phase)"."""
    ok(dokku, "docker-options:add", APP, phases, "--restart=always")
    for phase in ("build", "deploy", "run"):
        assert ("--restart=always" in flag(dokku, phase)) == (phase in phases.split(","))
    ok(dokku, "docker-options:remove", APP, phases, "--restart=always")
    assert all("--restart=always" not in flag(dokku, p) for p in ("build", "deploy", "run"))


def test_docker_options_add_over_ssh(dokku):
    """docker-options.bats: "(docker-options) docker-options:add (all phases over SSH)"."""
    ok(dokku, ssh=f"docker-options:add {APP} build,deploy,run '-v /tmp'")
    assert all(flag(dokku, p) == "-v /tmp\n" for p in ("build", "deploy", "run"))


def test_add_splits_multi_flag_input(dokku):
    """docker-options.bats: "(docker-options:add) splits multi-flag input into separate options"."""
    ok(dokku, "docker-options:add", APP, "build", "--build-arg X=Y --link foo --link bar")
    assert listed(dokku, "--phase", "build") == ["--build-arg X=Y", "--link bar", "--link foo"]
    ok(dokku, "docker-options:remove", APP, "build", "--build-arg X=Y --link foo --link bar")
    assert listed(dokku, "--phase", "build") == []


def test_add_lifts_misplaced_process(dokku):
    """docker-options.bats: "(docker-options:add) lifts misplaced --process out of option content"."""
    ok(dokku, "docker-options:add", APP, "deploy", "--process web -p 8080:5000")
    assert listed(dokku, "--process", "web", "--phase", "deploy") == ["-p 8080:5000"]
    assert listed(dokku, "--phase", "deploy") == []


def test_process_scopes_one_process_type(dokku):
    """docker-options-2.bats: "--process scopes option to one process type", "multiple --process flags"."""
    ok(dokku, "docker-options:add", "--process", "web", APP, "deploy", "-p 8080:5000")
    assert listed(dokku, "--process", "web", "--phase", "deploy") == ["-p 8080:5000"]
    assert listed(dokku, "--phase", "deploy") == []
    ok(dokku, "docker-options:add", "--process", "web", "--process", "worker", APP, "deploy",
       "-v /shared:/shared")
    assert listed(dokku, "--process", "worker", "--phase", "deploy") == ["-v /shared:/shared"]


@pytest.mark.parametrize("phases", ["build", "run", "build,deploy"])
def test_process_refused_outside_deploy(dokku, phases):
    """docker-options-2.bats: "(docker-options:add) rejects --process for non-deploy phases"."""
    result = dokku.run("docker-options:add", "--process", "web", APP, phases, "--shm-size 256m")
    assert result.status != 0 and "deploy phase" in result.output


def test_reserved_default_process_name(dokku):
    """docker-options-2.bats: "(docker-options:add) rejects reserved _default_ process name"."""
    result = dokku.run("docker-options:add", "--process", "_default_", APP, "deploy", "-v /tmp:/tmp")
    assert result.status != 0 and "_default_" in result.output


def test_remove_and_clear_one_process(dokku):
    """docker-options-2.bats: "--process removes from a single process", "--process clears only that process"."""
    ok(dokku, "docker-options:add", "--process", "web", APP, "deploy", "-p 8080:5000")
    ok(dokku, "docker-options:add", "--process", "worker", APP, "deploy", "-p 9000:9000")
    ok(dokku, "docker-options:remove", "--process", "web", APP, "deploy", "-p 8080:5000")
    assert listed(dokku, "--process", "web", "--phase", "deploy") == []
    assert listed(dokku, "--process", "worker", "--phase", "deploy") == ["-p 9000:9000"]
    ok(dokku, "docker-options:add", "--process", "web", APP, "deploy", "-p 8080:5000")
    ok(dokku, "docker-options:clear", "--process", "web", APP, "deploy")
    assert listed(dokku, "--process", "web", "--phase", "deploy") == []
    assert listed(dokku, "--process", "worker", "--phase", "deploy") == ["-p 9000:9000"]


def test_clear_without_process_leaves_process_scopes(dokku):
    """functions.go CommandClear: no --process clears the default scope only (clearDefaultScope)."""
    ok(dokku, "docker-options:add", APP, "deploy", "--shm-size=1g")
    ok(dokku, "docker-options:add", "--process", "worker", APP, "deploy", "-p 9000:9000")
    assert ok(dokku, "docker-options:clear", APP) == \
        f"-----> Clearing docker-options for {APP} on all phases\n"
    assert listed(dokku, "--phase", "deploy") == []
    assert listed(dokku, "--process", "worker", "--phase", "deploy") == ["-p 9000:9000"]


def test_list_needs_a_phase(dokku):
    """docker-options-2.bats: "(docker-options:list) --phase is required"."""
    result = dokku.run("docker-options:list", APP)
    assert result.status != 0 and "phase" in result.output


def test_report_per_process_keys(dokku):
    """docker-options-2.bats: "(docker-options:report) exposes dynamic per-process keys"."""
    ok(dokku, "docker-options:add", "--process", "web", APP, "deploy", "-p 8080:5000")
    assert "-p 8080:5000" in ok(dokku, "docker-options:report", APP, "--docker-options-deploy.web")
    text = ok(dokku, "docker-options:report", APP)
    assert "Docker options deploy web" in text and "-p 8080:5000" in text


def test_report_json_process_scoped_and_list_keys(dokku):
    """docker-options-2.bats: "--format json carries process-scoped options", "exposes structured -list keys", "empty -list arrays"."""
    data = json.loads(ok(dokku, "docker-options:report", APP, "--format", "json"))
    assert (data["build-list"], data["deploy-list"], data["run-list"]) == ([], [], [])
    ok(dokku, "docker-options:add", APP, "build", "--build-arg X=Y --link foo --link bar")
    ok(dokku, "docker-options:add", "--process", "web", APP, "deploy", "-p 8080:5000")
    ok(dokku, "docker-options:add", APP, "deploy", "-v /logs:/logs", "--memory=512m")
    ok(dokku, "docker-options:add", APP, "deploy", "--label", "com.example.description=my app")
    data = json.loads(ok(dokku, "docker-options:report", APP, "--format", "json"))
    for key in ("docker-options-deploy.web", "deploy.web", "docker-options-deploy", "deploy"):
        assert key in data
    assert data["deploy.web-list"] == ["-p 8080:5000"]
    assert len(data["build-list"]) == 3 and len(data["deploy-list"]) == 3
    assert "--memory=512m" in data["deploy-list"]
    assert any("my app" in o for o in data["deploy-list"])
    assert "docker-options-deploy-list" not in data
