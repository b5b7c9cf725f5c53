"""Jinja filters: times (absolute for machines, relative for people) and ANSI output."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

from docklight.ansi import ansi_segments


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def isotime(value) -> str:
    """Format a timestamp or datetime as ISO 8601 UTC."""
    return _as_datetime(value).isoformat(timespec="seconds").replace("+00:00", "Z")


def clocktime(value) -> str:
    """Format a timestamp or datetime as HH:MM:SS UTC."""
    return _as_datetime(value).strftime("%H:%M:%S UTC")


def ago(value, now: dt.datetime | None = None) -> str:
    """Say how long ago value was, in the largest sensible unit."""
    now = now or dt.datetime.now(dt.timezone.utc)
    seconds = int((now - _as_datetime(value)).total_seconds())
    if seconds < 0:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now" if seconds < 10 else f"{seconds} seconds ago"


def ansi(line: str) -> Markup:
    """Render a line of command output: escaped, ANSI colours as CSS classes."""
    return Markup("".join(
        f'<span class="{cls}">{escape(text)}</span>' if cls else str(escape(text))
        for text, cls in ansi_segments(line)))


def init_app(app) -> None:
    """Register the filters."""
    app.add_template_filter(ansi)
    app.add_template_filter(isotime)
    app.add_template_filter(clocktime)
    app.add_template_filter(ago)
