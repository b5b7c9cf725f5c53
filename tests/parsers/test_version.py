"""Tests for parsers.version: ``dokku version`` and the feature checks built on it."""

from __future__ import annotations

import pytest

from docklight.dokku import parsers as P
from docklight.dokku.parsers import DokkuVersion


@pytest.mark.parametrize(
    "text, expected",
    [
        ("dokku version 0.38.27\n", DokkuVersion("0.38.27", 0, 38, 27)),
        ("dokku version v0.38.27-33-g33896f5d7\n", DokkuVersion("v0.38.27-33-g33896f5d7", 0, 38, 27)),
        ("0.38.27", DokkuVersion("0.38.27", 0, 38, 27)),
        ("dokku version 0.23.1\r\n", DokkuVersion("0.23.1", 0, 23, 1)),
        ("dokku version 1.2", DokkuVersion("1.2", 1, 2, 0)),
        ("dokku version master\n", DokkuVersion("master", 0, 0, 0)),
        ("", DokkuVersion("", 0, 0, 0)),
        (" !     Unable to determine dokku's version\n", DokkuVersion("", 0, 0, 0)),
        (" !     some warning\ndokku version 0.38.22\n", DokkuVersion("0.38.22", 0, 38, 22)),
    ],
)
def test_parse_version(text, expected):
    assert P.parse_version(text) == expected


@pytest.mark.parametrize(
    "wanted, ok",
    [((0, 38, 22), True), ((0, 38, 27), True), ((0, 38, 28), False), ((0, 23, 1), True),
     ((1, 0, 0), False), ((0, 39), False), ((0,), True)],
)
def test_version_at_least(wanted, ok):
    version = P.parse_version("dokku version v0.38.27-33-g33896f5d7")
    assert version.at_least(*wanted) is ok
    assert version.as_tuple() == (0, 38, 27)
    assert str(version) == "0.38.27"


def test_unknown_version_is_never_at_least_anything_real():
    assert not P.parse_version("master").at_least(0, 1, 0)
