"""Storage tab: the app's bind mounts, mount and unmount.

Mounts are read with `storage:list --format json` (Dokku 0.29.3+); older
hosts reject that flag, so there they come from the mount lists of
`storage:report` instead (reference, "storage:list" and "other reports").
"""

from __future__ import annotations

from flask import g, request

from docklight import services
from docklight.dokku import commands, parsers
from docklight.dokku.validators import ValidationError
from docklight.views.app_page import (actor_ip, app_report, bp, form_error,
                                      read, render_tab, write_and_answer)

TAB = "storage"
TEMPLATE = "app/_storage.html"
STORAGE_LIST_JSON_SINCE = (0, 29, 3)
STORAGE_ROOT = "/var/lib/dokku/data/storage"


def _mounts() -> list[parsers.Mount]:
    """Read the app's mounts, as JSON where the host can."""
    if services.dokku().version(actor_ip=actor_ip()).at_least(*STORAGE_LIST_JSON_SINCE):
        return parsers.parse_storage_list_json(read(commands.storage_list(g.app)).stdout)
    return parsers.read_report("storage", app_report("storage")).mounts


def _context() -> dict:
    """Read the mounts (cached until the next state change, so a refused form sends nothing)."""
    mounts = services.dokku().cached(f"app-storage:{g.app}", _mounts)
    return {"mounts": mounts, "storage_root": STORAGE_ROOT}


def _write(action: str):
    """Mount or unmount the posted host_path:container_path."""
    try:
        command = commands.storage_change(action, g.app, request.form.get("host_path", ""),
                                          request.form.get("container_path", ""))
    except ValidationError as exc:
        if action == "unmount":  # hidden fields of a row: say so above the list
            exc.field = "mount"
            return form_error(TAB, TEMPLATE, exc, form={}, **_context())
        return form_error(TAB, TEMPLATE, exc, **_context())
    return write_and_answer(command, TAB, TEMPLATE, _context, "app.storage")


@bp.get("/storage")
def storage():
    """Show the app's bind mounts."""
    return render_tab(TAB, TEMPLATE, **_context())


@bp.post("/storage/mount")
def storage_mount_POST():
    """Bind-mount a host directory into the app's containers (`storage:mount`)."""
    return _write("mount")


@bp.post("/storage/unmount")
def storage_unmount_POST():
    """Remove a bind mount (`storage:unmount`)."""
    return _write("unmount")
