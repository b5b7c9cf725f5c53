"""Dokku's apps unit tests (tests/unit/apps_1.bats, apps_2.bats) ported to the emulator.

Each test runs the bats case's argv, then asserts its exit status and output,
or reads the state back with the report commands the bats case uses.

Left out, because they need a real deploy, containers, nginx or the network:
"(apps) app autocreate disabled" (a git push), the deploy/pre-receive hook and
curl parts of "(apps) apps:rename", "(apps) apps:rename with tls",
"(apps) apps:clone" (a running app answering over HTTP), "apps:clone ssl-app"
(skipped in Dokku itself) and the HTTP and tls-directory parts of
"apps:clone --skip-deploy". The nginx:set/nginx:report steps of the rename and
clone cases are dropped: Docklight does not drive nginx properties.
"""

import json

import pytest

from tests.emulator.bats import ok

APP = "dokku-test-app"
NEW = "great-test-name"
RUBY = "https://github.com/heroku/heroku-buildpack-ruby.git"


def test_apps_help(dokku):
    """apps_1.bats: "(apps) apps:help"."""
    bare = dokku.run("apps", "--help")
    assert "Manage apps" in bare.output
    assert dokku.run("apps:help").output == bare.output


def test_apps_list(dokku):
    """apps_1.bats: "(apps) apps:list"."""
    empty = dokku.run("apps:list")
    assert empty.status == 0
    assert "You haven't deployed any applications yet" in empty.output
    assert APP not in empty.output
    ok(dokku, "apps:create", APP)
    listed = ok(dokku, "apps:list")
    assert "You haven't deployed any applications yet" not in listed
    assert APP in listed
    ok(dokku, "--force", "apps:destroy", APP)


def test_apps_list_format_json(dokku):
    """apps_1.bats: "(apps) apps:list --format json"."""
    assert ok(dokku, "apps:list", "--format", "json") == "[]\n"
    ok(dokku, "apps:create", APP)
    assert json.loads(ok(dokku, "apps:list", "--format", "json")) == [APP]
    ok(dokku, "--force", "apps:destroy", APP)


BAD_NAMES = ["testapp:latest", "testApp:latest", "TestApp", "test/app", "test_app",
             "test;id", "test$cmd", "test|cmd", "test&cmd"]


def test_apps_create(dokku):
    """apps_1.bats: "(apps) apps:create"."""
    ok(dokku, "apps:create", APP)
    assert APP in ok(dokku, "apps:list").split("\n")
    ok(dokku, "--force", "apps:destroy", APP)
    ok(dokku, "apps:create", "1994testapp")
    for name in BAD_NAMES:
        refused = dokku.run("apps:create", name)
        assert refused.status != 0, name
        assert "App name must begin with lowercase alphanumeric character" in refused.output
    assert set(dokku.state()["apps"]) == {"1994testapp"}
    ok(dokku, "--app", APP, "apps:create")
    assert APP in ok(dokku, "apps:list").split("\n")


def test_apps_destroy(dokku):
    """apps_1.bats: "(apps) apps:destroy"."""
    ok(dokku, "apps:create", APP)
    ok(dokku, "--force", "apps:destroy", APP)
    assert APP not in dokku.state()["apps"]
    ok(dokku, "apps:create", APP)
    ok(dokku, "--force", "--app", APP, "apps:destroy")
    assert APP not in dokku.state()["apps"]


def configure(dokku):
    """The settings the rename and clone cases give the app before copying it."""
    ok(dokku, "buildpacks:add", APP, RUBY)
    ok(dokku, "git:set", APP, "deploy-branch", "SOME_BRANCH_NAME")
    ok(dokku, "network:set", APP, "attach-post-create", "test-network")
    ok(dokku, "resource:limit", "--memory", "100", APP)


def assert_carried_over(dokku):
    """The reads the rename and clone cases make of the new app."""
    assert ok(dokku, "buildpacks:report", NEW, "--buildpacks-list") == RUBY + "\n"
    assert ok(dokku, "git:report", NEW, "--git-deploy-branch") == "SOME_BRANCH_NAME\n"
    assert ok(dokku, "network:report", NEW, "--network-attach-post-create") == "test-network\n"
    assert ok(dokku, "resource:report", NEW, "--resource-_default_.limit.memory") == "100\n"


def test_apps_rename_carries_the_settings_over(dokku):
    """apps_1.bats: "(apps) apps:rename" (its second half: a created, never deployed app)."""
    ok(dokku, "apps:create", APP)
    configure(dokku)
    ok(dokku, "config:set", "--no-restart", APP, f"KEY=VALUE-{APP}")
    ok(dokku, "docker-options:add", APP, "deploy", "--no-healthcheck")
    assert ok(dokku, "apps:rename", APP, NEW) == f"-----> Renaming {APP} to {NEW}\n"
    assert APP not in ok(dokku, "apps:list").split("\n")
    assert_carried_over(dokku)
    assert ok(dokku, "config:get", NEW, "KEY") == f"VALUE-{APP}\n"
    assert "--no-healthcheck" in ok(dokku, "docker-options:report", NEW, "--docker-options-deploy")
    ok(dokku, "--force", "apps:destroy", NEW)


