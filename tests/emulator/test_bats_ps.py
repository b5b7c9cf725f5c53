"""Dokku's ps unit tests (tests/unit/ps-general-1.bats, ps-general-2.bats) ported to the emulator.

Left out: "(ps) ps:inspect" and "(ps:restart-policy) deployed policy" read
`docker inspect` of a running container; "(ps:set) procfile",
"(ps:scale) procfile commands extraction", "update formations from Procfile",
"handle windows newlines in procfile", "(ps:set) dockerfile-start-cmd/start-cmd
raw and computed", "(ps:rebuild) old app name" and "(ps:set) procfile-path"
need a real build of a sample app (procfile-util on an extracted image). Of
"(ps:scale) console-only app" and "remove zerod processes" the parts about the
stored scale and the report are ported; `dokku run` is not emulated.
"""

import json

from docklight.emulator import state as store
from tests.emulator.bats import one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def report_json(dokku, *args):
    """Return `ps:report ARGS --format json` parsed, asserting success."""
    result = dokku.run("ps:report", *args, "--format", "json")
    assert result.status == 0, result.output
    return json.loads(result.output)


def flag(dokku, name):
    """Return `ps:report APP FLAG`."""
    return dokku.run("ps:report", APP, name).output.rstrip("\n")


def set_scale(dokku, processes):
    """Write the app's stored scale, as the bats tests write its scale file."""
    state = dokku.state()
    state["apps"][APP]["processes"] = dict(processes)
    store.write_state(dokku.home, state)


def test_ps_help(dokku):
    """tests/unit/ps-general-1.bats: "(ps) ps:help"."""
    bare = dokku.run("ps")
    assert "Manage app processes" in bare.output
    assert dokku.run("ps:help").output == bare.output


def test_ps_set_skip_deploy_raw_global_computed(dokku):
    """tests/unit/ps-general-1.bats: "(ps:set) skip-deploy raw/global/computed"."""
    assert report_json(dokku, APP)["ps-computed-skip-deploy"] == "false"
    assert dokku.run("ps:set", "--global", "skip-deploy", "true").status == 0
    keys = report_json(dokku, APP)
    assert (keys["ps-global-skip-deploy"], keys["ps-computed-skip-deploy"], keys["ps-skip-deploy"]) \
        == ("true", "true", "")
    assert dokku.run("ps:set", APP, "skip-deploy", "false").status == 0
    keys = report_json(dokku, APP)
    assert (keys["ps-skip-deploy"], keys["ps-global-skip-deploy"], keys["ps-computed-skip-deploy"]) \
        == ("false", "true", "false")
    assert dokku.run("ps:set", APP, "skip-deploy").status == 0
    assert dokku.run("ps:set", "--global", "skip-deploy").status == 0
    keys = report_json(dokku, APP)
    assert (keys["ps-global-skip-deploy"], keys["ps-computed-skip-deploy"]) == ("", "false")


def test_ps_scale_formatting(dokku):
    """tests/unit/ps-general-1.bats: "(ps:scale) ps:scale formatting"."""
    set_scale(dokku, {"web": 4, "worker": 1, "beat": 0})
    result = dokku.run("--quiet", "ps:scale", APP)
    assert result.output == "beat: 0\nweb:  4\nworker: 1\n"


def test_ps_scale_format_json(dokku):
    """tests/unit/ps-general-1.bats: "(ps:scale) --format json"."""
    result = dokku.run("ps:scale", APP, "--format", "json")
    assert result.status == 0
    assert result.output.strip() == '[{"process_type":"web","quantity":1}]'
    set_scale(dokku, {"web": 4, "worker": 1})
    formations = json.loads(dokku.run("ps:scale", APP, "--format", "json").output)
    assert len(formations) == 2
    assert {f["process_type"]: f["quantity"] for f in formations} == {"web": 4, "worker": 1}
    set_scale(dokku, {})
    assert dokku.run("ps:scale", APP, "--format", "json").output.strip() == "[]"


