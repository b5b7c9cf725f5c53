"""Dokku's plugin unit tests (tests/unit/plugin.bats) ported to the emulator.

The bats tests run as root on the server; `dokku.run` defaults to root too and
`root=False` plays their `sudo -u nobody`. Left out: the two "permissions set
properly" tests (file ownership) and the part of "plugin:list --format json"
that git-clones straight into the available directory (the port installs the
plugin instead and checks the same JSON fields).
"""

import json

import pytest

TEST_PLUGIN_NAME = "smoke-test-plugin"
TEST_PLUGIN_GIT_REPO = "https://github.com/dokku/smoke-test-plugin.git"
TEST_PLUGIN_LOCAL_REPO = "/tmp/smoke-test-plugin"


def listed(dokku, *words):
    """Return plugin:list rows containing every word (the bats `| grep a | grep b`)."""
    return [line for line in dokku.run("plugin:list").lines if all(w in line for w in words)]


def plugin_json(dokku, name):
    """Return one plugin's plugin:list --format json object."""
    return next(p for p in json.loads(dokku.run("plugin:list", "--format", "json").output) if p["name"] == name)


def test_plugin_help(dokku):
    """tests/unit/plugin.bats: "(plugin) plugin:help"."""
    bare = dokku.run("plugin")
    assert "Manage installed plugins" in bare.output
    assert dokku.run("plugin:help").output == bare.output


def test_plugin_list_format_json(dokku):
    """tests/unit/plugin.bats: "(plugin) plugin:list --format json"."""
    result = dokku.run("plugin:list", "--format", "nonsense")
    assert result.status != 0 and "Invalid output format" in result.output
    apps = plugin_json(dokku, "apps")
    assert (apps["core"], apps["enabled"], apps["source_url"]) == (True, True, "")
    assert dokku.run("plugin:install", TEST_PLUGIN_GIT_REPO, "--name", TEST_PLUGIN_NAME).status == 0
    assert dokku.run("plugin:disable", TEST_PLUGIN_NAME).status == 0
    info = plugin_json(dokku, TEST_PLUGIN_NAME)
    assert info["source_url"] == TEST_PLUGIN_GIT_REPO
    assert (info["core"], info["enabled"]) == (False, False)
    assert len(info["committish"]) == 40 and info["branch"]


@pytest.mark.parametrize("source", [TEST_PLUGIN_GIT_REPO, f"file://{TEST_PLUGIN_LOCAL_REPO}"],
                         ids=["git", "file"])
def test_plugin_install_disable_update_uninstall(dokku, source):
    """tests/unit/plugin.bats: "(plugin) plugin:install, plugin:disable, plugin:update plugin:uninstall" (and "with file://")."""
    if source.startswith("https"):
        assert dokku.run("plugin:installed", TEST_PLUGIN_NAME).status != 0
    assert dokku.run("plugin:install", source, "--name", TEST_PLUGIN_NAME).status == 0
    if source.startswith("https"):
        assert dokku.run("plugin:installed", TEST_PLUGIN_NAME).status == 0
    assert dokku.run("plugin:update", TEST_PLUGIN_NAME).status == 0
    assert listed(dokku, "enabled", TEST_PLUGIN_NAME)
    assert dokku.run("plugin:uninstall", TEST_PLUGIN_NAME, root=False).status != 0
    assert dokku.run("plugin:disable", TEST_PLUGIN_NAME).status == 0
    assert listed(dokku, "disabled", TEST_PLUGIN_NAME)
    assert dokku.run("plugin:uninstall", TEST_PLUGIN_NAME).status == 0
    assert not listed(dokku, TEST_PLUGIN_NAME)


