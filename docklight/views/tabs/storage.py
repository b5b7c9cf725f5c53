"""Storage tab: the app's mounts as Dokku models them, mount and unmount.

Mounts are read with `storage:list --format json` (Dokku 0.29.3+); older
hosts reject that flag, so there they come from the mount lists of
`storage:report` instead (reference, "storage:list" and "other reports").
On Dokku 0.38 each mount names its storage entry: a colon-form bind mount
or docker volume (a `legacy-<hash>` entry) is unmounted with
`host:container`, a named entry only by name with `--container-dir`
(docklight/dokku/storage_entries.py says why).
"""

from __future__ import annotations

from flask import g, request

from docklight import services
from docklight.dokku import commands, parsers, storage_entries
from docklight.views.answers import FieldNames, current_actor, run
from docklight.views.app_page import app_report, bp, build_and_write, render_tab

TAB = "storage"
TEMPLATE = "app/_storage.html"
STORAGE_LIST_JSON_SINCE = (0, 29, 3)
STORAGE_ROOT = "/var/lib/dokku/data/storage"


def _mounts() -> list[parsers.Mount]:
    """Read the app's mounts, as JSON where the host can."""
    if services.dokku().version(actor=current_actor()).at_least(*STORAGE_LIST_JSON_SINCE):
        return parsers.parse_storage_list_json(run(commands.storage_list(g.app)).stdout)
    return parsers.read_report("storage", app_report("storage")).mounts


def _context() -> dict:
    """Read the mounts (cached until the next state change, so a refused form sends nothing)."""
    mounts = services.dokku().cached(f"app-storage:{g.app}", _mounts, app=g.app)
    rows = [{"mount": m, "kind": storage_entries.mount_kind(m.host_path, m.entry_name),
             "unmount": _unmount_command(m)} for m in mounts]
    return {"mounts": mounts, "rows": rows, "storage_root": STORAGE_ROOT}


def _unmount_command(mount: parsers.Mount) -> str:
    """Return the `dokku storage:unmount ...` line that removes this mount."""
    if storage_entries.mount_kind(mount.host_path, mount.entry_name) == "entry":
        return (f"dokku storage:unmount {g.app} {mount.entry_name} "
                f"--container-dir {mount.container_path}")
    return f"dokku storage:unmount {g.app} {mount.host_path}:{mount.container_path}"


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
    """Remove a mount with the form of `storage:unmount` that works for its kind.

    A row posts host_path, container_path and (Dokku 0.38+) entry_name; a
    named entry goes by name, a docker volume and a bind mount by colon form.
    """
    form = request.form
    host, container = form.get("host_path", ""), form.get("container_path", "")
    kind = storage_entries.mount_kind(host, form.get("entry_name", ""))
    if kind == "entry":
        build = lambda: commands.storage_unmount_entry(g.app, form.get("entry_name", ""), container)  # noqa: E731
    elif kind == "volume":
        build = lambda: commands.storage_unmount_volume(g.app, host, container)  # noqa: E731
    else:
        build = lambda: commands.storage_change("unmount", g.app, host, container)  # noqa: E731
    # Hidden fields of a row: the message goes above the list.
    return build_and_write(build, TAB, TEMPLATE, _context, "mount", {})
