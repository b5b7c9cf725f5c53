"""Dokku's git unit tests (tests/unit/git_1.bats, git_3.bats) ported to the emulator.

The bats tests read ``/home/dokku/$APP/refs/heads/<branch>`` to see which commit
git:sync stored; here the same commit is read back with ``git:report --git-sha``
(report.go reportSha: ``git rev-parse HEAD`` of the app repository, which after a
sync is the deploy branch). The remote smoke-test-app is given its real refs
through settings.json ``git_refs`` (see docklight.emulator.git_remote).

Left out, because they need a git push, a container or the network:
git_1 "(git) keep-git-dir" (only its git:set/report part is kept),
git_2 (pushes to branches), git_3 "git:sync private" (GitHub credentials),
git:allow-host/auth/auth-status/public-key, and git_4..git_7
(from-image/from-archive/load-image, which Docklight does not drive).
"""

import json

import pytest

from docklight.emulator import state as store

REPO = "https://github.com/dokku/smoke-test-app.git"
SHA_1_0_0 = "9cf71bba639c4f1671dfd42685338b762d3354f2"
SHA_2_0_0 = "5c8a5e42bbd7fae98bd657fb17f41c6019b303f9"
SHA_ANOTHER_BRANCH = "5c8a5e42bbd7fae98bd657fb17f41c6019b303f9"
SHA_MASTER = "96f6ba2db912c93707080a358016d1febb7c560a"
SHA_COMMIT = "5c8a5e42bbd7fae98bd657fb17f41c6019b303f9"
APP = "dokku-test-app"


@pytest.fixture
def dokku(dokku):
    """A host with one created (never deployed) app, as bats' create_app leaves it."""
    dokku.create_app(APP)
    store.write_settings(dokku.home, git_refs={
        f"{REPO}#master": SHA_MASTER, f"{REPO}#another-branch": SHA_ANOTHER_BRANCH,
        f"{REPO}#1.0.0": SHA_1_0_0, f"{REPO}#2.0.0": SHA_2_0_0,
        f"{REPO}#2.0.0-annotated": SHA_2_0_0,
    })
    return dokku


def sha(dokku):
    """Return the commit the app's repository holds (the bats `cat refs/heads/...`)."""
    return dokku.run("git:report", APP, "--git-sha").output.strip()


def value(dokku, *args):
    """Return the single-value output of a report call, asserting it succeeded."""
    result = dokku.run(*args)
    assert result.status == 0, result.output
    return result.output


# ---------------------------------------------------------------------- git_1.bats


def test_git_report_info_flag_works_before_deploy(dokku):
    """tests/unit/git_1.bats: "(git:report) info-flag works before deploy"."""
    assert value(dokku, "git:report", APP, "--git-deploy-branch") == "\n"
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"
    assert dokku.run("git:set", APP, "deploy-branch", "main").status == 0
    assert value(dokku, "git:report", APP, "--git-deploy-branch") == "main\n"
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "main\n"
    assert dokku.run("git:set", APP, "deploy-branch").status == 0
    assert value(dokku, "git:report", APP, "--git-deploy-branch") == "\n"
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"
    assert dokku.run("git:report", APP, "--git-sha").status == 0
    result = dokku.run("git:report", APP, "--git-invalid-flag")
    assert result.status != 0 and "Invalid flag passed" in result.output


def test_git_report_keep_git_dir_raw_vs_computed_vs_global(dokku):
    """tests/unit/git_1.bats: "(git:report) keep-git-dir raw vs computed vs global"."""
    assert dokku.run("git:set", "--global", "keep-git-dir").status == 0
    assert value(dokku, "git:report", APP, "--git-keep-git-dir").strip() == ""
    assert value(dokku, "git:report", APP, "--git-global-keep-git-dir").strip() == ""
    assert value(dokku, "git:report", APP, "--git-computed-keep-git-dir") == "false\n"
    assert dokku.run("git:set", "--global", "keep-git-dir", "true").status == 0
    assert value(dokku, "git:report", APP, "--git-global-keep-git-dir") == "true\n"
    assert value(dokku, "git:report", APP, "--git-computed-keep-git-dir") == "true\n"
    assert dokku.run("git:set", APP, "keep-git-dir", "false").status == 0
    assert value(dokku, "git:report", APP, "--git-keep-git-dir") == "false\n"
    assert value(dokku, "git:report", APP, "--git-global-keep-git-dir") == "true\n"
    assert value(dokku, "git:report", APP, "--git-computed-keep-git-dir") == "false\n"
    assert dokku.run("git:set", APP, "keep-git-dir").status == 0
    assert dokku.run("git:set", "--global", "keep-git-dir").status == 0


