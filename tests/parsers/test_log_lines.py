"""Tests for parsers.logs: ``dokku logs`` lines, one at a time as the stream delivers them."""

from __future__ import annotations

import pytest

from docklight.dokku import parsers as P
from docklight.dokku.parsers import LogLine

from tests.parsers.transcripts import T


def _each_line(text: str) -> list[LogLine]:
    """Parse output line by line as the log stream does (a pty leaves ``\\r`` on each)."""
    return [P.parse_log_line(line) for line in text.split("\n") if line.strip()]


def test_parse_log_line_colour():
    assert _each_line(T("logs.txt")) == [
        LogLine("2024-05-01T12:34:56.123456789Z", "app", "web.1", "Server listening on port 5000", 36),
        LogLine("2024-05-01T12:34:56.223456789Z", "app", "web.2", "GET /health 200 \x1b[32mOK\x1b[0m", 33),
        LogLine("2024-05-01T12:34:57.000000001Z", "app", "my-worker.1", "", 32),
        LogLine("2024-05-01T12:34:58.5Z", "app", "release.1", "Running migrations: 3 pending", 35),
    ]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("2024-05-01T12:34:56.123456789Z app[web.1]: hello world\n",
         LogLine("2024-05-01T12:34:56.123456789Z", "app", "web.1", "hello world", None)),
        ("\x1b[31m2024-05-01T12:34:56Z app[web.5]:\x1b[0m   indented\r\n",
         LogLine("2024-05-01T12:34:56Z", "app", "web.5", "  indented", 31)),
        ("just a raw line: with colon", LogLine("", "", "", "just a raw line: with colon", None)),
        ("", LogLine("", "", "", "", None)),
    ],
)
def test_parse_log_line(line, expected):
    assert P.parse_log_line(line) == expected


def test_parse_log_line_quiet():
    lines = _each_line(T("logs_quiet.txt"))
    assert [(l.process, l.message) for l in lines] == [
        ("", "Server listening on port 5000"),
        ("", "GET /health 200 OK"),
        ("", "Running migrations: 3 pending"),
    ]


# Log messages are application output: trailing spaces and "!" lines are content,
# so only the line endings may change.
@pytest.mark.parametrize("name", ["logs.txt", "logs_quiet.txt"])
def test_crlf_line_endings(name):
    text = T(name)
    assert _each_line(text.replace("\n", "\r\n")) == _each_line(text)
