"""dokku-postgres's own tests (dokku/dokku-postgres tests/*.bats) ported to the emulator.

The plugin's suite runs against Docker; the port checks the same output and
state. Passwords come from the service record (the bats `cat .../PASSWORD`).
Left out: clone, connect, export/import, expose/unexpose, logs, pause, promote,
link_networks and hook_pre_delete (containers, networks, ambassadors, the
app-destroy hook) -- Docklight drives none of them.
"""

import pytest


APP = "my-app"


@pytest.fixture
def dokku(dokku):
    """A host with the postgres plugin and no services."""
    return dokku.create_app(APP)


def password(dokku, name):
    """Return a service's password (the bats `sudo cat $PLUGIN_DATA_ROOT/<s>/PASSWORD`)."""
    return dokku.state()["services"]["postgres"][name]["password"]


def create(dokku, *names):
    """Create services, asserting success."""
    for name in names:
        result = dokku.run("postgres:create", name)
        assert result.status == 0, result.output


# ---------------------------------------------------------------------- service_create.bats


def test_create_success(dokku):
    """tests/service_create.bats: "($PLUGIN_COMMAND_PREFIX:create) success"."""
    assert "container created: l" in " ".join(dokku.run("postgres:create", "l").lines)


def test_create_service_with_dashes(dokku):
    """tests/service_create.bats: "($PLUGIN_COMMAND_PREFIX:create) service with dashes"."""
    out = " ".join(dokku.run("postgres:create", "service-with-dashes").lines)
    assert "container created: service-with-dashes" in out
    assert "dokku-postgres-service-with-dashes" in out and "service_with_dashes" in out


def test_create_error_when_there_are_no_arguments(dokku):
    """tests/service_create.bats: "($PLUGIN_COMMAND_PREFIX:create) error when there are no arguments"."""
    assert "Please specify a valid name for the service" in dokku.run("postgres:create").output


def test_create_error_when_there_is_an_invalid_name_specified(dokku):
    """tests/service_create.bats: "($PLUGIN_COMMAND_PREFIX:create) error when there is an invalid name specified"."""
    assert dokku.run("postgres:create", "d.erp").status != 0


# ---------------------------------------------------------------------- service_destroy.bats


def test_destroy_success_with_force(dokku):
    """tests/service_destroy.bats: "($PLUGIN_COMMAND_PREFIX:destroy) success with --force"."""
    create(dokku, "l")
    assert "container deleted: l" in " ".join(dokku.run("--force", "postgres:destroy", "l").lines)


def test_destroy_error_when_there_are_no_arguments(dokku):
    """tests/service_destroy.bats: "($PLUGIN_COMMAND_PREFIX:destroy) error when there are no arguments"."""
    assert "Please specify a valid name for the service" in dokku.run("postgres:destroy").output


def test_destroy_error_when_container_does_not_exist(dokku):
    """tests/service_destroy.bats: "($PLUGIN_COMMAND_PREFIX:destroy) error when container does not exist"."""
    result = dokku.run("postgres:destroy", "non_existing_container")
    assert "service non_existing_container does not exist" in result.output


def test_destroy_error_when_container_is_linked_to_an_app(dokku):
    """tests/service_destroy.bats: "($PLUGIN_COMMAND_PREFIX:destroy) error when container is linked to an app"."""
    create(dokku, "l")
    dokku.run("postgres:link", "l", APP)
    assert "Cannot delete linked service" in dokku.run("--force", "postgres:destroy", "l").output
    dokku.run("postgres:unlink", "l", APP)
    assert "container deleted: l" in dokku.run("--force", "postgres:destroy", "l").output


# ---------------------------------------------------------------------- service_info.bats


def test_info_error_when_there_are_no_arguments(dokku):
    """tests/service_info.bats: "($PLUGIN_COMMAND_PREFIX:info) error when there are no arguments"."""
    assert "Please specify a valid name for the service" in dokku.run("postgres:info").output


def test_info_error_when_service_does_not_exist(dokku):
    """tests/service_info.bats: "($PLUGIN_COMMAND_PREFIX:info) error when service does not exist"."""
    assert "service not_existing_service does not exist" in dokku.run("postgres:info", "not_existing_service").output


def test_info_success(dokku):
    """tests/service_info.bats: "($PLUGIN_COMMAND_PREFIX:info) success"."""
    create(dokku, "l")
    out = " ".join(dokku.run("postgres:info", "l").lines)
    assert f"postgres://postgres:{password(dokku, 'l')}@dokku-postgres-l:5432/l" in out


