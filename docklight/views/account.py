"""Your own account: where you are logged in, your password, your second factor.

Every role may use these pages (a viewer too): they change nothing on Dokku,
only the person's own login. The Sessions list comes from the server-side
sessions, so "log out everywhere" ends the other browsers at their next
request, in every worker.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, render_template, request, session, url_for

from docklight import login_policy, second_factor, security, session_store, totp, users
from docklight.htmx import redirect_to
from docklight.views.auth import CLEAR_SITE_DATA

bp = Blueprint("account", __name__, url_prefix="/account")
log = logging.getLogger("docklight.auth")


def _db() -> str:
    return current_app.config["DATABASE"]


def render_account(status: int = 200, **context):
    """Render the account page: sessions, password form, second factor."""
    state = users.totp_state(_db(), g.user)
    context.setdefault("errors", {})
    context.setdefault("notice", None)
    context.setdefault("recovery_codes", None)
    enrolment = None
    if state["secret"] is None and state["pending"]:
        uri = totp.provisioning_uri(state["pending"], g.user)
        enrolment = {"secret": state["pending"], "qr": totp.qr_svg(uri)}
    body = render_template(
        "account/index.html", sessions=session_store.of_user(_db(), g.user),
        this_session=session_store.id_hash(session.get("sid", "")),
        totp_enabled=state["secret"] is not None, enrolment=enrolment,
        recovery_left=len(state["recovery"]), **context)
    return current_app.make_response((body, status))


@bp.get("")
def index():
    """Show the sessions of the user who asks, their password and second factor forms."""
    notice = None
    if request.args.get("enrol"):
        notice = "Your role requires two-step login. Set it up below to continue."
    return render_account(notice=notice)


@bp.post("/sessions/end")
def end_one():
    """Log one of your other browsers out."""
    session_store.end_by_hash(_db(), g.user, request.form.get("session", ""))
    return redirect_to(url_for("account.index"))


@bp.post("/sessions/end-all")
def end_all():
    """Log out everywhere, this browser included."""
    count = session_store.end_user(_db(), g.user)
    log.info("logged out everywhere", extra={"event": "logout_everywhere", "user": g.user,
                                             "sessions": count})
    session.clear()
    response = redirect_to(url_for("auth.login", out=1))
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA  # as logout does
    return response


@bp.post("/password")
def change_password():
    """Change your password: the current one is asked; every other session ends."""
    current = request.form.get("current_password", "")
    new = request.form.get("new_password", "")
    if users.authenticate(_db(), g.user, current) is None:
        return render_account(422, errors={"current_password": "That is not your password."})
    if new != request.form.get("confirm_password", ""):
        return render_account(422, errors={"confirm_password": "The two new passwords differ."})
    try:
        users.set_password(_db(), g.user, new)
    except users.UserError as exc:
        return render_account(422, errors={"new_password": exc.message})
    # set_password ended every session, this one too; log this browser in again.
    security.start_session(g.user)
    log.info("password changed", extra={"event": "password_changed", "user": g.user})
    return render_account(notice="Password changed. Every other session has ended.")


@bp.post("/totp/start")
def totp_start():
    """Show a new secret as a QR code to scan (not active until a code confirms it)."""
    second_factor.start_enrolment(_db(), g.user)
    return render_account()


@bp.post("/totp/confirm")
def totp_confirm():
    """Turn the second factor on with a code from the app; show the recovery codes once."""
    codes = second_factor.confirm_enrolment(_db(), g.user, request.form.get("code", ""))
    if codes is None:
        return render_account(422, errors={"code": "That code does not match. Check the "
                                                    "phone's clock and try the next one."})
    log.info("second factor enabled", extra={"event": "totp_enabled", "user": g.user})
    return render_account(recovery_codes=codes,
                          notice="Two-step login is on. Keep these recovery codes safe.")


@bp.post("/totp/disable")
def totp_disable():
    """Turn your second factor off (refused when your role requires it)."""
    if g.role in login_policy.totp_roles(_db()):
        return render_account(422, errors={"totp": "Your role requires two-step login."})
    users.disable_totp(_db(), g.user)
    log.info("second factor disabled", extra={"event": "totp_disabled", "user": g.user})
    return render_account(notice="Two-step login is off.")

