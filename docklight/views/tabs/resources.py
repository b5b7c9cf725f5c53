"""Resources tab: CPU and memory limits and reservations, per process type or for all.

Dokku keeps settings for all process types under the name `_default_`; an
app with no settings at all makes `resource:report` print nothing
(reference, "other reports"), which reads as "no limits".
"""

from __future__ import annotations

from flask import g, request

from docklight import services
from docklight.dokku import commands, parsers
from docklight.views.answers import FieldNames
from docklight.views.app_page import app_report, bp, build_and_write, render_tab

TAB = "resources"
TEMPLATE = "app/_resources.html"
DEFAULT_PROCESS = "_default_"
KINDS = {"limit": "Limit", "reserve": "Reservation"}


def _context() -> dict:
    """Read resource:report, cached until the next state change.

    A refused form re-renders from the cache, so bad input sends nothing at
    all to Dokku.
    """
    report = services.dokku().cached(f"app-report:{g.app}:resource",
                                     lambda: app_report("resource"))
    resources = parsers.read_report("resource", report)
    # All-process settings first, then the process types by name.
    order = sorted(resources.processes, key=lambda p: (p != DEFAULT_PROCESS, p))
    return {"resources": resources, "processes": order, "default_process": DEFAULT_PROCESS,
            "kinds": KINDS}


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
    return _write(lambda: commands.resource_set(
        form.get("kind", ""), g.app, cpu=form.get("cpu", "").strip(),
        memory=form.get("memory", "").strip(), process_type=_process_type()))


@bp.post("/resources/clear")
def resources_clear_POST():
    """Clear limits or reservations (`resource:limit-clear` / `resource:reserve-clear`).

    Posted by the clear form (clear_kind, clear_process_type) or by a row's
    button (kind, process_type as hidden fields, row=1).
    """
    if request.form.get("row") == "1":
        # Hidden fields of a row: the message goes above the table.
        return _write(lambda: commands.resource_clear(request.form.get("kind", ""), g.app,
                                                      _process_type()), fields="row", form={})
    return _write(lambda: commands.resource_clear(request.form.get("clear_kind", ""), g.app,
                                                  _process_type("clear_process_type")),
                  fields={"kind": "clear_kind", "process_type": "clear_process_type"})
