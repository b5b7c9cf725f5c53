"""Overview tab: status, processes and scale, lifecycle, rename, destroy."""

from __future__ import annotations

from flask import g, request

from docklight import services
from docklight.dokku import commands, parsers
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError, count, new_app_name, process_type
from docklight.views.answers import confirm_name, run, start_job
from docklight.views.app_page import app_report, bp, changed, failure, form_error, render_tab

TEMPLATE = "app/_overview.html"
LIFECYCLE = {"start": "Start", "stop": "Stop", "restart": "Restart", "rebuild": "Rebuild"}


def _scale() -> dict[str, int]:
    """Read the app's scale, cached like its reports (the tab polls)."""
    return services.dokku().cached(f"app-scale:{g.app}", _read_scale, shared=True,
                                   app=g.app)


def _read_scale() -> dict[str, int]:
    dokku = services.dokku()
    if dokku.version().at_least(0, 38, 21):
        return parsers.parse_ps_scale_json(run(commands.ps_scale(g.app, json=True)).stdout)
    return parsers.parse_ps_scale(run(commands.ps_scale(g.app)).stdout)


def _refused(response, root: str = "#overview"):
    """Put a refused form back in place of its tab, not into the job slot."""
    response.headers["HX-Retarget"] = root
    response.headers["HX-Reswap"] = "outerHTML"
    return response


def _context() -> dict:
    """Read what the overview shows: ps and app reports and the scale."""
    ps = parsers.read_report("ps", app_report("ps"))
    info = parsers.read_report("apps", app_report("apps"))
    return {"ps": ps, "info": info, "scale": _scale()}


@bp.get("/overview")
def overview():
    """Show the app's status, containers, scale and lifecycle actions."""
    return render_tab("overview", TEMPLATE, **_context())


@bp.post("/ps/<action>")
def lifecycle_POST(action):
    """Start, stop, restart or rebuild the app as a job."""
    if action not in LIFECYCLE:
        return render_tab("overview", TEMPLATE, 404, **_context())
    command = commands.ps_action(action, g.app)
    return start_job(command, f"{LIFECYCLE[action]} {g.app}")


@bp.post("/scale")
def scale_POST():
    """Set the count of one or several process types (`ps:scale app web=2 worker=1`)."""
    counts = {}
    for key, value in request.form.items():
        if key.startswith("count-") and value.strip() != "":
            counts[key[len("count-"):]] = value
    try:
        new_type = request.form.get("new_type", "").strip()
        if new_type:
            # The extra row has fields of its own, so its errors are shown there.
            new_type = process_type(new_type, field="new_type")
            counts[new_type] = count(request.form.get("new_count", ""), field="new_count")
        if not counts:
            raise ValidationError("new_type", "Give at least one process count.")
        command = commands.ps_scale(g.app, counts)
    except ValidationError as exc:
        return _refused(form_error("overview", TEMPLATE, exc, **_context()))
    return start_job(command, f"Scale {g.app}")


@bp.post("/unlock")
def unlock_POST():
    """Remove a stale deploy lock.

    Dokku's CommandUnlock (plugins/apps/subcommands.go) exits 1 when there is
    no lock to remove, e.g. the deploy ended since the page was loaded. The
    failed write dropped the cached reports, so a fresh apps:report tells
    "not locked" (said as such) from a real failure (shown as one).
    """
    try:
        run(commands.apps_unlock(g.app))
    except CommandFailed as exc:
        context = _context()
        if not context["info"].locked:
            return changed(render_tab("overview", TEMPLATE, not_locked=True, **context))
        return _refused(failure("overview", TEMPLATE, exc, **context))
    return changed(render_tab("overview", TEMPLATE, **_context()))


@bp.post("/rename")
def rename_POST():
    """Rename the app (Dokku's new-app name rule) as a job."""
    try:
        new_name = new_app_name(request.form.get("new_name", ""), field="new_name")
        command = commands.apps_rename(g.app, new_name)
    except ValidationError as exc:
        return _refused(form_error("overview", TEMPLATE, exc, **_context()))
    return start_job(command, f"Rename {g.app} to {new_name}")


@bp.get("/destroy")
def destroy():
    """Ask for the app's name before destroying it."""
    return render_tab("overview", "app/_destroy.html")


@bp.post("/destroy")
def destroy_POST():
    """Destroy the app once its name was typed exactly (`apps:destroy app --force`)."""
    try:
        confirm_name(g.app)
    except ValidationError as exc:
        return _refused(form_error("overview", "app/_destroy.html", exc), "#destroy")
    return start_job(commands.apps_destroy(g.app), f"Destroy {g.app}")
