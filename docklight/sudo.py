"""Sudo mode: dangerous actions ask for the password again unless it was given lately.

Destroying an app or a database, revealing a secret, uninstalling a plugin
and managing users cannot be undone (or show what must stay hidden), so a
browser left logged in is not enough for them: the password must have been
given in this session within the last five minutes. When it was not, the
request is answered with a password form that carries every field of the
original form as hidden inputs and posts back to the same URL, so nothing
typed is lost: the password and the original fields arrive together, the
password is checked here, and the view runs as if it had been asked once.

Endpoints are listed in SUDO_ENDPOINTS or marked with ``@requires_sudo``;
both are checked in one before_request hook, after the role check.
"""

from __future__ import annotations

import logging
import time

from flask import current_app, g, make_response, render_template, request, session

from docklight import ratelimit, session_store, users
from docklight.htmx import is_htmx

log = logging.getLogger("docklight.auth")

SUDO_SECONDS = 300
PASSWORD_FIELD = "sudo_password"
ATTRIBUTE = "_docklight_requires_sudo"
SUDO_ENDPOINTS = frozenset({
    "app.destroy_POST",
    "app.config_reveal_POST",
    "databases.destroy_POST",
    "databases.reveal_POST",
    "plugins.uninstall_POST",
    "account.totp_disable",
})
# Every change on the Users page (adding, roles, passwords, policy).
SUDO_BLUEPRINTS = frozenset({"users"})


def requires_sudo(view):
    """Mark a view as needing a recent password (checked before it runs)."""
    setattr(view, ATTRIBUTE, True)
    return view


def needs_sudo(endpoint: str | None, method: str, view=None) -> bool:
    """Return whether endpoint with method needs the password given lately."""
    if method != "POST" or not endpoint:
        return False
    blueprint = endpoint.rpartition(".")[0]
    return endpoint in SUDO_ENDPOINTS or blueprint in SUDO_BLUEPRINTS \
        or bool(getattr(view, ATTRIBUTE, False))


def recent(auth_at: float, now: float | None = None) -> bool:
    """Return whether a password given at auth_at still counts."""
    return (time.time() if now is None else now) - auth_at <= SUDO_SECONDS


def _prompt(error: str | None = None):
    """Answer with the password form that re-sends the original form."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != PASSWORD_FIELD]
    body = render_template("auth/sudo.html", action=request.full_path.rstrip("?"),
                           fields=fields, error=error, minutes=SUDO_SECONDS // 60)
    headers = {}
    if is_htmx():
        # Shown in place of the page; its form is a plain POST to the same
        # URL, answered as a full page like any form without JavaScript.
        headers = {"HX-Retarget": "main", "HX-Reswap": "innerHTML", "HX-Push-Url": "false"}
    return make_response(body, 401, headers)


def init_app(app) -> None:
    """Check the password age of every dangerous POST before its view runs."""

    @app.before_request
    def _sudo():
        found = g.get("auth_session")
        if found is None or not needs_sudo(request.endpoint, request.method,
                                           app.view_functions.get(request.endpoint)):
            return None
        if recent(found.auth_at):
            return None
        given = request.form.get(PASSWORD_FIELD)
        if given is None:
            return _prompt()
        path = current_app.config["DATABASE"]
        settings = current_app.config["SETTINGS"]
        # Throttled like the login form: a stolen session must not become a
        # way to guess the password.
        limits = {"max_failures": settings.login_max_failures,
                  "window": settings.login_window_minutes * 60}
        account = f"{g.user}#sudo"
        waiting = ratelimit.wait(path, request.remote_addr or "unknown", account=account,
                                 **limits)
        if waiting.seconds > 0:
            return _prompt(f"Too many wrong passwords. Try again in "
                           f"{max(1, round(waiting.seconds))} seconds.")
        if users.authenticate(path, g.user, given) is None:
            ratelimit.record_failure(path, request.remote_addr or "unknown", account=account,
                                     window=limits["window"])
            log.warning("sudo password wrong", extra={"event": "sudo_failed", "user": g.user,
                                                      "client_ip": request.remote_addr})
            return _prompt("That is not your password.")
        session_store.reauthenticated(path, session["sid"])
        log.info("sudo", extra={"event": "sudo", "user": g.user, "path": request.path})
        return None