def test_ps_report_stop_timeout_seconds_raw_vs_computed_vs_global(dokku):
    """tests/unit/ps-general-1.bats: "(ps:report) stop-timeout-seconds raw vs computed vs global"."""
    assert dokku.run("ps:set", "--global", "stop-timeout-seconds").status == 0

    def values():
        keys = report_json(dokku, APP)
        return [keys[k] for k in ("ps-stop-timeout-seconds", "stop-timeout-seconds",
                                  "ps-global-stop-timeout-seconds", "global-stop-timeout-seconds",
                                  "ps-computed-stop-timeout-seconds", "computed-stop-timeout-seconds")]

    assert values() == ["", "", "", "", "30", "30"]
    assert dokku.run("ps:set", "--global", "stop-timeout-seconds", "90").status == 0
    assert values() == ["", "", "90", "90", "90", "90"]
    assert dokku.run("ps:set", APP, "stop-timeout-seconds", "45").status == 0
    assert values() == ["45", "45", "90", "90", "45", "45"]
    assert dokku.run("ps:set", APP, "stop-timeout-seconds").status == 0
    assert dokku.run("ps:set", "--global", "stop-timeout-seconds").status == 0


def test_ps_report_global_format_json(dokku):
    """tests/unit/ps-general-1.bats: "(ps:report) --global --format json"."""
    keys = report_json(dokku, "--global")
    for key in ("ps-global-procfile-path", "global-procfile-path", "ps-computed-procfile-path",
                "computed-procfile-path", "ps-global-stop-timeout-seconds",
                "global-stop-timeout-seconds", "ps-computed-stop-timeout-seconds",
                "computed-stop-timeout-seconds"):
        assert key in keys, key
    assert dokku.run("ps:set", "--global", "stop-timeout-seconds", "75").status == 0
    keys = report_json(dokku, "--global")
    assert [keys[k] for k in ("ps-global-stop-timeout-seconds", "global-stop-timeout-seconds",
                              "ps-computed-stop-timeout-seconds", "computed-stop-timeout-seconds")] \
        == ["75", "75", "75", "75"]
    assert dokku.run("ps:set", "--global", "stop-timeout-seconds").status == 0
    keys = report_json(dokku, "--global")
    assert [keys[k] for k in ("ps-global-stop-timeout-seconds", "global-stop-timeout-seconds",
                              "ps-computed-stop-timeout-seconds", "computed-stop-timeout-seconds")] \
        == ["", "", "30", "30"]


def test_ps_restart_policy_default_policy(dokku):
    """tests/unit/ps-general-1.bats: "(ps:restart-policy) default policy"."""
    assert flag(dokku, "--ps-restart-policy") == ""
    assert flag(dokku, "--ps-computed-restart-policy") == "on-failure:10"


def test_ps_restart_policy_ps_set_restart_policy(dokku):
    """tests/unit/ps-general-1.bats: "(ps:restart-policy) ps:set restart-policy"."""
    for policy in ("no", "unless-stopped", "always", "on-failure", "on-failure:20"):
        assert dokku.run("ps:set", APP, "restart-policy", policy).status == 0
        assert flag(dokku, "--ps-restart-policy") == policy
        assert flag(dokku, "--ps-computed-restart-policy") == policy


def test_ps_restart_policy_ps_set_restart_policy_unset(dokku):
    """tests/unit/ps-general-1.bats: "(ps:restart-policy) ps:set restart-policy unset"."""
    assert dokku.run("ps:set", APP, "restart-policy", "on-failure:5").status == 0
    assert flag(dokku, "--ps-restart-policy") == "on-failure:5"
    assert dokku.run("ps:set", APP, "restart-policy").status == 0
    assert flag(dokku, "--ps-restart-policy") == ""
    assert flag(dokku, "--ps-computed-restart-policy") == "on-failure:10"


def test_ps_restart_policy_invalid_policy(dokku):
    """tests/unit/ps-general-1.bats: "(ps:restart-policy) invalid policy"."""
    result = dokku.run("ps:set", APP, "restart-policy", "bogus")
    assert result.status != 0
    assert "Invalid restart-policy specified" in result.output


