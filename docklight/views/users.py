"""The Users page (admins only): add people, change roles, disable, reset, require TOTP.

The whole blueprint is admin-only through docklight/access.py's table
(``users`` is one of its ADMIN_BLUEPRINTS), and each view also says so with
``require_role``. Every change is logged as a structured event naming who
made it; a refused value comes back next to its field with the form as typed.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, render_template, request, url_for

from docklight import login_policy, session_store, users
from docklight.access import require_role
from docklight.htmx import redirect_to

bp = Blueprint("users", __name__, url_prefix="/users")
log = logging.getLogger("docklight.users")


def _db() -> str:
    return current_app.config["DATABASE"]


def render_users(status: int = 200, *, errors=None, form=None, row_errors=None, notice=None):
    """Render the page: every user, the add form, the second-factor policy."""
    body = render_template("users/index.html", users=users.list_all(_db()),
                           roles=users.ROLES, totp_roles=login_policy.totp_roles(_db()),
                           errors=errors or {}, form=form or {}, row_errors=row_errors or {},
                           notice=notice)
    return current_app.make_response((body, status))


def _changed(what: str, name: str, **extra):
    log.info("user changed", extra={"event": "user_changed", "change": what, "user": g.user,
                                    "target_user": name, **extra})
    return redirect_to(url_for("users.index"))


@bp.get("")
@require_role("admin")
def index():
    """List the users."""
    return render_users()


@bp.post("/add")
@require_role("admin")
def add():
    """Create a user with a name, a role and a first password."""
    form = {"name": request.form.get("name", "").strip(),
            "role": request.form.get("role", "viewer")}
    try:
        users.add(_db(), form["name"], request.form.get("password", ""), form["role"])
    except users.UserError as exc:
        return render_users(422, errors={exc.field: exc.message}, form=form)
    return _changed("added", form["name"], role=form["role"])


def _row_change(name: str, what: str, change, **extra):
    try:
        change()
    except users.UserError as exc:
        return render_users(422, row_errors={name: exc.message})
    return _changed(what, name, **extra)


@bp.post("/<name>/role")
@require_role("admin")
def set_role(name):
    """Give a user another role (the last admin keeps theirs)."""
    role = request.form.get("role", "")
    return _row_change(name, "role", lambda: users.set_role(_db(), name, role), role=role)


@bp.post("/<name>/disable", defaults={"disabled": True})
@bp.post("/<name>/enable", defaults={"disabled": False})
@require_role("admin")
def set_disabled(name, disabled):
    """Disable a user (their sessions end at once) or enable them again."""
    return _row_change(name, "disabled" if disabled else "enabled",
                       lambda: users.set_disabled(_db(), name, disabled))


@bp.post("/<name>/password")
@require_role("admin")
def reset_password(name):
    """Set a new password for a user; their sessions end."""
    password = request.form.get("password", "")
    return _row_change(name, "password", lambda: users.set_password(_db(), name, password))


@bp.post("/<name>/sessions/end")
@require_role("admin")
def end_sessions(name):
    """Log a user out everywhere."""
    return _row_change(name, "sessions ended", lambda: session_store.end_user(_db(), name))


@bp.post("/<name>/totp/reset")
@require_role("admin")
def reset_totp(name):
    """Turn a user's second factor off (a lost phone); they set it up again."""
    return _row_change(name, "second factor reset", lambda: users.disable_totp(_db(), name))


@bp.post("/policy")
@require_role("admin")
def policy():
    """Choose the roles that must log in with a second factor."""
    roles = [r for r in request.form.getlist("totp_role") if r in users.ROLES]
    login_policy.set_totp_roles(_db(), roles)
    return _changed("totp policy", "*", roles=roles)
