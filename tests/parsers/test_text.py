"""Tests for parsers.text: Dokku's message prefix, labels, ANSI removal, error messages."""

from __future__ import annotations

import pytest

from docklight.dokku import parsers as P


@pytest.mark.parametrize(
    "line, dokku",
    [
        (" !     App nope does not exist", True),  # dokku_log_fail / dokku_log_warn
        ("!    drifted spacing", True),
        (" !", True),
        (" !\tTabbed", True),
        ("2024-05-01T12:34:56Z app[web.1]: ! not Dokku's", False),
        ("-----> Progress", False),
        ("   !     three leading spaces", False),
        (" !important", False),
    ],
)
def test_has_dokku_prefix(line, dokku):
    assert P.has_dokku_prefix(line) is dokku


@pytest.mark.parametrize(
    "label, key",
    [
        ("Ps computed procfile path", "ps-computed-procfile-path"),
        ("Status web 1", "status-web-1"),
        ("Status my worker 2", "status-my-worker-2"),
        ("resource _default_ limit memory", "resource-_default_-limit-memory"),
        ("  Odd   spacing  ", "odd-spacing"),
    ],
)
def test_normalize_key(label, key):
    assert P.normalize_key(label) == key


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\x1b[36mcyan\x1b[0m plain", "cyan plain"),
        ("a\x1b[Kb\x1b[2J\x1b[1;1Hc", "abc"),
        ("\x1b]0;window title\x07text", "text"),
        ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1b(Bx\x1b=", "x"),
        ("no escapes", "no escapes"),
    ],
)
def test_strip_ansi(text, expected):
    assert P.strip_ansi(text) == expected


@pytest.mark.parametrize(
    "stderr, message",
    [
        (" !     App nope does not exist\n", "App nope does not exist"),
        (" !     `foo` is not a dokku command.\n !     See `dokku help` for a list of available commands.\n",
         "`foo` is not a dokku command.\nSee `dokku help` for a list of available commands."),
        (" !     ERROR: Cannot request a certificate without an e-mail address!\r\n"
         " !       please provide your e-mail address using\r\n",
         "ERROR: Cannot request a certificate without an e-mail address!\n"
         "  please provide your e-mail address using"),
        ("unknown flag: --x\nUsage of ps:report:\n", "unknown flag: --x\nUsage of ps:report:"),
        ("-----> Progress\n !     Failed to setup letsencrypt\n", "Failed to setup letsencrypt"),
        ("", ""),
        ("Confirmation did not match test. Aborted.\n", "Confirmation did not match test. Aborted."),
    ],
)
def test_parse_dokku_error(stderr, message):
    assert P.parse_dokku_error(stderr) == message
