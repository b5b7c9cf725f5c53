"""Resources tab: CPU and memory limits and reservations, per process type or for all.

Dokku keeps settings for all process types under the name `_default_`; an
app with no settings has an empty report, which reads as "no limits".
Which settings take effect depends on the app's scheduler: docker-local
passes only memory reservations to `docker run` (plugins/resource
triggers.go TriggerDockerArgsProcessDeploy keeps `reserve.memory` alone),
so a CPU reservation there is refused with that reason.
"""

from __future__ import annotations

from flask import g, request

from docklight.dokku import commands, parsers
from docklight.dokku.validators import ValidationError
from docklight.views.answers import FieldNames, confirm_name
from docklight.views.app_page import app_report, bp, build_and_write, render_tab

TAB = "resources"
TEMPLATE = "app/_resources.html"
DEFAULT_PROCESS = commands.RESOURCE_DEFAULT_PROCESS
KINDS = {"limit": "Limit", "reserve": "Reservation"}
# Schedulers whose deploy ignores `reserve.cpu` (see the module docstring).
CPU_RESERVATION_IGNORED = ("docker-local",)
CPU_RESERVATION_IGNORED_MESSAGE = (
    "The {scheduler} scheduler ignores CPU reservations: Dokku passes only the memory "
    "reservation to docker run (plugins/resource/triggers.go). Set a CPU limit instead.")


def _context() -> dict:
    """Read resource:report and scheduler:report (app_report caches both until the next change).

    A refused form re-renders from the cache, so bad input sends nothing at
    all to Dokku.
    """
    report = app_report("resource")  # cached under app-report:<app>:resource
    resources = parsers.read_report("resource", report)
    scheduler = _scheduler()
    # All-process settings first, then the process types by name.
    order = sorted(resources.processes, key=lambda p: (p != DEFAULT_PROCESS, p))
    return {"resources": resources, "processes": order, "default_process": DEFAULT_PROCESS,
            "kinds": KINDS, "scheduler": scheduler,
            "cpu_reservation_ignored": scheduler in CPU_RESERVATION_IGNORED}


def _scheduler() -> str:
    """Return the app's computed scheduler (scheduler:report), cached like the resources."""
    return parsers.read_report("scheduler", app_report("scheduler")).selected


def _process_type(name: str = "process_type") -> str | None:
    """Return the posted process type; empty (or Dokku's `_default_`) means all."""
    value = request.form.get(name, "").strip()
    return None if value in ("", DEFAULT_PROCESS) else value


def _write(build, fields: FieldNames = None, form: dict | None = None):
    """Build a command from the form (may raise ValidationError), run it, answer."""
    return build_and_write(build, TAB, TEMPLATE, _context, fields, form)


@bp.get("/resources")
def resources():
    """Show the app's CPU and memory limits and reservations."""
    return render_tab(TAB, TEMPLATE, **_context())


@bp.post("/resources/set")
def resources_set_POST():
    """Set a CPU and/or memory limit or reservation (`resource:limit` / `resource:reserve`).

    Dokku applies them at the next deploy or restart, so this is a plain write.
    """
    form = request.form

    def build():
        cpu = form.get("cpu", "").strip()
        scheduler = _scheduler()
        if form.get("kind") == "reserve" and cpu and scheduler in CPU_RESERVATION_IGNORED:
            raise ValidationError("cpu", CPU_RESERVATION_IGNORED_MESSAGE.format(scheduler=scheduler))
        return commands.resource_set(form.get("kind", ""), g.app, cpu=cpu,
                                     memory=form.get("memory", "").strip(),
                                     process_type=_process_type())
    return _write(build)


@bp.post("/resources/clear")
def resources_clear_POST():
    """Clear one process type's limits or reservations (`resource:<kind>-clear --process-type P`).

    Posted by the clear form (clear_kind, clear_process_type) or by a row's
    button (kind, process_type as hidden fields, row=1). An empty process
    type means the all-processes row, sent as `--process-type _default_`:
    without the flag Dokku would delete every setting of every process type.
    """
    form = request.form
    if form.get("row") == "1":
        # Hidden fields of a row: the message goes above the table.
        return _write(lambda: commands.resource_clear(
            form.get("kind", ""), g.app, form.get("process_type", "").strip()),
            fields="row", form={})
    return _write(lambda: commands.resource_clear(
        form.get("clear_kind", ""), g.app, form.get("clear_process_type", "").strip()),
        fields={"kind": "clear_kind", "process_type": "clear_process_type"})


@bp.post("/resources/clear-everything")
def resources_clear_everything_POST():
    """Delete every limit and reservation of the app once its name was typed (`resource:limit-clear <app>`)."""
    def build():
        confirm_name(g.app)
        return commands.resource_clear_everything(g.app)
    return _write(build, form={})
