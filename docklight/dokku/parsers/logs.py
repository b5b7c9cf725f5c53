"""``dokku logs`` lines: timestamp, app, process and message, colour kept.

Messages are application output, so unlike the other parsers nothing is
dropped here: trailing spaces and `` !`` lines are content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LogLine:
    """One ``dokku logs`` line; quiet/raw lines have only ``message``."""

    timestamp: str
    app: str
    process: str
    message: str
    color: int | None = None


_LOG_RE = re.compile(
    r"^(?:\x1b\[(?P<color>\d+(?:;\d+)*)m)?"
    r"(?P<ts>\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:?\d{2}))\s+"
    r"(?P<app>[^\s\[\]]+)\[(?P<proc>[^\]\s]*)\]:"
    r"(?:\x1b\[0?m)?(?: ?)(?P<msg>.*)$",
    re.S,
)


def parse_log_line(line: str) -> LogLine:
    """Parse one ``logs`` line (``ESC[36m<ts> app[web.1]:ESC[0m msg``); never raises."""
    line = line.rstrip("\r\n")
    m = _LOG_RE.match(line)
    if not m:
        return LogLine(timestamp="", app="", process="", message=line, color=None)
    color = m.group("color")
    return LogLine(
        timestamp=m.group("ts"),
        app=m.group("app"),
        process=m.group("proc"),
        message=m.group("msg"),
        color=int(color.split(";")[-1]) if color else None,
    )
