"""The dashboard: every app on the Dokku host at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from docklight import dashboard, services
from docklight.dokku import commands
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError
from docklight.htmx import page_or_fragment, redirect_to, unless_unchanged, wants_fragment
from docklight.views.answers import current_actor, refusal, run
from docklight.views.errors import attempt
from docklight.views.job_slot import running_jobs_by_app

bp = Blueprint("apps", __name__)

SORT_KEYS = ("name", "status", "deployed")
FILTERS = ("q", "status", "domain")  # name, status and domain filters of the dashboard


def _sort_context() -> dict:
    """Return the sort order and filters asked for, and the query that repeats them in links."""
    key = request.args.get("sort", "name")
    key = key if key in SORT_KEYS else "name"
    descending = request.args.get("dir") == "desc"
    filters = {f: request.args.get(f, "").strip()[:200] for f in FILTERS}
    if filters["status"] not in dashboard.STATUS_ORDER:
        filters["status"] = ""
    query = {"sort": key if key != "name" else None, "dir": "desc" if descending else None,
             **{f: v or None for f, v in filters.items()}}
    return {"sort": key, "descending": descending, "filters": filters, "query": query,
            "statuses": list(dashboard.STATUS_ORDER)}


def _table_context(refresh: bool = False) -> tuple[dict, int]:
    """Load the overview; on failure describe what failed instead of raising."""
    hit, failure, status = attempt(lambda: dashboard.lookup(
        services.dokku(), actor=current_actor(), refresh=refresh))
    overview = hit.value if hit is not None else None
    context = {**_sort_context(), **failure, "overview": overview, "apps": [], "data_age": None}
    if overview is not None:
        f = context["filters"]
        context["apps"] = dashboard.filter_apps(
            overview.sorted(context["sort"], context["descending"]),
            name=f["q"], status=f["status"], domain=f["domain"])
        if hit.overdue:  # a refresh runs behind, and is late: say how old this is
            context["data_age"] = int(hit.age)
    return context, status


@bp.get("/")
def index():
    """Show the dashboard shell; the apps table loads as a fragment.

    When the overview is already cached the table is rendered in place, so
    a warm page needs no second round trip.
    """
    if dashboard.is_warm(services.dokku()):
        context, status = _table_context()
        return render_template("apps/index.html", lazy=False, **context), status
    return render_template("apps/index.html", lazy=True, **_sort_context())


@bp.get("/apps")
def table():
    """Return the apps table: a fragment for htmx, a full page otherwise."""
    context, status = _table_context(refresh=request.args.get("refresh") == "1")
    response = page_or_fragment("apps/index.html", "apps/_table.html", status, lazy=False,
                                **context)
    if not wants_fragment():
        return response
    failure = context.get("error") or context.get("failed")
    tag = dashboard.etag(context["overview"], context["sort"], context["descending"],
                         sorted(context["filters"].items()),
                         context["data_age"], str(failure) if failure else "",
                         sorted((a, j.id) for a, j in running_jobs_by_app().items()))
    return unless_unchanged(response, tag)


@bp.post("/apps")
def create_POST():
    """Create an app (`apps:create`) and open its page.

    A name Dokku would refuse is refused here with Dokku's own message;
    Dokku's refusals (``Name is already taken``) show next to the field too.
    """
    form = {"name": request.form.get("name", "")}
    try:
        command = commands.apps_create(form["name"])
        run(command)
    except ValidationError as exc:
        return _create_form({**refusal(exc, "name", form), "failed": None})
    except CommandFailed as failed:
        message = failed.message or f"Dokku exited {failed.result.exit_code}."
        return _create_form({"errors": {"name": message}, "form": form, "failed": failed})
    # The client forgot every cached read (the dashboard too) after this change.
    return redirect_to(url_for("app.overview", app=command.app))


def _create_form(create: dict):
    """Show the create form again with its message (422): alone for htmx, else the dashboard."""
    context = {} if wants_fragment() else _table_context()[0]
    return page_or_fragment("apps/index.html", "apps/_create.html", 422, lazy=False,
                            create=create, **context)
