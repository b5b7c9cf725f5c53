"""When a state change may or may not have happened: say so, and how to check.

A command that changes state and then times out, or whose SSH connection
drops before its exit status comes back, may have done all, part or none of
its work: without a pty, closing our channel does not stop it on the host,
and a dropped connection says nothing about where it was. Calling that
"failed" invites a blind retry (a second deploy, a second create); calling
it "succeeded" hides a half-done change. Such a run is recorded with status
``unknown`` and answered with ``OutcomeUnknown`` (dokku/errors.py), which
carries the read-only command that shows what really happened.

The check commands are the plugins' own reads: ``<plugin>:report <app>``
where the plugin has one (plugins/*/subcommands/report in Dokku),
``apps:exists`` and ``config:keys`` (plugins/apps, plugins/config),
``<datastore>:info|exists <service>`` (dokku-postgres' subcommands),
``letsencrypt:list`` (dokku-letsencrypt) and ``plugin:list``.
"""

from __future__ import annotations

from docklight.dokku.command import Command

UNKNOWN = "unknown"
# Statuses of a state change whose effect on the host nobody knows.
UNCERTAIN = frozenset({"timeout", "error"})
REPORTS = frozenset({
    "apps", "builder", "buildpacks", "certs", "checks", "docker-options", "domains", "git",
    "network", "nginx", "ports", "proxy", "ps", "resource", "scheduler", "storage"})


def check_command(command: Command) -> str:
    """Return the read-only dokku command that shows whether command took effect."""
    plugin, _, action = command.subcommand.partition(":")
    app = command.app
    first = command.args[1] if len(command.args) > 1 else ""
    if plugin == "apps" and action in ("create", "destroy", "rename") and first:
        return f"dokku apps:exists {command.args[-1] if action == 'rename' else first}"
    if plugin == "config" and app:
        return f"dokku config:keys {app}"
    if plugin == "plugin":
        return "dokku plugin:list"
    if plugin == "letsencrypt":
        return "dokku letsencrypt:list"
    if plugin in REPORTS and app:
        return f"dokku {plugin}:report {app}"
    if action in ("create", "destroy") and first:
        return f"dokku {plugin}:exists {first}"
    if action in ("link", "unlink") and first:
        return f"dokku {plugin}:info {first}"
    if app:
        return f"dokku ps:report {app}"
    return "the History page, then the page of what it changed"


def is_uncertain(command: Command, status: str) -> bool:
    """Return whether a run of command that ended with status has an unknown outcome."""
    return command.mutates and status in UNCERTAIN


def explanation(command: Command, why: str) -> str:
    """Return the sentences a page shows for an unknown outcome."""
    return (f"{why} The command may still have run on the server, completely, partly or not "
            f"at all, and may even be running now. Check before trying again: "
            f"{check_command(command)}")
