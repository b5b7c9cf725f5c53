"""Log in with a user name and password, and log out (flaskr's auth blueprint).

A login starts a server-side session (docklight/session_store.py) under a new
id. Wrong passwords are throttled per address and per account with growing
waits (docklight/ratelimit.py); every wait that starts is logged as one
structured ``login_lockout`` event. An empty name means the first-run admin,
so scripts that post only the password, as before there were users, still work.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, current_app, g, render_template, request, url_for

from docklight import ratelimit, second_factor, security, users
from docklight.htmx import redirect_to
from docklight.request_limits import LOGIN_BODY_LIMIT, body_limit

bp = Blueprint("auth", __name__)
CLEAR_SITE_DATA = '"cache", "storage"'
log = logging.getLogger("docklight.auth")

NOTICES = {
    "out": "You are logged out.",
    "ended": "Your session has ended. Log in again to continue.",
}


def _limits():
    s = current_app.config["SETTINGS"]
    return s.login_max_failures, s.login_window_minutes * 60


def wait_text(seconds: float) -> str:
    """Return a wait as people say it: "40 seconds", "3 minutes"."""
    if seconds < 90:
        n, unit = max(1, math.ceil(seconds)), "second"
    else:
        n, unit = math.ceil(seconds / 60), "minute"
    return f"{n} {unit}{'s' if n != 1 else ''}"


def login_form(status: int = 200, *, error: str | None = None, notice: str | None = None,
               name: str = "", next_url: str = "", headers=None):
    """Render the login form with its message, keeping the name and next as typed."""
    body = render_template("auth/login.html", next=next_url, error=error, notice=notice,
                           name=name)
    return current_app.make_response((body, status, headers or {}))


@bp.get("/login")
def login():
    """Show the login form (with a notice after logout or an ended session)."""
    if security.has_session():
        return redirect_to(security.safe_next(request.args.get("next")))
    notice = next((text for key, text in NOTICES.items() if request.args.get(key)), None)
    return login_form(notice=notice, next_url=request.args.get("next", ""))


def _throttled(waiting, *, name: str = "", next_url: str = ""):
    log.warning("login throttled", extra={
        "event": "login_throttled", "client_ip": request.remote_addr, "account": name or None,
        "scope": waiting.scope, "retry_after_s": math.ceil(waiting.seconds)})
    return login_form(429, error=f"Too many failed attempts. Try again in "
                                 f"{wait_text(waiting.seconds)}.",
                      name=name, next_url=next_url,
                      headers={"Retry-After": str(math.ceil(waiting.seconds))})


@bp.post("/api/auth/login")
@body_limit(LOGIN_BODY_LIMIT)
def login_POST():
    """Check name and password and start a session, or show the form again.

    The address's wait is checked before the form is read: a throttled
    client's body is never parsed. The account's wait needs the name, so it
    comes after.
    """
    settings = current_app.config["SETTINGS"]
    db_path = current_app.config["DATABASE"]
    ip = request.remote_addr or "unknown"
    max_failures, window = _limits()
    waiting = ratelimit.wait(db_path, ip, max_failures=max_failures, window=window)
    if waiting.seconds > 0:
        return _throttled(waiting, next_url=request.args.get("next", ""))
    next_url = request.form.get("next", "")
    typed_name = request.form.get("username", "").strip()
    name = typed_name or settings.admin_user
    waiting = ratelimit.wait(db_path, ip, account=name, max_failures=max_failures,
                             window=window)
    if waiting.seconds > 0:
        return _throttled(waiting, name=typed_name, next_url=next_url)
    user = users.authenticate(db_path, name, request.form.get("password", ""))
    if user is None:
        ratelimit.record_failure(db_path, ip, account=name, window=window)
        log.warning("login failed", extra={"event": "login_failed", "client_ip": ip,
                                           "account": name})
        after = ratelimit.wait(db_path, ip, account=name, max_failures=max_failures,
                               window=window)
        if after.seconds > 0:
            log.warning("login lockout", extra={
                "event": "login_lockout", "client_ip": ip, "account": name,
                "scope": after.scope, "failures": after.failures,
                "wait_s": math.ceil(after.seconds)})
        return login_form(401, error="Wrong name or password.", name=typed_name,
                          next_url=next_url)
    ratelimit.clear(db_path, ip, account=name)
    needs_code = users.totp_state(db_path, user.name)["secret"] is not None
    security.start_session(user.name, second_factor_done=not needs_code)
    if needs_code:
        return redirect_to(url_for("auth.code", next=security.safe_next(next_url)))
    users.record_login(db_path, user.name)
    log.info("login", extra={"event": "login", "client_ip": ip, "user": user.name})
    return redirect_to(security.safe_next(next_url))


@bp.post("/api/auth/logout")
def logout():
    """End the session here and in every worker, and say so on the login page."""
    security.current_session()  # who is leaving, for the log line
    log.info("logout", extra={"event": "logout", "client_ip": request.remote_addr,
                              "user": g.get("user")})
    security.end_session()
    response = redirect_to(url_for("auth.login", out=1))
    # The browser drops its HTTP cache and this origin's storage (htmx keeps
    # its history snapshots in sessionStorage), so Back shows nothing secret.
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


# --- second step: a code from the authenticator app -------------------------------

def _pending():
    """Return the session waiting for its second factor, or None."""
    found = security.current_session()
    return found if found is not None and not found.second_factor_done else None


@bp.get("/login/code")
def code():
    """Ask for the six-digit code (or a recovery code) after the password."""
    if security.has_session():
        return redirect_to(security.safe_next(request.args.get("next")))
    if _pending() is None:
        return redirect_to(url_for("auth.login", next=request.args.get("next") or None))
    return render_template("auth/code.html", next=request.args.get("next", ""), error=None)


@bp.post("/api/auth/code")
def code_POST():
    """Check the code; a right one finishes the login, five wrong ones end the attempt."""
    db_path = current_app.config["DATABASE"]
    next_url = request.form.get("next", "")
    pending = _pending()
    if pending is None:
        return redirect_to(url_for("auth.login", ended=1))
    ip = request.remote_addr or "unknown"
    max_failures, window = _limits()
    # The code is throttled on the account like a password: six digits are
    # few enough to guess without it.
    account = f"{pending.user}#code"
    waiting = ratelimit.wait(db_path, ip, account=account, max_failures=max_failures,
                             window=window)
    if waiting.seconds > 0:
        return current_app.make_response((render_template(
            "auth/code.html", next=next_url,
            error=f"Too many wrong codes. Try again in {wait_text(waiting.seconds)}."), 429,
            {"Retry-After": str(math.ceil(waiting.seconds))}))
    if not second_factor.verify(db_path, pending.user, request.form.get("code", "")):
        ratelimit.record_failure(db_path, ip, account=account, window=window)
        log.warning("login code wrong", extra={"event": "login_code_failed", "client_ip": ip,
                                               "account": pending.user})
        return render_template("auth/code.html", next=next_url,
                               error="That code is not right (or was already used)."), 401
    ratelimit.clear(db_path, ip, account=account)
    # A new id again, now that the login is complete.
    security.start_session(pending.user)
    users.record_login(db_path, pending.user)
    log.info("login", extra={"event": "login", "client_ip": ip, "user": pending.user,
                             "second_factor": True})
    return redirect_to(security.safe_next(next_url))
