"""Builders refuse bad input; commands encode for Dokku's xargs re-split."""

from __future__ import annotations

import base64

import pytest

from docklight.dokku import commands
from docklight.dokku.command import Command, xargs_quote
from docklight.dokku.validators import ValidationError

HOSTILE = [
    "",
    " ",
    "-rf",
    "--force",
    "--app=other",
    "a b",
    "a;b",
    "$(id)",
    "`id`",
    "a'b",
    'a"b',
    "ünïcode",
    "line\nbreak",
    "UPPER",
    "a/b",
    "a" * 300,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_app_name_refuses_hostile_values(value):
    with pytest.raises(ValidationError) as info:
        commands.ps_action("restart", value)
    assert info.value.field == "app"
    assert info.value.message


@pytest.mark.parametrize("value", ["my_app", "app.v2"])
def test_new_app_name_uses_dokku_create_rule(value):
    # Underscores pass for existing (legacy) apps but not for new ones.
    if "_" in value:
        assert commands.ps_action("restart", value).args == ("ps:restart", value)
        with pytest.raises(ValidationError, match="must begin with lowercase"):
            commands.apps_create(value)
    else:
        assert commands.apps_create(value).args == ("apps:create", value)


@pytest.mark.parametrize("builder, kwargs, field", [
    (commands.domains_change, dict(action="add", app="api", domains=["-x.com"]), "domain"),
    (commands.domains_change, dict(action="add", app="api", domains=["a b.com"]), "domain"),
    (commands.domains_change, dict(action="add", app="api", domains=["bad_domain!"]), "domain"),
    (commands.config_set, dict(app="api", values={"1KEY": "v"}), "key"),
    (commands.config_set, dict(app="api", values={"--force": "v"}), "key"),
    (commands.config_set, dict(app="api", values={}), "key"),
    (commands.config_unset, dict(app="api", keys=["A-B"]), "key"),
    (commands.ps_scale, dict(app="api", counts={"web": "-1"}), "count-web"),
    (commands.ps_scale, dict(app="api", counts={"web": "two"}), "count-web"),
    (commands.ps_scale, dict(app="api", counts={"-web": "1"}), "count--web"),
    (commands.ports_change, dict(action="add", app="api", mappings=["http:99999:5000"]), "mapping"),
    (commands.ports_change, dict(action="add", app="api", mappings=["ftp:21:21"]), "mapping"),
    (commands.git_sync, dict(app="api", repository="file:///etc"), "repository"),
    (commands.git_sync, dict(app="api", repository="--upload-pack=x"), "repository"),
    (commands.git_sync, dict(app="api", repository="https://x.org/r.git", ref="-b"), "ref"),
    (commands.storage_change, dict(action="mount", app="api", host_path="rel/path",
                                   container_path="/app"), "host_path"),
    (commands.storage_change, dict(action="mount", app="api", host_path="/a/../etc",
                                   container_path="/app"), "host_path"),
    (commands.docker_options_change, dict(action="add", app="api", phases=["deploy"],
                                          option="--force"), "option"),
    (commands.docker_options_change, dict(action="add", app="api", phases=["boot"],
                                          option="--rm"), "phases"),
    (commands.letsencrypt_set_email, dict(app="api", address="-x@y.com"), "email"),
    (commands.resource_set, dict(kind="limit", app="api", memory="lots"), "memory"),
    (commands.plugin_install, dict(url="https://github.com/dokku/dokku-postgres.git",
                                   name="--force"), "name"),
    (commands.service_create, dict(plugin="postgres", name="-db"), "name"),
    (commands.service_create, dict(plugin="postgres", name="my db"), "name"),
    (commands.service_create, dict(plugin="evil;rm", name="db"), "plugin"),
])
def test_builders_refuse_bad_input_with_a_field(builder, kwargs, field):
    with pytest.raises(ValidationError) as info:
        builder(**kwargs)
    assert info.value.field == field


@pytest.mark.parametrize("removed, current, taken", [
    ("app.example.com", ["app.example.com", "app-example.com", "www.example.com"], "app-example.com"),
    ("a*.example.com", ["a.example.com", "aaa.example.com", "b.example.com"], "a.example.com, aaa.example.com"),
])
def test_domains_remove_refuses_what_dokkus_sed_pattern_also_takes(removed, current, taken):
    """plugins/domains domains_remove deletes with sed, where each '.' matches any character."""
    with pytest.raises(ValidationError) as refused:
        commands.domains_change("remove", "api", [removed], current=current)
    assert refused.value.field == "domain" and f"would also remove {taken}." in str(refused.value)
    kept = [d for d in current if d != removed and d not in taken]
    assert commands.domains_change("remove", "api", kept, current=current).args == (
        "domains:remove", "api", *kept)
    assert commands.domains_change("add", "api", [removed], current=current).args == (
        "domains:add", "api", removed)  # only a removal is checked against the list


def test_config_set_sends_base64_and_shows_no_value():
    value = "multi\nline 'quoted' \"double\" $(x) `y` -n ünï"
    cmd = commands.config_set("api", {"SECRET": value}, restart=False)
    assert cmd.args[:4] == ("config:set", "--encoded", "--no-restart", "api")
    key, encoded = cmd.args[4].split("=", 1)
    assert key == "SECRET" and base64.b64decode(encoded).decode() == value
    assert cmd.display == "dokku config:set --encoded --no-restart api SECRET=***"
    assert value in cmd.secrets and encoded in cmd.secrets
    assert cmd.mutates and not cmd.long


def test_git_sync_hides_credentials_in_the_shown_command():
    cmd = commands.git_sync("api", "https://user:tok3n@github.com/o/r.git", "main")
    assert cmd.args == ("git:sync", "--build", "api", "https://user:tok3n@github.com/o/r.git", "main")
    assert "tok3n" not in cmd.display and "***@github.com/o/r.git" in cmd.display
    assert "user:tok3n" in cmd.secrets


def test_logs_uses_long_options_that_survive_echo():
    cmd = commands.logs("api", num=500, process_type="web", tail=True)
    assert cmd.args == ("logs", "api", "--num", "500", "--ps", "web", "--tail")
    assert cmd.long and cmd.timeout == 0


def test_destroy_always_forces_and_root_commands_are_marked():
    assert commands.apps_destroy("api").args == ("apps:destroy", "api", "--force")
    assert commands.plugin_action("disable", "letsencrypt").root
    assert not commands.plugin_list().root


def test_every_builder_output_is_allowlisted():
    samples = [
        commands.version(), commands.apps_list(json=True), commands.report("ps"),
        commands.report("domains", "api", json=True), commands.config_export("api"),
        commands.ps_scale("api", {"web": 2}), commands.service_info("postgres", "db"),
        commands.letsencrypt_list(), commands.plugin_update("postgres"),
    ]
    for cmd in samples:
        assert cmd.subcommand in commands.ALLOWED
    with pytest.raises(ValueError):
        commands.report("shell")
    with pytest.raises(ValueError):
        commands._command("run", "api", "bash")


@pytest.mark.parametrize("arg, wire", [
    ("ps:report", "ps:report"),
    ("api.example.com", "api.example.com"),
    ("KEY=dmFsdWU=", "KEY=dmFsdWU="),
    ("a b", "'a b'"),
    ("it's", "'it'\"'\"'s'"),
    ("$(id)", "'$(id)'"),
    ("", "''"),
])
def test_xargs_quote(arg, wire):
    assert xargs_quote(arg) == wire


@pytest.mark.parametrize("arg", ["-n", "-e", "-E", "-nE", "--help", "--version", "a\nb", "a\x00b"])
def test_xargs_quote_refuses_what_cannot_travel(arg):
    with pytest.raises(ValidationError):
        xargs_quote(arg)


def test_display_quotes_like_a_shell():
    cmd = Command(args=("config:get", "api", "KEY"), shown=("x", "a b", "KEY=***"))
    assert cmd.display == "dokku x 'a b' KEY=***"


@pytest.mark.parametrize("value", ["ends in \\", "007", 'say "hi"'])
def test_config_set_refuses_values_dokku_would_not_give_back(value):
    # The builder is the one road: no caller can send a value godotenv changes or breaks on.
    with pytest.raises(ValidationError) as exc:
        commands.config_set("api", {"OK": "fine", "K": value})
    assert exc.value.field == "value" and "Not sent." in exc.value.message


def test_config_set_refuses_a_command_line_one_byte_over_what_sshd_can_pass():
    # The SSH line travels as SSH_ORIGINAL_COMMAND=<line>\0, capped at MAX_ARG_STRLEN.
    from docklight.dokku.command import MAX_ARG_STRLEN, MAX_WIRE_BYTES

    assert MAX_WIRE_BYTES == MAX_ARG_STRLEN - len("SSH_ORIGINAL_COMMAND=") - 1 == 131050
    base = len("config:set --encoded --no-restart api =")
    key = "K" * (4 + (MAX_WIRE_BYTES - base) % 4)
    value = "v" * (3 * ((MAX_WIRE_BYTES - base - len(key)) // 4))  # base64: 4 bytes per 3
    fits = commands.config_set("api", {key: value}, restart=False)
    assert len(fits.wire().encode()) == MAX_WIRE_BYTES
    with pytest.raises(ValidationError) as exc:
        commands.config_set("api", {key + "K": value}, restart=False)
    assert "131,051 bytes" in exc.value.message and "131,072" in exc.value.message
