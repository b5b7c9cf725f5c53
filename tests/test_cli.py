"""`flask --app wsgi docklight check|acl-commands|backup` against the real sshd."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from docklight import cli, create_app, services
from docklight.dokku import commands
from tests.conftest import REPO_ROOT, app_config
from tests.live import free_port
from tests.sshd import _fingerprint


def deploy_config(sshd, data_dir, **extra):
    """Return settings shaped as docs/deploy.md sets them.

    Key and known_hosts come from DOCKLIGHT_DOKKU_SSH_KEY_PATH and
    DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS (no DOCKLIGHT_DOKKU_SSH_OPTS), and the
    port travels in the target, as in `dokku@172.17.0.1:22`.
    """
    config = app_config(sshd, data_dir)
    config.update({
        "DOCKLIGHT_DOKKU_SSH_OPTS": "",
        "DOCKLIGHT_DOKKU_SSH_KEY_PATH": sshd.key_path,
        "DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS": sshd.known_hosts,
        "DOCKLIGHT_ALLOWED_HOSTS": "docklight.example.com",
    })
    config.update(extra)
    return config


def close_dokku(app) -> None:
    """Close the SSH transports an app opened."""
    dokku = app.extensions["docklight"]._dokku
    if dokku is not None:
        dokku.close()


@pytest.fixture
def make_cli_app(sshd, emulator, data_dir):
    """Return a factory of apps with the docklight command group registered."""
    made = []

    def make(**extra):
        app = create_app(deploy_config(sshd, data_dir, **extra))
        cli.init_app(app)  # idempotent: a no-op once the factory registers it
        made.append(app)
        return app

    yield make
    for app in made:
        close_dokku(app)


def invoke(app, *args):
    """Run `flask docklight <args>` in-process and return click's Result."""
    return app.test_cli_runner().invoke(args=["docklight", *args])


def history(app):
    """Return (subcommand, status) of every history row, oldest first."""
    conn = sqlite3.connect(app.config["DATABASE"])
    try:
        return conn.execute("SELECT subcommand, status FROM commands ORDER BY id").fetchall()
    finally:
        conn.close()


# --- check ------------------------------------------------------------------

def test_check_prints_fingerprint_version_and_records_the_read(make_cli_app, sshd, emulator):
    emulator.settings(version="0.37.9")
    app = make_cli_app()
    result = invoke(app, "check")
    assert result.exit_code == 0, result.output
    fingerprint = _fingerprint(sshd.host_key)
    out = result.stdout
    assert fingerprint.startswith("SHA256:")
    assert f"user target:   {sshd.target}" in out
    assert out.count(f"host key:    {fingerprint}") == 2  # user and root targets
    assert "0.37.9" in out
    assert "apps:list:   ok (4 apps)" in out
    assert out.rstrip().endswith("ok: Docklight reaches Dokku")
    assert result.stderr == ""
    assert ["apps:list"] in emulator.calls()
    assert ("apps:list", "ok") in history(app) and ("version", "ok") in history(app)