def test_apps_exists(dokku):
    """apps_1.bats: "(apps) apps:exists" (plugins/apps CommandExists is VerifyAppName)."""
    missing = dokku.run("apps:exists", APP)
    assert (missing.status, missing.output) == (20, f" !     App {APP} does not exist\n")
    ok(dokku, "apps:create", APP)
    assert ok(dokku, "apps:exists", APP) == ""
    ok(dokku, "--force", "apps:destroy", APP)


def test_apps_lock_locked_unlock(dokku):
    """apps_1.bats: "(apps) apps:lock/locked/unlock"."""
    ok(dokku, "apps:create", APP)
    assert ok(dokku, "apps:report", APP, "--app-locked") == "false\n"
    assert dokku.run("apps:locked", APP).status == 1
    ok(dokku, "apps:lock", APP)
    assert ok(dokku, "apps:report", APP, "--app-locked") == "true\n"
    assert ok(dokku, "apps:locked", APP) == "Deploy lock exists\n"
    ok(dokku, "apps:unlock", APP)
    assert ok(dokku, "apps:report", APP, "--app-locked") == "false\n"


def test_apps_report_emits_new_stripped_json_keys_alongside_legacy(dokku):
    """apps_1.bats: "(apps:report) emits new stripped JSON keys alongside legacy"."""
    ok(dokku, "apps:create", APP)
    keys = json.loads(ok(dokku, "apps:report", APP, "--format", "json"))
    for key in ("dir", "locked", "deploy-source", "global-disable-autocreation"):
        assert key in keys and f"app-{key}" in keys, key


def test_apps_report_global_emits_global_disable_autocreation(dokku):
    """apps_1.bats: "(apps:report --global) emits global-disable-autocreation".

    report.go reportGlobalDisableAutocreation is a PropertyGet: empty while unset.
    """
    assert ok(dokku, "apps:report", "--global", "--app-global-disable-autocreation") == "\n"
    ok(dokku, "apps:set", "--global", "disable-autocreation", "true")
    assert ok(dokku, "apps:report", "--global", "--app-global-disable-autocreation") == "true\n"
    keys = json.loads(ok(dokku, "apps:report", "--global", "--format", "json"))
    assert keys == {"global-disable-autocreation": "true", "app-global-disable-autocreation": "true"}
    ok(dokku, "apps:create", APP)
    keys = json.loads(ok(dokku, "apps:report", APP, "--format", "json"))
    assert keys["global-disable-autocreation"] == "true"
    ok(dokku, "apps:set", "--global", "disable-autocreation")
    assert ok(dokku, "apps:report", "--global", "--app-global-disable-autocreation") == "\n"


@pytest.mark.parametrize("argv, message", [
    (("apps:set", "--global", "deploy-source", "git"), "Property cannot be specified globally"),
    (("apps:set", "--global", "deploy-source-metadata", "foo"), "Property cannot be specified globally"),
    (("apps:set", APP, "disable-autocreation", "true"), "Property can only be specified globally"),
])
def test_apps_set_rejects_dead_writes(dokku, argv, message):
    """apps_1.bats: "(apps:set) rejects dead writes"."""
    ok(dokku, "apps:create", APP)
    refused = dokku.run(*argv)
    assert (refused.status, refused.output) == (1, f" !     {message}\n")


def test_apps_clone_no_app(dokku):
    """apps_2.bats: "(apps) apps:clone (no app)"."""
    ok(dokku, "apps:create", APP)
    configure(dokku)
    assert ok(dokku, "apps:clone", APP, NEW) == f"-----> Cloning {APP} to {NEW}\n"
    assert APP in ok(dokku, "apps:list").split("\n")
    assert_carried_over(dokku)
    assert ok(dokku, "domains:report", NEW, "--domains-app-vhosts") == f"{NEW}.dokku.me\n"
    ok(dokku, "--force", "apps:destroy", NEW)


def test_apps_clone_skip_deploy_keeps_both_urls(dokku):
    """apps_2.bats: "(apps) apps:clone --skip-deploy" (its vhost part; a created source app)."""
    ok(dokku, "apps:create", APP)
    ok(dokku, "apps:clone", "--skip-deploy", APP, NEW)
    assert ok(dokku, "domains:report", NEW, "--domains-app-vhosts") == f"{NEW}.dokku.me\n"
    assert ok(dokku, "domains:report", APP, "--domains-app-vhosts") == f"{APP}.dokku.me\n"


def test_apps_clone_ignore_existing(dokku):
    """apps_2.bats: "(apps) apps:clone --ignore-existing"."""
    ok(dokku, "apps:create", APP)
    ok(dokku, "apps:create", NEW)
    assert ok(dokku, "apps:clone", "--ignore-existing", APP, NEW) == " !     Name is already taken\n"
    taken = dokku.run("apps:clone", APP, NEW)
    assert (taken.status, taken.output) == (1, " !     Name is already taken\n")
    ok(dokku, "--force", "apps:destroy", NEW)
