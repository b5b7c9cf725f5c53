"""Databases: datastore services per plugin; create, link, unlink, reveal, destroy.

Create, link, unlink and destroy run as jobs with live output (link and
unlink restart the app, so they hold the app's lock; create and destroy hold
the service's). Connection details are secrets: the page never holds them
until someone asks with the Reveal button, an explicit read that history
records with its output redacted.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request

from docklight import datastores, services
from docklight.dokku import commands, validators
from docklight.htmx import page_or_fragment
from docklight.views.answers import (confirm_name, current_actor, refusal,
                                     root_configured, start_job, valid_or_404)
from docklight.views.errors import attempt

bp = Blueprint("databases", __name__)


def _plugin_or_404(plugin: str) -> str:
    """Return plugin if it is a datastore plugin we may drive, else 404."""
    name = datastores.known_datastore(services.dokku(), plugin, actor=current_actor())
    if name is None:
        abort(404, f"'{plugin}' is not an installed datastore plugin.")
    return name


def _service_or_404(name: str) -> str:
    """Return a valid service name from the URL, else 404."""
    return valid_or_404(validators.existing_service_name, name, "service name")


def _context(refresh: bool = False) -> tuple[dict, int]:
    """Load the overview; on failure describe what failed instead of raising."""
    overview, failure, status = attempt(lambda: datastores.cached(
        services.dokku(), actor=current_actor(), refresh=refresh))
    context = {**failure, "overview": overview, "errors": {}, "form": {},
               "root": root_configured(), "install_command": datastores.install_command(),
               "official": datastores.OFFICIAL}
    return context, status


def _section_error(plugin: str, dom_id: str, exc: validators.ValidationError, form: dict):
    """Show a plugin's section again with the message next to the field (422)."""
    context, _ = _context()
    context.update(refusal(exc, dom_id, form))
    section = None
    if context["overview"]:
        section = next((s for s in context["overview"].sections if s.plugin == plugin), None)
    if section is None:
        return make_response(render_template("databases/index.html", **context), 422)
    return page_or_fragment("databases/index.html", "databases/_section.html", 422,
                            fragment_headers={"HX-Retarget": f"#{section.dom_id}",
                                              "HX-Reswap": "outerHTML"},
                            section=section, **context)


@bp.get("/databases")
def index():
    """List datastore plugins, their services, status, version and linked apps."""
    context, status = _context(refresh=request.args.get("refresh") == "1")
    return page_or_fragment("databases/index.html", "databases/_list.html", status, **context)


@bp.post("/databases/<plugin>/create")
def create_POST(plugin):
    """Create a service (`<plugin>:create <name>`) as a job."""
    plugin = _plugin_or_404(plugin)
    dom_id = datastores.Section(plugin).dom_id + "-name"
    typed = request.form.get("name", "")
    try:
        command = commands.service_create(plugin, typed)
    except validators.ValidationError as exc:
        return _section_error(plugin, dom_id, exc, {dom_id: typed})
    name = command.args[1]
    return start_job(command, f"Create {plugin} service {name}",
                     lock_key=f"service:{plugin}:{name}")


@bp.post("/databases/<plugin>/<name>/link", defaults={"action": "link"})
@bp.post("/databases/<plugin>/<name>/unlink", defaults={"action": "unlink"})
def link_POST(plugin, name, action):
    """Link a service to an app, or unlink it, as a job (the app restarts)."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    dom_id = datastores.Service(plugin, name).dom_id + "-app"
    app = request.form.get("app", "")
    try:
        command = commands.service_link(action, plugin, name, app)
    except validators.ValidationError as exc:
        return _section_error(plugin, dom_id, exc, {dom_id: app})
    app = command.app
    title = (f"Link {plugin} service {name} to {app}" if action == "link"
             else f"Unlink {plugin} service {name} from {app}")
    # The app restarts with its new config: hold the app's lock, like a deploy.
    return start_job(command, title, lock_key=f"app:{app}")


@bp.post("/databases/<plugin>/<name>/reveal")
def reveal_POST(plugin, name):
    """Show a service's connection URL (`<plugin>:info <name> --dsn`) on request."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    service = datastores.Service(plugin, name)
    dsn = datastores.reveal_dsn(services.dokku(), plugin, name, actor=current_actor())
    response = page_or_fragment("databases/connection.html", "databases/_connection.html",
                                service=service, dsn=dsn)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/databases/<plugin>/<name>/connection")
def connection(plugin, name):
    """Hide the connection URL again (asks Dokku nothing)."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    return page_or_fragment("databases/connection.html", "databases/_connection.html",
                            service=datastores.Service(plugin, name), dsn=None)


@bp.get("/databases/<plugin>/<name>/destroy")
def destroy(plugin, name):
    """Ask for the service's name before destroying it."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    return page_or_fragment("databases/destroy.html", "databases/_destroy.html",
                            plugin=plugin, name=name, errors={}, form={})


@bp.post("/databases/<plugin>/<name>/destroy")
def destroy_POST(plugin, name):
    """Destroy the service once its name was typed exactly (`--force` after that)."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    try:
        confirm_name(name)
    except validators.ValidationError as exc:
        return page_or_fragment("databases/destroy.html", "databases/_destroy.html", 422,
                                plugin=plugin, name=name, **refusal(exc))
    return start_job(commands.service_destroy(plugin, name),
                     f"Destroy {plugin} service {name}", lock_key=f"service:{plugin}:{name}")
