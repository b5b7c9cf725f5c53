"""SSL tab: Let's Encrypt for the app (e-mail, enable, disable, renew) and its certificate.

Status comes from the letsencrypt plugin (`letsencrypt:active`, the app's row
of `letsencrypt:list` for expiry and time before renewal, its report for the
e-mail) and from `certs:report` (what nginx serves). The plugin is a
community plugin: when the host lacks it, Dokku answers "is not a dokku
command" and the tab says how to install it.
"""

from __future__ import annotations

from flask import current_app, g, request

from docklight.dokku import commands, parsers
from docklight.dokku.errors import CommandFailed
from docklight.dokku.validators import ValidationError
from docklight.views.answers import root_configured, run, start_job
from docklight.views.app_page import (app_report, bp, changed, failure, forget_app_report,
                                      form_error, render_tab)

TEMPLATE = "app/_ssl.html"
PLUGIN_URL = "https://github.com/dokku/dokku-letsencrypt.git"
INSTALL_COMMAND = f"sudo dokku plugin:install {PLUGIN_URL}"
ACTIONS = {"enable": "Enable Let's Encrypt for", "disable": "Disable Let's Encrypt for",
           "auto-renew": "Renew the certificate of"}
NO_EMAIL_RULE = (
    "Set an e-mail first: dokku-letsencrypt requests no certificate without the app's e-mail "
    "or, when that is empty, the global one; it stops with \"Cannot request a certificate "
    "without an e-mail address!\" (fn-letsencrypt-check-email and "
    "fn-letsencrypt-computed-email in internal-functions).")
# Where a Plugins page may live (another part of Docklight); linked when present.
PLUGIN_PAGE_ENDPOINTS = ("plugins.index", "plugins.plugins")


def _plugin_missing(exc: CommandFailed) -> bool:
    """Return whether Dokku refused a letsencrypt command because the plugin is absent."""
    return exc.result.exit_code == 1 and "is not a dokku command" in exc.message


def _letsencrypt() -> dict:
    """Read the app's Let's Encrypt state; ``installed`` is False without the plugin."""
    try:
        active = run(commands.letsencrypt_active(g.app)).stdout.strip() == "true"
    except CommandFailed as exc:
        if _plugin_missing(exc):
            return {"installed": False}
        raise
    entry = next((e for e in parsers.parse_letsencrypt_list(
        run(commands.letsencrypt_list()).stdout) if e.app == g.app), None)
    try:
        # JSON from dokku-letsencrypt 0.24.0 on, its text report before
        # (app_page.report_as_json); either way the same fields.
        block = app_report("letsencrypt")
        report = parsers.read_report("letsencrypt", block) if block else None
    except (CommandFailed, parsers.ParseError):
        report = None  # the report could not be read: the e-mail stays unknown
    return {
        "installed": True,
        "active": active,
        "entry": entry,
        "email": report.email if report else "",
        "computed_email": report.computed_email if report else "",
        "global_email": report.global_email if report else "",
        "email_known": report is not None,
    }


def _certs():
    """Read certs:report (what nginx serves), or None when it cannot be read."""
    try:
        return parsers.read_report("certs", app_report("certs"))
    except (CommandFailed, parsers.ParseError):
        return None


def _plugins_page() -> str | None:
    """Return the endpoint of the Plugins page if this Docklight has one."""
    return next((e for e in PLUGIN_PAGE_ENDPOINTS if e in current_app.view_functions), None)


def _context(**extra) -> dict:
    """Read what the tab shows."""
    return {
        "le": _letsencrypt(),
        "certs": _certs(),
        "install_command": INSTALL_COMMAND,
        "root_configured": root_configured(),
        "plugins_page": _plugins_page(),
        **extra,
    }


@bp.get("/ssl")
def ssl():
    """Show Let's Encrypt status and the certificate the app serves."""
    return render_tab("ssl", TEMPLATE, **_context())


@bp.post("/ssl/email")
def ssl_email_POST():
    """Set the Let's Encrypt e-mail of the app (`letsencrypt:set app email x`)."""
    try:
        command = commands.letsencrypt_set_email(g.app, request.form.get("email", ""))
    except ValidationError as exc:
        return form_error("ssl", TEMPLATE, exc, **_context())
    try:
        run(command)
    except CommandFailed as exc:
        return failure("ssl", TEMPLATE, exc, **_context())
    return changed(render_tab("ssl", TEMPLATE, **_context(done={"command": command.display})))


@bp.post("/ssl/<action>")
def ssl_action_POST(action):
    """Enable, disable or renew Let's Encrypt as a job (it talks to the ACME CA)."""
    if action not in ACTIONS:
        return render_tab("ssl", TEMPLATE, 404, **_context())
    if action == "enable":
        forget_app_report("letsencrypt")  # an e-mail set on the server meanwhile counts
        le = _letsencrypt()
        # dokku-letsencrypt's fn-letsencrypt-check-email refuses without the app's
        # or the global e-mail; say so next to the field instead of failing a job.
        if le.get("installed") and le.get("email_known") and not le.get("computed_email"):
            exc = ValidationError("email", NO_EMAIL_RULE)
            response = form_error("ssl", TEMPLATE, exc, **_context())
            response.headers["HX-Retarget"] = "#ssl"
            response.headers["HX-Reswap"] = "outerHTML"
            return response
    command = commands.letsencrypt_action(action, g.app)
    return start_job(command, f"{ACTIONS[action]} {g.app}")