def test_info_replaces_underscores_by_dash_in_hostname(dokku):
    """tests/service_info.bats: "($PLUGIN_COMMAND_PREFIX:info) replaces underscores by dash in hostname"."""
    create(dokku, "test_with_underscores")
    out = " ".join(dokku.run("postgres:info", "test_with_underscores").lines)
    pw = password(dokku, "test_with_underscores")
    assert f"postgres://postgres:{pw}@dokku-postgres-test-with-underscores:5432/test_with_underscores" in out


def test_info_success_with_flag(dokku):
    """tests/service_info.bats: "($PLUGIN_COMMAND_PREFIX:info) success with flag"."""
    create(dokku, "l")
    dsn = dokku.run("postgres:info", "l", "--dsn")
    assert dsn.output == f"postgres://postgres:{password(dokku, 'l')}@dokku-postgres-l:5432/l\n"
    for flag in ("--config-dir", "--data-dir", "--dsn", "--exposed-ports", "--id", "--internal-ip",
                 "--links", "--service-root", "--status", "--version"):
        assert dokku.run("postgres:info", "l", flag).status == 0, flag


def test_info_error_when_invalid_flag(dokku):
    """tests/service_info.bats: "($PLUGIN_COMMAND_PREFIX:info) error when invalid flag"."""
    create(dokku, "l")
    assert dokku.run("postgres:info", "l", "--invalid-flag").status != 0


# ---------------------------------------------------------------------- service_link.bats


@pytest.fixture
def linkable(dokku):
    """service_link.bats setup: services ls and ms and the app my-app."""
    create(dokku, "ls", "ms")
    return dokku


def test_link_error_when_there_are_no_arguments(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) error when there are no arguments"."""
    result = linkable.run("postgres:link")
    assert result.status != 0 and "Please specify a valid name for the service" in result.output


def test_link_error_when_the_app_argument_is_missing(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) error when the app argument is missing"."""
    result = linkable.run("postgres:link", "ls")
    assert result.status != 0 and "Please specify an app to run the command on" in result.output


def test_link_error_when_the_app_does_not_exist(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) error when the app does not exist"."""
    result = linkable.run("postgres:link", "ls", "not_existing_app")
    assert result.status != 0 and "App not_existing_app does not exist" in result.output


def test_link_error_when_the_service_does_not_exist(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) error when the service does not exist"."""
    result = linkable.run("postgres:link", "not_existing_service", APP)
    assert result.status != 0 and "service not_existing_service does not exist" in result.output


def test_link_error_when_the_service_is_already_linked_to_app(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) error when the service is already linked to app"."""
    linkable.run("postgres:link", "ls", APP)
    result = linkable.run("postgres:link", "ls", APP)
    assert result.status != 0 and "Already linked as DATABASE_URL" in result.output


def test_link_exports_database_url_to_app(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) exports DATABASE_URL to app"."""
    assert linkable.run("postgres:link", "ls", APP).status == 0
    url = linkable.run("config:get", APP, "DATABASE_URL").output
    assert f"postgres://postgres:{password(linkable, 'ls')}@dokku-postgres-ls:5432/ls" in url


def test_link_generates_an_alternate_config_url_when_database_url_already_in_use(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) generates an alternate config url when DATABASE_URL already in use"."""
    linkable.run("config:set", APP, "DATABASE_URL=postgres://user:pass@host:5432/db")
    linkable.run("postgres:link", "ls", APP)
    assert "DOKKU_POSTGRES_AQUA_URL" in linkable.run("config", APP).output
    linkable.run("postgres:link", "ms", APP)
    assert "DOKKU_POSTGRES_BLACK_URL" in linkable.run("config", APP).output


def test_link_links_to_app_with_docker_options(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) links to app with docker-options"."""
    linkable.run("postgres:link", "ls", APP)
    result = linkable.run("docker-options:report", APP)
    assert result.status == 0 and "--link dokku.postgres.ls:dokku-postgres-ls" in result.output


def test_link_uses_apps_postgres_database_scheme_variable(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) uses apps POSTGRES_DATABASE_SCHEME variable"."""
    linkable.run("config:set", APP, "POSTGRES_DATABASE_SCHEME=postgres2")
    linkable.run("postgres:link", "ls", APP)
    url = linkable.run("config:get", APP, "DATABASE_URL").output
    assert f"postgres2://postgres:{password(linkable, 'ls')}@dokku-postgres-ls:5432/ls" in url