def test_git_report_rev_env_var_raw(dokku):
    """tests/unit/git_1.bats: "(git:report) rev-env-var raw"."""
    assert dokku.run("git:set", APP, "rev-env-var", "COMMIT_SHA").status == 0
    assert value(dokku, "git:report", APP, "--git-rev-env-var") == "COMMIT_SHA\n"
    assert dokku.run("git:set", APP, "rev-env-var").status == 0
    # The unset writes an empty property file, which masks the GIT_REV default.
    assert value(dokku, "git:report", APP, "--git-rev-env-var") == "\n"


def test_git_report_source_image_raw(dokku):
    """tests/unit/git_1.bats: "(git:report) source-image raw"."""
    assert value(dokku, "git:report", APP, "--git-source-image").strip() == ""
    assert dokku.run("git:set", APP, "source-image", "alpine:3.20").status == 0
    assert value(dokku, "git:report", APP, "--git-source-image") == "alpine:3.20\n"
    assert dokku.run("git:set", APP, "source-image").status == 0
    assert value(dokku, "git:report", APP, "--git-source-image").strip() == ""


def test_git_report_raw_and_computed_keys_in_format_json(dokku):
    """tests/unit/git_1.bats: "(git:report) raw and computed keys in --format json"."""
    report = json.loads(value(dokku, "git:report", APP, "--format", "json"))
    assert report["deploy-branch"] == ""
    assert report["computed-deploy-branch"] == "master"
    assert report["keep-git-dir"] == ""
    assert report["computed-keep-git-dir"] == "false"


def test_git_report_global_raw_and_computed_keys(dokku):
    """tests/unit/git_1.bats: "(git:report) --global raw and computed keys"."""
    report = json.loads(value(dokku, "git:report", "--global", "--format", "json"))
    assert report["global-deploy-branch"] == ""
    assert report["computed-deploy-branch"] == "master"
    assert report["global-archive-max-files"] == ""
    assert report["computed-archive-max-files"] == "10000"
    assert dokku.run("git:set", "--global", "deploy-branch", "main").status == 0
    report = json.loads(value(dokku, "git:report", "--global", "--format", "json"))
    assert report["global-deploy-branch"] == "main"
    assert report["computed-deploy-branch"] == "main"
    assert dokku.run("git:set", "--global", "deploy-branch").status == 0
    report = json.loads(value(dokku, "git:report", "--global", "--format", "json"))
    assert report["global-deploy-branch"] == ""


def test_git_help(dokku):
    """tests/unit/git_1.bats: "(git) git:help"."""
    bare = dokku.run("git")
    assert "Manage app deploys via git" in bare.output
    help_ = dokku.run("git:help")
    assert "Manage app deploys via git" in help_.output
    assert help_.output == bare.output


def test_git_ensure_git_rev_env_var_is_set(dokku):
    """tests/unit/git_1.bats: "(git) ensure GIT_REV env var is set".

    The bats test deploys with a git push; here git:sync --build runs the same
    git_build (plugins/git/functions), which sets the variable.
    """
    assert dokku.run("git:sync", "--build", APP, REPO).status == 0
    got = dokku.run("config:get", APP, "GIT_REV")
    assert got.status == 0 and got.output == SHA_MASTER + "\n"


def test_git_disable_git_rev(dokku):
    """tests/unit/git_1.bats: "(git) disable GIT_REV" (deploy through git:sync --build)."""
    assert dokku.run("git:set", APP, "rev-env-var").status == 0
    assert dokku.run("git:sync", "--build", APP, REPO).status == 0
    assert dokku.run("config:get", APP, "GIT_REV").output == ""


