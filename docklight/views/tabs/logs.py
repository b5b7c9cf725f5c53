"""Logs tab: the app's recent lines, followed live over WebSocket by static/logs.js.

Without JavaScript the tab is a plain page: the last N lines from one
``dokku logs <app> --num N [--ps TYPE]`` read, and a form to change N and the
process type. With JavaScript, static/logs.js follows the app over
/api/apps/<app>/logs/stream (docklight/views/logs.py, whose option checks
this tab shares).

base.html loads logs.js on every page, and it marks htmx requests with
``X-Docklight-Logs: 1``; those get the fragment without the static read (the
stream brings the backlog). htmx never runs a ``<script>`` it swaps in, so
should a page lack logs.js (a cached old page), an htmx request for this tab
is answered with ``HX-Redirect`` to the same URL and the page loads whole.
"""

from __future__ import annotations

import urllib.parse

from flask import Response, g, request, url_for

from docklight.dokku import commands, parsers
from docklight.dokku.errors import CommandFailed, DokkuError
from docklight.dokku.validators import ValidationError
from docklight.htmx import is_htmx
from docklight.loglines import line_id
from docklight.logstream import LINES_CHOICES
from docklight.views.answers import run
from docklight.views.app_page import app_report, bp, render_tab
from docklight.views.logs import lines_option, ps_option

TEMPLATE = "app/_logs.html"
SCRIPT_HEADER = "X-Docklight-Logs"


def static_lines(text: str) -> list[dict]:
    """Return the lines of a ``logs`` read as the template and logs.js expect them."""
    out = []
    for index, raw in enumerate(line for line in (text or "").splitlines() if line.strip()):
        parsed = parsers.parse_log_line(raw)
        out.append({"raw": raw, "id": line_id(parsed) or f"static-{index}",
                    "ts": parsed.timestamp, "proc": parsed.process})
    return out


def _ps_report():
    """Return the app's ps report, or None when it cannot be read."""
    try:
        return parsers.read_report("ps", app_report("ps"))
    except (CommandFailed, DokkuError, parsers.ParseError):
        return None


@bp.get("/logs")
def logs():
    """Show the app's recent log lines; with JavaScript, follow them live."""
    has_script = request.headers.get(SCRIPT_HEADER) == "1"
    if is_htmx() and not has_script:
        return Response(status=204, headers={"HX-Redirect": request.full_path.rstrip("?")})
    form = {"lines": request.args.get("lines", "100"), "ps": request.args.get("ps", "")}
    errors = {}
    try:
        lines = lines_option(form["lines"])
    except ValidationError as exc:
        errors[exc.field], lines = exc.message, 100
    try:
        ps = ps_option(form["ps"])
    except ValidationError as exc:
        errors[exc.field], ps = exc.message, ""
    report = _ps_report()
    process_types = sorted({c.proc_type for c in report.containers} if report else set())
    if ps and ps not in process_types:
        process_types.append(ps)
    rows, failed = [], None
    if not has_script and not errors and (report is None or report.deployed):
        try:
            result = run(commands.logs(g.app, num=lines, process_type=ps or None))
            rows = static_lines(result.stdout)
        except CommandFailed as exc:
            failed = exc
    status = 422 if errors else 200
    # A path, not ws://host/...: behind a proxy only the browser knows the host.
    stream_path = urllib.parse.urlsplit(url_for("logs.stream", app=g.app)).path
    return render_tab("logs", TEMPLATE, status, lines=lines, ps=ps, choices=LINES_CHOICES,
                      stream_path=stream_path,
                      process_types=process_types, report=report, rows=rows, failed=failed,
                      live=has_script, errors=errors, form=form)
