"""Tests for parsers.values: port maps, docker options and mounts inside report values."""

from __future__ import annotations

import pytest

from docklight.dokku import parsers as P
from docklight.dokku.parsers import Mount, ParseError, PortMapping

HTTP = PortMapping("http", 80, 5000)
HTTPS = PortMapping("https", 443, 5000)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("http:80:5000 https:443:5000", [HTTP, HTTPS]),
        ("  http:80:5000\n", [HTTP]),
        ("", []),
        ("http:80:5000 bogus https:443:5000", [HTTP, HTTPS]),
    ],
)
def test_ports_from_map(value, expected):
    assert P.ports_from_map(value) == expected


def test_ports_from_map_unusable():
    with pytest.raises(ParseError):
        P.ports_from_map("not-a-port-map")


@pytest.mark.parametrize(
    "value, expected",
    [
        ('[{"container_port":5000,"host_port":80,"scheme":"http"}]', [HTTP]),
        ("null", []),
        ("", []),
        ("[]", []),
    ],
)
def test_parse_ports_map_json(value, expected):
    assert P.parse_ports_map_json(value) == expected


def test_parse_ports_map_json_bad_entry():
    with pytest.raises(ParseError):
        P.parse_ports_map_json('[{"scheme":"http","host_port":"x"}]')


@pytest.mark.parametrize(
    "value, expected",
    [
        ("-v /a:/b --restart=always", ("-v /a:/b", "--restart=always")),
        ("", ()),
        ('--label "x -y z" -e A=1', ('--label "x -y z"', "-e A=1")),
        ("--link  pg:db   --init", ("--link pg:db", "--init")),
    ],
)
def test_split_docker_options(value, expected):
    assert P.split_docker_options(value) == expected


def test_parse_storage_mounts_report_value():
    assert P.parse_storage_mounts("-v /a:/b -v /c:/d:ro --volume=/e:/f") == [
        Mount("/a", "/b"), Mount("/c", "/d", "ro"), Mount("/e", "/f"),
    ]
    assert P.parse_storage_mounts("") == []
