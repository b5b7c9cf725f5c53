"""Tests for docklight.dokku.parsers against recorded-style Dokku transcripts.

The transcripts in tests/transcripts/ follow dokku-cli-reference.md exactly,
including trailing padding, ``\\r\\n`` from a pty and Go's JSON escaping; they
are read as bytes so nothing normalises them on the way in.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from docklight.dokku import parsers as P
from docklight.dokku.parsers import (
    AppReport,
    BuildpacksReport,
    CertsReport,
    ChecksReport,
    Container,
    DockerOptions,
    DokkuVersion,
    DomainsReport,
    GitReport,
    LetsencryptEntry,
    LogLine,
    Mount,
    ParseError,
    Plugin,
    PortMapping,
    ProxyReport,
    PsReport,
    ServiceInfo,
)

TRANSCRIPTS = Path(__file__).parent / "transcripts"
UTC = timezone.utc
CREATED = datetime(2024, 5, 1, 12, 34, 56, tzinfo=UTC)  # 1714566896


def T(name: str) -> str:
    """Read a transcript byte-exact (no newline translation)."""
    return (TRANSCRIPTS / name).read_bytes().decode("utf-8")


# ---------------------------------------------------------------------------
# transcripts keep their quirks
# ---------------------------------------------------------------------------


def test_transcripts_keep_trailing_spaces_and_crlf():
    assert "       Ps computed dockerfile start cmd: \n" in T("ps_report_node-js-app.txt")
    assert "\r\n" in T("ps_scale_pty.txt") and "\r\n" in T("ps_report_pty.txt")
    assert T("letsencrypt_list.txt").splitlines()[0].endswith("renewal      ")
    assert "\\u003cb\\u003e\\u0026" in T("config_export.json")
    assert "Links:               node-js-app api-staging  " in T("postgres_info.txt")
    assert "\nweb:  2\n" in T("ps_scale.txt")


# ---------------------------------------------------------------------------
# version
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# generic report parsing
# ---------------------------------------------------------------------------

NODE_PS = {
    "deployed": "true",
    "processes": "3",
    "ps-can-scale": "true",
    "ps-computed-dockerfile-start-cmd": "",
    "ps-computed-procfile-path": "Procfile",
    "ps-computed-restart-policy": "on-failure:10",
    "ps-computed-skip-deploy": "false",
    "ps-computed-start-cmd": "",
    "ps-computed-stop-timeout-seconds": "30",
    "ps-dockerfile-start-cmd": "",
    "ps-global-procfile-path": "Procfile",
    "ps-global-restart-policy": "on-failure:10",
    "ps-global-skip-deploy": "",
    "ps-global-stop-timeout-seconds": "30",
    "ps-procfile-path": "",
    "ps-restart-policy": "",
    "ps-skip-deploy": "",
    "ps-start-cmd": "",
    "ps-stop-timeout-seconds": "",
    "restore": "true",
    "running": "true",
    "status-web-1": "running (CID: 99a1bf801f5)",
    "status-web-2": "running (CID: 1c2d3e4f5a6)",
    "status-worker-1": "running (CID: 2b3c4d5e6f7)",
}


def test_parse_report_single_app_exact():
    assert P.parse_report(T("ps_report_node-js-app.txt")) == {"node-js-app": NODE_PS}


def test_parse_report_quiet_has_empty_app_name():
    assert P.parse_report(T("ps_report_quiet.txt")) == {"": NODE_PS}


def test_parse_report_all_apps_in_order():
    report = P.parse_report(T("ps_report_all.txt"))
    assert list(report) == ["api-staging", "empty-app", "node-js-app", "stopped-app"]
    assert report["node-js-app"] == NODE_PS
    assert report["api-staging"]["status-my-worker-2"] == "exited (CID: 7b8c9d0e1f2)"
    assert "status-web-1" not in report["empty-app"]


def test_parse_report_global_and_type_words():
    text = (
        "=====> --global ps information\n"
        "       Ps global procfile path:       Procfile\n"
        "=====> node-js-app letsencrypt information\n"
        "       Letsencrypt active:            true\n"
    )
    assert P.parse_report(text) == {
        "--global": {"ps-global-procfile-path": "Procfile"},
        "node-js-app": {"letsencrypt-active": "true"},
    }


def test_parse_report_value_keeps_inner_colons_and_spaces():
    text = "=====> a ssl information\n       Ssl expires at:                Feb  7 17:32:28 2027 GMT   \n"
    assert P.parse_report(text) == {"a": {"ssl-expires-at": "Feb  7 17:32:28 2027 GMT"}}


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


def test_parse_report_empty_and_no_apps():
    assert P.parse_report("") == {}
    assert P.parse_report(" !     You haven't deployed any applications yet\n") == {}
    assert P.parse_report("=====> node-js-app resource information\n") == {"node-js-app": {}}


@pytest.mark.parametrize("text", ["true\n", "garbage without any colon\nmore\n"])
def test_parse_report_unusable_raises(text):
    with pytest.raises(ParseError):
        P.parse_report(text)


def test_parse_report_json_lines():
    rows = P.parse_report_json(T("ps_report_all.jsonl"))
    assert len(rows) == 4
    assert rows[2]["deployed"] == "true"
    assert rows[2]["processes"] == "3"  # values are always strings
    assert rows[2]["status-web.1"] == "running (CID: 99a1bf801f5)"
    # 0.38.x deprecation window: both the new and the legacy key
    assert rows[0]["restart-policy"] == rows[0]["ps-restart-policy"] == "always"


def test_parse_report_json_tolerates_blank_lines_warnings_and_non_strings():
    text = '\n{"a":"1"}\r\n\r\n !     warning from stderr\n{"b":true,"c":null,"d":5}\n\n'
    assert P.parse_report_json(text) == [{"a": "1"}, {"b": "true", "c": "", "d": "5"}]
    assert P.parse_report_json("") == []


@pytest.mark.parametrize("text", ['{"a":', "[1, 2]", '"x"'])
def test_parse_report_json_unusable_raises(text):
    with pytest.raises(ParseError):
        P.parse_report_json(text)


# ---------------------------------------------------------------------------
# ps
# ---------------------------------------------------------------------------

PS_EXPECTED = {
    "api-staging": PsReport(
        deployed=True, running="mixed", processes=3, restore=True, restart_policy="always",
        containers=(
            Container("my-worker", 1, "running", "4f1c2d3e5a6"),
            Container("my-worker", 2, "exited", "7b8c9d0e1f2"),
            Container("web", 1, "running", "0a1b2c3d4e5"),
        ),
    ),
    "empty-app": PsReport(
        deployed=False, running="false", processes=0, restore=True,
        restart_policy="on-failure:10", containers=(),
    ),
    "node-js-app": PsReport(
        deployed=True, running="true", processes=3, restore=True, restart_policy="on-failure:10",
        containers=(
            Container("web", 1, "running", "99a1bf801f5"),
            Container("web", 2, "running", "1c2d3e4f5a6"),
            Container("worker", 1, "running", "2b3c4d5e6f7"),
        ),
    ),
    "stopped-app": PsReport(
        deployed=True, running="false", processes=1, restore=False, restart_policy="on-failure:10",
        containers=(Container("web", 1, "exited", "5e6f7a8b9c0"),),
    ),
}
PS_STATUS = {
    "api-staging": ("partly running", {"my-worker": (1, 2), "web": (1, 1)}),
    "empty-app": ("not deployed", {}),
    "node-js-app": ("running", {"web": (2, 2), "worker": (1, 1)}),
    "stopped-app": ("stopped", {"web": (0, 1)}),
}


def test_ps_report_from_text_all_apps_exact():
    assert P.ps_report_from_text(T("ps_report_all.txt")) == PS_EXPECTED


@pytest.mark.parametrize("app", sorted(PS_EXPECTED))
def test_ps_report_status_and_counts(app):
    report = P.ps_report_from_text(T("ps_report_all.txt"))[app]
    assert (report.status, report.counts) == PS_STATUS[app]
    assert list(report.counts) == sorted(report.counts)


@pytest.mark.parametrize("index, app", list(enumerate(sorted(PS_EXPECTED))))
def test_ps_report_from_json_matches_text(index, app):
    obj = P.parse_report_json(T("ps_report_all.jsonl"))[index]
    assert P.ps_report_from_json(obj) == PS_EXPECTED[app]


def test_ps_report_single_and_pty():
    node = PS_EXPECTED["node-js-app"]
    assert P.ps_report_from_text(T("ps_report_node-js-app.txt")) == {"node-js-app": node}
    assert P.ps_report_from_text(T("ps_report_quiet.txt")) == {"": PS_EXPECTED["node-js-app"]}
    assert P.ps_report_from_text(T("ps_report_pty.txt")) == {"stopped-app": PS_EXPECTED["stopped-app"]}


@pytest.mark.parametrize(
    "key, proc, index",
    [
        ("status-web-1", "web", 1),
        ("status-my-worker-2", "my-worker", 2),
        ("status-a-b-c-10", "a-b-c", 10),
        ("status-web.3", "web", 3),
        ("status-my-worker.12", "my-worker", 12),
        ("status-worker2-1", "worker2", 1),
    ],
)
def test_ps_status_key_last_number_is_index(key, proc, index):
    report = P.ps_report_from_json({"deployed": "true", key: "running (CID: abc)"})
    assert report.containers == (Container(proc, index, "running", "abc"),)


def _ps(deployed=True, running="true", states=()):
    containers = tuple(Container("web", i + 1, s, f"c{i}") for i, s in enumerate(states))
    return PsReport(deployed, running, len(containers), True, "", containers)


@pytest.mark.parametrize(
    "report, status",
    [
        (_ps(deployed=False, running="false"), "not deployed"),
        (_ps(deployed=False, running="true", states=("running",)), "not deployed"),
        (_ps(running="mixed"), "partly running"),
        (_ps(running="true", states=("running", "exited")), "partly running"),
        (_ps(running="true", states=("running", "running")), "running"),
        (_ps(running="false", states=("exited", "missing")), "stopped"),
        (_ps(running="true"), "running"),  # non docker-local scheduler: no status lines
        (_ps(running="false"), "stopped"),
    ],
)
def test_ps_status_rules(report, status):
    assert report.status == status


def test_ps_report_json_derives_missing_fields():
    report = P.ps_report_from_json({
        "deployed": "true",
        "status-web.1": "running (CID: a)",
        "status-web.2": "missing (CID: )",
        "brand-new-key": "ignored",
    })
    assert report == PsReport(
        deployed=True, running="mixed", processes=2, restore=True, restart_policy="",
        containers=(Container("web", 1, "running", "a"), Container("web", 2, "missing", "")),
    )
    assert report.status == "partly running"


@pytest.mark.parametrize(
    "obj, policy",
    [
        ({"computed-restart-policy": "always", "restart-policy": "no"}, "always"),
        ({"restart-policy": "unless-stopped"}, "unless-stopped"),
        ({"ps-restart-policy": "on-failure:5"}, "on-failure:5"),
        ({"ps-restart-policy": "", "ps-global-restart-policy": "no"}, "no"),
    ],
)
def test_ps_restart_policy_lookup(obj, policy):
    assert P.ps_report_from_json(obj).restart_policy == policy


@pytest.mark.parametrize(
    "name, expected",
    [
        ("ps_scale.txt", {"release": 0, "web": 2, "worker": 1}),
        ("ps_scale_quiet.txt", {"release": 0, "web": 2, "worker": 1}),
        ("ps_scale_pty.txt", {"my-worker": 3, "web": 2}),
    ],
)
def test_parse_ps_scale(name, expected):
    result = P.parse_ps_scale(T(name))
    assert result == expected
    assert list(result) == list(expected)


def test_parse_ps_scale_json():
    assert P.parse_ps_scale_json(T("ps_scale.json")) == {"release": 0, "web": 2, "worker": 1}
    assert P.parse_ps_scale_json("[]") == {}
    assert P.parse_ps_scale_json('[{"process_type":"web","quantity":"4"}]') == {"web": 4}
    with pytest.raises(ParseError):
        P.parse_ps_scale_json('[{"quantity":1}]')


def test_parse_ps_scale_empty():
    assert P.parse_ps_scale("-----> Scaling for x\nproctype: qty\n--------: ---\n") == {}


# ---------------------------------------------------------------------------
# apps / domains / git
# ---------------------------------------------------------------------------


def test_app_report_text_and_json():
    node = AppReport(created_at=CREATED, deploy_source="git", locked=False, dir="/home/dokku/node-js-app")
    assert P.app_report_from_text(T("apps_report.txt")) == {"node-js-app": node}
    rows = [P.app_report_from_json(o) for o in P.parse_report_json(T("apps_report.jsonl"))]
    api = AppReport(created_at=None, deploy_source="", locked=True, dir="/home/dokku/api-staging")
    assert rows == [node, api]
    assert rows[0].created_at.tzinfo is UTC


def test_domains_report_text_and_json():
    node = DomainsReport(True, ("node-js-app.dokku.me", "www.example.com"), True, ("dokku.me",))
    assert P.domains_report_from_text(T("domains_report_all.txt")) == {
        "api-staging": DomainsReport(False, (), True, ("dokku.me",)),
        "node-js-app": node,
    }
    (obj,) = P.parse_report_json(T("domains_report.json"))
    assert set(obj) == {"app-enabled", "app-vhosts", "global-enabled", "global-vhosts"}  # no legacy keys
    assert P.domains_report_from_json(obj) == node


def test_git_report_text_and_json():
    node = GitReport(
        deploy_branch="main", sha="33896f5d7c1b2a3e4f5061728394a5b6c7d8e9f0",
        last_updated_at=CREATED, source_image="",
    )
    assert P.git_report_from_text(T("git_report.txt")) == {"node-js-app": node}
    rows = [P.git_report_from_json(o) for o in P.parse_report_json(T("git_report.jsonl"))]
    assert rows == [
        node,
        GitReport(deploy_branch="master", sha="", last_updated_at=None,
                  source_image="registry.example.com/team/api:1.2.3"),
    ]


@pytest.mark.parametrize("name", ["apps_list.txt", "apps_list_quiet.txt"])
def test_parse_apps_list(name):
    assert P.parse_apps_list(T(name)) == ["api-staging", "node-js-app"]


def test_parse_apps_list_none():
    text = "=====> My Apps\n !     You haven't deployed any applications yet\n"
    assert P.parse_apps_list(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [(None, ["api-staging", "node-js-app"]), ("[]\n", []), ("null\n", []), ("", [])],
)
def test_parse_apps_list_json(text, expected):
    assert P.parse_apps_list_json(T("apps_list.json") if text is None else text) == expected


def test_parse_apps_list_json_rejects_objects():
    with pytest.raises(ParseError):
        P.parse_apps_list_json('{"apps": []}')


# ---------------------------------------------------------------------------
# config
# ---------------------------------------------------------------------------


def test_parse_config_export_json_exact_values():
    assert P.parse_config_export_json(T("config_export.json")) == {
        "DATABASE_URL": "postgres://postgres:s3cr3t@dokku-postgres-main-db:5432/main_db",
        "EMPTY": "",
        "GREETING": "héllo wörld ☃ <b>&</b>",
        "MULTILINE": 'line one\nline two\n\ttabbed "quoted"',
        "QUOTE": "it's",
        "lower_key": "x",
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{}\n", {}),
        ("null", {}),
        ('[{"name":"A","value":"1"},{"name":"B","value":"x\\ny"}]', {"A": "1", "B": "x\ny"}),
        ('{"N":7}', {"N": "7"}),
    ],
)
def test_parse_config_export_json_variants(text, expected):
    assert P.parse_config_export_json(text) == expected


def test_parse_config_export_json_unusable():
    with pytest.raises(ParseError):
        P.parse_config_export_json('"just a string"')


def test_parse_config_keys():
    expected = ["DATABASE_URL", "EMPTY", "GREETING", "MULTILINE", "QUOTE", "lower_key"]
    assert P.parse_config_keys(T("config_keys.txt")) == expected
    assert P.parse_config_keys("") == []


# ---------------------------------------------------------------------------
# ports / proxy
# ---------------------------------------------------------------------------

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
    "text, expected",
    [
        (T("ports_report.txt"), [HTTP, HTTPS]),
        (T("ports_report_detected.txt"), [HTTP]),  # configured map empty -> detected
        ("http:80:5000 https:443:5000\n", [HTTP, HTTPS]),
    ],
)
def test_parse_ports_report(text, expected):
    assert P.parse_ports_report(text) == expected


def test_ports_from_report_json_uses_map_json():
    (obj,) = P.parse_report_json(T("ports_report.json"))
    assert obj["map-json"].startswith('[{"container_port"')  # a JSON document inside a string
    assert P.ports_from_report(obj) == [HTTP, HTTPS]


def test_parse_ports_list():
    text = (
        "-----> Port mappings for node-js-app\n"
        "    -----> scheme  host port  container port\n"
        "    http           80         5000\n"
        "    https          443        5000\n"
    )
    assert P.parse_ports_list(text) == [HTTP, HTTPS]
    assert P.parse_ports_list(" !     No port mappings configured for app\n") == []


def test_proxy_report():
    assert P.proxy_report_from_text(T("proxy_report_all.txt")) == {
        "api-staging": ProxyReport(enabled=False, type="caddy"),
        "node-js-app": ProxyReport(enabled=True, type="nginx"),
    }


@pytest.mark.parametrize(
    "obj, expected",
    [
        ({"enabled": "true", "computed-type": "traefik", "proxy-enabled": "true"},
         ProxyReport(True, "traefik")),
        ({"disabled": "true"}, ProxyReport(False, "nginx")),
        ({}, ProxyReport(True, "nginx")),
        ({"proxy-enabled": "false", "proxy-type": "haproxy"}, ProxyReport(False, "haproxy")),
    ],
)
def test_proxy_report_from_json(obj, expected):
    assert P.proxy_report_from_json(obj) == expected


# ---------------------------------------------------------------------------
# buildpacks / checks / network / docker-options / certs / resource
# ---------------------------------------------------------------------------


def test_buildpacks_report():
    assert P.buildpacks_report_from_text(T("buildpacks_report.txt")) == {
        "node-js-app": BuildpacksReport(
            list=(
                "https://github.com/heroku/heroku-buildpack-nodejs.git",
                "https://github.com/heroku/heroku-buildpack-python.git#v250",
            ),
            stack="gliderlabs/herokuish:latest-24",
        )
    }
    assert P.buildpacks_report_from_json({"list": "", "stack": "x"}) == BuildpacksReport((), "x")


def test_checks_report():
    assert P.checks_report_from_text(T("checks_report.txt")) == {
        "node-js-app": ChecksReport(disabled=(), skipped=("worker", "my-worker"), wait_to_retire=60)
    }


@pytest.mark.parametrize(
    "obj, expected",
    [
        ({"disabled-list": "none", "skipped-list": "none"}, ChecksReport((), (), None)),
        ({"disabled-list": "_all_", "wait-to-retire": "5"}, ChecksReport(("_all_",), (), 5)),
        ({"checks-disabled-list": "web, worker", "checks-computed-wait-to-retire": "x"},
         ChecksReport(("web", "worker"), (), None)),
    ],
)
def test_checks_report_from_json(obj, expected):
    assert P.checks_report_from_json(obj) == expected


def test_network_report_text_and_json_agree():
    text = P.network_report_from_text(T("network_report.txt"))["node-js-app"]
    assert text.web_listeners == ("172.17.0.5:5000", "172.17.0.6:5000")
    assert text.get("computed-attach-post-deploy") == "backend-net"
    assert text.get("computed-bind-all-interfaces") == "false"
    assert text.get("nope", "dflt") == "dflt"
    (obj,) = P.parse_report_json(T("network_report.json"))
    assert "network-web-listeners" in obj and "web-listeners" in obj  # legacy + new
    assert P.network_report_from_json(obj) == text


def test_docker_options_report():
    assert P.docker_options_from_text(T("docker_options_report.txt")) == {
        "node-js-app": DockerOptions(
            build=(),
            deploy=("--restart=on-failure:10", "-v /var/lib/dokku/data/storage/node-js-app:/app/storage"),
            run=(
                "-v /var/lib/dokku/data/storage/node-js-app:/app/storage",
                "--label 'com.example.team=web dev'",
                "--init",
            ),
        )
    }


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


def test_certs_report_text_and_json():
    assert P.certs_report_from_text(T("certs_report.txt")) == {
        "node-js-app": CertsReport(
            dir="/home/dokku/node-js-app/tls",
            enabled=True,
            hostnames=("node-js-app.dokku.me", "www.example.com"),
            expires_at="Feb  7 17:32:28 2027 GMT",
            issuer="C=US, O=Let's Encrypt, CN=R11",
            starts_at="Nov  9 17:32:29 2026 GMT",
            subject="CN=node-js-app.dokku.me",
            verified="verified by a certificate authority",
            fingerprint="SHA1 Fingerprint=3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D",
            serial="04A1B2C3D4E5F60718293A4B5C6D7E8F9012",
        )
    }
    (obj,) = P.parse_report_json(T("certs_report.json"))
    assert P.certs_report_from_json(obj) == CertsReport(
        dir="/home/dokku/api-staging/tls", enabled=False, hostnames=(), expires_at="",
        issuer="", starts_at="", subject="", verified="",
    )


RESOURCES = {
    "_default_": {"limit": {"memory": "1024m"}, "reserve": {}},
    "my-worker": {"limit": {"memory-swap": "1g"}, "reserve": {}},
    "web": {"limit": {"cpu": "1.5", "memory": "512m"}, "reserve": {"memory": "256m"}},
}


def test_resource_report_text_and_json():
    text = P.resource_report_from_text(T("resource_report.txt"))
    assert list(text) == ["node-js-app"]
    assert text["node-js-app"].processes == RESOURCES
    assert text["node-js-app"].limit("web", "memory") == "512m"
    assert text["node-js-app"].reserve("web", "memory") == "256m"
    assert text["node-js-app"].limit("worker", "cpu") == ""
    (obj,) = P.parse_report_json(T("resource_report.json"))
    assert P.resource_report_from_json(obj).processes == RESOURCES


def test_resource_report_empty_output_and_old_labels():
    assert P.resource_report_from_text("") == {}
    assert P.ResourceReport().processes == {}
    # Older Dokku trimmed the "resource" prefix from the label.
    old = "=====> a resource information\n       web limit memory:              1g\n"
    expected = {"web": {"limit": {"memory": "1g"}, "reserve": {}}}
    assert P.resource_report_from_text(old)["a"].processes == expected


# ---------------------------------------------------------------------------
# storage
# ---------------------------------------------------------------------------

MOUNTS = [
    Mount("/var/lib/dokku/data/storage/node-js-app", "/app/storage", ""),
    Mount("/var/lib/dokku/data/storage/shared", "/app/shared", "ro"),
]


@pytest.mark.parametrize("name", ["storage_list.txt", "storage_list_quiet.txt"])
def test_parse_storage_list(name):
    assert P.parse_storage_list(T(name)) == MOUNTS


def test_parse_storage_list_json():
    expected = MOUNTS + [Mount("cache-volume", "/cache", "z")]
    assert P.parse_storage_list_json(T("storage_list.json")) == expected
    assert P.parse_storage_list_json("[]") == []
    assert P.parse_storage_list_json("null") == []
    both = '[{"host_path":"/a","container_path":"/b","readonly":true,"volume_options":"z"}]'
    assert P.parse_storage_list_json(both) == [Mount("/a", "/b", "ro,z")]


def test_parse_storage_mounts_report_value():
    assert P.parse_storage_mounts("-v /a:/b -v /c:/d:ro --volume=/e:/f") == [
        Mount("/a", "/b"), Mount("/c", "/d", "ro"), Mount("/e", "/f"),
    ]
    assert P.parse_storage_mounts("") == []


# ---------------------------------------------------------------------------
# letsencrypt
# ---------------------------------------------------------------------------

LE_EXPECTED = [
    LetsencryptEntry("api-staging", datetime(2026, 11, 20, 8, 15, 0), "3d, 4h ago", "33d, 4h ago"),
    LetsencryptEntry("node-js-app", datetime(2027, 2, 7, 17, 32, 28),
                     "74d, 23h, 59m, 46s", "44d, 23h, 59m, 46s"),
    LetsencryptEntry("a-very-long-application-name-x", datetime(2027, 3, 1, 0, 0, 5),
                     "95d, 6h, 27m, 37s", "65d, 6h, 27m, 37s"),
]


def test_parse_letsencrypt_list():
    entries = P.parse_letsencrypt_list(T("letsencrypt_list.txt"))
    assert entries == LE_EXPECTED
    assert entries[0].expiry.tzinfo is None  # host-local, naive


def test_parse_letsencrypt_list_quiet_and_empty_duration():
    quiet = "".join(T("letsencrypt_list.txt").splitlines(keepends=True)[1:])
    assert P.parse_letsencrypt_list(quiet) == LE_EXPECTED
    # A zero time difference prints as an empty column; fixed columns keep it in place.
    row = "%-25s %-25s %-25s %-25s\n" % ("edge", "2027-01-01 00:00:00", "", "30d ago")
    assert P.parse_letsencrypt_list(row) == [
        LetsencryptEntry("edge", datetime(2027, 1, 1), "", "30d ago")
    ]
    assert P.parse_letsencrypt_list("") == []


def test_parse_letsencrypt_list_other_widths():
    text = "-----> App name   Certificate Expiry   Time before expiry   Time before renewal\n" \
           "app              2027-02-07 17:32:28  1d, 2h               3s ago\n"
    assert P.parse_letsencrypt_list(text) == [
        LetsencryptEntry("app", datetime(2027, 2, 7, 17, 32, 28), "1d, 2h", "3s ago")
    ]


# ---------------------------------------------------------------------------
# plugins
# ---------------------------------------------------------------------------


def test_parse_plugin_list_text():
    plugins = P.parse_plugin_list(T("plugin_list.txt"))
    assert [p.name for p in plugins] == [
        "00_dokku-standard", "20_events", "apps", "letsencrypt", "maintenance", "postgres",
        "scheduler-docker-local",
    ]
    assert plugins[3] == Plugin("letsencrypt", "0.25.1", True, None,
                                "Automated installation of let's encrypt TLS certificates", "")
    assert plugins[4] == Plugin("maintenance", "0.8.0", False, None, "Maintenance mode for dokku apps", "")
    assert plugins[6] == Plugin("scheduler-docker-local", "0.38.27", True, None,
                                "dokku core scheduler-docker-local plugin", "")


def test_parse_plugin_list_without_version_or_description():
    text = "plugn: 0.14.0\n  custom-plugin              enabled    \n  other 1.0 disabled\n"
    assert P.parse_plugin_list(text) == [
        Plugin("custom-plugin", "", True, None, "", ""),
        Plugin("other", "1.0", False, None, "", ""),
    ]


def test_parse_plugin_list_json():
    plugins = P.parse_plugin_list_json(T("plugin_list.json"))
    assert len(plugins) == 7
    assert plugins[0] == Plugin("00_dokku-standard", "0.38.27", True, True, "dokku core standard plugin", "")
    assert plugins[3] == Plugin("letsencrypt", "0.25.1", True, False,
                                "Automated installation of let's encrypt TLS certificates",
                                "https://github.com/dokku/dokku-letsencrypt.git")
    assert plugins[4].enabled is False
    assert P.parse_plugin_list_json("[]") == []


# ---------------------------------------------------------------------------
# datastore services
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (T("postgres_list.txt"), ["analytics_db", "main-db"]),
        (T("postgres_list_legacy.txt"), ["main-db", "old_db"]),
        (" !     There are no Postgres services\n", []),
        ("=====> Redis services\n", []),
        ("", []),
    ],
)
def test_parse_service_list(text, expected):
    assert P.parse_service_list(text) == expected


def test_parse_service_info_postgres():
    assert P.parse_service_info(T("postgres_info.txt")) == ServiceInfo(
        name="main-db",
        plugin="postgres",
        status="running",
        version="postgres:18.4",
        links=("node-js-app", "api-staging"),
        dsn="postgres://postgres:9f8e7d6c5b4a@dokku-postgres-main-db:5432/main_db",
        exposed_ports=(),
        internal_ip="172.17.0.5",
        id="3b9f6f1e0c7d4a2b8e5f1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e",
        data_dir="/var/lib/dokku/services/postgres/main-db/data",
        config_dir="/var/lib/dokku/services/postgres/main-db/data",
        service_root="/var/lib/dokku/services/postgres/main-db",
        extra={"config-options": "", "initial-network": "",
               "post-create-network": "", "post-start-network": ""},
    )


def test_parse_service_info_after_create_output():
    info = P.parse_service_info(T("redis_create.txt"))
    assert (info.name, info.plugin, info.status, info.links, info.exposed_ports, info.internal_ip) == (
        "cache_1", "redis", "exited", (), ("6379->28805",), "",
    )
    assert info.dsn == "redis://:a1b2c3@dokku-redis-cache-1:6379"


def test_parse_service_info_quiet_and_unknown_labels():
    text = "       Status:              running                  \n       Shiny new thing:     42   \n"
    info = P.parse_service_info(text)
    assert (info.name, info.plugin, info.status) == ("", "", "running")
    assert info.extra == {"shiny-new-thing": "42"}


def test_parse_service_info_unusable():
    with pytest.raises(ParseError):
        P.parse_service_info(" !     Postgres service nope does not exist\n")


# ---------------------------------------------------------------------------
# logs / ANSI
# ---------------------------------------------------------------------------


def test_parse_log_lines_colour():
    assert P.parse_log_lines(T("logs.txt")) == [
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


def test_parse_log_lines_quiet():
    lines = P.parse_log_lines(T("logs_quiet.txt"))
    assert [(l.process, l.message) for l in lines] == [
        ("", "Server listening on port 5000"),
        ("", "GET /health 200 OK"),
        ("", "Running migrations: 3 pending"),
    ]


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
    assert P.ansi_segments(text) == expected


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# tolerance: line endings, warnings, padding, unknown keys
# ---------------------------------------------------------------------------

TEXT_CASES = [
    ("ps_report_all.txt", P.ps_report_from_text),
    ("ps_report_node-js-app.txt", P.parse_report),
    ("ps_report_quiet.txt", P.parse_report),
    ("apps_report.txt", P.app_report_from_text),
    ("domains_report_all.txt", P.domains_report_from_text),
    ("git_report.txt", P.git_report_from_text),
    ("ports_report.txt", P.parse_ports_report),
    ("proxy_report_all.txt", P.proxy_report_from_text),
    ("buildpacks_report.txt", P.buildpacks_report_from_text),
    ("checks_report.txt", P.checks_report_from_text),
    ("network_report.txt", P.network_report_from_text),
    ("docker_options_report.txt", P.docker_options_from_text),
    ("certs_report.txt", P.certs_report_from_text),
    ("resource_report.txt", P.resource_report_from_text),
    ("apps_list.txt", P.parse_apps_list),
    ("ps_scale.txt", P.parse_ps_scale),
    ("config_keys.txt", P.parse_config_keys),
    ("storage_list.txt", P.parse_storage_list),
    ("letsencrypt_list.txt", P.parse_letsencrypt_list),
    ("plugin_list.txt", P.parse_plugin_list),
    ("postgres_list.txt", P.parse_service_list),
    ("postgres_list_legacy.txt", P.parse_service_list),
    ("postgres_info.txt", P.parse_service_info),
]
JSON_CASES = [
    ("ps_report_all.jsonl", P.parse_report_json),
    ("apps_list.json", P.parse_apps_list_json),
    ("ps_scale.json", P.parse_ps_scale_json),
    ("config_export.json", P.parse_config_export_json),
    ("storage_list.json", P.parse_storage_list_json),
    ("plugin_list.json", P.parse_plugin_list_json),
]
# Log messages are application output: trailing spaces and "!" lines are content.
CRLF_ONLY_CASES = [("logs.txt", P.parse_log_lines), ("logs_quiet.txt", P.parse_log_lines)]
WARNING = " !     Deprecated: this is a warning that arrived through the pty"


def _ids(cases):
    return [name for name, _ in cases]


ALL_CASES = TEXT_CASES + JSON_CASES + CRLF_ONLY_CASES


@pytest.mark.parametrize("name, parse", ALL_CASES, ids=_ids(ALL_CASES))
def test_crlf_line_endings(name, parse):
    text = T(name)
    assert parse(text.replace("\n", "\r\n")) == parse(text)


@pytest.mark.parametrize("name, parse", TEXT_CASES + JSON_CASES, ids=_ids(TEXT_CASES + JSON_CASES))
def test_warning_lines_mixed_in(name, parse):
    text = T(name)
    lines = text.splitlines(keepends=True)
    mixed = WARNING + "\n" + "".join(
        line + (WARNING + "\n" if i % 2 else "") for i, line in enumerate(lines)
    ) + WARNING + "\n"
    assert parse(mixed) == parse(text)


@pytest.mark.parametrize("name, parse", TEXT_CASES, ids=_ids(TEXT_CASES))
def test_extra_trailing_spaces(name, parse):
    text = T(name)
    padded = "".join(line.rstrip("\n") + "    \n" for line in text.splitlines(keepends=True))
    assert parse(padded) == parse(text)


REPORT_CASES = [case for case in TEXT_CASES if "report" in case[0]]
# These keep every key by design (generic dict / property bag).
KEEP_ALL = {P.parse_report, P.network_report_from_text}
TYPED_REPORT_CASES = [case for case in REPORT_CASES if case[1] not in KEEP_ALL]


@pytest.mark.parametrize("name, parse", REPORT_CASES, ids=_ids(REPORT_CASES))
def test_report_wider_and_narrower_columns(name, parse):
    text = T(name)
    label = re.compile(r"^(\s+[^:\n]+:)[ ]*", re.M)
    wide = label.sub(lambda m: m.group(1).ljust(60), text)
    narrow = label.sub(lambda m: m.group(1) + " ", text)
    assert parse(wide) == parse(text)
    assert parse(narrow) == parse(text)


EXTRA_LINES = "       Zz brand new flag:                 something\n       Aa other:  \n"


def _with_extra_lines(text: str) -> str:
    header_end = text.index("\n") + 1
    return text[:header_end] + EXTRA_LINES + text[header_end:] + EXTRA_LINES


@pytest.mark.parametrize("name, parse", TYPED_REPORT_CASES, ids=_ids(TYPED_REPORT_CASES))
def test_report_unknown_keys_ignored(name, parse):
    text = T(name)
    assert parse(_with_extra_lines(text)) == parse(text)


def test_generic_report_keeps_unknown_keys():
    base = P.parse_report(T("ps_report_node-js-app.txt"))["node-js-app"]
    got = P.parse_report(_with_extra_lines(T("ps_report_node-js-app.txt")))["node-js-app"]
    assert got == dict(base, **{"zz-brand-new-flag": "something", "aa-other": ""})
    network = P.network_report_from_text(_with_extra_lines(T("network_report.txt")))["node-js-app"]
    assert network.get("zz-brand-new-flag") == "something"
    assert network.web_listeners == ("172.17.0.5:5000", "172.17.0.6:5000")


def test_json_reports_tolerate_unknown_keys():
    (obj,) = P.parse_report_json(T("domains_report.json"))
    obj = dict(obj, **{"future-key": "x", "app-vhosts-json": "[]"})
    assert P.domains_report_from_json(obj).app_vhosts == ("node-js-app.dokku.me", "www.example.com")


def test_all_apps_json_and_text_agree_for_every_app():
    text = P.parse_report(T("ps_report_all.txt"))
    rows = P.parse_report_json(T("ps_report_all.jsonl"))
    assert [P.ps_report_from_json(r) for r in rows] == [P.ps_report_from_json(v) for v in text.values()]
