"""Read the recorded Dokku transcripts in tests/transcripts/ for the parser tests.

The transcripts follow Dokku's output exactly, including trailing padding,
``\\r\\n`` from a pty and Go's JSON escaping; they are read as bytes so
nothing normalises them on the way in.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

TRANSCRIPTS = Path(__file__).parent.parent / "transcripts"
UTC = timezone.utc
CREATED = datetime(2024, 5, 1, 12, 34, 56, tzinfo=UTC)  # 1714566896


def T(name: str) -> str:
    """Read a transcript byte-exact (no newline translation)."""
    return (TRANSCRIPTS / name).read_bytes().decode("utf-8")
