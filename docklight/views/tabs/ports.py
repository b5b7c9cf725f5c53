"""Ports & proxy tab: port mappings (`ports:*`) and the app's proxy switch.

Dokku 0.31 replaced `proxy:ports*` with `ports:*` and 0.32 removed the old
commands (reference, "ports / proxy"), so only `ports:*` is used here; an
older host gets a notice instead of a form.
"""

from __future__ import annotations

import re

from flask import g, request

from docklight import services
from docklight.dokku import commands, parsers, validators
from docklight.dokku.validators import ValidationError
from docklight.views.answers import FieldNames, current_actor, start_job
from docklight.views.app_page import app_report, bp, build_and_write, render_tab

TAB = "ports"
TEMPLATE = "app/_ports.html"
PORTS_SINCE = (0, 31, 0)
PROXY_ACTIONS = {"enable": "Enable proxy for", "disable": "Disable proxy for"}



def _context() -> dict:
    """Read ports:report and proxy:report."""
    version = services.dokku().version(actor=current_actor())
    context = {"schemes": validators.PORT_SCHEMES, "version": version,
               "supported": version.at_least(*PORTS_SINCE), "configured": [], "detected": []}
    if context["supported"]:
        ports = parsers.read_report("ports", app_report("ports"))
        context["configured"], context["detected"] = ports.configured, ports.detected
    context["proxy"] = parsers.read_report("proxy", app_report("proxy"))
    return context


def _write(build, fields: FieldNames = None):
    """Build a command from the form (may raise ValidationError), run it, answer."""
    return build_and_write(build, TAB, TEMPLATE, _context, fields)


@bp.get("/ports")
def ports():
    """Show the app's port mappings and proxy state."""
    return render_tab(TAB, TEMPLATE, **_context())


@bp.post("/ports/add")
def ports_add_POST():
    """Add one mapping scheme:host:container (`ports:add`)."""
    form = request.form

    def build():
        scheme = validators.choice(form.get("scheme", ""), validators.PORT_SCHEMES,
                                   "scheme", "Scheme")
        host = validators.port(form.get("host_port"), field="host_port")
        container = validators.port(form.get("container_port"), field="container_port")
        return commands.ports_change("add", g.app, [f"{scheme}:{host}:{container}"])

    return _write(build)


@bp.post("/ports/remove")
def ports_remove_POST():
    """Remove one mapping (`ports:remove`)."""
    return _write(lambda: commands.ports_change("remove", g.app, [request.form.get("mapping", "")]))


@bp.post("/ports/set")
def ports_set_POST():
    """Replace every mapping with the list given (`ports:set`)."""
    def build():
        text = request.form.get("mappings", "")
        # Spaces and commas separate; anything else (a newline too) stays in
        # an item and is refused by its validation.
        items = [item for item in re.split(r"[ ,]+", text.strip(" ,")) if item]
        if not items:
            raise ValidationError("mappings", "Give at least one mapping such as http:80:5000.")
        return commands.ports_change("set", g.app, items)

    # Every item is typed into the one textarea.
    return _write(build, "mappings")


@bp.post("/ports/clear")
def ports_clear_POST():
    """Remove every configured mapping (`ports:clear`); Dokku falls back to detected ones."""
    return _write(lambda: commands.ports_clear(g.app))


@bp.post("/proxy/<action>")
def proxy_POST(action):
    """Enable or disable the app's proxy as a job.

    A job because the proxy switch redeploys: with the proxy off, Dokku
    publishes the container ports on the host, which needs new containers;
    turning it on rebuilds the proxy config (reference "ports / proxy").
    """
    if action not in PROXY_ACTIONS:
        return render_tab(TAB, TEMPLATE, 404, **_context())
    return start_job(commands.proxy_toggle(action, g.app), f"{PROXY_ACTIONS[action]} {g.app}")
