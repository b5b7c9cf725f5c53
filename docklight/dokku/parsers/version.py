"""The Dokku version, which decides what the host can do (JSON reports, ``ports:*``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docklight.dokku.parsers.text import has_dokku_prefix, lines, strip_ansi

_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True, slots=True)
class DokkuVersion:
    """A Dokku version; unknown versions (``master``) are 0.0.0 with ``raw`` kept."""

    raw: str
    major: int = 0
    minor: int = 0
    patch: int = 0

    def as_tuple(self) -> tuple[int, int, int]:
        """Return ``(major, minor, patch)``."""
        return (self.major, self.minor, self.patch)

    def at_least(self, major: int, minor: int = 0, patch: int = 0) -> bool:
        """Return True if this version is >= ``major.minor.patch``."""
        return self.as_tuple() >= (major, minor, patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_version(text: str) -> DokkuVersion:
    """Parse ``dokku version`` output; never raises."""
    raw = ""
    for line in lines(strip_ansi(text or "")):
        if not line.strip() or has_dokku_prefix(line):
            continue
        raw = re.sub(r"^\s*dokku\s+version\s*", "", line, flags=re.I).strip()
        break
    m = _VERSION_RE.match(raw) or _VERSION_RE.search(raw)
    if not m:
        return DokkuVersion(raw=raw)
    return DokkuVersion(
        raw=raw,
        major=int(m.group(1)),
        minor=int(m.group(2)),
        patch=int(m.group(3) or 0),
    )
