"""apps:unlock as plugins/apps/subcommands.go CommandUnlock does it (no bats test covers an unlocked app)."""

APP = "dokku-test-app"


def test_unlock_of_an_unlocked_app_fails_without_the_warnings(dokku):
    assert dokku.run("apps:create", APP).status == 0
    result = dokku.run("apps:unlock", APP)
    assert (result.status, result.output) == (1, " !     Unable to remove deploy lock\n")


def test_unlock_of_a_locked_app_warns_and_removes_the_lock(dokku):
    """apps_1.bats "(apps) apps:lock/locked/unlock", the unlock half."""
    assert dokku.run("apps:create", APP).status == 0
    assert dokku.run("apps:lock", APP).status == 0
    result = dokku.run("apps:unlock", APP)
    assert result.status == 0
    assert "A deploy may be in progress." in result.output
    assert "Deploy lock removed" in result.output
    assert dokku.run("apps:report", APP, "--app-locked").output == "false\n"
