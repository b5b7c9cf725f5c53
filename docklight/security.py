"""Request safety: sessions required, CSRF by origin, security headers, access log.

CSRF follows datasette's approach (after Filippo Valsorda): a state-changing
request must come from our own origin, as the browser reports it in
Sec-Fetch-Site or Origin. No tokens, so plain forms and htmx need nothing
extra. The session check is global with a short list of public endpoints, so
a new route is private unless someone adds it here on purpose.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
import urllib.parse

from flask import abort, current_app, g, request, session, url_for

from docklight import session_store, users
from docklight.htmx import is_htmx, redirect_to

log = logging.getLogger("docklight.request")

# auth.code* check their own half-finished session; logout ends whatever
# session the browser has, finished or not.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.login_POST", "auth.code", "auth.code_POST",
                              "auth.logout", "health.healthz", "static"})
# Characters a path and query may hold as they are; the rest is %-encoded.
URL_SAFE = "/?&=%#:@!$'()*+,;~-._"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
])


def _database() -> str:
    return current_app.config["DATABASE"]


def _lifetimes() -> tuple[float, float]:
    settings = current_app.config["SETTINGS"]
    return settings.session_idle_minutes * 60, settings.session_hours * 3600


def start_session(name: str, *, second_factor_done: bool = True) -> None:
    """Log name in: a new server-side session whose id replaces the browser's old one."""
    old = session.get("sid")
    session.clear()
    session.permanent = True
    session["sid"] = session_store.create(
        _database(), name, ip=request.remote_addr, user_agent=request.user_agent.string,
        second_factor_done=second_factor_done, replaces=old)
    g.pop("auth_session", None)


def end_session() -> None:
    """Log out: delete the server-side session and the cookie."""
    session_store.end(_database(), session.get("sid"))
    session.clear()
    g.pop("auth_session", None)


def current_session() -> session_store.Session | None:
    """Return this request's live server-side session (second factor done or not), or None.

    Sets g.user and g.role from it. Looked up once per request: the row is
    the truth, so a logout or a disabled user in another worker counts here
    at once.
    """
    if "auth_session" in g:
        return g.auth_session
    idle, lifetime = _lifetimes()
    found = session_store.lookup(_database(), session.get("sid"), idle_seconds=idle,
                                 lifetime_seconds=lifetime)
    user = users.get(_database(), found.user) if found else None
    if user is None or user.disabled:
        found = None
    g.auth_session = found
    g.user = user.name if found else None
    g.role = user.role if found else None
    return found


def has_session() -> bool:
    """Return whether the request carries a live session that finished logging in."""
    found = current_session()
    return found is not None and found.second_factor_done


def safe_next(target: str | None) -> str:
    """Return target if it is a same-site path, else the dashboard.

    The path is returned percent-encoded (ASCII, no control characters): it
    goes into Location and HX-Redirect headers, which cannot carry raw
    newlines or characters outside Latin-1.
    """
    if not target:
        return url_for("apps.index")
    parts = urllib.parse.urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return url_for("apps.index")
    return urllib.parse.quote(target, safe=URL_SAFE)


def _same_origin() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin:
        return False
    parts = urllib.parse.urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def origin_allowed() -> bool:
    """Return whether the request comes from our own origin (also for WebSockets)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return _same_origin()
    parts = urllib.parse.urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def init_app(app) -> None:
    """Install the checks and headers on every request."""

    @app.before_request
    def _request_id():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)
        # Started here, before any check can answer, so refused and
        # redirected requests get their access-log line too.
        g.setdefault("request_started", time.monotonic())

    @app.before_request
    def _csrf():
        if request.method in UNSAFE_METHODS and not _same_origin():
            log.warning("cross-origin request refused", extra={
                "path": request.path, "origin": request.headers.get("Origin"),
                "sec_fetch_site": request.headers.get("Sec-Fetch-Site")})
            abort(403, "Cross-site request refused: this form must be sent from Docklight "
                       "itself.")

    @app.before_request
    def _websocket_origin():
        # The CSRF check covers unsafe methods only; a WebSocket handshake is a
        # GET, so a foreign page could open one with our cookie (cross-site
        # WebSocket hijacking) unless its Origin is checked here.
        if request.headers.get("Upgrade", "").lower() == "websocket" and not origin_allowed():
            log.warning("cross-origin WebSocket refused", extra={
                "path": request.path, "origin": request.headers.get("Origin")})
            abort(403, "Cross-site WebSocket refused.")

    @app.before_request
    def _login_required():
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        if has_session():
            return None
        found = current_session()
        if found is not None and not found.second_factor_done:
            # Password given, code not yet: back to the code form, login kept.
            return redirect_to(url_for("auth.code"))
        ended = bool(session.get("sid"))
        session.clear()
        next_url = request.full_path.rstrip("?") if request.method == "GET" else None
        if is_htmx() and request.headers.get("HX-Current-URL"):
            current = urllib.parse.urlsplit(request.headers["HX-Current-URL"])
            next_url = current.path + (f"?{current.query}" if current.query else "")
        login = url_for("auth.login", next=safe_next(next_url) if next_url else None,
                        ended=1 if ended else None)
        if request.path.startswith("/api/") and not is_htmx():
            abort(401)
        return redirect_to(login)

    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.endpoint != "static":
            h.setdefault("Cache-Control", "no-store")
        h.add("Vary", "HX-Request")
        h["X-Request-Id"] = g.get("request_id", "")
        return response

    @app.teardown_request
    def _access_log(_exc=None):
        started = g.get("request_started")
        if started is None:
            return
        log.info("request", extra={
            "method": request.method, "path": request.path,
            "status": g.get("response_status"),
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "request_id": g.get("request_id"), "client_ip": request.remote_addr,
            "user": g.get("user"), "worker": os.getpid()})

    @app.after_request
    def _remember_status(response):
        g.response_status = response.status_code
        return response