def test_plugin_install_update_with_tag(dokku):
    """tests/unit/plugin.bats: "(plugin) plugin:install plugin:update (with tag)"."""
    result = dokku.run("plugin:install", TEST_PLUGIN_GIT_REPO, "--committish", "v0.2.0", "--name", TEST_PLUGIN_NAME)
    assert result.status == 0
    assert listed(dokku, "enabled", TEST_PLUGIN_NAME, "0.2.0")
    assert dokku.run("plugin:update", TEST_PLUGIN_NAME, "v0.3.0").status == 0
    assert not listed(dokku, "enabled", TEST_PLUGIN_NAME, "0.2.0")
    assert listed(dokku, "enabled", TEST_PLUGIN_NAME, "0.3.0")


def test_plugin_install_disable_uninstall_as_non_root_user_failure(dokku):
    """tests/unit/plugin.bats: "(plugin) plugin:install, plugin:disable, plugin:uninstall as non-root user failure"."""
    assert dokku.run("plugin:install", TEST_PLUGIN_GIT_REPO, root=False).status != 0
    assert dokku.run("plugin:install", TEST_PLUGIN_GIT_REPO).status == 0
    assert listed(dokku, "enabled", TEST_PLUGIN_NAME)
    assert dokku.run("plugin:disable", TEST_PLUGIN_NAME, root=False).status != 0


@pytest.mark.parametrize("args", [
    ["YABBA_DABBA_DOO", "XXXX", "YYYY"], ["ZXZX", "--random-flag"], ["http://www.example.com/", "--random-flag"],
    ["http://www.example.com/gives-a-404"], ["http://xxxx/", "--random-flag"], ["/path/to/nonexistent/dir"],
])
def test_plugin_install_errors(dokku, args):
    """tests/unit/plugin.bats: "(plugin) plugin:install [errors]"."""
    result = dokku.run("plugin:install", *args)
    assert result.status != 0 and "Please retry with valid arguments" in result.output


def test_plugin_update_errors(dokku):
    """tests/unit/plugin.bats: "(plugin) plugin:update [errors]"."""
    assert dokku.run("plugin:install", TEST_PLUGIN_GIT_REPO, "--name", TEST_PLUGIN_NAME).status == 0
    assert dokku.run("plugin:disable", TEST_PLUGIN_NAME).status == 0
    for name in (TEST_PLUGIN_NAME, "invalid"):
        result = dokku.run("plugin:update", name)
        assert result.status != 0 and "Specified plugin not enabled or installed" in result.output
    result = dokku.run("plugin:update", TEST_PLUGIN_GIT_REPO)
    assert result.status != 0 and "Invalid plugin name specified" in result.output
    result = dokku.run("plugin:update", "app-json")
    assert result.status != 0 and "please update Dokku instead" in result.output


# ---------------------------------------------------------------------- from the source


@pytest.mark.parametrize("source, name", [
    ("https://github.com/dokku/dokku-mysql.git", "mysql"),
    ("git@github.com:dokku/dokku-mongo.git", "mongo"),
    ("ssh://git@example.com/team/dokku-thing", "thing"),
    ("git://example.com/team/other.git", "other"),
    ("file:///srv/plugins/dokku-local", "local"),
    ("https://example.com/releases/dokku-foo.tar.gz", "foo.tar.gz"),
    ("http://example.com/releases/bar.tgz", "bar.tgz"),
])
def test_install_accepts_the_case_patterns_and_names_like_plugin_name(dokku, source, name):
    """subcommands/install case `https:* | git* | ssh:* | file:* | *.tar.gz | *.tgz`; functions plugin_name.

    plugin_name strips only `.git` and `dokku-`, so a tarball keeps its suffix in the name.
    """
    result = dokku.run("plugin:install", source)
    assert result.status == 0, result.output
    assert result.lines[0] == f"-----> Cloning plugin repo {source} to /var/lib/dokku/plugins/available/{name}"
    assert any(p["name"] == name and p["enabled"] for p in dokku.state()["plugins"])


@pytest.mark.parametrize("source", ["http://example.com/dokku-x.git", "ftp://example.com/x.tar.bz2",
                                    "example.com/dokku-x", "dokku-x"])
