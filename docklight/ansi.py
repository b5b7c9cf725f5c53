"""ANSI colours in command output, as CSS classes for the ``ansi`` template filter.

Dokku and the apps it runs colour their output (``-----> `` banners, log
prefixes, build tools).  Pages show it through templating.ansi, which escapes
each chunk and wraps it in ``ansi-*`` classes from app.css; only SGR colour
and bold codes count, every other escape is dropped.
"""

from __future__ import annotations

import re

from docklight.dokku.parsers.text import ESCAPE_RE

_COLOR_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")


def _apply_sgr(params: str, bold: bool, fg: str | None) -> tuple[bool, str | None]:
    codes = [int(p) if p.isdigit() else 0 for p in params.replace(":", ";").split(";")] if params else [0]
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            bold, fg = False, None
        elif code == 1:
            bold = True
        elif code in (21, 22):
            bold = False
        elif 30 <= code <= 37:
            fg = f"ansi-{_COLOR_NAMES[code - 30]}"
        elif 90 <= code <= 97:
            fg = f"ansi-bright-{_COLOR_NAMES[code - 90]}"
        elif code == 39:
            fg = None
        elif code in (38, 48, 58):
            # Extended colour: skip its arguments so they aren't read as codes.
            if i + 1 < len(codes) and codes[i + 1] == 5:
                i += 2
            elif i + 1 < len(codes) and codes[i + 1] == 2:
                i += 4
            if code == 38:
                fg = None  # a palette/RGB colour we have no class for
        i += 1
    return bold, fg


def ansi_segments(text: str) -> list[tuple[str, str | None]]:
    """Split text into ``(chunk, css_class)`` pairs following SGR colour codes.

    Classes are ``ansi-<colour>`` / ``ansi-bright-<colour>`` and ``ansi-bold``
    (space-joined when both apply); other escapes are dropped.
    """
    segments: list[tuple[str, str | None]] = []
    bold, fg = False, None

    def emit(chunk: str) -> None:
        if not chunk:
            return
        classes = " ".join(c for c in (fg, "ansi-bold" if bold else None) if c) or None
        if segments and segments[-1][1] == classes:
            segments[-1] = (segments[-1][0] + chunk, classes)
        else:
            segments.append((chunk, classes))

    pos = 0
    for m in ESCAPE_RE.finditer(text or ""):
        emit(text[pos:m.start()])
        pos = m.end()
        if m.group("final") == "m" and not m.group("inter") and re.fullmatch(r"[0-9;:]*", m.group("params")):
            bold, fg = _apply_sgr(m.group("params"), bold, fg)
    emit((text or "")[pos:])
    return segments
