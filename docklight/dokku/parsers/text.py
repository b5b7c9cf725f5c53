"""What every parser needs to read Dokku's output: lines, prefixes, values, JSON.

Output may come through a pty (``\\r\\n``, stderr merged in), so lines are
split on any ending, Dokku's `` !     `` messages and ``=====>``/``----->``
banners are told apart from content, and JSON is decoded with those lines
dropped.  Dokku's own error message is read here too, because it is made of
the same `` !     `` lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any


class ParseError(ValueError):
    """Dokku output that cannot be interpreted at all."""


# dokku_log_warn and dokku_log_fail (plugins/common/functions) print
# " !     <message>"; a little drift in the spacing is accepted.
DOKKU_PREFIX_RE = re.compile(r"^\s{0,2}!(?: {1,5}|\t|$)")
_LINE_SPLIT_RE = re.compile(r"\r*\n|\r")
# CSI (ESC [ ... final), OSC (ESC ] ... BEL|ST), DCS/SOS/PM/APC strings,
# other two/three-byte escapes, 8-bit CSI, and a stray ESC.
ESCAPE_RE = re.compile(
    r"\x1b\[(?P<params>[0-?]*)(?P<inter>[ -/]*)(?P<final>[@-~])"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b"
)
_TRUE = frozenset({"true", "yes", "on", "1", "enabled"})
_FALSE = frozenset({"false", "no", "off", "0", "disabled"})


def strip_ansi(text: str) -> str:
    """Remove every ANSI escape sequence (colours, cursor moves, OSC titles)."""
    return ESCAPE_RE.sub("", text or "")


def lines(text: str) -> list[str]:
    """Split text on any line ending (pty output uses ``\\r\\n``)."""
    if not text:
        return []
    if "\r" not in text:  # the common case, several times faster than the regex
        return text.split("\n")
    return _LINE_SPLIT_RE.split(text)


def has_dokku_prefix(line: str) -> bool:
    """Return whether line is one of Dokku's `` !     `` warning or failure lines."""
    return bool(DOKKU_PREFIX_RE.match(line))


def is_banner(line: str) -> bool:
    """Return whether line is an ``=====>``/``----->`` progress or header line."""
    s = line.lstrip()
    return s.startswith("=====>") or s.startswith("----->")


def content_lines(text: str) -> list[str]:
    """Return the lines that are neither blank, Dokku messages nor banners, ANSI removed."""
    return [line for line in lines(strip_ansi(text or ""))
            if line.strip() and not has_dokku_prefix(line) and not is_banner(line)]


def normalize_key(label: str) -> str:
    """Turn a report label (``Ps computed procfile path``) into ``ps-computed-procfile-path``."""
    return "-".join(label.strip().lower().split())


def as_str(value: Any) -> str:
    """Coerce a JSON value to the string Dokku would have printed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def as_bool(value: Any, default: bool = False) -> bool:
    """Read Dokku's true/false spellings; anything else is default."""
    if isinstance(value, bool):
        return value
    v = as_str(value).strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return default


def as_int(value: Any, default: int = 0) -> int:
    """Read an integer; anything else is default."""
    try:
        return int(as_str(value).strip())
    except ValueError:
        return default


def from_unix(value: str) -> datetime | None:
    """Read a Unix timestamp as a UTC datetime (None when empty or invalid)."""
    v = (value or "").strip()
    if not v:
        return None
    try:
        return datetime.fromtimestamp(int(float(v)), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def split_words(value: str) -> tuple[str, ...]:
    """Split a space separated list."""
    return tuple(value.split())


def split_list(value: str) -> tuple[str, ...]:
    """Split a comma and/or whitespace separated list, dropping blanks."""
    return tuple(p for p in re.split(r"[\s,]+", value.strip()) if p)


def first(d: Mapping[str, Any], *keys: str) -> str:
    """Return the first non-empty value among keys (stripped), else ``''``."""
    for key in keys:
        value = d.get(key)
        if value is not None:
            # Text reports hold only strings: skip as_str's checks for them.
            v = (value if type(value) is str else as_str(value)).strip()
            if v:
                return v
    return ""


def json_values(text: str) -> list[Any]:
    """Decode every JSON value in text (JSON-lines or concatenated), Dokku's lines dropped."""
    body = "\n".join(line for line in lines(text or "")
                     if not has_dokku_prefix(line) and not is_banner(line)).strip()
    decoder = json.JSONDecoder()
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(body) and body[pos].isspace():
            pos += 1
        if pos >= len(body):
            return values
        try:
            value, pos = decoder.raw_decode(body, pos)
        except json.JSONDecodeError as exc:
            raise ParseError(f"invalid JSON from Dokku: {exc}") from None
        values.append(value)


def json_single(text: str) -> Any:
    """Decode exactly one JSON value; empty text gives ``None``."""
    values = json_values(text)
    if not values:
        return None
    if len(values) > 1:
        raise ParseError(f"expected one JSON value, got {len(values)}")
    return values[0]


def json_list(text: str, what: str) -> list[Any]:
    """Decode one JSON array (``null`` and empty text give ``[]``)."""
    value = json_single(text)
    if value is None:  # Go marshals an empty slice as null in some commands
        return []
    if not isinstance(value, list):
        raise ParseError(f"expected a JSON array for {what}, got {type(value).__name__}")
    return value


def parse_dokku_error(stderr: str) -> str:
    """Return the human message of a failed command (`` !     `` lines, prefix stripped)."""
    all_lines = lines(strip_ansi(stderr or ""))
    messages = []
    for line in all_lines:
        m = DOKKU_PREFIX_RE.match(line)
        if m:
            messages.append(line[m.end():].rstrip())
    message = "\n".join(messages).strip("\n")
    if message:
        return message
    return "\n".join(line.rstrip() for line in all_lines).strip()
