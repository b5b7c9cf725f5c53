"""Dokku's checks unit tests (tests/unit/checks.bats) ported to the emulator.

The lists are read back with `checks:report --checks-disabled-list` and
`--checks-skipped-list`, as the bats cases do. "(checks) checks:run" starts
from an app deployed with web=1 and worker=1 (the bats `ps:scale worker=1`
then deploy_app) and keeps the argv and exit status of each run.

Left out, because they need a real deploy and Docker: "checks:disable -> app
start with missing containers" (ps:stop, cleanup, ps:start of real
containers), "checks:templated" (an app.json healthcheck of a sample app) and
"listening checks" (a container listening on the wrong port).
"""

import pytest

from docklight.emulator import state as store
from tests.emulator.bats import ok, one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def lists(dokku):
    """Return (disabled, skipped) as checks:report prints them."""
    return (ok(dokku, "checks:report", APP, "--checks-disabled-list").strip(),
            ok(dokku, "checks:report", APP, "--checks-skipped-list").strip())


def test_checks_report_info_flag_works_before_deploy(dokku):
    """checks.bats: "(checks:report) info-flag works before deploy"."""
    assert ok(dokku, "checks:report", APP, "--checks-wait-to-retire") == "\n"
    ok(dokku, "checks:set", APP, "wait-to-retire", "30")
    assert ok(dokku, "checks:report", APP, "--checks-wait-to-retire") == "30\n"
    bad = dokku.run("checks:report", APP, "--checks-invalid-flag")
    assert bad.status != 0 and "Invalid flag passed" in bad.output


def test_checks_report_global_format_json(dokku):
    """checks.bats: "(checks:report) --global --format json".

    report.go reportGlobalWaitToRetire is a PropertyGet: empty while unset.
    """
    import json
    ok(dokku, "checks:set", "--global", "wait-to-retire")
    keys = json.loads(ok(dokku, "checks:report", "--global", "--format", "json"))
    assert keys == {"global-wait-to-retire": "", "computed-wait-to-retire": "60"}
    ok(dokku, "checks:set", "--global", "wait-to-retire", "90")
    keys = json.loads(ok(dokku, "checks:report", "--global", "--format", "json"))
    assert (keys["global-wait-to-retire"], keys["computed-wait-to-retire"]) == ("90", "90")
    assert "global checks information" in ok(dokku, "checks:report", "--global")
    ok(dokku, "checks:set", "--global", "wait-to-retire")
    assert ok(dokku, "checks:report", "--global", "--checks-global-wait-to-retire") == "\n"
    assert ok(dokku, "checks:report", "--global", "--checks-computed-wait-to-retire") == "60\n"


def test_checks_help(dokku):
    """checks.bats: "(checks) checks:help"."""
    bare = dokku.run("checks")
    assert "Manage zero-downtime settings" in bare.output
    assert dokku.run("checks:help").output == bare.output


def test_checks_disable(dokku):
    """checks.bats: "(checks) checks:disable"."""
    assert ok(dokku, "checks:disable", APP) == f"-----> Disabling zero downtime for app ({APP})\n"
    assert lists(dokku)[0] == "_all_"


def test_checks_disable_then_enable(dokku):
    """checks.bats: "(checks) checks:disable -> checks:enable"."""
    ok(dokku, "checks:disable", APP)
    assert lists(dokku) == ("_all_", "none")
    assert ok(dokku, "checks:enable", APP) == f"-----> Enabling zero downtime for app's ({APP})\n"
    assert lists(dokku) == ("none", "none")


def test_checks_disable_then_skip(dokku):
    """checks.bats: "(checks) checks:disable -> checks:skip"."""
    assert ok(dokku, "checks:disable", APP, "web,worker,urgentworker,notifications") == (
        f"-----> Disabling zero downtime for app's ({APP}) proctypes "
        "(web,worker,urgentworker,notifications)\n")
    assert lists(dokku) == ("web,worker,urgentworker,notifications", "none")
    assert ok(dokku, "checks:skip", APP, "urgentworker,worker") == (
        f"-----> Skipping zero downtime for app's ({APP}) proctypes (urgentworker,worker)\n")
    assert lists(dokku) == ("web,notifications", "urgentworker,worker")