def test_link_adds_a_querystring(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) adds a querystring"."""
    linkable.run("postgres:link", "ls", APP, "--querystring", "pool=5")
    assert "?pool=5" in linkable.run("config:get", APP, "DATABASE_URL").output


def test_link_uses_a_specified_config_url_when_alias_is_specified(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) uses a specified config url when alias is specified"."""
    linkable.run("postgres:link", "ls", APP, "--alias", "ALIAS")
    url = linkable.run("config:get", APP, "ALIAS_URL").output
    assert f"postgres://postgres:{password(linkable, 'ls')}@dokku-postgres-ls:5432/ls" in url


def test_link_respects_no_restart(linkable):
    """tests/service_link.bats: "($PLUGIN_COMMAND_PREFIX:link) respects --no-restart"."""
    result = linkable.run("postgres:link", "ls", APP)
    assert result.status == 0 and "Skipping restart of linked app" not in result.output
    assert linkable.run("postgres:unlink", "ls", APP).status == 0
    result = linkable.run("postgres:link", "ls", APP, "--no-restart")
    assert result.status == 0 and "Skipping restart of linked app" in result.output
    assert linkable.run("postgres:unlink", "ls", APP).status == 0


# ---------------------------------------------------------------------- service_unlink.bats


@pytest.fixture
def unlinkable(dokku):
    """service_unlink.bats setup: the app my-app and the service ls."""
    create(dokku, "ls")
    return dokku


def test_unlink_error_when_there_are_no_arguments(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) error when there are no arguments"."""
    assert "Please specify a valid name for the service" in unlinkable.run("postgres:unlink").output


def test_unlink_error_when_the_app_argument_is_missing(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) error when the app argument is missing"."""
    assert "Please specify an app to run the command on" in unlinkable.run("postgres:unlink", "ls").output


def test_unlink_error_when_the_app_does_not_exist(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) error when the app does not exist"."""
    assert "App not_existing_app does not exist" in unlinkable.run("postgres:unlink", "ls", "not_existing_app").output


def test_unlink_error_when_the_service_does_not_exist(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) error when the service does not exist"."""
    result = unlinkable.run("postgres:unlink", "not_existing_service", APP)
    assert "service not_existing_service does not exist" in result.output


def test_unlink_error_when_service_not_linked_to_app(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) error when service not linked to app"."""
    assert "Not linked to app my-app" in unlinkable.run("postgres:unlink", "ls", APP).output


def test_unlink_removes_link_from_docker_options(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) removes link from docker-options".

    The bats test compares the whole docker-options:report; the port checks that
    the `--link` option the link added is gone from every phase.
    """
    unlinkable.run("postgres:link", "ls", APP)
    options = unlinkable.state()["apps"][APP]["docker_options"]
    assert all("--link dokku.postgres.ls:dokku-postgres-ls" in options[p] for p in ("build", "deploy", "run"))
    unlinkable.run("postgres:unlink", "ls", APP)
    options = unlinkable.state()["apps"][APP]["docker_options"]
    assert not any("--link dokku.postgres.ls:dokku-postgres-ls" in options[p] for p in ("build", "deploy", "run"))


def test_unlink_unsets_config_url_from_app(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) unsets config url from app"."""
    unlinkable.run("postgres:link", "ls", APP)
    unlinkable.run("postgres:unlink", "ls", APP)
    assert unlinkable.run("config:get", APP, "DATABASE_URL").output == ""


def test_unlink_respects_no_restart(unlinkable):
    """tests/service_unlink.bats: "($PLUGIN_COMMAND_PREFIX:unlink) respects --no-restart"."""
    assert unlinkable.run("postgres:link", "ls", APP).status == 0
    result = unlinkable.run("postgres:unlink", "ls", APP)
    assert result.status == 0 and "Skipping restart of linked app" not in result.output
    assert unlinkable.run("postgres:link", "ls", APP).status == 0
    result = unlinkable.run("postgres:unlink", "ls", APP, "--no-restart")
    assert result.status == 0 and "Skipping restart of linked app" in result.output


# ---------------------------------------------------------------------- list, start, stop, restart


def test_list_with_no_exposed_ports_no_linked_apps(dokku):
    """tests/service_list.bats: "($PLUGIN_COMMAND_PREFIX:list) with no exposed ports, no linked apps"."""
    create(dokku, "l")
    assert dokku.run("--quiet", "postgres:list").output == "l\n"


