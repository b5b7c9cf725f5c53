"""Dokku's buildpacks unit tests (tests/unit/buildpacks.bats) ported to the emulator.

Left out: "(buildpacks) buildpacks deploy", "cleanup existing .buildpacks file"
and "deploy with buildpacks from app.json" build a real app with herokuish.
"""

import json

import pytest


APP = "dokku-test-app"
NODE = "https://github.com/heroku/heroku-buildpack-nodejs.git"
RUBY = "https://github.com/heroku/heroku-buildpack-ruby.git"
GOLANG = "https://github.com/heroku/heroku-buildpack-golang.git"
PYTHON = "https://github.com/heroku/heroku-buildpack-python.git"
PHP = "https://github.com/heroku/heroku-buildpack-php.git"


@pytest.fixture
def dokku(dokku):
    """A host with one created app, as bats' create_app leaves it."""
    return dokku.create_app(APP)


def listed(dokku):
    """Return `dokku --quiet buildpacks:list APP | xargs` as a list of words."""
    return dokku.run("--quiet", "buildpacks:list", APP).output.split()


def test_buildpacks_help(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:help"."""
    bare = dokku.run("buildpacks")
    assert "Manage buildpacks settings for an app" in bare.output
    assert dokku.run("buildpacks:help").output == bare.output


@pytest.mark.parametrize("command", ["buildpacks:add", "buildpacks:set"])
def test_buildpacks_add_and_set_failure(dokku, command):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:add - failure" and ":set - failure"."""
    for words in ([], ["nodejs"], ["/nodejs"], ["http://nodejs"]):
        assert dokku.run(command, APP, *words).status != 0
    assert listed(dokku) == []


def test_buildpacks_add_success(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:add - success"."""
    assert dokku.run("buildpacks:add", APP, "heroku/nodejs").status == 0
    assert listed(dokku) == [NODE]
    assert dokku.run("buildpacks:add", APP, "heroku/ruby").status == 0
    assert listed(dokku) == [NODE, RUBY]
    assert dokku.run("buildpacks:add", "--index", "1", APP, "heroku/golang").status == 0
    assert listed(dokku) == [GOLANG, NODE, RUBY]
    assert dokku.run("buildpacks:add", "--index", "2", APP, "heroku/python").status == 0
    assert listed(dokku) == [GOLANG, PYTHON, NODE, RUBY]
    assert dokku.run("buildpacks:add", "--index", "100", APP, "heroku/php").status == 0
    assert listed(dokku) == [GOLANG, PYTHON, NODE, RUBY, PHP]


def test_buildpacks_set_success(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:set - success"."""
    assert dokku.run("buildpacks:set", APP, "heroku/nodejs").status == 0
    assert listed(dokku) == [NODE]
    assert dokku.run("buildpacks:set", APP, "heroku/ruby").status == 0
    assert listed(dokku) == [RUBY]
    assert dokku.run("buildpacks:set", "--index", "1", APP, "heroku/golang").status == 0
    assert listed(dokku) == [GOLANG]
    assert dokku.run("buildpacks:set", "--index", "2", APP, "heroku/python").status == 0
    assert listed(dokku) == [GOLANG, PYTHON]
    assert dokku.run("buildpacks:set", "--index", "100", APP, "heroku/php").status == 0
    assert listed(dokku) == [GOLANG, PYTHON, PHP]


def test_buildpacks_set_replace_failure(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:set --replace - failure"."""
    result = dokku.run("buildpacks:set", "--replace", APP)
    assert result.status != 0 and "buildpacks:clear" in result.output
    result = dokku.run("buildpacks:set", "--replace", "--index", "1", APP, "heroku/nodejs")
    assert result.status != 0 and "--index" in result.output
    result = dokku.run("buildpacks:set", APP, "heroku/nodejs", "heroku/ruby")
    assert result.status != 0 and "--replace" in result.output


def test_buildpacks_set_replace_atomicity(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:set --replace - atomicity"."""
    assert dokku.run("buildpacks:add", APP, "heroku/nodejs").status == 0
    assert dokku.run("buildpacks:set", "--replace", APP, "heroku/ruby", "nodejs").status != 0
    assert listed(dokku) == [NODE]


def test_buildpacks_set_replace_success(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:set --replace - success"."""
    assert dokku.run("buildpacks:add", APP, "heroku/nodejs").status == 0
    assert dokku.run("buildpacks:add", APP, "heroku/python").status == 0
    assert dokku.run("buildpacks:set", "--replace", APP, "heroku/ruby", "heroku/golang", "heroku/php").status == 0
    assert listed(dokku) == [RUBY, GOLANG, PHP]
    assert dokku.run("buildpacks:set", "--replace", APP, "heroku/nodejs").status == 0
    assert listed(dokku) == [NODE]


def test_buildpacks_set_property(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:set-property"."""
    assert dokku.run("buildpacks:set-property", "--global", "stack", "gliderlabs/herokuish:latest").status == 0


def report(dokku):
    """Return the app's buildpacks:report JSON."""
    return json.loads(dokku.run("buildpacks:report", APP, "--format", "json").output)


def test_buildpacks_report_stack_raw_vs_computed_vs_global(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks:report) stack raw vs computed vs global"."""
    assert dokku.run("buildpacks:set-property", "--global", "stack").status == 0
    assert report(dokku)["buildpacks-stack"] == ""
    assert report(dokku)["buildpacks-global-stack"] == ""
    assert dokku.run("buildpacks:set-property", "--global", "stack", "gliderlabs/herokuish:global").status == 0
    assert report(dokku)["buildpacks-global-stack"] == "gliderlabs/herokuish:global"
    assert report(dokku)["buildpacks-computed-stack"] == "gliderlabs/herokuish:global"
    assert dokku.run("buildpacks:set-property", APP, "stack", "gliderlabs/herokuish:app").status == 0
    assert report(dokku)["buildpacks-stack"] == "gliderlabs/herokuish:app"
    assert report(dokku)["buildpacks-global-stack"] == "gliderlabs/herokuish:global"
    assert report(dokku)["buildpacks-computed-stack"] == "gliderlabs/herokuish:app"
    assert dokku.run("buildpacks:set-property", APP, "stack").status == 0
    assert dokku.run("buildpacks:set-property", "--global", "stack").status == 0


def test_buildpacks_report_emits_new_stripped_json_keys_alongside_legacy(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks:report) emits new stripped JSON keys alongside legacy"."""
    keys = report(dokku)
    for key in ("stack", "global-stack", "computed-stack", "list"):
        assert key in keys and f"buildpacks-{key}" in keys


def test_buildpacks_remove(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:remove"."""
    assert dokku.run("buildpacks:set", APP, "heroku/nodejs").status == 0
    assert dokku.run("buildpacks:set", "--index", "2", APP, "heroku/ruby").status == 0
    assert listed(dokku) == [NODE, RUBY]
    assert dokku.run("buildpacks:remove", APP, "heroku/nodejs").status == 0
    assert listed(dokku) == [RUBY]
    assert dokku.run("buildpacks:remove", APP, "heroku/php").status != 0
    assert dokku.run("buildpacks:remove", APP, "heroku/ruby").status == 0
    assert dokku.run("--quiet", "buildpacks:list", APP).output == ""
    imagemagick = "https://github.com/yespark/heroku-imagemagick-buildpack"
    for url in (NODE, RUBY, imagemagick):
        assert dokku.run("buildpacks:add", APP, url).status == 0
    assert listed(dokku) == [NODE, RUBY, imagemagick]
    assert dokku.run("buildpacks:remove", APP, "--index", "1").status == 0
    assert listed(dokku) == [RUBY, imagemagick]


def test_buildpacks_clear(dokku):
    """tests/unit/buildpacks.bats: "(buildpacks) buildpacks:clear"."""
    assert dokku.run("buildpacks:set", APP, "heroku/nodejs").status == 0
    assert dokku.run("buildpacks:set", "--index", "2", APP, "heroku/ruby").status == 0
    assert dokku.run("buildpacks:clear", APP).status == 0
    assert dokku.run("--quiet", "buildpacks:list", APP).output == ""
    assert dokku.run("buildpacks:clear", APP).status == 0
    assert dokku.run("buildpacks:clear", APP).status == 0
    assert dokku.run("--quiet", "buildpacks:list", APP).output == ""


# ---------------------------------------------------------------------- from the source


@pytest.mark.parametrize("given, stored", [
    ("heroku/nodejs", NODE),
    ("heroku-community/apt", "https://github.com/heroku/heroku-buildpack-apt.git"),
    ("my_org/some-pack", "https://github.com/my_org/heroku-buildpack-some-pack.git"),
    ("https://github.com/heroku/heroku-buildpack-nodejs.git#v200", "https://github.com/heroku/heroku-buildpack-nodejs.git#v200"),
    ("git@github.com:heroku/heroku-buildpack-nodejs.git", "git@github.com:heroku/heroku-buildpack-nodejs.git"),
    ("git://example.com/team/pack", "git://example.com/team/pack"),
    ("http://example.com/a/b.tgz", "http://example.com/a/b.tgz"),
])
def test_valid_buildpack_urls_are_stored_expanded(dokku, given, stored):
    """plugins/buildpacks/functions.go validBuildpackURL: shorthand expands, URLs stay."""
    assert dokku.run("buildpacks:add", APP, given).status == 0
    assert dokku.state()["apps"][APP]["buildpacks"] == [stored]


@pytest.mark.parametrize("given", [
    "nodejs", "/nodejs", "http://nodejs", "ssh://git@github.com/a/b.git", "https://example.com/pack.tgz",
    "ftp://example.com/a/b", "heroku/node.js", "héroku/nodejs", "file:///tmp/a/b",
])
def test_invalid_buildpack_urls_are_refused_with_the_value(dokku, given):
    """plugins/buildpacks/functions.go validBuildpackURL: `Invalid buildpack specified: X`."""
    result = dokku.run("buildpacks:add", APP, given)
    assert (result.status, result.output) == (1, f" !     Invalid buildpack specified: {given}\n")


def test_buildpacks_add_keeps_duplicates_and_needs_a_url(dokku):
    """plugins/common/properties.go PropertyListAdd appends without de-duplicating."""
    assert dokku.run("buildpacks:add", APP).output == " !     Must specify a buildpack url or reference\n"
    for _ in range(2):
        assert dokku.run("buildpacks:add", APP, "heroku/nodejs").status == 0
    assert listed(dokku) == [NODE, NODE]


def test_buildpacks_list_and_remove_messages(dokku):
    """plugins/buildpacks/subcommands.go CommandList/CommandRemove: info1 header, verbose rows."""
    assert dokku.run("buildpacks:remove", APP, "heroku/ruby").output == (
        f" !     No buildpacks were found, next release on {APP} will detect buildpack normally\n")
    assert dokku.run("buildpacks:add", APP, "heroku/nodejs").status == 0
    assert dokku.run("buildpacks:list", APP).output == f"-----> {APP} buildpack urls\n       {NODE}\n"
    assert dokku.run("buildpacks:remove", APP, "heroku/ruby").output == " !     Value not found\n"
    assert dokku.run("buildpacks:remove", APP, "--index", "3").output == " !     Index not found\n"
    both = dokku.run("buildpacks:remove", APP, "heroku/nodejs", "--index", "1")
    assert both.output == " !     Please choose either index or Buildpack, but not both\n"
    assert dokku.run("buildpacks:remove", APP, "heroku/nodejs").output == f"-----> Removing {NODE}\n"


def test_buildpacks_global_report_has_only_the_global_stack(dokku):
    """plugins/buildpacks/report.go ReportSingleApp: --global lists --buildpacks-global-stack only."""
    keys = json.loads(dokku.run("buildpacks:report", "--global", "--format", "json").output)
    assert keys == {"global-stack": "", "buildpacks-global-stack": ""}