def test_ps_restart_policy_global_policy(dokku):
    """tests/unit/ps-general-1.bats: "(ps:restart-policy) global policy"."""
    assert dokku.run("ps:set", "--global", "restart-policy", "always").status == 0
    assert flag(dokku, "--ps-global-restart-policy") == "always"
    assert flag(dokku, "--ps-restart-policy") == ""
    assert flag(dokku, "--ps-computed-restart-policy") == "always"
    assert dokku.run("ps:set", APP, "restart-policy", "no").status == 0
    assert flag(dokku, "--ps-computed-restart-policy") == "no"
    assert dokku.run("ps:set", "--global", "restart-policy").status == 0


def test_ps_scale_console_only_app(dokku):
    """tests/unit/ps-general-2.bats: "(ps:scale) console-only app" (before the deploy)."""
    assert dokku.run("ps:scale", APP, "web=0", "console=0").status == 0
    assert flag(dokku, "--deployed") == "false"
    assert dokku.state()["apps"][APP]["processes"] == {"web": 0, "console": 0}


def test_ps_scale_remove_zerod_processes(dokku):
    """tests/unit/ps-general-2.bats: "(ps:scale) remove zerod processes" (scale table only).

    The sample app's Procfile (cron, custom, release, task, web, worker) is
    modelled by a deployed app with those process types.
    """
    procfile = {"cron": 0, "custom": 0, "release": 0, "task": 0, "web": 1, "worker": 0}
    dokku.reset([store.make_app(APP, processes=procfile)])
    assert dokku.run("ps:scale", APP, "worker=1").status == 0
    squeezed = " ".join(dokku.run("--quiet", "ps:scale", APP).output.split(" "))
    assert [" ".join(line.split()) for line in squeezed.splitlines()] == \
        ["cron: 0", "custom: 0", "release: 0", "task: 0", "web: 1", "worker: 1"]
    assert dokku.run("ps:scale", APP, "worker=0").status == 0
    lines = [" ".join(line.split()) for line in dokku.run("--quiet", "ps:scale", APP).output.splitlines()]
    assert lines == ["cron: 0", "custom: 0", "release: 0", "task: 0", "web: 1", "worker: 0"]


# What plugins/ps/functions.go parseProcessTuples and scaleSet do with odd tuples.

def test_ps_scale_prints_the_tuples_as_given_before_checking_them(dokku):
    """plugins/ps/subcommands.go CommandScale logs the raw tuples, then parses them."""
    result = dokku.run("ps:scale", APP, "web=02")
    assert result.status == 0
    assert "Scaling dokku-test-app processes: web=02" in result.output
    assert dokku.state()["apps"][APP]["processes"]["web"] == 2
    result = dokku.run("ps:scale", APP, "web")
    assert result.status != 0
    assert "Scaling dokku-test-app processes: web" in result.output
    assert "Missing count for process type web" in result.output


def test_ps_scale_empty_count_is_invalid_not_missing(dokku):
    """parseProcessTuples: "web=" splits in two; strconv.Atoi("") fails -> Invalid count."""
    result = dokku.run("ps:scale", APP, "web=")
    assert result.status != 0
    assert "Invalid count for process type web" in result.output


def test_ps_scale_first_duplicate_wins(dokku):
    """parseProcessTuples skips a process type it has already seen."""
    assert dokku.run("ps:scale", APP, "web=3", "web=5").status == 0
    assert dokku.state()["apps"][APP]["processes"]["web"] == 3


def test_ps_scale_accepts_signed_counts_as_atoi_does(dokku):
    """strconv.Atoi takes "+2" and "-1"; Dokku stores what Atoi returns."""
    assert dokku.run("ps:scale", APP, "web=+2").status == 0
    assert dokku.state()["apps"][APP]["processes"]["web"] == 2
    assert dokku.run("ps:scale", APP, "worker=-1").status == 0
    assert dokku.state()["apps"][APP]["processes"]["worker"] == -1