def test_git_customize_the_git_rev_environment_variable(dokku):
    """tests/unit/git_1.bats: "(git) customize the GIT_REV environment variable"."""
    assert dokku.run("git:set", APP, "rev-env-var", "GIT_REV_ALT").status == 0
    assert dokku.run("git:sync", "--build", APP, REPO).status == 0
    assert dokku.run("config:get", APP, "GIT_REV_ALT").output == SHA_MASTER + "\n"
    assert dokku.run("config:get", APP, "GIT_REV").status == 1


def test_git_keep_git_dir(dokku):
    """tests/unit/git_1.bats: "(git) keep-git-dir".

    Only the property is ported: the rest runs `dokku enter` in a container.
    """
    assert dokku.run("git:set", APP, "keep-git-dir", "true").status == 0
    assert value(dokku, "git:report", APP, "--git-computed-keep-git-dir") == "true\n"


# ---------------------------------------------------------------------- git_3.bats: git:sync


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_git_sync_errors(dokku, existing):
    """tests/unit/git_3.bats: "(git) git:sync new [errors]" and "existing [errors]"."""
    if existing:
        dokku.run("git:sync", APP, REPO, "1.0.0")
    assert dokku.run("git:sync").status != 0
    assert dokku.run("git:sync", f"{APP}-non-existent").status != 0
    assert dokku.run("apps:create", f"{APP}-non-existent").status == 0
    result = dokku.run("git:sync", f"{APP}-non-existent")
    assert result.status != 0 and "Missing GIT_REMOTE parameter" in result.output


@pytest.mark.parametrize("ref, expected", [
    ("", SHA_MASTER), ("another-branch", SHA_ANOTHER_BRANCH), ("1.0.0", SHA_1_0_0),
    (SHA_COMMIT, SHA_COMMIT),
], ids=["noarg", "branch", "tag", "commit"])
def test_git_sync_new_no_build(dokku, ref, expected):
    """tests/unit/git_3.bats: "(git) git:sync new [--no-build noarg|branch|tag|commit]"."""
    result = dokku.run("git:sync", APP, REPO, *([ref] if ref else []))
    assert result.status == 0, result.output
    assert sha(dokku) == expected
    branch = ref if ref in ("", "another-branch") else "master"
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == (branch or "master") + "\n"
    assert not dokku.state()["apps"][APP]["deployed"]


@pytest.mark.parametrize("ref, expected", [
    ("", SHA_MASTER), ("another-branch", SHA_ANOTHER_BRANCH), ("1.0.0", SHA_1_0_0),
    (SHA_COMMIT, SHA_COMMIT),
], ids=["noarg", "branch", "tag", "commit"])
def test_git_sync_new_build(dokku, ref, expected):
    """tests/unit/git_3.bats: "(git) git:sync new [--build noarg|branch|tag|commit]"."""
    refs = [ref] if ref else []
    result = dokku.run("git:sync", "--build", APP, REPO, *refs)
    assert result.status == 0 and "Application deployed" in result.output
    if not ref:
        assert dokku.run("config:get", APP, "GIT_REV").output.strip()
    assert sha(dokku) == expected
    again = dokku.run("git:sync", "--build-if-changes", APP, REPO, *refs)
    assert again.status == 0 and "Skipping build as no changes were detected" in again.output
    assert sha(dokku) == expected


@pytest.mark.parametrize("ref, expected", [
    ("", SHA_MASTER), ("another-branch", SHA_ANOTHER_BRANCH), ("2.0.0", SHA_2_0_0),
    ("2.0.0-annotated", SHA_2_0_0), (SHA_COMMIT, SHA_COMMIT),
], ids=["noarg", "branch", "tag", "annotated-tag", "commit"])
def test_git_sync_existing_no_build(dokku, ref, expected):
    """tests/unit/git_3.bats: "(git) git:sync existing [--no-build noarg|branch|tag|annotated-tag|commit]"."""
    assert dokku.run("git:sync", APP, REPO, "1.0.0").status == 0
    assert sha(dokku) == SHA_1_0_0
    result = dokku.run("git:sync", APP, REPO, *([ref] if ref else []))
    assert result.status == 0
    assert "Fetching remote code for" in result.output
    assert sha(dokku) == expected


