"""The app page: one URL per tab, each a full page or an htmx fragment.

Tab modules (docklight/views/tabs/*.py) add their routes to ``bp`` and use
the helpers here (and the shared ones in docklight/views/answers.py), so
every tab behaves the same way:

- ``render_tab`` answers htmx with the tab's partial and everything else
  with the whole app page around it (one URL, page or fragment).
- ``app_report`` reads the app's ``<plugin>:report``, as JSON where it can.
- ``build_and_write`` builds a short state change from the form and runs it;
  ``write_and_answer`` runs one already built. Either answers with the fresh
  tab (a redirect for a plain form), the form again with the message next to
  the field (``form_error``, 422), or Dokku's refusal shown inline with the
  exact command, the exit code and Dokku's own message (``failure``).
- After any write the response carries ``HX-Trigger: app-changed``
  (``changed``) so other fragments of the page refresh themselves.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import (Blueprint, current_app, g, make_response, render_template, request,
                   url_for)

from docklight import services
from docklight.dokku import commands, parsers, validators
from docklight.dokku.command import Command
from docklight.dokku.errors import CommandFailed
from docklight.htmx import is_htmx, redirect_to, unless_unchanged, wants_fragment
from docklight.views.answers import FieldNames, current_actor, refusal, run, valid_or_404

bp = Blueprint("app", __name__, url_prefix="/apps/<app>")

TABS = (
    ("overview", "Overview"),
    ("config", "Config"),
    ("databases", "Databases"),
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
    g.app = valid_or_404(validators.app_name, values.pop("app"), "app name")


@bp.url_defaults
def _add_app(endpoint, values):
    if "app" not in values and "app" in g:
        values["app"] = g.app


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
        # How old the shown reports are follows every fragment, out of band.
        body += render_template("app/_data_age.html", data_age=g.get("data_age"), oob=True)
    else:
        body = render_template("app/show.html", app=g.app, tab=tab, tabs=tabs,
                               tab_template=template, data_age=g.get("data_age"), **context)
    return unless_unchanged(make_response(body, status))


@bp.app_context_processor
def _poll_seconds() -> dict:
    """How often polling fragments ask again: half the cache TTL (at least 1 s).

    A change shows within about 1.5 TTL; most polls are an empty 304, and the
    refreshes they start are shared (one per TTL for every page and worker).
    """
    return {"poll_seconds": max(1, round((services.get().settings.cache_ttl or 10) / 2))}


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


# `<plugin>:report --format json` exists since 0.23.1; git and nginx (bash
# reports until then) got it in 0.38.0 (reference section 1).
JSON_REPORT_SINCE = {"git": (0, 38, 0), "nginx": (0, 38, 0)}
# Reports of community plugins follow the plugin's version (plugin:list).
PLUGIN_JSON_REPORT_SINCE = {"letsencrypt": (0, 24, 0)}


def app_report(plugin: str) -> dict:
    """Return this app's <plugin>:report as a dict, read as JSON when the host can.

    Cached until the next state change (or the cache TTL), so a refused form
    re-renders without asking Dokku anything.
    """
    hit = services.dokku().lookup(f"app-report:{g.app}:{plugin}",
                                  lambda: _read_app_report(plugin),
                                  shared=plugin in SHAREABLE_REPORTS, app=g.app)
    note_age(hit)
    return hit.value


def forget_app_report(plugin: str) -> None:
    """Drop this app's cached <plugin>:report, so the next app_report asks Dokku.

    For a check that refuses a write: it must not rest on a copy older than
    a change made on the server meanwhile.
    """
    services.dokku().forget(f"app-report:{g.app}:{plugin}")


# Reports with no secret in them, which may be kept where every worker reads
# them (docklight/readshare.py). Others stay in each worker's memory:
# docker-options can carry -e values, buildpack URLs and apps:report's deploy
# source metadata (a git URL) can carry credentials, git:report names images.
SHAREABLE_REPORTS = frozenset({"ps", "domains", "proxy", "ports", "nginx", "scheduler",
                               "letsencrypt", "certs", "network", "resource", "storage",
                               "checks"})


def note_age(hit) -> None:
    """Remember the oldest overdue read this request served, for the "as of" line."""
    if hit.overdue:
        g.data_age = max(g.get("data_age", 0), int(hit.age))


def report_as_json(plugin: str) -> bool:
    """Return whether this host prints plugin's report as JSON.

    Dokku's own reports follow the Dokku version (JSON_REPORT_SINCE).
    letsencrypt:report is the plugin's own bash: ``--format`` arrived in
    dokku-letsencrypt 0.24.0 (commit 081b8e8, fn-letsencrypt-report-parse-args);
    before it the word is taken for an info flag and the report fails with
    "Invalid flag passed", so older plugins get the text report.
    """
    dokku = services.dokku()
    if plugin in PLUGIN_JSON_REPORT_SINCE:
        version = dokku.plugin_version(plugin, actor=current_actor())
        return version is not None and version.at_least(*PLUGIN_JSON_REPORT_SINCE[plugin])
    since = JSON_REPORT_SINCE.get(plugin, (0, 23, 1))
    return dokku.version(actor=current_actor()).at_least(*since)


def _read_app_report(plugin: str) -> dict:
    if report_as_json(plugin):
        objects = parsers.parse_report_json(run(commands.report(plugin, g.app, json=True)).stdout)
        return objects[0] if objects else {}
    blocks = parsers.parse_report(run(commands.report(plugin, g.app)).stdout)
    return blocks.get(g.app) or next(iter(blocks.values()), {})


def write_and_answer(command: Command, tab: str, template: str, context: Callable[[], dict],
                     **extra):
    """Run a short write; answer with the fresh tab (or a redirect) or Dokku's refusal.

    context reads what the tab shows; it is called after the write, so the
    tab shows the new state. A plain form is redirected to the tab's page
    (endpoint ``app.<tab>``).
    """
    try:
        run(command)
    except CommandFailed as exc:
        return failure(tab, template, exc, **extra, **context())
    if is_htmx():
        return changed(render_tab(tab, template, **context()))
    return changed(redirect_to(url_for(f"app.{tab}")))


def build_and_write(build: Callable[[], Command], tab: str, template: str,
                    context: Callable[[], dict], fields: FieldNames = None,
                    form: dict | None = None):
    """Build a write from the form (may raise ValidationError) and answer as write_and_answer.

    A refused form comes back with the message next to its field (fields
    renames the builder's field, see answers.FieldNames); form, when given,
    is what the tab echoes back instead of the posted form.
    """
    try:
        command = build()
    except validators.ValidationError as exc:
        return form_error(tab, template, exc, fields, form, **context())
    extra = {} if form is None else {"form": form}
    return write_and_answer(command, tab, template, context, **extra)


def form_error(tab: str, template: str, exc: validators.ValidationError,
               fields: FieldNames = None, form: dict | None = None, **context):
    """Show the tab's form again with the message next to the field (422)."""
    return render_tab(tab, template, 422, **refusal(exc, fields, form), **context)


def failure(tab: str, template: str, exc: CommandFailed, **context):
    """Show the tab again with Dokku's refusal: command, exit code, message."""
    context.setdefault("form", request.form.to_dict(flat=True))
    return render_tab(tab, template, 422, failed=exc, **context)


@bp.get("")
def show():
    """Open the app page on its overview tab."""
    return redirect_to(url_for("app.overview"))
