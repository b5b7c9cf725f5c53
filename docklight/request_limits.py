"""How large a request body may be, per route, checked before anything reads it.

Werkzeug reads a form body only when a view first touches ``request.form``,
and then keeps all of it in memory. Without a limit, a few large posts to the
login form grew a worker by more than a gigabyte. So every request gets a
limit before its view runs: ``DEFAULT_BODY_LIMIT`` unless the view asked for
another one with ``@body_limit(n)`` (the login form asks for less; the config
forms, where a whole .env file can be pasted, for more).

A body announced larger than the limit (Content-Length) is refused with 413
before a byte of it is read. A chunked body (no Content-Length) is read here
up to one byte past the limit: Werkzeug's own limited stream would stop at
the limit without a word and hand the view a truncated form.
"""

from __future__ import annotations

import io
import logging

from flask import abort, current_app, request

log = logging.getLogger("docklight.request")

MIB = 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MIB
# The config forms take pasted .env files and PEM keys. Dokku itself caps a
# single command line (each argument travels in SSH_ORIGINAL_COMMAND, which
# Linux limits to 128 KiB), so this is roomy, not a promise.
CONFIG_BODY_LIMIT = 4 * MIB
LOGIN_BODY_LIMIT = 16 * 1024
ATTRIBUTE = "docklight_body_limit"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def body_limit(nbytes: int):
    """Give a view its own body limit in bytes (instead of DEFAULT_BODY_LIMIT)."""

    def mark(view):
        setattr(view, ATTRIBUTE, int(nbytes))
        return view

    return mark


def limit_for(endpoint: str | None) -> int:
    """Return the body limit of an endpoint's view."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, ATTRIBUTE, DEFAULT_BODY_LIMIT)


def human(nbytes: int) -> str:
    """Return a size as people read it: 1 MiB, 16 KiB, 300 bytes."""
    if nbytes >= MIB:
        return f"{nbytes / MIB:g} MiB"
    if nbytes >= 1024:
        return f"{nbytes / 1024:g} KiB"
    return f"{nbytes} bytes"


def too_large_message(limit: int, sent: int | None = None) -> str:
    """Return the sentence a 413 page shows."""
    sent_text = f" (this one sent {human(sent)})" if sent else ""
    return (f"This form may send at most {human(limit)}{sent_text}. Nothing was changed; "
            "send less, or split it into several changes.")


def init_app(app) -> None:
    """Set each request's body limits before any view or check reads the body."""

    @app.before_request
    def _body_limit():
        limit = limit_for(request.endpoint)
        request.max_content_length = limit
        # Werkzeug also limits each non-file field on its own (Flask's default
        # is 500 kB); one pasted field may be as large as the whole body.
        request.max_form_memory_size = limit
        sent = request.content_length
        if sent is None and request.environ.get("wsgi.input_terminated") \
                and request.method in BODY_METHODS:
            sent = _buffer_chunked_body(request.environ, limit)
        if sent is not None and sent > limit:
            log.warning("request body too large", extra={
                "path": request.path, "content_length": sent, "limit": limit})
            abort(413, too_large_message(limit, sent if sent != limit + 1 else None))


def _buffer_chunked_body(environ, limit: int) -> int:
    """Read a body of unknown length, at most limit + 1 bytes; return how much came.

    When it fits, the request goes on with those bytes as a body of known
    length; limit + 1 means "more than the limit" and the rest stays unread.
    """
    data = environ["wsgi.input"].read(limit + 1)
    if len(data) <= limit:
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
    return len(data)
