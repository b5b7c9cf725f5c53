"""Dokku's config unit tests (tests/unit/config.bats) ported to the emulator, plus the env file.

setup() writes ``export global_test=true`` to the global ENV file and creates
the app; the fixture below does the same, so the global file is read with
godotenv's parser like any other. Left out: the config:import tests
(Docklight does not drive config:import; its paste reads the file itself),
"global config (herokuish/dockerfile)" (they need ``dokku run`` in a deployed
container) and the three pre-0.38 ENV migration tests (plugin:install --core
and plugn triggers are not emulated).

The last tests go past the bats file: they check what the emulator's env
storage does with values godotenv cannot store as given
(plugins/config/environment.go Write/loadFromFile with godotenv v1.5.1).
"""

import base64

import pytest

from docklight.dokku import envfile
from docklight.emulator import state as store

APP = "dokku-test-app"
GLOBAL_ENV = "export global_test=true\n"


@pytest.fixture
def dokku(dokku):
    """setup(): the global ENV file and one created app."""
    state = store.new_state([store.make_app(APP, deployed=False)])
    state["global"]["env_file"] = GLOBAL_ENV
    state["global"]["config"] = envfile.parse(GLOBAL_ENV)
    store.write_state(dokku.home, state)
    return dokku


def ssh(dokku, line):
    """bats' ``run ssh dokku@$DOKKU_DOMAIN ...``: the words arrive joined in SSH_ORIGINAL_COMMAND."""
    return dokku.run(ssh=line)


def test_config_help(dokku):
    """(config) config:help."""
    bare = dokku.run("config", "--help")
    assert "Manage global and app-specific config vars" in bare.output
    helped = dokku.run("config:help")
    assert "Manage global and app-specific config vars" in helped.output
    assert helped.output == bare.output


def test_config_set_global(dokku):
    """(config) config:set --global."""
    # bash turns test_var2=\"hello world\" test_var3='double\"quotes' into these words.
    r = ssh(dokku, 'config:set --global test_var=true test_var2="hello world" test_var3=double\\"quotes')
    assert r.status == 0, r.output


def test_config_get_global(dokku):
    """(config) config:get --global."""
    r = ssh(dokku, 'config:set --global test_var=true test_var2="hello world" '
                   'test_var3="with\\nnewline" test_var4=double\\"quotes')
    assert r.status == 0, r.output
    assert dokku.run("config:get", "--global", "test_var2").output == "hello world\n"
    assert dokku.run("config:get", "--global", "test_var3").output == "with\\nnewline\n"
    assert dokku.run("config:get", "--global", "test_var4").output == 'double"quotes\n'


def test_config_unset_global(dokku):
    """(config) config:unset --global."""
    assert ssh(dokku, 'config:set --global test_var=true test_var2="hello world"').status == 0
    assert dokku.run("config:get", "--global", "test_var").status == 0
    assert dokku.run("config:unset", "--global", "test_var").status == 0
    r = dokku.run("config:get", "--global", "test_var")
    assert (r.status, r.output) == (1, "")  # assert_output_not_exists


def test_config_set_get(dokku):
    """(config) config:set/get."""
    r = ssh(dokku, f'config:set {APP} test_var1=true test_var2="hello world" test_var3=double\\"quotes')
    assert r.status == 0, r.output
    r = dokku.run("config:set", APP)
    assert (r.status, r.output) == (1, " !     At least one env pair must be given\n")
    assert dokku.run("config:get", APP, "test_var1").output == "true\n"
    assert dokku.run("config:get", APP, "test_var2").output == "hello world\n"
    assert dokku.run("config:get", APP, "test_var3").output == 'double"quotes\n'


def test_config_set_get_with_app_flag(dokku):
    """(config) config:set/get (with --app)."""
    assert dokku.run("--app", APP, "config:set", "test_var1=true", "test_var2=hello world").status == 0
    r = dokku.run("--app", APP, "config:set")
    assert (r.status, r.output) == (1, " !     At least one env pair must be given\n")
    assert dokku.run("--app", APP, "config:get", "test_var1").output == "true\n"
    assert dokku.run("--app", APP, "config:get", "test_var2").output == "hello world\n"


@pytest.mark.parametrize("name, raw, size", [
    ("test_echo", b"myvalue\n", 9), ("test_printf", b"myvalue", 8),
    ("test_echo_n", b"myvalue", 8), ("test_cat", b"filecontent", 12),
])
def test_config_set_encoded_preserves_decoded_bytes(dokku, name, raw, size):
    """(config) config:set --encoded preserves decoded bytes (`config:get | wc -c`)."""
    encoded = base64.b64encode(raw).decode()
    assert dokku.run("config:set", "--encoded", "--no-restart", APP, f"{name}={encoded}").status == 0
    assert len(dokku.run("config:get", APP, name).output.encode()) == size


def test_config_clear(dokku):
    """(config) config:clear."""
    assert ssh(dokku, f'config:set {APP} test_var=true test_var2="hello world" '
                      'test_var3="with\\nnewline"').status == 0
    r = dokku.run("config:clear", APP)
    assert r.status == 0
    # config.go UnsetAll logs one line per key (Go map order; the emulator sorts).
    assert sorted(r.lines) == ["-----> Unsetting test_var", "-----> Unsetting test_var2",
                               "-----> Unsetting test_var3"]
    r = dokku.run("config:get", APP, "test_var")
    assert (r.status, r.output) == (1, "")


