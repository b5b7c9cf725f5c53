"""What an app's containers get: storage mounts and resource limits and reservations."""

from __future__ import annotations

import re

from docklight.dokku import storage_entries, validators
from docklight.dokku.command import Command
from docklight.dokku.commands.allowlist import _command, allows
from docklight.dokku.validators import ValidationError


# --- storage ------------------------------------------------------------------

# Absolute paths of plain characters: nothing a shell, Dokku's argument
# splitting or docker's `-v host:container[:opts]` syntax would read.
_MOUNT_PATH_RE = re.compile(r"^/[A-Za-z0-9_.@+=,%/-]*$")


def _mount_path(value, field: str, what: str) -> str:
    """Validate an absolute mount path: no spaces, ':', '..' or shell characters."""
    text = validators._text(field, value, what)
    if not _MOUNT_PATH_RE.match(text) or ".." in text.split("/"):
        raise ValidationError(
            field, f"{what} must be absolute, without spaces, ':' or '..' "
            "(letters, digits and _.@+=,%/- only).")
    return text


@allows("storage:list")
def storage_list(app: str) -> Command:
    """List the bind mounts of an app as JSON (Dokku 0.29.3+)."""
    app = validators.app_name(app)
    return _command("storage:list", app, "--format", "json", app=app)


@allows("storage:mount", "storage:unmount")
def storage_change(action: str, app: str, host_path: str, container_path: str) -> Command:
    """Mount or unmount host_path:container_path."""
    action = validators.choice(action, ("mount", "unmount"), "action", "Action")
    app = validators.app_name(app)
    host = _mount_path(validators.host_path(host_path), "host_path", "Host path")
    container = _mount_path(validators.container_path(container_path), "container_path",
                            "Container path")
    return _command(f"storage:{action}", app, f"{host}:{container}", app=app, mutates=True)


# entry.go ValidateEntryName: a DNS-1123 label of at most 45 characters.
_STORAGE_ENTRY_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,43}[a-z0-9])?$")


@allows("storage:unmount")
def storage_unmount_volume(app: str, volume: str, container_path: str) -> Command:
    """Unmount a colon-form docker volume mount (`storage:unmount app VOLUME:/path`)."""
    app = validators.app_name(app)
    if not storage_entries.DOCKER_VOLUME_RE.match(volume or ""):
        raise ValidationError("host_path", "A docker volume name is letters, digits, '_', '.' "
                                "and '-', two characters or more (plugins/storage VerifyPaths).")
    container = _mount_path(validators.container_path(container_path), "container_path",
                            "Container path")
    return _command("storage:unmount", app, f"{volume}:{container}", app=app, mutates=True)


@allows("storage:unmount")
def storage_unmount_entry(app: str, entry: str, container_path: str) -> Command:
    """Unmount a named storage entry (`storage:unmount app NAME --container-dir PATH`).

    The colon form cannot: Dokku derives a legacy-<hash> entry name from it
    (plugins/storage subcommands.go unmountLegacyColon), see storage_entries.
    """
    app = validators.app_name(app)
    if not _STORAGE_ENTRY_RE.match(entry or ""):
        raise ValidationError("entry_name", "A storage entry name is a DNS-1123 label: "
                                "lowercase letters, digits and '-', at most 45 characters.")
    container = _mount_path(validators.container_path(container_path), "container_path",
                            "Container path")
    return _command("storage:unmount", app, entry, "--container-dir", container, app=app,
                    mutates=True)

# --- resources --------------------------------------------------------------

@allows("resource:limit", "resource:reserve")
def resource_set(kind: str, app: str, *, cpu: str = "", memory: str = "",
                 process_type: str | None = None) -> Command:
    """Set a cpu/memory limit or reservation, optionally per process type."""
    kind = validators.choice(kind, ("limit", "reserve"), "kind", "Kind")
    app = validators.app_name(app)
    args = [f"resource:{kind}"]
    if cpu:
        args += ["--cpu", validators.cpu(cpu)]
    if memory:
        args += ["--memory", validators.memory(memory)]
    if len(args) == 1:
        raise ValidationError("cpu", "Give a CPU or memory value.")
    if process_type:
        args += ["--process-type", validators.process_type(process_type)]
    args.append(app)
    return _command(*args, app=app, mutates=True)


# Dokku's name for the settings of every process type (plugins/resource
# functions.go setResourceType: an empty --process-type is stored as this).
RESOURCE_DEFAULT_PROCESS = "_default_"


@allows("resource:limit-clear", "resource:reserve-clear")
def resource_clear(kind: str, app: str, process_type: str = RESOURCE_DEFAULT_PROCESS) -> Command:
    """Clear the limits or reservations of ONE process type (`_default_` = the all-process row).

    Always sends --process-type: without it Dokku's clearByResourceType
    (plugins/resource/functions.go) deletes every resource property of the
    app, limits and reservations of every process type alike.
    """
    kind = validators.choice(kind, ("limit", "reserve"), "kind", "Kind")
    app = validators.app_name(app)
    process_type = process_type or RESOURCE_DEFAULT_PROCESS
    if process_type != RESOURCE_DEFAULT_PROCESS:
        process_type = validators.process_type(process_type)
    return _command(f"resource:{kind}-clear", "--process-type", process_type, app,
                    app=app, mutates=True)


def resource_clear_everything(app: str) -> Command:
    """Delete every limit and reservation of every process type (`resource:limit-clear <app>`).

    clearByResourceType with an empty process type removes all of the app's
    resource properties whichever of limit-clear/reserve-clear runs; the
    view asks for the typed app name first.
    """
    app = validators.app_name(app)
    return _command("resource:limit-clear", app, app=app, mutates=True)
