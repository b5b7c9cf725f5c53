"""One ``dokku logs`` line as the pages get it: a stable id, a timestamp, escaped HTML.

Every line gets a stable id: a hash of Dokku's RFC3339Nano timestamp, the
process and the message (docker keeps each line's timestamp, so two runs of
``logs`` agree). The Logs tab renders recent lines with these ids and the live
fan-out (docklight/logstream/) sends them; the page drops ids it already
holds, so neither repeats a line the other showed.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re

from docklight.dokku import parsers
from docklight.templating import ansi

_TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                    r"(Z|[+-]\d{2}:?\d{2})$")


def timestamp_ns(text: str | None) -> int | None:
    """Return unix nanoseconds for an RFC3339(Nano) timestamp, or None."""
    m = _TS_RE.match(text or "")
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    nanos = int((m.group(7) or "").ljust(9, "0"))
    zone = m.group(8)
    offset = 0
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[-2:]) * 60)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset
    return seconds * 1_000_000_000 + nanos


def line_id(parsed: parsers.LogLine) -> str | None:
    """Return the stable id of a timestamped line (None without a timestamp)."""
    if not parsed.timestamp:
        return None
    key = f"{parsed.timestamp}|{parsed.process}|{parsed.message}"
    return hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).hexdigest()


class Line:
    """One log line, encoded once for every viewer."""

    __slots__ = ("id", "ts_ns", "json")

    def __init__(self, raw: str, fallback_id: str):
        parsed = parsers.parse_log_line(raw)
        self.id = line_id(parsed) or fallback_id
        self.ts_ns = timestamp_ns(parsed.timestamp)
        # h is escaped HTML (ANSI colours as classes): the page may insert it.
        self.json = json.dumps({"i": self.id, "t": parsed.timestamp, "p": parsed.process,
                                "h": str(ansi(raw))}, separators=(",", ":"))

    @classmethod
    def restore(cls, ident: str, ts_ns: int | None, encoded: str) -> "Line":
        """Return a line another worker encoded, with its id kept (docklight/logstream/relay.py)."""
        line = cls.__new__(cls)
        line.id, line.ts_ns, line.json = ident, ts_ns, encoded
        return line
