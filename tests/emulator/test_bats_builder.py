"""Dokku's builder unit tests (tests/unit/builder.bats) ported to the emulator.

Left out: the four "(builder) builder-detect [...]" tests run the
builder-detect trigger on a directory (`plugin:trigger`, not emulated), and
"(builder:set)" needs a deploy and `ps:rebuild` of a real build directory.
"""

import json

import pytest


APP = "dokku-test-app"


@pytest.fixture
def dokku(dokku):
    """A host with one created app, as bats' create_app leaves it."""
    return dokku.create_app(APP)


def one(dokku, flag):
    """Return `builder:report APP FLAG`, asserting success."""
    result = dokku.run("builder:report", APP, flag)
    assert result.status == 0, result.output
    return result.output


def test_builder_report_global_format_json(dokku):
    """tests/unit/builder.bats: "(builder:report) --global --format json"."""
    assert dokku.run("builder:set", "--global", "selected", "dockerfile").status == 0
    result = dokku.run("builder:report", "--global", "--format", "json")
    assert result.status == 0
    keys = json.loads(result.output)
    assert keys["builder-global-selected"] == "dockerfile"
    assert keys["global-selected"] == "dockerfile"
    assert "builder-selected" not in keys
    assert not ("selected" in keys and "builder-global-selected" in keys)
    assert "computed-skip-cleanup" in keys and "builder-computed-skip-cleanup" in keys
    assert dokku.run("builder:report", "--global").status == 0
    assert dokku.run("builder:set", "--global", "selected").status == 0


@pytest.mark.parametrize("prop, global_value, app_value, default", [
    ("selected", "dockerfile", "herokuish", ""),
    ("build-dir", "global/subdir", "app/subdir", ""),
    ("skip-cleanup", "true", "false", "false"),
])
def test_builder_report_raw_vs_computed_vs_global(dokku, prop, global_value, app_value, default):
    """tests/unit/builder.bats: "(builder:report) selected|build-dir|skip-cleanup raw vs computed vs global"."""
    assert dokku.run("builder:set", "--global", prop).status == 0
    assert one(dokku, f"--builder-{prop}") == "\n"
    assert one(dokku, f"--builder-global-{prop}") == "\n"
    assert one(dokku, f"--builder-computed-{prop}") == default + "\n"
    assert dokku.run("builder:set", "--global", prop, global_value).status == 0
    assert one(dokku, f"--builder-global-{prop}") == global_value + "\n"
    assert one(dokku, f"--builder-computed-{prop}") == global_value + "\n"
    assert dokku.run("builder:set", APP, prop, app_value).status == 0
    assert one(dokku, f"--builder-{prop}") == app_value + "\n"
    assert one(dokku, f"--builder-global-{prop}") == global_value + "\n"
    assert one(dokku, f"--builder-computed-{prop}") == app_value + "\n"
    assert dokku.run("builder:set", APP, prop).status == 0
    assert dokku.run("builder:set", "--global", prop).status == 0


# ---------------------------------------------------------------------- from the source


def test_builder_set_detected_is_read_only(dokku):
    """plugins/builder/subcommands.go CommandSet: a warning, exit 0, nothing stored."""
    result = dokku.run("builder:set", APP, "detected", "pack")
    assert (result.status, result.output) == (0, " !     detected is a read-only property\n")
    assert dokku.state()["apps"][APP]["builder"]["detected"] == ""


def test_builder_set_errors(dokku):
    """plugins/common/properties.go CommandPropertySet: messages in Dokku's order."""
    assert dokku.run("builder:set", APP).output == " !     No property specified\n"
    assert dokku.run("builder:set", "--global").output == " !     Property cannot be specified globally\n"
    assert dokku.run("builder:set", APP, "nope", "x").output == (
        " !     Invalid property specified, valid properties include: build-dir, detected, selected, skip-cleanup\n")


def test_builder_report_keys(dokku):
    """plugins/builder/report.go ReportSingleApp: ten keys per app, four for --global."""
    app_keys = json.loads(dokku.run("builder:report", APP, "--format", "json").output)
    assert sorted(k for k in app_keys if k.startswith("builder-")) == [
        "builder-build-dir", "builder-computed-build-dir", "builder-computed-selected",
        "builder-computed-skip-cleanup", "builder-detected", "builder-global-build-dir",
        "builder-global-selected", "builder-global-skip-cleanup", "builder-selected",
        "builder-skip-cleanup"]
    global_keys = json.loads(dokku.run("builder:report", "--global", "--format", "json").output)
    assert sorted(k for k in global_keys if k.startswith("builder-")) == [
        "builder-computed-skip-cleanup", "builder-global-build-dir", "builder-global-selected",
        "builder-global-skip-cleanup"]
