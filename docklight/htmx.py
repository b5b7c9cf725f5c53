"""The few request/response helpers the page/fragment pattern needs (contact-app)."""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request


def is_htmx() -> bool:
    """Return whether htmx sent this request."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment() -> bool:
    """Return whether to answer with a fragment rather than the whole page.

    Boosted navigations and history restores want the whole page.
    """
    h = request.headers
    return is_htmx() and "HX-Boosted" not in h and "HX-History-Restore-Request" not in h


def page_or_fragment(page: str, fragment: str, status: int = 200, *,
                     fragment_headers: dict | None = None, **context) -> Response:
    """Render the fragment for htmx, else the page that includes it.

    fragment_headers (``HX-Retarget`` and the like) go with the fragment
    only: a whole page replaces the body wherever it was asked from.
    """
    if wants_fragment():
        return make_response(render_template(fragment, **context), status,
                             fragment_headers or {})
    return make_response(render_template(page, **context), status)


def unless_unchanged(response: Response, etag: str | None = None) -> Response:
    """Add an ETag of the body; answer 304 (no body) when the poller already has it.

    Polling fragments (data-poll) send the ETag of what they show as
    If-None-Match (static/docklight.js), so a page that is open all day costs
    a render from the cache and an empty answer, and htmx swaps nothing.
    etag, when given, stands for what the body shows (a hash of the body
    otherwise).
    """
    if request.method == "GET" and response.status_code == 200:
        if etag:
            response.set_etag(etag)
        else:
            response.add_etag()
        response.make_conditional(request)
    return response


def redirect_to(location: str, status: int = 303) -> Response:
    """Redirect a plain request with 3xx, an htmx request with HX-Redirect.

    htmx never sees 3xx responses (the browser follows them inside the XHR),
    so it gets a 204 telling it to navigate.
    """
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": location})
    return redirect(location, status)
