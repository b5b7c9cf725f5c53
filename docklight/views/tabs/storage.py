"""Storage tab: the app's bind mounts, mount and unmount.

Mounts are read with `storage:list --format json` (Dokku 0.29.3+); older
hosts reject that flag, so there they come from the mount lists of
`storage:report` instead (reference, "storage:list" and "other reports").
"""

from __future__ import annotations

from flask import g, request

from docklight import services
from docklight.dokku import commands, parsers
from docklight.views.answers import FieldNames, actor_ip, run
from docklight.views.app_page import app_report, bp, build_and_write, render_tab

TAB = "storage"
TEMPLATE = "app/_storage.html"
STORAGE_LIST_JSON_SINCE = (0, 29, 3)
STORAGE_ROOT = "/var/lib/dokku/data/storage"


def _mounts() -> list[parsers.Mount]:
    """Read the app's mounts, as JSON where the host can."""
    if services.dokku().version(actor_ip=actor_ip()).at_least(*STORAGE_LIST_JSON_SINCE):
        return parsers.parse_storage_list_json(run(commands.storage_list(g.app)).stdout)
    return parsers.read_report("storage", app_report("storage")).mounts


def _context() -> dict:
    """Read the mounts (cached until the next state change, so a refused form sends nothing)."""
    mounts = services.dokku().cached(f"app-storage:{g.app}", _mounts)
    return {"mounts": mounts, "storage_root": STORAGE_ROOT}


def _write(action: str, fields: FieldNames = None, form: dict | None = None):
    """Mount or unmount the posted host_path:container_path."""
    return build_and_write(lambda: commands.storage_change(
        action, g.app, request.form.get("host_path", ""), request.form.get("container_path", "")),
        TAB, TEMPLATE, _context, fields, form)


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
    # Hidden fields of a row: the message goes above the list.
    return _write("unmount", fields="mount", form={})