def test_checks_skip(dokku):
    """checks.bats: "(checks) checks:skip"."""
    assert ok(dokku, "checks:skip", APP) == f"-----> Skipping zero downtime for app ({APP})\n"
    assert lists(dokku)[1] == "_all_"


def test_checks_skip_then_enable(dokku):
    """checks.bats: "(checks) checks:skip -> checks:enable"."""
    ok(dokku, "checks:skip", APP)
    assert lists(dokku) == ("none", "_all_")
    ok(dokku, "checks:enable", APP)
    assert lists(dokku) == ("none", "none")


def test_checks_skip_then_disable(dokku):
    """checks.bats: "(checks) checks:skip -> checks:disable"."""
    ok(dokku, "checks:skip", APP, "web,worker,urgentworker,notifications")
    assert lists(dokku) == ("none", "web,worker,urgentworker,notifications")
    ok(dokku, "checks:disable", APP, "urgentworker,worker")
    assert lists(dokku) == ("urgentworker,worker", "web,notifications")


def test_checks_list_removal_is_a_substring_replace(dokku):
    """plugins/common/functions remove_val_from_list: `${list//$value/}`, not a word match.

    Not a bats case: the same helper the cases above go through, in the order
    that shows it. Skipping "worker" before "urgentworker" cuts "worker" out
    of "urgentworker" too, so Dokku keeps "urgent" disabled.
    """
    ok(dokku, "checks:disable", APP, "web,urgentworker")
    ok(dokku, "checks:skip", APP, "worker")
    assert lists(dokku) == ("web,urgentworker", "worker")
    ok(dokku, "checks:enable", APP, "worker")
    assert lists(dokku) == ("web,urgent", "none")


def deployed_with_worker(dokku):
    """The bats `ps:scale APP worker=1` then deploy_app."""
    store.write_state(dokku.home, store.new_state(
        [store.make_app(APP, processes={"web": 1, "worker": 1})]))


@pytest.mark.parametrize("argv, status", [
    ((), 0), (("web",), 0), (("web,worker",), 0), (("worker.1",), 0),
    (("web2",), 1), (("web.2",), 1),
])
def test_checks_run(dokku, argv, status):
    """checks.bats: "(checks) checks:run"."""
    deployed_with_worker(dokku)
    result = dokku.run("checks:run", APP, *argv)
    assert result.status == status, result.output
    assert result.lines[0] == "-----> Running pre-flight checks"


def test_checks_run_messages(dokku):
    """plugins/checks/subcommands/run: what each refusal and each checked container prints."""
    deployed_with_worker(dokku)
    assert dokku.run("checks:run", APP, "web2").lines[-1] == \
        f" !     Invalid process type specified ({APP}.web2)"
    assert dokku.run("checks:run", APP, "web.2").lines[-1] == \
        f" !     Invalid container index specified ({APP}.web.2)"
    ok(dokku, "checks:disable", APP, "worker")
    ok(dokku, "checks:skip", APP, "web")
    assert dokku.run("checks:run", APP).lines == [
        "-----> Running pre-flight checks",
        f"-----> Running checks for app ({APP}.web.1)",
        "=====> Zero downtime checks have been skipped (web.)",
        f"-----> Zero downtime is disabled for app ({APP}.worker). Skipping checks"]
    assert dokku.run("checks:run", APP, "worker.1").lines == [
        "-----> Running pre-flight checks",
        f"-----> Running checks for app ({APP}.worker.1)",
        "       All checks successful (worker.)"]


def test_checks_run_before_deploy_has_no_container(dokku):
    """plugins/checks/subcommands/run check_process: a created app has web=1 but no container file."""
    result = dokku.run("checks:run", APP)
    assert (result.status, result.lines) == (1, [
        "-----> Running pre-flight checks",
        f" !     Invalid container index specified ({APP}.web.1)"])
