"""Errors as pages or fragments: one function decides (datasette's handle_exception).

htmx requests get the error fragment with its real status, retargeted to the
page's #flash region; everything else gets a full error page. No traceback
ever reaches a page: unexpected exceptions are logged and shown as a short
message with the request id.
"""

from __future__ import annotations

import logging
import re

from flask import g, render_template, request, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from docklight.dokku.errors import CommandFailed, DokkuError
from docklight.htmx import is_htmx
from docklight.request_limits import too_large_message

log = logging.getLogger("docklight.errors")


def render_error(status: int, title: str, message: str = "", *, dokku_error=None,
                 failed=None):
    """Render an error as a fragment for htmx or as a full page."""
    context = {"status": status, "title": title, "message": message,
               "error": dokku_error, "failed": failed, "request_id": g.get("request_id")}
    if is_htmx():
        body = render_template("errors/_error.html", **context)
        return body, status, {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
    return render_template("errors/error.html", **context), status


def missing_app(exc: CommandFailed) -> str | None:
    """Return the app of this request if Dokku refused because it does not exist.

    Dokku's verify_app_name (plugins/common/functions) fails with
    "App <app> does not exist" and exit code 20, the only use of that code in
    Dokku; the code alone decides when the output was redacted (config:export).
    """
    app = g.get("app")
    if not app:
        return None
    if exc.result.exit_code == 20 or re.search(rf"\bApp {re.escape(app)} does not exist",
                                               exc.message or ""):
        return app
    return None


def render_missing_app(app: str):
    """Answer a page of an app that is gone (destroyed, renamed) with 404 and a way home.

    An htmx GET (a tab switch, a fragment refreshing itself) is sent to the
    whole 404 page, since nothing on the old page is valid any more.
    """
    if is_htmx() and request.method == "GET":
        return "", 404, {"HX-Redirect": request.full_path.rstrip("?")}
    return render_error(404, "No such app",
                        f"There is no app {app} on this Dokku host (any more).")


def attempt(load):
    """Call load(); return (value, context, status), describing a Dokku failure.

    For pages that show what failed in place of their content (command,
    target, exit code, Dokku's message) instead of an error page.
    """
    try:
        return load(), {"error": None, "failed": None}, 200
    except DokkuError as exc:
        return None, {"error": exc, "failed": None}, exc.status
    except CommandFailed as exc:
        return None, {"error": None, "failed": exc}, 502


RETRY_AFTER_SECONDS = 5


def init_app(app) -> None:
    """Register the error handlers (and Retry-After on every 503)."""

    @app.after_request
    def _retry_after(response):
        # 503 means "Dokku is not answering" (or busy): say when to come back.
        if response.status_code == 503 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(DokkuError)
    def _dokku(exc: DokkuError):
        return render_error(exc.status, exc.title, exc.detail, dokku_error=exc)

    @app.errorhandler(CommandFailed)
    def _failed(exc: CommandFailed):
        app = missing_app(exc)
        if app is not None:
            return render_missing_app(app)
        return render_error(502, "Dokku refused the command", exc.message, failed=exc)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):
        # Raised by our own check (with a message) or by Werkzeug's stream
        # limit while reading a chunked body (with its generic one).
        message = exc.description if exc.description != RequestEntityTooLarge.description \
            else too_large_message(request.max_content_length or 0)
        return render_error(413, "Too much data", message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return render_error(exc.code or 500, exc.name, exc.description or "")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error", extra={"request_id": g.get("request_id")})
        return render_error(500, "Something went wrong",
                            "Docklight hit an unexpected error; it has been logged.")
