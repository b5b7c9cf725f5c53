"""Who may do what: the one place roles are checked, before any view runs.

Three roles, each including the one below it:

- ``viewer`` reads everything except secret values; every POST is refused
  (revealing a config value or a database URL is a POST, so it is refused too);
- ``operator`` also operates apps and databases (restart, scale, config,
  domains, deploy, link, destroy); not plugins, users, settings or maintenance;
- ``admin`` does everything.

The rule for a request comes from ``required_role(endpoint, method)``: a table
by blueprint, plus whatever a view declares with ``@require_role("admin")``.
Both are checked here, in a before_request hook, so a new route is covered
the moment it exists and hiding a button is never the only guard. Each
person may always manage their own login (blueprints ``auth`` and
``account``), whatever their role.

Templates get ``can(role)`` to hide what the person cannot do.
"""

from __future__ import annotations

import functools
import logging

from flask import abort, current_app, g, request, url_for

from docklight import login_policy, users
from docklight.htmx import redirect_to

log = logging.getLogger("docklight.access")

RANK = {role: i for i, role in enumerate(users.ROLES)}  # viewer < operator < admin
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Each person's own login: open to every role.
SELF_SERVICE_BLUEPRINTS = frozenset({"auth", "account"})
# Whole areas (reads included) only admins see.
ADMIN_BLUEPRINTS = frozenset({"users", "settings", "maintenance", "host"})
# Areas everyone may read and only admins may change.
ADMIN_WRITE_BLUEPRINTS = frozenset({"plugins"})
ROLE_ATTRIBUTE = "_docklight_required_role"


def require_role(role: str):
    """Declare the least role a view needs; checked with the table, before the view runs."""
    if role not in RANK:
        raise ValueError(f"unknown role {role!r}")

    def mark(view):
        setattr(view, ROLE_ATTRIBUTE, role)

        @functools.wraps(view)
        def checked(*args, **kwargs):
            # The before_request hook has already refused a lower role; this
            # second look keeps the view safe if it is ever mounted elsewhere.
            if not allowed(g.get("role"), role):
                abort(403, f"This needs the {role} role.")
            return view(*args, **kwargs)

        setattr(checked, ROLE_ATTRIBUTE, role)
        return checked

    return mark


def allowed(role: str | None, needed: str) -> bool:
    """Return whether role is needed or above it."""
    return role in RANK and RANK[role] >= RANK[needed]


def required_role(endpoint: str | None, method: str, view=None) -> str:
    """Return the least role that may call endpoint with method."""
    blueprint = (endpoint or "").rpartition(".")[0]
    if blueprint in SELF_SERVICE_BLUEPRINTS or endpoint in (None, "static"):
        needed = "viewer"
    elif blueprint in ADMIN_BLUEPRINTS:
        needed = "admin"
    elif method in UNSAFE_METHODS:
        needed = "admin" if blueprint in ADMIN_WRITE_BLUEPRINTS else "operator"
    else:
        needed = "viewer"
    declared = getattr(view, ROLE_ATTRIBUTE, None)
    if declared and RANK[declared] > RANK[needed]:
        needed = declared
    return needed


def can(needed: str) -> bool:
    """Return whether the person asking has the needed role (for templates)."""
    return allowed(g.get("role"), needed)


def must_enrol() -> bool:
    """Return whether the person's role requires a second factor they have not set up."""
    if g.get("role") is None:
        return False
    if g.role not in login_policy.totp_roles(current_app.config["DATABASE"]):
        return False
    return users.totp_state(current_app.config["DATABASE"], g.user)["secret"] is None


def init_app(app) -> None:
    """Check every request's role (after the login check has set g.user and g.role)."""

    @app.before_request
    def _check_role():
        if g.get("user") is None:
            return None  # public endpoint; the login check has let it through
        blueprint = (request.endpoint or "").rpartition(".")[0]
        if blueprint not in SELF_SERVICE_BLUEPRINTS and request.endpoint != "static" \
                and must_enrol():
            return redirect_to(url_for("account.index", enrol=1) + "#totp")
        view = app.view_functions.get(request.endpoint)
        needed = required_role(request.endpoint, request.method, view)
        if allowed(g.role, needed):
            return None
        log.warning("refused by role", extra={
            "event": "role_refused", "user": g.user, "role": g.role, "needed": needed,
            "method": request.method, "path": request.path})
        abort(403, f"Your role ({g.role}) cannot do this; it needs {needed}.")

    @app.context_processor
    def _roles():
        return {"can": can}
