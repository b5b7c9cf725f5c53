"""Live logs over WebSocket: /api/apps/<app>/logs/stream (flask-sock, gevent worker).

Every viewer of the same app and options shares one upstream
``dokku logs <app> --tail --num N [--ps TYPE]`` (docklight/logstream/) for the
whole installation: the worker that holds the stream's lease runs it with the
Dokku client's ``follow()``, the other workers relay its lines
(docklight/logstream/shared.py). The page gets JSON messages:

- ``hello`` (upstream state, ``via`` dokku or relay, heartbeat seconds), then
- ``lines``: ``[{"i": id, "t": timestamp, "p": process, "h": escaped HTML}]``,
- ``skipped`` (this browser fell behind by ``count`` lines),
- ``state`` (``live`` or ``reconnecting`` with a message and ``retry_in``),
- ``heartbeat`` every HEARTBEAT seconds,
- ``error`` with ``final: true`` (Dokku's refusal: command, exit code,
  message; a limit; bad options), after which the server closes.

Options are query parameters: ``lines`` (100, 500 or 1000), ``ps`` (a process
type) and ``since`` (the newest RFC3339 timestamp the page holds, so a
reconnect does not resend the backlog). The session and the Origin are
checked for every request by docklight.security before this runs.

``lines_option``, ``ps_option`` and ``since_option`` validate those options;
the Logs tab (views/tabs/logs.py) checks its form with the same two.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, request, session

from docklight import loglines, logstream, services, session_store
from docklight.dokku import commands, validators
from docklight.dokku.actor import Actor
from docklight.dokku.validators import ValidationError, ascii_int
from docklight.views.answers import current_actor
from docklight.views.websocket import sock

bp = Blueprint("logs", __name__)
EXTENSION = "docklight.logs"


def registry() -> logstream.Registry:
    """Return this worker's log registry, built on first use."""
    return _fanout()[0]


def shared_streams() -> logstream.SharedStreams:
    """Return this worker's side of the installation-wide fan-out (leases and relay)."""
    return _fanout()[1]


def _fanout() -> tuple[logstream.Registry, logstream.SharedStreams]:
    built = current_app.extensions.get(EXTENSION)
    if built is None:
        config, settings = current_app.config, current_app.config["SETTINGS"]
        heartbeat = float(config.get("LOG_HEARTBEAT_SECONDS", logstream.HEARTBEAT_SECONDS))
        logs = logstream.Registry(
            max_streams=settings.max_log_streams,
            max_per_session=settings.max_log_streams_per_session,
            seats=logstream.SharedSeats(settings.database, settings.max_log_streams,
                                        settings.max_log_streams_per_session),
            linger=float(config.get("LOG_LINGER_SECONDS", logstream.LINGER_SECONDS)),
            heartbeat=heartbeat,
            queue_lines=int(config.get("LOG_QUEUE_LINES", logstream.QUEUE_LINES)))
        # The relay runs outside any request: it keeps the worker's services,
        # not the request context.
        shared = logstream.SharedStreams(logs, settings.database, settings.data_dir,
                                         _follower(services.get()), heartbeat=heartbeat)
        built = current_app.extensions[EXTENSION] = (logs, shared)
    return built


def _follower(worker_services):
    """Return follow(key, actor): the client's source of one stream's ``logs --tail``.

    A viewer relayed from another worker arrives with its actor as JSON.
    """
    def follow(key: logstream.StreamKey, actor):
        command = commands.logs(key.app, num=key.lines, process_type=key.ps or None, tail=True)
        return worker_services.dokku.follow(command, actor=Actor.from_json(actor))
    return follow


def lines_option(value) -> int:
    """Validate how many past lines to load: 100, 500 or 1000."""
    text = str(value if value is not None else "100").strip() or "100"
    number = ascii_int(text)
    if number not in logstream.LINES_CHOICES:
        raise ValidationError("lines", "Lines must be 100, 500 or 1000.")
    return number


def ps_option(value) -> str:
    """Validate the process type filter ('' for all)."""
    value = (value or "").strip()
    return validators.process_type(value, field="ps") if value else ""


def since_option(value) -> int | None:
    """Validate ?since= (an RFC3339 timestamp) and return unix nanoseconds."""
    if not value:
        return None
    ns = loglines.timestamp_ns(value.strip())
    if ns is None:
        raise ValidationError("since", "since must be an RFC3339 timestamp.")
    return ns


def _send_final(ws, event: dict) -> None:
    ws.send(json.dumps({**event, "final": True}))


@sock.route("/api/apps/<app>/logs/stream", bp=bp)
def stream(ws, app):
    """Follow one app's logs: backlog, then live lines, states and heartbeats."""
    try:
        app = validators.app_name(app)
        lines = lines_option(request.args.get("lines"))
        ps = ps_option(request.args.get("ps"))
        since = since_option(request.args.get("since"))
        key = logstream.StreamKey(app, lines, ps)
        commands.logs(app, num=lines, process_type=ps or None, tail=True)  # validates
    except ValidationError as exc:
        _send_final(ws, {"type": "error", "kind": "invalid", "title": "Invalid options",
                         "message": exc.message, "field": exc.field})
        return
    logs, shared = _fanout()
    actor = current_actor()
    try:
        # The limits are counted in sqlite: by the session id's hash, never the id.
        sub = logs.subscribe(key, session_id=session_store.id_hash(session.get("sid", "")),
                             since_ns=since,
                             source_factory=lambda: shared.source(key, actor))
    except logstream.LimitReached as exc:
        _send_final(ws, exc.event())
        return
    try:
        logstream.pump(ws, sub, logs.heartbeat)
    finally:
        logs.unsubscribe(sub)
