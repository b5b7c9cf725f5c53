"""The app page: one URL per tab, each a full page or an htmx fragment.

Tab modules (docklight/views/tabs/*.py) add their routes to ``bp`` and use
the helpers here, so every tab behaves the same way:

- ``render_tab`` answers htmx with the tab's partial and everything else
  with the whole app page around it (one URL, page or fragment).
- ``run_write`` runs a short state change; its failure is shown inline with
  the exact command, the exit code and Dokku's own message.
- ``start_job`` runs a long one as a job and answers with its live panel
  (or, without JavaScript, a redirect to the job page).
- Bad input raises ValidationError; ``form_error`` turns it into the tab's
  form again with the message next to the field (status 422).
- After any write the response carries ``HX-Trigger: app-changed`` so other
  fragments of the page refresh themselves.
"""

from __future__ import annotations

import json

from flask import (Blueprint, abort, current_app, g, make_response, render_template, request,
                   url_for)

from docklight import services
from docklight.dokku import commands, parsers, validators
from docklight.dokku.command import Command, Result
from docklight.dokku.errors import CommandFailed
from docklight.htmx import is_htmx, redirect_to, wants_fragment
from docklight.jobs import Busy

bp = Blueprint("app", __name__, url_prefix="/apps/<app>")

TABS = (
    ("overview", "Overview"),
    ("config", "Config"),
    ("domains", "Domains"),
    ("ssl", "SSL"),
    ("ports", "Ports & proxy"),
    ("deploy", "Deploy"),
    ("storage", "Storage"),
    ("resources", "Resources"),
    ("network", "Network & Docker"),
    ("logs", "Logs"),
)
CHANGED_EVENT = "app-changed"


@bp.url_value_preprocessor
def _pull_app(endpoint, values):
    """Validate the app name from the URL once, for every route of the page."""
    name = values.pop("app")
    try:
        g.app = validators.app_name(name)
    except validators.ValidationError:
        abort(404, f"'{name}' is not a valid app name.")


@bp.url_defaults
def _add_app(endpoint, values):
    if "app" not in values and "app" in g:
        values["app"] = g.app


def actor_ip() -> str | None:
    """Return the client address recorded with each command."""
    return request.remote_addr


def render_tab(tab: str, template: str, status: int = 200, **context):
    """Render a tab's partial for htmx, or the app page around it."""
    context.setdefault("errors", {})
    context.setdefault("form", {})
    tabs = [(key, label) for key, label in TABS if f"app.{key}" in current_app.view_functions]
    if wants_fragment():
        body = render_template(template, app=g.app, tab=tab, tabs=tabs, **context)
        if request.headers.get("HX-Target") == "tab":
            # Switching tabs: the tab bar follows, out of band.
            body += render_template("app/_tabs.html", tab=tab, tabs=tabs, oob=True)
    else:
        body = render_template("app/show.html", app=g.app, tab=tab, tabs=tabs,
                               tab_template=template, **context)
    return make_response(body, status)


def changed(response):
    """Mark response as following a state change (other fragments refresh)."""
    triggers = {CHANGED_EVENT: {"app": g.app}}
    existing = response.headers.get("HX-Trigger")
    if existing:
        try:
            triggers.update(json.loads(existing))
        except ValueError:
            triggers[existing] = True
    response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def run_write(command: Command) -> Result:
    """Run a short state change now.

    :raise CommandFailed: Dokku exited non-zero (the caller shows it inline
        with ``failure`` or lets the error handler show it).
    """
    result = services.dokku().run(command, actor_ip=actor_ip())
    if not result.ok:
        raise CommandFailed(result)
    return result


def read(command: Command) -> Result:
    """Run a read; a non-zero exit raises CommandFailed."""
    return services.dokku().check_result(services.dokku().run(command, actor_ip=actor_ip()))


# `<plugin>:report --format json` exists since 0.23.1; git and nginx (bash
# reports until then) got it in 0.38.0 (reference section 1).
JSON_REPORT_SINCE = {"git": (0, 38, 0), "nginx": (0, 38, 0)}


def app_report(plugin: str) -> dict:
    """Return this app's <plugin>:report as a dict, read as JSON when the host can.

    Cached until the next state change (or the cache TTL), so a refused form
    re-renders without asking Dokku anything.
    """
    return services.dokku().cached(f"app-report:{g.app}:{plugin}",
                                   lambda: _read_app_report(plugin))


def _read_app_report(plugin: str) -> dict:
    dokku = services.dokku()
    since = JSON_REPORT_SINCE.get(plugin, (0, 23, 1))
    if dokku.version(actor_ip=actor_ip()).at_least(*since):
        objects = parsers.parse_report_json(read(commands.report(plugin, g.app, json=True)).stdout)
        return objects[0] if objects else {}
    blocks = parsers.parse_report(read(commands.report(plugin, g.app)).stdout)
    return blocks.get(g.app) or next(iter(blocks.values()), {})


def write_done(tab: str, template: str, context, endpoint: str):
    """Answer a finished write: the fresh tab for htmx, a redirect for a plain form."""
    if is_htmx():
        return changed(render_tab(tab, template, **context()))
    return changed(redirect_to(url_for(endpoint)))


def write_and_answer(command: Command, tab: str, template: str, context, endpoint: str,
                     **extra):
    """Run a short write; answer with the fresh tab (or a redirect) or Dokku's refusal."""
    try:
        run_write(command)
    except CommandFailed as exc:
        return failure(tab, template, exc, **extra, **context())
    return write_done(tab, template, context, endpoint)


def start_job(command: Command, title: str, lock_key: str | None = None):
    """Start command as a job; answer with its live panel or the busy message."""
    manager = services.get().jobs
    try:
        job = manager.start(command, title=title, actor_ip=actor_ip(), lock_key=lock_key)
    except Busy as busy:
        body = render_template("jobs/_busy.html", job=busy.job)
        if is_htmx():
            return make_response(body, 409, {"HX-Retarget": "#job-slot",
                                             "HX-Reswap": "innerHTML"})
        return make_response(render_template("errors/error.html", status=409, title="Busy",
                                             message=f"{busy.job.title} is running.",
                                             busy=busy.job), 409)
    if is_htmx():
        body = render_template("jobs/_panel.html", job=job, lines=[])
        response = make_response(body, 202, {"HX-Retarget": "#job-slot",
                                             "HX-Reswap": "innerHTML"})
        response.headers["HX-Trigger"] = json.dumps({"job-changed": {"id": job.id}})
        return response
    return redirect_to(url_for("jobs.show", job_id=job.id))


def form_error(tab: str, template: str, exc: validators.ValidationError, **context):
    """Show the tab's form again with the message next to the field (422)."""
    context.setdefault("form", request.form.to_dict(flat=True))
    return render_tab(tab, template, 422, errors={exc.field: exc.message}, **context)


def failure(tab: str, template: str, exc: CommandFailed, **context):
    """Show the tab again with Dokku's refusal: command, exit code, message."""
    context.setdefault("form", request.form.to_dict(flat=True))
    return render_tab(tab, template, 422, failed=exc, **context)


@bp.get("")
def show():
    """Open the app page on its overview tab."""
    return redirect_to(url_for("app.overview"))
