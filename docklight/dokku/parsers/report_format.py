"""Dokku's ``<plugin>:report`` output, text or ``--format json``, as key/value blocks.

Every report plugin prints the same two formats, so they are split here once
and the typed reports (reports.py) only map keys to fields.  Text keys are the
normalized labels (``Ps restart policy`` -> ``ps-restart-policy``); JSON keys
are Dokku's own (``restart-policy``, plus the legacy prefixed ones during
0.38.x's deprecation window).  Values are always strings.
"""

from __future__ import annotations

import functools
import re

from docklight.dokku.parsers.text import (ParseError, as_str, has_dokku_prefix, json_values,
                                          lines, normalize_key, strip_ansi)

_REPORT_HEADER_RE = re.compile(r"^\s*=====>\s+(\S+)\s+(\S+)\s+information\s*$")
# A label is made of the flag's words: letters, digits, '_' and spaces.
_REPORT_LABEL_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]*\Z")


@functools.lru_cache(maxsize=4096)
def _report_key(label: str) -> str | None:
    """Return the normalized key of a report label, or None when label is not one.

    A report repeats the same few dozen labels for every app, so each is
    checked and normalized once (cached) rather than once per line.
    """
    return normalize_key(label) if _REPORT_LABEL_RE.match(label) else None


def parse_report(text: str) -> dict[str, dict[str, str]]:
    """Parse ``<plugin>:report`` text (one app, all apps, ``--global`` or ``--quiet``).

    Returns ``{app: {normalized-key: value}}``; ``--global`` reports are keyed
    ``"--global"`` and a header-less (``--quiet``) report is keyed ``""``.
    Empty output (e.g. ``resource:report`` with nothing set) gives ``{}``.
    A quiet all-apps report cannot be split per app; its blocks merge under ``""``.
    """
    result: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    unparsed = 0
    if "\x1b" in text:
        text = strip_ansi(text)
    # The dashboard parses thousands of these lines per load: cheap string
    # tests first, the regular expressions only for lines that need them.
    for line in lines(text or ""):
        stripped = line.strip()
        if not stripped:
            continue
        lead = stripped[0]  # one character test skips the banner checks on most lines
        if lead == "!" and has_dokku_prefix(line):
            continue
        if lead == "=" and stripped.startswith("=====>"):
            header = _REPORT_HEADER_RE.match(line)
            if header:
                current = result.setdefault(header.group(1), {})
            continue
        if lead == "-" and stripped.startswith("----->"):
            continue
        label, sep, value = stripped.partition(":")
        key = _report_key(label) if sep else None
        if key is None:
            unparsed += 1
            continue
        if current is None:
            current = result.setdefault("", {})
        current[key] = value.strip()
    if not result and unparsed:
        raise ParseError("no report lines found in Dokku output")
    return result


def parse_report_json(text: str) -> list[dict[str, str]]:
    """Parse ``:report --format json`` output: one JSON object per line (all-apps mode)."""
    out: list[dict[str, str]] = []
    for value in json_values(text):
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                raise ParseError(f"expected JSON objects in report, got {type(item).__name__}")
            out.append({str(k): as_str(v) for k, v in item.items()})
    return out