@pytest.mark.parametrize("first, ref, expected", [
    ("1.0.0", "", SHA_MASTER), ("2.0.0", "another-branch", SHA_ANOTHER_BRANCH),
    ("1.0.0", "2.0.0", SHA_2_0_0), ("1.0.0", SHA_COMMIT, SHA_COMMIT),
], ids=["noarg", "branch", "tag", "commit"])
def test_git_sync_existing_build(dokku, first, ref, expected):
    """tests/unit/git_3.bats: "(git) git:sync existing [--build noarg|branch|tag|commit]"."""
    refs = [ref] if ref else []
    assert dokku.run("git:sync", APP, REPO, first).status == 0
    result = dokku.run("git:sync", "--build", APP, REPO, *refs)
    assert result.status == 0 and "Application deployed" in result.output
    assert sha(dokku) == expected
    again = dokku.run("git:sync", "--build-if-changes", APP, REPO, *refs)
    assert again.status == 0 and "Skipping build as no changes were detected" in again.output
    assert sha(dokku) == expected


def test_git_sync_skip_deploy_branch(dokku):
    """tests/unit/git_3.bats: "(git:sync) --skip-deploy-branch"."""
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"
    result = dokku.run("git:sync", APP, REPO, "another-branch")
    assert result.status == 0
    assert "Detected branch, setting deploy-branch to another-branch" in result.output
    assert value(dokku, "git:report", APP, "--git-deploy-branch") == "another-branch\n"
    dokku.create_app(APP)
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"
    result = dokku.run("git:sync", "--skip-deploy-branch", APP, REPO, "another-branch")
    assert result.status == 0 and "skipping deploy-branch setting" in result.output
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"


def test_git_sync_build_skip_deploy_branch(dokku):
    """tests/unit/git_3.bats: "(git:sync) --build --skip-deploy-branch"."""
    result = dokku.run("git:sync", "--build", "--skip-deploy-branch", APP, REPO, "another-branch")
    assert result.status == 0
    assert "skipping deploy-branch setting" in result.output and "Application deployed" in result.output
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"


def test_git_sync_build_if_changes_skip_deploy_branch(dokku):
    """tests/unit/git_3.bats: "(git:sync) --build-if-changes --skip-deploy-branch"."""
    args = ("git:sync", "--build-if-changes", "--skip-deploy-branch", APP, REPO, "another-branch")
    result = dokku.run(*args)
    assert result.status == 0
    assert "skipping deploy-branch setting" in result.output and "Application deployed" in result.output
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"
    again = dokku.run(*args)
    assert again.status == 0 and "Skipping build as no changes were detected" in again.output
    assert value(dokku, "git:report", APP, "--git-computed-deploy-branch") == "master\n"


# ---------------------------------------------------------------------- git_3.bats: git:report


def test_git_report_format_json(dokku):
    """tests/unit/git_3.bats: "(git:report) --format json"."""
    assert dokku.run("git:set", APP, "deploy-branch", "main").status == 0
    report = json.loads(value(dokku, "git:report", APP, "--format", "json"))
    assert report["deploy-branch"] == "main"
    assert report["global-deploy-branch"] == ""
    assert report["computed-deploy-branch"] == "main"
    for line in value(dokku, "git:report", "--format", "json").splitlines():
        json.loads(line)
    result = dokku.run("git:report", APP, "--format", "json", "--git-deploy-branch")
    assert result.status != 0
    assert "--format flag cannot be specified when specifying an info flag" in result.output


def test_git_report_global(dokku):
    """tests/unit/git_3.bats: "(git:report) --global"."""
    result = dokku.run("git:report", "--global")
    assert result.status == 0
    assert "global git information" in result.output and "Git global deploy branch" in result.output


def test_git_report_global_format_json(dokku):
    """tests/unit/git_3.bats: "(git:report) --global --format json"."""
    report = json.loads(value(dokku, "git:report", "--global", "--format", "json"))
    assert report["global-deploy-branch"] == ""
    assert report["computed-deploy-branch"] == "master"


