"""Tests for docklight.ansi: SGR colours in command output become CSS classes."""

from __future__ import annotations

import pytest

from docklight.ansi import ansi_segments


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain", [("plain", None)]),
        ("", []),
        ("\x1b[36mcyan\x1b[0m rest", [("cyan", "ansi-cyan"), (" rest", None)]),
        ("\x1b[1mbold\x1b[31mred\x1b[39mx\x1b[22my", [("bold", "ansi-bold"), ("red", "ansi-red ansi-bold"),
                                                      ("x", "ansi-bold"), ("y", None)]),
        ("\x1b[1;92mok\x1b[m.", [("ok", "ansi-bright-green ansi-bold"), (".", None)]),
        ("\x1b[38;5;31mpalette\x1b[0m", [("palette", None)]),  # 31 is an argument, not red
        ("\x1b[33ma\x1b[Kb\x1b]0;t\x07c", [("abc", "ansi-yellow")]),
        ("\x1b[4;35munder\x1b[24m", [("under", "ansi-magenta")]),
    ],
)
def test_ansi_segments(text, expected):
    assert ansi_segments(text) == expected
