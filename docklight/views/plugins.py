"""Plugins: what is installed, and (as root) install, update, enable, disable, uninstall.

Everything but the list is root-only in Dokku, so it goes through the root
target (DOCKLIGHT_DOKKU_SSH_ROOT_TARGET). Without one the page explains how
to configure it instead of offering buttons, and the actions answer 409
without sending anything. Install, update and uninstall run as jobs; they
share one lock, because plugn runs every plugin's install triggers.
"""

from __future__ import annotations

from flask import Blueprint, request

from docklight import datastores, services
from docklight.dokku import commands, validators
from docklight.dokku.errors import CommandFailed
from docklight.htmx import page_or_fragment
from docklight.views.answers import (confirm_name, current_actor, refusal, root_configured, run,
                                     start_job, valid_or_404)
from docklight.views.errors import attempt

bp = Blueprint("plugins", __name__)

LOCK_KEY = "plugins"
TOGGLES = {"enable": "Enable", "disable": "Disable"}


def _install_form() -> dict:
    """Return the install form's values, pre-filled for ?install=<official plugin>."""
    name = request.args.get("install", "")
    if name in datastores.OFFICIAL:
        return {"url": datastores.official_url(name), "name": name}
    return {}


def _context(refresh: bool = False, **extra) -> tuple[dict, int]:
    """Load the plugin list; on failure describe what failed instead of raising."""
    plugins, failure, status = attempt(lambda: datastores.plugins(
        services.dokku(), actor=current_actor(), refresh=refresh))
    context = {**failure, "plugins": plugins or [], "errors": {}, "form": {},
               "root": root_configured(), "is_core": datastores.is_core,
               "is_datastore": datastores.is_datastore, "official": datastores.OFFICIAL,
               "official_url": datastores.official_url}
    context.update(extra)
    # Dokku's own plugins (40-odd) fold away; the ones someone installed lead.
    context["community"] = [p for p in context["plugins"] if not datastores.is_core(p)]
    context["core_plugins"] = [p for p in context["plugins"] if datastores.is_core(p)]
    installed = {p.name for p in context["plugins"]}
    context["installable"] = [n for n in datastores.OFFICIAL if n not in installed]
    return context, status


def _list_response(status: int = 200, **extra):
    """Answer an action with the plugin list, swapped in place of the old one."""
    context, load_status = _context(**extra)
    return page_or_fragment("plugins/index.html", "plugins/_list.html",
                            status if load_status == 200 else load_status,
                            fragment_headers={"HX-Retarget": "#plugins",
                                              "HX-Reswap": "outerHTML"}, **context)


def _require_root():
    """Return a 409 explanation when there is no root target, else None."""
    if root_configured():
        return None
    return _list_response(409, refused="This needs Docklight's root connection, which is "
                                       "not configured; nothing was sent to Dokku.")


def _plugin_or_404(name: str) -> str:
    """Return a valid plugin name from the URL, else 404."""
    return valid_or_404(validators.plugin_name, name, "plugin name")


@bp.get("/plugins")
def index():
    """List installed plugins: name, version, enabled, core, description."""
    context, status = _context(refresh=request.args.get("refresh") == "1",
                               form=_install_form())
    return page_or_fragment("plugins/index.html", "plugins/_list.html", status, **context)


@bp.post("/plugins/install")
def install_POST():
    """Install a plugin from a source Dokku accepts, optionally named and pinned (a job)."""
    refused = _require_root()
    if refused is not None:
        return refused
    url = request.form.get("url", "").strip()
    name = request.form.get("name", "").strip()
    pin = request.form.get("committish", "").strip()
    try:
        command = commands.plugin_install(url, name or None, pin or None)
    except validators.ValidationError as exc:
        return _list_response(422, **refusal(exc, form={"url": url, "name": name,
                                                        "committish": pin}))
    label = name or url
    return start_job(command, f"Install plugin {label}", lock_key=LOCK_KEY)


@bp.post("/plugins/<name>/update")
def update_POST(name):
    """Update a plugin from its repository (a job)."""
    name = _plugin_or_404(name)
    refused = _require_root()
    if refused is not None:
        return refused
    return start_job(commands.plugin_update(name), f"Update plugin {name}", lock_key=LOCK_KEY)


@bp.post("/plugins/<name>/enable", defaults={"action": "enable"})
@bp.post("/plugins/<name>/disable", defaults={"action": "disable"})
def toggle_POST(name, action):
    """Enable or disable a plugin now, then show the list again."""
    name = _plugin_or_404(name)
    refused = _require_root()
    if refused is not None:
        return refused
    try:
        run(commands.plugin_action(action, name))
    except CommandFailed as exc:
        return _list_response(422, action_failed=exc)
    return _list_response(200, done=f"Plugin {name} {action}d.")


@bp.get("/plugins/<name>/uninstall")
def uninstall(name):
    """Ask for the plugin's name before uninstalling it."""
    name = _plugin_or_404(name)
    return page_or_fragment("plugins/uninstall.html", "plugins/_uninstall.html", name=name,
                            errors={}, form={}, root=root_configured())


@bp.post("/plugins/<name>/uninstall")
def uninstall_POST(name):
    """Uninstall a plugin once its name was typed exactly (a job)."""
    name = _plugin_or_404(name)
    refused = _require_root()
    if refused is not None:
        return refused
    try:
        confirm_name(name)
    except validators.ValidationError as exc:
        return page_or_fragment("plugins/uninstall.html", "plugins/_uninstall.html", 422,
                                name=name, root=True, **refusal(exc))
    return start_job(commands.plugin_action("uninstall", name), f"Uninstall plugin {name}",
                     lock_key=LOCK_KEY)