@pytest.mark.parametrize("known_hosts, message", [
    ("wrong_known_hosts", "Host key mismatch"),
    ("empty", "Unknown host key"),
])
def test_check_refuses_a_host_key_it_cannot_verify(make_cli_app, sshd, emulator, data_dir,
                                                   known_hosts, message):
    if known_hosts == "empty":
        path = os.path.join(data_dir, "known_hosts")
        open(path, "w").close()
    else:
        path = getattr(sshd, known_hosts)
    app = make_cli_app(DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS=path)
    result = invoke(app, "check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("docklight: error: ")
    assert message in lines[0] and "SHA256:" in lines[0] and "Hint:" in lines[0]
    assert "Traceback" not in result.output
    assert "ok: Docklight" not in result.stdout
    assert emulator.calls() == []  # nothing reached Dokku


def test_check_names_an_unreachable_host(make_cli_app, emulator):
    app = make_cli_app(DOCKLIGHT_DOKKU_SSH_TARGET=f"dokku@127.0.0.1:{free_port()}",
                       DOCKLIGHT_DOKKU_SSH_ROOT_TARGET="")
    result = invoke(app, "check")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "Cannot connect" in result.stderr and "Traceback" not in result.output


def _flask(env, *args):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DOCKLIGHT_")}
    environ.update({k: str(v) for k, v in env.items() if k != "TESTING"})
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    return subprocess.run([flask, "--app", "wsgi", *args], cwd=REPO_ROOT, env=environ,
                          capture_output=True, text=True, timeout=60)


def test_flask_command_line_as_documented(sshd, emulator, data_dir):
    """The exact command lines of docs/deploy.md, as a subprocess."""
    env = deploy_config(sshd, data_dir, DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS=sshd.wrong_known_hosts)
    done = _flask(env, "docklight", "check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Host key mismatch" in done.stderr and "Traceback" not in done.stderr
    done = _flask(deploy_config(sshd, data_dir), "docklight", "acl-commands")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == sorted(commands.ALLOWED)


def test_bad_setting_is_one_line_before_any_command(sshd, data_dir):
    done = _flask(deploy_config(sshd, data_dir, DOCKLIGHT_TRUSTED_PROXIES="-1"),
                  "docklight", "check")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "docklight: configuration error: DOCKLIGHT_TRUSTED_PROXIES must be from 0 to 10, got -1"]


# --- acl-commands -----------------------------------------------------------

def builder_samples():
    """One call of every builder (every action), as views make them."""
    samples = [
        commands.version(), commands.apps_list(), commands.apps_list(json=True),
        commands.apps_create("new"), commands.apps_destroy("api"),
        commands.apps_rename("api", "api2"), commands.apps_unlock("api"),
        commands.apps_lock("api"), commands.ps_scale("api"), commands.ps_scale("api", {"web": 2}),
        commands.config_export("api"), commands.config_keys("api"),
        commands.config_get("api", "KEY"), commands.config_set("api", {"KEY": "v"}),
        commands.config_unset("api", ["KEY"]), commands.ports_clear("api"),
        commands.git_sync("api", "https://github.com/dokku/smoke-test-app.git"),
        commands.git_set("api", "deploy-branch", "main"),
        commands.builder_set("api", "selected", "dockerfile"),
        commands.buildpacks_list("api"), commands.buildpacks_clear("api"),
        commands.checks_run("api"), commands.storage_list("api"),
        commands.storage_unmount_entry("api", "uploads", "/app/uploads"),
        commands.storage_unmount_volume("api", "cache-volume", "/cache"),
        commands.resource_clear("limit", "api"), commands.resource_clear("reserve", "api", "web"),
        commands.resource_clear_everything("api"),
        commands.resource_set("limit", "api", memory="512m"),
        commands.resource_set("reserve", "api", cpu="1"),
        commands.network_set("api", "bind-all-interfaces", "true"),
        commands.docker_options_clear("api"),
        commands.docker_options_change("add", "api", ["deploy"], "--shm-size=256m"),
        commands.docker_options_change("remove", "api", ["deploy"], "--shm-size=256m"),
        commands.letsencrypt_list(), commands.letsencrypt_active("api"),
        commands.letsencrypt_set_email("api", "ops@example.com"),
        commands.logs("api"), commands.logs("api", tail=True),
        commands.plugin_list(), commands.plugin_install("https://github.com/dokku/dokku-acl.git"),
        commands.plugin_update("acl"),
    ]
    samples += [commands.report(plugin, "api") for plugin in commands.REPORT_PLUGINS]
    samples += [commands.ps_action(a, "api") for a in ("start", "stop", "restart", "rebuild")]
    samples += [commands.domains_change(a, "api", ["api.example.com"])
                for a in ("add", "remove", "set")]
    samples += [commands.domains_toggle(a, "api") for a in ("clear", "enable", "disable")]
    samples += [commands.ports_change(a, "api", ["http:80:5000"]) for a in ("add", "remove", "set")]
    samples += [commands.proxy_toggle(a, "api") for a in ("enable", "disable")]
    samples += [commands.buildpacks_change(a, "api", "heroku/python") for a in ("add", "remove")]
    samples += [commands.checks_change(a, "api") for a in commands.CHECK_ACTIONS]
    samples += [commands.storage_change(a, "api", "/var/lib/dokku/data/storage/api", "/data")
                for a in ("mount", "unmount")]
    samples += [commands.letsencrypt_action(a, "api") for a in ("enable", "disable", "auto-renew")]
    samples += [commands.plugin_action(a, "acl") for a in ("enable", "disable", "uninstall")]
    for plugin in commands.DATASTORE_PLUGINS:
        samples += [
            commands.service_list(plugin), commands.service_info(plugin, "db"),
            commands.service_create(plugin, "db"), commands.service_destroy(plugin, "db"),
            commands.service_exists(plugin, "db"),
            commands.service_link("link", plugin, "db", "api"),
            commands.service_link("unlink", plugin, "db", "api"),
        ]
    return samples


def test_acl_commands_is_exactly_the_allowlist(make_cli_app):
    app = make_cli_app()
    result = invoke(app, "acl-commands")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 1  # one line, ready for DOKKU_ACL_USER_COMMANDS
    listed = result.stdout.split()
    assert listed == sorted(commands.ALLOWED)
    lines = invoke(app, "acl-commands", "--lines").stdout.splitlines()
    assert lines == listed
    # Whatever a builder can produce is in the list.
    produced = {cmd.subcommand for cmd in builder_samples()}
    assert produced <= set(listed)


def test_acl_commands_user_only_leaves_out_exactly_the_root_commands(make_cli_app):
    app = make_cli_app()
    user_only = invoke(app, "acl-commands", "--user-only", "--lines").stdout.splitlines()
    root = {cmd.subcommand for cmd in builder_samples() if cmd.root}
    assert root == {"plugin:install", "plugin:update", "plugin:enable", "plugin:disable",
                    "plugin:uninstall"}
    assert user_only == sorted(set(commands.ALLOWED) - root)
    assert "plugin:list" in user_only


# --- backup -----------------------------------------------------------------

def make_history(app) -> int:
    """Run a few reads through the Dokku client; return the rows in commands."""
    with app.app_context():
        dokku = services.dokku()
        for command in (commands.version(), commands.apps_list(), commands.report("ps", "api")):
            assert dokku.run(command).ok
    return len(history(app))


def test_backup_is_a_verified_private_copy(make_cli_app, tmp_path):
    app = make_cli_app()
    rows = make_history(app)
    assert rows >= 3
    target = tmp_path / "backup.sqlite3"
    result = invoke(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert f"{rows} rows in commands" in result.stdout and "integrity ok" in result.stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["backup.sqlite3"]  # no -wal, no temp file
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        copied = conn.execute("SELECT subcommand, status FROM commands ORDER BY id").fetchall()
    finally:
        conn.close()
    assert copied == history(app)
    assert ("apps:list", "ok") in copied


def test_backup_refuses_to_overwrite_without_force(make_cli_app, tmp_path):
    app = make_cli_app()
    make_history(app)
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"precious")
    result = invoke(app, "backup", str(target))
    assert result.exit_code == 1
    assert "exists; pass --force" in result.stderr and "Traceback" not in result.output
    assert target.read_bytes() == b"precious"
    result = invoke(app, "backup", "--force", str(target))
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT count(*) FROM commands").fetchone()[0] == len(history(app))
    finally:
        conn.close()


def test_backup_never_replaces_the_live_database(make_cli_app):
    app = make_cli_app()
    result = invoke(app, "backup", "--force", app.config["DATABASE"])
    assert result.exit_code == 1 and "live database" in result.stderr
    conn = sqlite3.connect(app.config["DATABASE"])
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


def test_documented_backup_command_line(sshd, emulator, data_dir):
    """`flask --app wsgi docklight backup <file>` as docs/deploy.md runs it."""
    target = os.path.join(data_dir, "backup-2026-01-01.sqlite3")
    done = _flask(deploy_config(sshd, data_dir), "docklight", "backup", target)
    assert done.returncode == 0, done.stderr
    assert os.path.exists(target) and "integrity ok" in done.stdout