def test_config_unset(dokku):
    """(config) config:unset."""
    assert ssh(dokku, f'config:set {APP} test_var=true test_var2="hello world" '
                      'test_var3="with\\nnewline"').status == 0
    assert dokku.run("config:get", APP, "test_var").output == "true\n"
    assert dokku.run("config:unset", APP, "test_var").status == 0
    assert dokku.run("config:get", APP, "test_var").output == ""
    assert dokku.run("config:get", APP, "test_var3").output == "with\\nnewline\n"
    assert dokku.run("config:unset", APP, "test_var3").status == 0
    assert dokku.run("config:get", APP, "test_var3").output == ""
    r = dokku.run("config:unset", APP)
    assert (r.status, r.output) == (1, " !     At least one key must be given\n")


def test_config_show(dokku):
    """(config) config:show."""
    assert dokku.run("--app", APP, "config:set", "zKey=true", "bKey=true", "BKEY=true",
                     "aKey=true").status == 0
    r = dokku.run("--app", APP, "config:show")
    assert r.output == f"=====> {APP} env vars\nBKEY:  true\naKey:  true\nbKey:  true\nzKey:  true\n"


def test_config_export(dokku):
    """(config) config:export."""
    assert dokku.run("--app", APP, "config:set", "zKey=true", "bKey=true", "BKEY=true",
                     "aKey=true").status == 0
    assert dokku.run("config:export", "--format", "docker-args", APP).output == \
        "--env=BKEY='true' --env=aKey='true' --env=bKey='true' --env=zKey='true'\n"
    assert dokku.run("config:export", "--format", "shell", APP).output == \
        "BKEY='true' aKey='true' bKey='true' zKey='true' "
    assert dokku.run("config:export", "--format", "json", APP).output == \
        '{"BKEY":"true","aKey":"true","bKey":"true","zKey":"true"}\n'
    assert dokku.run("config:export", "--format", "json-list", APP).output == \
        '[{"name":"BKEY","value":"true"},{"name":"aKey","value":"true"},' \
        '{"name":"bKey","value":"true"},{"name":"zKey","value":"true"}]\n'


def test_the_global_env_file_written_with_export_is_read(dokku):
    """setup()'s `export global_test=true` file, read by godotenv (locateKeyName drops export)."""
    assert dokku.run("config:get", "--global", "global_test").output == "true\n"
    assert "global_test:  true" in dokku.run("config:show", APP, "--merged").output


# --- the env file, beyond config.bats ------------------------------------------------------


def _set_encoded(dokku, *pairs, app=APP):
    args = [f"{k}={base64.b64encode(v.encode()).decode()}" for k, v in pairs]
    return dokku.run("config:set", "--encoded", "--no-restart", app, *args)


def test_a_value_ending_in_backslash_breaks_every_later_config_command(dokku):
    # SetMany ignores Write's result and godotenv.Marshal cannot fail: the set itself succeeds.
    r = _set_encoded(dokku, ("A_PATH", "C:\\dir\\"), ("B", "after"))
    assert r.status == 0 and "-----> Setting config vars" in r.output
    app = dokku.state()["apps"][APP]
    assert app["env_file"] == 'A_PATH="C:\\\\dir\\\\"\nB="after"\n'
    broken = 'unexpected character "\\"" in variable name near "after\\"\\n"'
    assert app["config_error"] == broken
    for args in (["config:show", APP], ["config:keys", APP], ["config:export", APP],
                 ["config:unset", APP, "B"], ["config:clear", APP]):
        r = dokku.run(*args)
        assert (r.status, r.output) == (1, f" !     {broken}\n"), args
    r = _set_encoded(dokku, ("FIX", "x"))
    assert (r.status, r.output) == (1, f" !     {broken}\n")
    r = dokku.run("config:get", APP, "B")  # Get swallows the load error: exit 1, no output
    assert (r.status, r.output) == (1, "")


def test_a_deploy_of_an_app_with_a_broken_env_file_fails(dokku):
    state = store.new_state([store.make_app(APP, deployed=True)])
    store.write_state(dokku.home, state)
    assert _set_encoded(dokku, ("Z", "ends\\")).status == 0
    r = dokku.run("ps:restart", APP)
    assert (r.status, r.output) == (1, ' !     unterminated quoted value "ends\\\\"\n')
    assert dokku.run("ps:rebuild", APP).status == 1


@pytest.mark.parametrize("typed, back", [("007", "7"), ("+5", "5"), ("-0", "0"), ('say "hi"', 'say "hi\\')])
def test_values_come_back_as_godotenv_reads_them(dokku, typed, back):
    r = _set_encoded(dokku, ("V", typed))
    assert f"V:  {typed}" in r.output  # SetMany prints the entries as given
    assert dokku.run("config:get", APP, "V").output == back + "\n"


def test_config_get_has_no_merged_flag(dokku):
    # src/subcommands/subcommands.go: config:get defines --global and --quoted only.
    assert dokku.run("config:get", "--merged", APP, "X").status == 2


def test_invalid_keys_read_from_the_file_are_deleted_with_dokkus_message(dokku):
    state = dokku.state()
    state["apps"][APP]["config"] = {"GOOD": "1", "BAD.KEY": "2"}
    store.write_state(dokku.home, state)
    r = dokku.run("config:keys", APP)
    assert r.lines == [f"-----> Deleting invalid key BAD.KEY from config for {APP}", "GOOD"]
    assert dokku.state()["apps"][APP]["env_file"] == "GOOD=1\n"
