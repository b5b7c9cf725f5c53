"""The plugin form sends only sources Dokku and plugn install, and quotes the rule otherwise (issue 11 item 9).

plugins/plugin/subcommands/install cmd-plugin-install takes a source only
when it matches ``https:* | git* | ssh:* | file:* | *.tar.gz | *.tgz``;
functions download_and_enable_plugin names it with plugin_name unless
--name is given and pins it with --committish through plugn update; plugn's
install (bashenv/plugn.bash) downloads a ``.tar.gz``/``.tgz`` last part with
curl and git-clones the rest. Each test posts the form through the real sshd
and checks what reached Dokku and what Dokku then holds.
"""

from __future__ import annotations

import pytest

from tests.conftest import job_id_of, wait_for_job
from tests.tabs import HX, error_next_to


def installs(emulator) -> list[list[str]]:
    """Return every plugin:install argv Dokku received."""
    return [c for c in emulator.calls() if c[0] == "plugin:install"]


def plugin(emulator, name: str) -> dict | None:
    """Return the emulator's record of plugin *name*, if installed."""
    return next((p for p in emulator.state()["plugins"] if p["name"] == name), None)


def test_a_plugin_in_a_local_git_repository_can_be_installed(app, client, auth, emulator):
    # Dokku's own bats test installs from file://; Docklight used to refuse it.
    auth.login()
    r = client.post("/plugins/install", data={"url": "file:///srv/plugins/dokku-hello"}, headers=HX)
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert installs(emulator) == [["plugin:install", "file:///srv/plugins/dokku-hello"]]
    assert plugin(emulator, "hello")["enabled"] is True


@pytest.mark.parametrize(("source", "rule", "dokku_says"), [
    ("http://example.com/dokku-hello.git", "starts with https:, git, ssh: or file:",
     "Please retry with valid arguments"),
    ("github.com/dokku/dokku-hello", "git reads anything else as a local directory",
     "fatal: repository 'github.com/dokku/dokku-hello' does not exist"),
    ("https://example.com/dokku-hello.tar.gz?sig=abc", "plugn would git-clone it",
     "not found"),
])
def test_a_source_dokku_cannot_install_is_refused_with_the_rule(client, auth, emulator, sshd,
                                                                source, rule, dokku_says):
    auth.login()
    r = client.post("/plugins/install", data={"url": source, "name": "hello"}, headers=HX)
    assert r.status_code == 422
    message = error_next_to(r, "url")
    assert rule in message
    assert "plugins/plugin/subcommands/install" in message or "plugn.bash" in message
    assert installs(emulator) == []
    # Dokku (the emulator, following the same sources) fails each of them too.
    done = sshd.run(f"plugin:install {source} --name hello", root=True)
    assert done.returncode != 0 and dokku_says in done.stderr
    assert plugin(emulator, "hello") is None


def test_an_archive_gets_the_name_the_user_gives_not_its_file_name(app, client, auth, emulator):
    # plugin_name keeps ".tar.gz": without --name the plugin would be "hello.tar.gz",
    # a name plugin:update refuses (fn-is-valid-plugin).
    auth.login()
    source = "https://example.com/releases/dokku-hello.tar.gz"
    r = client.post("/plugins/install", data={"url": source}, headers=HX)
    assert r.status_code == 422
    assert "Dokku would call it 'hello.tar.gz'" in error_next_to(r, "name")
    assert installs(emulator) == []
    r = client.post("/plugins/install", data={"url": source, "name": "hello"}, headers=HX)
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert installs(emulator) == [["plugin:install", source, "--name", "hello"]]
    assert plugin(emulator, "hello")["enabled"] is True


def test_a_version_is_pinned_for_git_and_refused_for_an_archive(app, client, auth, emulator):
    auth.login()
    r = client.post("/plugins/install", headers=HX, data={
        "url": "https://example.com/dokku-hello.tgz", "name": "hello", "committish": "v0.2.0"})
    assert r.status_code == 422
    assert "not managed by git" in error_next_to(r, "committish")
    assert installs(emulator) == []
    source = "https://github.com/dokku/smoke-test-plugin.git"
    r = client.post("/plugins/install", headers=HX, data={
        "url": source, "name": "smoke-test-plugin", "committish": "v0.2.0"})
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert installs(emulator) == [
        ["plugin:install", source, "--committish", "v0.2.0", "--name", "smoke-test-plugin"]]
    assert plugin(emulator, "smoke-test-plugin")["version"] == "0.2.0"