def test_list_when_there_are_no_services(dokku):
    """tests/service_list.bats: "($PLUGIN_COMMAND_PREFIX:list) when there are no services"."""
    assert dokku.run("postgres:list").output == " !     There are no Postgres services\n"


@pytest.mark.parametrize("verb", ["start", "stop", "restart"])
def test_lifecycle_errors_and_success(dokku, verb):
    """tests/service_start.bats, service_stop.bats, service_restart.bats: no arguments, missing service, success."""
    assert "Please specify a valid name for the service" in dokku.run(f"postgres:{verb}").output
    assert "service not_existing_service does not exist" in dokku.run(f"postgres:{verb}", "not_existing_service").output
    create(dokku, "l")
    assert dokku.run(f"postgres:{verb}", "l").status == 0


# ---------------------------------------------------------------------- from the source


@pytest.mark.parametrize("name, ok", [
    ("db", True), ("my-db", True), ("my_db", True), ("DB2", True), ("-db", True),
    ("d.erp", False), ("my db", False), ("db!", False), ("a/b", False), ("", False),
])
def test_service_name_rule(dokku, name, ok):
    """common-functions is_valid_service_name: `^[A-Za-z0-9_-]+$` (the message omits `-`)."""
    result = dokku.run("postgres:create", name)
    if ok:
        assert result.status == 0, result.output
    else:
        assert (result.status, result.output) == (1, " !     Please specify a valid name for the service. "
                                                     "Valid characters are: [A-Za-z0-9_]+\n")


def test_link_alias_is_upper_cased_and_loses_a_url_suffix(linkable):
    """common-functions service_parse_args: `-a` is `${OPTARG^^}` minus a trailing `_URL`."""
    linkable.run("postgres:link", "ls", APP, "-a", "reporting_url", "--no-restart")
    assert "REPORTING_URL" in linkable.state()["apps"][APP]["config"]
    again = linkable.run("postgres:link", "ms", APP, "--alias", "reporting")
    assert (again.status, again.output) == (1, " !     Specified alias REPORTING already in use\n")


def test_link_alias_with_a_hyphen_is_recorded_then_refused_by_config_set(linkable):
    """service_link writes LINKS and docker-options before config_set rejects `MY-DB_URL`."""
    result = linkable.run("postgres:link", "ls", APP, "-a", "my-db")
    assert (result.status, result.output) == (1, " !     Invalid key name: 'MY-DB_URL'\n")
    assert linkable.state()["services"]["postgres"]["ls"]["links"] == [APP]


def test_unlink_ignores_dash_n(unlinkable):
    """subcommands/unlink parses no options: `-n` does not skip the restart, `--no-restart` does."""
    unlinkable.run("postgres:link", "ls", APP, "-n")
    result = unlinkable.run("postgres:unlink", "ls", APP, "-n")
    assert result.status == 0 and "Skipping restart" not in result.output


def test_destroy_force_flag_only_as_second_word(dokku):
    """subcommands/destroy: FORCE_FLAG is $2; `-f` first is taken as the service name."""
    create(dokku, "l")
    assert dokku.run("postgres:destroy", "-f", "l").output == " !     Postgres service -f does not exist\n"
    assert dokku.run("postgres:destroy", "l", "force").status == 0


def test_stop_removes_the_container_and_start_recreates_it(dokku):
    """common-functions service_container_rm; functions service_start recreates a missing container."""
    create(dokku, "l")
    stop = dokku.run("postgres:stop", "l")
    assert stop.lines == ["=====> Pausing container", "       Container paused", "       Removing container"]
    assert dokku.run("postgres:info", "l", "--status").output == "missing\n"
    start = dokku.run("postgres:start", "l")
    assert start.lines[0] == "=====> Starting container" and "=====> Postgres container created: l" in start.lines
    restart = dokku.run("postgres:restart", "l")
    assert restart.lines == ["=====> Pausing container", "       Container paused", "=====> Starting container",
                             "=====> Container started", "-----> Please call dokku ps:restart on all linked apps"]


def test_info_links_lists_linked_apps(linkable):
    """common-functions service_linked_apps: LINKS joined with a trailing space, `-` when none."""
    assert linkable.run("postgres:info", "ls", "--links").output == "-\n"
    linkable.run("postgres:link", "ls", APP, "--no-restart")
    assert linkable.run("postgres:info", "ls", "--links").output == f"{APP} \n"