def test_install_refuses_other_sources_with_the_three_warnings(dokku, source):
    """subcommands/install: plain http:// is refused unless it ends in .tar.gz/.tgz."""
    result = dokku.run("plugin:install", source)
    assert (result.status, result.lines) == (1, [
        " !     First argument must be --core or url to plugin", " !     Valid prefixes: https:, git:, ssh:, file:",
        " !     Valid suffixes: .tar.gz, .tgz", " !     Please retry with valid arguments"])


def test_install_options_must_follow_the_source(dokku):
    """cmd-plugin-install reads FLAG=$1: `--name` first is not a source."""
    result = dokku.run("plugin:install", "--name", "x", TEST_PLUGIN_GIT_REPO)
    assert result.status == 1 and "Please retry with valid arguments" in result.output


def test_install_prints_the_source_with_its_credentials(dokku):
    """functions download_and_enable_plugin logs the URL as given; plugin.go lists it as source_url."""
    source = "https://user:ghp_SECRET@github.com/acme/dokku-private.git"
    result = dokku.run("plugin:install", source)
    assert result.lines[0] == f"-----> Cloning plugin repo {source} to /var/lib/dokku/plugins/available/private"
    assert plugin_json(dokku, "private")["source_url"] == source


def test_install_an_existing_plugin(dokku):
    """plugn install: same url -> note and enable fails; other url -> refused; core -> not a git repo."""
    again = dokku.run("plugin:install", "https://github.com/dokku/dokku-postgres.git")
    assert again.status == 1
    assert again.lines[-2:] == ["Plugin 'postgres' is already installed.", " !     Plugin already enabled"]
    other = dokku.run("plugin:install", "https://example.com/fork/dokku-postgres.git")
    assert other.status == 1 and "already installed, but with a different url" in other.output
    core = dokku.run("plugin:install", "https://example.com/dokku-apps.git")
    assert core.status == 1 and "apps is already installed, but it does not seem to be a git repository" in core.output


def test_install_from_an_unreachable_host_fails_like_git(dokku):
    """plugn install: `git clone` fails with exit 128; nothing is installed."""
    result = dokku.run("plugin:install", "https://nowhere.invalid/dokku-x.git")
    assert result.status == 128
    assert result.lines[-1] == "fatal: unable to access 'https://nowhere.invalid/dokku-x.git/': Could not resolve host: nowhere.invalid"
    assert not any(p["name"] == "x" for p in dokku.state()["plugins"])


def test_enable_disable_uninstall_messages(dokku):
    """functions enable_plugin/disable_plugin/uninstall_plugin: the checks' order and messages."""
    assert dokku.run("plugin:disable", "nope").output == " !     Plugin already disabled\n"
    assert dokku.run("plugin:enable", "nope").output == " !     Plugin does not exist\n"
    assert dokku.run("plugin:enable", "apps").output == " !     Plugin already enabled\n"
    assert dokku.run("plugin:uninstall", "apps").output == " !     Cannot uninstall a core plugin\n"
    assert dokku.run("plugin:disable").output == " !     Please specify a plugin to disable\n"
    assert dokku.run("plugin:uninstall", "redis").lines == ["-----> Plugin redis uninstalled",
                                                          "-----> Priming bash-completion cache"]


def test_list_json_keeps_the_struct_field_order(dokku):
    """plugins/plugin/plugin.go PluginInfo: json.Marshal keeps field order, not sorted keys."""
    text = dokku.run("plugin:list", "--format=json").output
    assert text.startswith('[{"name":"00_dokku-standard","version":"0.38.27","enabled":true,"core":true,')


def test_installed_is_root_only(dokku):
    """`dokku` script: only plugin:help and plugin:list run for a non-root user."""
    assert dokku.run("plugin:installed", "postgres", root=False).output == " !     This command must be run as root\n"
    assert dokku.run("plugin:list", root=False).status == 0
