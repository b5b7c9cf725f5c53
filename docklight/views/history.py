"""History: every command Docklight ran, filtered, expanded, exported.

What is shown was redacted when it was stored (docklight.history); Jinja
escapes it on the way out. Which rows a page holds is decided by
docklight.history_query.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3

from flask import (Blueprint, Response, abort, current_app, g, request,
                   stream_with_context, url_for)

from docklight import db, history_query
from docklight.dokku import commands
from docklight.htmx import is_htmx, page_or_fragment

bp = Blueprint("history", __name__)

RECENT_COUNT = 8
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def get_db() -> sqlite3.Connection:
    """Return this request's connection, opening it on first use (flaskr)."""
    if "db" not in g:
        g.db = db.connect(current_app.config["DATABASE"])
    return g.db


@bp.teardown_app_request
def close_db(_exc=None) -> None:
    """Close this request's connection, if one was opened."""
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def _decorate(row: dict) -> dict:
    """Add what the templates show but the table does not store."""
    row["at"] = history_query.parse_time(row["createdAt"])
    row["duration"] = history_query.duration_text(row.get("durationMs"))
    row["changesState"] = bool(row["changesState"])
    return row


@bp.get("/history")
def index():
    """List recorded commands, newest first, with the filters asked for."""
    filters, before, errors = history_query.parse(request.args)
    result = None
    if not errors:
        result = history_query.fetch_page(get_db(), filters, before)
        for row in result.rows:
            _decorate(row)
    context = {"filters": filters, "before": before, "errors": errors, "result": result,
               "form": request.args, "export_args": filters.args(),
               "subcommands": sorted(commands.ALLOWED), "window": history_query.SEARCH_WINDOW}
    response = page_or_fragment("history/index.html", "history/_history.html",
                                422 if errors else 200, **context)
    if is_htmx() and not errors:
        # A submitted filter form sends every field, empty ones too; push the
        # short URL that means the same instead.
        wanted = {**({"before": str(before)} if before else {}), **filters.args()}
        if sorted(request.args.items(multi=True)) != sorted(wanted.items()):
            response.headers["HX-Push-Url"] = url_for("history.index", **wanted)
    return response


@bp.get("/history/<int:row_id>")
def show(row_id):
    """Show one command with its output: a table row for htmx, a page otherwise.

    :raise 404: there is no such row (never recorded, or pruned).
    """
    entry = history_query.get(get_db(), row_id)
    if entry is None:
        abort(404, f"There is no history row {row_id}; old rows are pruned.")
    return page_or_fragment("history/show.html", "history/_detail.html",
                            entry=_decorate(entry))


@bp.get("/history/recent")
def recent():
    """Show the last few state changes, with who made them ("Recent activity").

    The dashboard shows every app's; an app page asks for its own with ?app=.
    """
    app = (request.args.get("app") or "").strip()[:history_query.MAX_TEXT]
    page = history_query.fetch_page(get_db(), history_query.Filters(app=app), size=RECENT_COUNT)
    return page_or_fragment("history/recent.html", "history/_recent.html", app=app,
                            recent=[_decorate(r) for r in page.rows])


def neutralise(value) -> str:
    """Return a CSV cell a spreadsheet will not run as a formula (OWASP CSV injection).

    A cell starting with = + - @ or a tab/carriage return gets a leading
    single quote, which spreadsheets show as text.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _export(extension: str, mimetype: str, lines) -> Response:
    """Stream an export of the filtered rows as an attachment.

    :raise 400: a filter is invalid (the message says which).
    """
    filters, _before, errors = history_query.parse(request.args)
    if errors:
        abort(400, "; ".join(f"{name}: {message}" for name, message in errors.items()))
    database = current_app.config["DATABASE"]
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    # The generator opens a connection per batch (history_query.batches),
    # never holding one across the download.
    body = stream_with_context(lines(history_query.batches(database, filters)))
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="docklight-history-{stamp}.{extension}"'})


@bp.get("/history/export.csv")
def export_csv():
    """Download the filtered history as CSV, formulas neutralised."""

    def lines(batches):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(history_query.EXPORT_COLUMNS)
        for batch in batches:
            for row in batch:
                writer.writerow([neutralise(row[c]) for c in history_query.EXPORT_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()  # the header, when nothing matched

    return _export("csv", "text/csv", lines)


@bp.get("/history/export.jsonl")
def export_jsonl():
    """Download the filtered history as JSON Lines, one command per line."""

    def lines(batches):
        for batch in batches:
            out = []
            for row in batch:
                row["changesState"] = bool(row["changesState"])
                out.append(json.dumps(row, ensure_ascii=False) + "\n")
            yield "".join(out)

    return _export("jsonl", "application/x-ndjson", lines)