# ---------------------------------------------------------------------- from the source


TOKEN_REPO = "https://oauth2:glpat-SECRET@gitlab.example.com/team/app.git"


def test_git_sync_build_stores_the_repository_with_its_credentials(dokku):
    """plugins/git/internal-functions cmd-git-sync: `deploy-source-set APP git-sync REMOTE#SHA`.

    The repository is stored and printed exactly as given, token included:
    apps:report shows it on every later call (plugins/apps/report.go
    reportDeploySourceMetadata); git:report has no deploy-source key at all.
    The clone line prints it too (`Cloning APP from REMOTE#REF`).
    """
    result = dokku.run("git:sync", "--build", APP, TOKEN_REPO, "main")
    assert result.lines[0] == f"-----> Cloning {APP} from {TOKEN_REPO}#main"
    app = dokku.state()["apps"][APP]
    assert app["deploy_source"] == "git-sync"
    assert app["deploy_source_metadata"] == f"{TOKEN_REPO}#{app['git']['sha']}"
    for _ in range(2):
        report = json.loads(value(dokku, "apps:report", APP, "--format", "json"))
        assert report["deploy-source"] == "git-sync"
        assert report["deploy-source-metadata"] == f"{TOKEN_REPO}#{app['git']['sha']}"
    assert "glpat-SECRET" not in value(dokku, "git:report", APP)


def test_git_sync_without_build_leaves_the_deploy_source_alone(dokku):
    """plugins/git/internal-functions cmd-git-sync: deploy-source-set runs only when it builds."""
    assert dokku.run("git:sync", APP, TOKEN_REPO).status == 0
    report = json.loads(value(dokku, "apps:report", APP, "--format", "json"))
    assert report["deploy-source"] == "" and report["deploy-source-metadata"] == ""


def test_git_sync_message_forms(dokku):
    """plugins/git/internal-functions cmd-git-sync: the `#` is printed even without a ref;
    fetch and skip messages are verbose lines, not info1."""
    first = dokku.run("git:sync", APP, REPO)
    assert first.lines[:2] == [f"-----> Cloning {APP} from {REPO}#",
                               "       Detected branch, setting deploy-branch to master"]
    again = dokku.run("git:sync", "--build-if-changes", APP, REPO)
    assert again.lines[0] == f"       Fetching remote code for {APP} from {REPO}#"
    assert again.lines[-1] == "       Skipping build as no changes were detected"
    quiet = dokku.run("--quiet", "git:sync", f"{APP}", REPO, "1.0.0")
    assert "Fetching remote code" in quiet.output  # dokku_log_verbose ignores --quiet


def test_git_sync_flags_are_read_anywhere(dokku):
    """plugins/git/internal-functions cmd-git-sync: the loop takes --build wherever it is."""
    result = dokku.run("git:sync", APP, REPO, "--build", "1.0.0")
    assert result.status == 0 and "Application deployed" in result.output
    assert sha(dokku) == SHA_1_0_0


def test_git_sync_unreachable_remote_fails_like_git(dokku):
    """fn-git-clone: `suppress_output git clone` prints git's error and the script exits 128."""
    result = dokku.run("git:sync", APP, "https://user:pw@nowhere.invalid/app.git")
    assert result.status == 128
    assert result.lines[-1] == ("fatal: unable to access 'https://nowhere.invalid/app.git/': "
                                "Could not resolve host: nowhere.invalid")
    assert dokku.state()["apps"][APP]["git"]["sha"] == ""


def test_git_set_messages(dokku):
    """plugins/git/subcommands/set cmd-git-set: bash messages and exit codes."""
    assert dokku.run("git:set", APP).output == " !     No key specified\n"
    bad = dokku.run("git:set", APP, "nope", "x")
    assert bad.status == 1 and bad.output.startswith(" !     Invalid key specified, valid keys include: ")
    missing = dokku.run("git:set", "missing-app", "deploy-branch", "main")
    assert (missing.status, missing.output) == (20, " !     App missing-app does not exist\n")
    assert dokku.run("git:set", "--global", "source-image", "x").status == 0
