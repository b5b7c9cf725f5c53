"""Log in and out with the admin password (flaskr's auth blueprint, one user)."""

from __future__ import annotations

import hmac
import logging
import math

from flask import Blueprint, current_app, render_template, request, session, url_for

from docklight import ratelimit, security
from docklight.request_limits import LOGIN_BODY_LIMIT, body_limit
from docklight.htmx import redirect_to

bp = Blueprint("auth", __name__)
CLEAR_SITE_DATA = '"cache", "storage"'
log = logging.getLogger("docklight.auth")


def _limits():
    s = current_app.config["SETTINGS"]
    return s.login_max_failures, s.login_window_minutes * 60


@bp.get("/login")
def login():
    """Show the login form."""
    if security.has_session():
        return redirect_to(security.safe_next(request.args.get("next")))
    return render_template("auth/login.html", next=request.args.get("next", ""), error=None)


@bp.post("/api/auth/login")
@body_limit(LOGIN_BODY_LIMIT)
def login_POST():
    """Check the password and start a session, or show the form again.

    The rate limit is checked before the form is read: a limited client's
    body is never parsed (nor, with Content-Length, even received whole).
    """
    settings = current_app.config["SETTINGS"]
    db_path = current_app.config["DATABASE"]
    ip = request.remote_addr or "unknown"
    max_failures, window = _limits()
    wait = ratelimit.retry_after(db_path, ip, max_failures=max_failures, window=window)
    if wait:
        minutes = math.ceil(wait / 60)
        log.warning("login rate limited", extra={"client_ip": ip})
        response = current_app.make_response((render_template(
            "auth/login.html", next=request.args.get("next", ""),
            error=f"Too many failed attempts. Try again in {minutes} minute"
                  f"{'s' if minutes != 1 else ''}."), 429))
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    next_url = request.form.get("next", "")
    given = request.form.get("password", "")
    # Compare digests of equal length in constant time.
    if not hmac.compare_digest(given.encode(), settings.password.encode()):
        ratelimit.record_failure(db_path, ip, window=window)
        log.warning("login failed", extra={"client_ip": ip})
        return render_template("auth/login.html", next=next_url,
                               error="Wrong password."), 401
    ratelimit.clear(db_path, ip)
    security.start_session()
    log.info("login", extra={"client_ip": ip})
    return redirect_to(security.safe_next(next_url))


@bp.post("/api/auth/logout")
def logout():
    """End the session."""
    session.clear()
    response = redirect_to(url_for("auth.login"))
    # The browser drops its HTTP cache and this origin's storage (htmx keeps
    # its history snapshots in sessionStorage), so Back shows nothing secret.
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
