"""Plugins (root only except the list) and the datastore plugins' service commands."""

from __future__ import annotations

from docklight.dokku import plugin_source, validators
from docklight.dokku.command import Command
from docklight.dokku.commands.allowlist import (ALLOWED, DATASTORE_PLUGINS, DATASTORE_VERBS,
                                                _DYNAMIC_DATASTORES, _command, allows)
from docklight.dokku.validators import ValidationError


# --- plugins (root only except list) -----------------------------------------

@allows("plugin:list")
def plugin_list(*, json: bool = False) -> Command:
    """List installed plugins."""
    return _command("plugin:list", *(["--format", "json"] if json else []))


@allows("plugin:install")
def plugin_install(url: str, name: str | None = None, committish: str | None = None) -> Command:
    """Install a plugin (root only) from a source Dokku and plugn can install.

    The source goes first: cmd-plugin-install reads only its first argument
    as the source, and download_and_enable_plugin reads --committish and
    --name after it (docklight/dokku/plugin_source.py has the rules).
    """
    source = plugin_source.plugin_source(url)
    args = ["plugin:install", source]
    pin = plugin_source.committish(committish, source)
    if pin:
        args += ["--committish", pin]
    chosen = plugin_source.install_name(name, source)
    if chosen:
        args += ["--name", chosen]
    return _command(*args, mutates=True, long=True, root=True)


@allows("plugin:update")
def plugin_update(name: str) -> Command:
    """Update a plugin to its latest version (root only)."""
    return _command("plugin:update", validators.plugin_name(name), mutates=True, long=True,
                    root=True)


@allows("plugin:enable", "plugin:disable", "plugin:uninstall")
def plugin_action(action: str, name: str) -> Command:
    """Enable, disable or uninstall a plugin (root only)."""
    action = validators.choice(action, ("enable", "disable", "uninstall"), "action", "Action")
    return _command(f"plugin:{action}", validators.plugin_name(name), mutates=True,
                    long=action == "uninstall", root=True)

# --- datastores ---------------------------------------------------------------

for _plugin in DATASTORE_PLUGINS:
    for _verb in DATASTORE_VERBS:
        ALLOWED[f"{_plugin}:{_verb}"] = f"{_verb.capitalize()} {_plugin} services."


def register_datastore(plugin: str) -> str:
    """Accept a non-official datastore plugin seen in plugin:list by name."""
    plugin = validators.plugin_name(plugin, field="plugin")
    if plugin not in DATASTORE_PLUGINS:
        _DYNAMIC_DATASTORES.add(plugin)
    return plugin


def _datastore(plugin: str) -> str:
    """Validate that plugin is an official or a registered datastore plugin."""
    if plugin in DATASTORE_PLUGINS or plugin in _DYNAMIC_DATASTORES:
        return plugin
    raise ValidationError("plugin", f"{plugin!r} is not a known datastore plugin.")


def service_list(plugin: str) -> Command:
    """List the services of a datastore plugin."""
    return _command(f"{_datastore(plugin)}:list")


def service_info(plugin: str, name: str, flag: str | None = None) -> Command:
    """Show one service; the full info holds the DSN, so its output is redacted."""
    args = [f"{_datastore(plugin)}:info", validators.existing_service_name(name)]
    if flag:
        args.append(validators.choice(flag, ("--status", "--version", "--links", "--dsn"),
                                      "flag", "Flag"))
    return _command(*args, redact_output="service")


def service_create(plugin: str, name: str) -> Command:
    """Create a datastore service."""
    return _command(f"{_datastore(plugin)}:create", validators.service_name(name), mutates=True,
                    long=True, redact_output="service")


def service_link(action: str, plugin: str, name: str, app: str, *,
                 restart: bool = True) -> Command:
    """Link or unlink a service to an app (sets DATABASE_URL; restarts the app)."""
    action = validators.choice(action, ("link", "unlink"), "action", "Action")
    app = validators.app_name(app)
    args = [f"{_datastore(plugin)}:{action}", validators.existing_service_name(name), app]
    if not restart:
        args.append("--no-restart")
    return _command(*args, app=app, mutates=True, long=True, redact_output="service")


def service_destroy(plugin: str, name: str) -> Command:
    """Destroy a service (the caller confirms by typed name)."""
    name = validators.existing_service_name(name)
    return _command(f"{_datastore(plugin)}:destroy", name, "--force", mutates=True, long=True)


def service_exists(plugin: str, name: str) -> Command:
    """Say whether a service exists (exit code)."""
    return _command(f"{_datastore(plugin)}:exists", validators.existing_service_name(name))
