"""Domains tab: the app's domains (add, remove, set, clear, enable, disable).

The list comes from `domains:report <app> --format json`; the global domains
are shown read-only. Every domain is checked with Dokku's hostname rule
before anything is sent, so a bad one never reaches Dokku. Two more refusals
follow what plugins/domains/functions does with a valid one: a removal whose
sed pattern would delete other domains too (the builder checks it against the
report's domains, commands.domains_change), and add/set while the domains are
disabled (Dokku would replace the list with the defaults).
"""

from __future__ import annotations

import re

from flask import g, request

from docklight.dokku import commands, parsers, redact
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError, hostname
from docklight.htmx import wants_fragment
from docklight.views.answers import refusal, run
from docklight.views.app_page import app_report, bp, changed, failure, render_tab

TEMPLATE = "app/_domains.html"
# Several domains may be typed at once, separated by spaces, commas or lines.
SEPARATORS = re.compile(r"[\s,]+")
LIST_ACTIONS = {"add": "add-domains", "set": "set-domains", "remove": "domain"}
TOGGLES = ("clear", "enable", "disable")


def _context(**extra) -> dict:
    """Read what the tab shows: the app's and the global domains."""
    return {"report": parsers.read_report("domains", app_report("domains")), **extra}


def _domains(field: str) -> list[str]:
    """Return the domains typed in field, each checked with Dokku's rule.

    :raise ValidationError: naming field, for the first bad domain.
    """
    typed = [d for d in SEPARATORS.split(request.form.get(field, "")) if d]
    if not typed:
        raise ValidationError(field, "Give at least one domain.")
    return [hostname(d, field=field) for d in typed]


def _refuse_while_disabled(action: str, field: str, report: parsers.DomainsReport) -> None:
    """Refuse add/set while the app's domains are disabled.

    Dokku then enables them, and enabling writes the default domains over
    the list (plugins/domains/functions domains_add, domains_set,
    domains_enable), so the typed domains would be dropped.
    """
    if action in ("add", "set") and not report.app_enabled:
        raise ValidationError(field, (
            "Domains are disabled for this app. Dokku would enable them and replace the list "
            "with the default domains, dropping the ones typed here. Enable domains first."))


def _invalid(exc: ValidationError, field: str | None):
    """Show the add/set forms again with the message; htmx gets them without a Dokku read."""
    refused = refusal(exc, field)
    if wants_fragment() and field in ("add-domains", "set-domains"):
        response = render_tab("domains", TEMPLATE, 422, part="edit", **refused)
        response.headers["HX-Retarget"] = "#domains-edit"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return render_tab("domains", TEMPLATE, 422, **refused, **_context())


@bp.get("/domains")
def domains():
    """Show the app's domains, whether they are enabled, and the global domains."""
    return render_tab("domains", TEMPLATE, **_context())


@bp.post("/domains/<action>")
def domains_POST(action):
    """Run one domains action: add, set, remove (a list) or clear, enable, disable."""
    if action not in LIST_ACTIONS and action not in TOGGLES:
        return render_tab("domains", TEMPLATE, 404, **_context())
    try:
        if action in LIST_ACTIONS:
            typed = _domains(LIST_ACTIONS[action])
            report = _context()["report"]
            _refuse_while_disabled(action, LIST_ACTIONS[action], report)
            command = commands.domains_change(action, g.app, typed, current=report.app_vhosts)
        else:
            command = commands.domains_toggle(action, g.app)
    except ValidationError as exc:
        return _invalid(exc, LIST_ACTIONS.get(action))
    try:
        result = run(command)
    except CommandFailed as exc:
        return failure("domains", TEMPLATE, exc, **_context())
    output = "\n".join(part.strip("\n") for part in (result.stdout, result.stderr) if part.strip())
    output = redact.redact_output(command, output)
    done = {"command": command.display, "output": output}
    return changed(render_tab("domains", TEMPLATE, **_context(done=done)))
