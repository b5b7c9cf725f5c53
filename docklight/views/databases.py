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
from docklight.htmx import is_htmx, wants_fragment
from docklight.views.app_page import actor_ip, start_job
from docklight.views.errors import attempt

bp = Blueprint("databases", __name__)


def _plugin_or_404(plugin: str) -> str:
    """Return plugin if it is a datastore plugin we may drive, else 404."""
    name = datastores.known_datastore(services.dokku(), plugin, actor_ip=actor_ip())
    if name is None:
        abort(404, f"'{plugin}' is not an installed datastore plugin.")
    return name


def _service_or_404(name: str) -> str:
    """Return a valid service name from the URL, else 404."""
    try:
        return validators.service_name(name)
    except validators.ValidationError:
        abort(404, f"'{name}' is not a valid service name.")


def _root_configured() -> bool:
    """Return whether root-only commands (plugin:install) have a target."""
    return services.dokku().has_root


def _context(refresh: bool = False) -> tuple[dict, int]:
    """Load the overview; on failure describe what failed instead of raising."""
    overview, failure, status = attempt(lambda: datastores.cached(
        services.dokku(), actor_ip=actor_ip(), refresh=refresh))
    context = {**failure, "overview": overview, "errors": {}, "form": {},
               "root": _root_configured(), "install_command": datastores.install_command(),
               "official": datastores.OFFICIAL}
    return context, status


def _render(status: int = 200, **context):
    """Render the list for htmx, or the whole page around it."""
    template = "databases/_list.html" if wants_fragment() else "databases/index.html"
    return make_response(render_template(template, **context), status)


def _section_error(plugin: str, dom_id: str, exc: validators.ValidationError, form: dict):
    """Show a plugin's section again with the message next to the field (422)."""
    context, _ = _context()
    context["errors"] = {dom_id: exc.message}
    context["form"] = form
    section = None
    if context["overview"]:
        section = next((s for s in context["overview"].sections if s.plugin == plugin), None)
    if is_htmx() and section is not None:
        body = render_template("databases/_section.html", section=section, **context)
        return make_response(body, 422, {"HX-Retarget": f"#{section.dom_id}",
                                         "HX-Reswap": "outerHTML"})
    return make_response(render_template("databases/index.html", **context), 422)


@bp.get("/databases")
def index():
    """List datastore plugins, their services, status, version and linked apps."""
    context, status = _context(refresh=request.args.get("refresh") == "1")
    return _render(status, **context)


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
    dsn = datastores.reveal_dsn(services.dokku(), plugin, name, actor_ip=actor_ip())
    template = "databases/_connection.html" if is_htmx() else "databases/connection.html"
    response = make_response(render_template(template, service=service, dsn=dsn))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/databases/<plugin>/<name>/connection")
def connection(plugin, name):
    """Hide the connection URL again (asks Dokku nothing)."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    service = datastores.Service(plugin, name)
    if is_htmx():
        return render_template("databases/_connection.html", service=service, dsn=None)
    return render_template("databases/connection.html", service=service, dsn=None)


@bp.get("/databases/<plugin>/<name>/destroy")
def destroy(plugin, name):
    """Ask for the service's name before destroying it."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    context = {"plugin": plugin, "name": name, "errors": {}, "form": {}}
    template = "databases/_destroy.html" if wants_fragment() else "databases/destroy.html"
    return render_template(template, **context)


@bp.post("/databases/<plugin>/<name>/destroy")
def destroy_POST(plugin, name):
    """Destroy the service once its name was typed exactly (`--force` after that)."""
    plugin = _plugin_or_404(plugin)
    name = _service_or_404(name)
    typed = request.form.get("confirm", "")
    if typed != name:
        context = {"plugin": plugin, "name": name, "form": {"confirm": typed},
                   "errors": {"confirm": f"Type {name} exactly to confirm."}}
        template = "databases/_destroy.html" if is_htmx() else "databases/destroy.html"
        return make_response(render_template(template, **context), 422)
    return start_job(commands.service_destroy(plugin, name),
                     f"Destroy {plugin} service {name}", lock_key=f"service:{plugin}:{name}")
