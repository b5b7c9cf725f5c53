"""Send one viewer's queue to its WebSocket: batched lines, events, heartbeats.

The socket needs ``send(text)``, ``receive(timeout)`` and ``connected`` (a
simple_websocket connection has them); nothing here imports the web layer.
"""

from __future__ import annotations

import json
import time

from docklight.loglines import Line
from docklight.logstream.defaults import POLL_SECONDS
from docklight.logstream.subscription import Skipped, Subscription


def encode(items: list) -> list[tuple[str, bool]]:
    """Turn queued items into WebSocket messages: (text, is_final)."""
    out: list[tuple[str, bool]] = []
    batch: list[str] = []

    def flush():
        if batch:
            out.append(('{"type":"lines","lines":[' + ",".join(batch) + "]}", False))
            batch.clear()

    for item in items:
        if isinstance(item, Line):
            batch.append(item.json)
            continue
        flush()
        if isinstance(item, Skipped):
            out.append((json.dumps({"type": "skipped", "count": item.count}), False))
        else:
            out.append((json.dumps(item), bool(item.get("final"))))
    flush()
    return out


def pump(ws, sub: Subscription, heartbeat: float, poll: float = POLL_SECONDS) -> str:
    """Send sub's items to ws until the socket closes or a final event went out.

    ws needs ``send(text)``, ``receive(timeout)`` and ``connected`` (a
    simple_websocket connection has them). Returns why it stopped:
    ``"closed"`` or ``"final"``.
    """
    next_beat = time.monotonic() + heartbeat
    while ws.connected:
        wait = max(0.0, min(poll, next_beat - time.monotonic()))
        items = sub.get(timeout=wait)
        for text, final in encode(items):
            ws.send(text)
            if final:
                return "final"
        if time.monotonic() >= next_beat:
            ws.send(json.dumps({"type": "heartbeat", "state": sub.upstream.state,
                                "at": round(time.time(), 3)}))
            next_beat = time.monotonic() + heartbeat
        if not items:
            # The page sends nothing we act on; keep its input from piling
            # up (when idle: each look costs a trip through the event loop).
            while ws.receive(timeout=0) is not None:
                pass
    return "closed"
