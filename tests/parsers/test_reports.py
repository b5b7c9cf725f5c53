"""Tests for parsers.reports: the table of typed reports, read from text and JSON alike."""

from __future__ import annotations

from dataclasses import fields

import pytest

from docklight.dokku import parsers as P
from docklight.dokku.parsers import (
    AppReport,
    BuildpacksReport,
    CertsReport,
    ChecksReport,
    Container,
    DockerOptions,
    DomainsReport,
    GitReport,
    Mount,
    PortMapping,
    PortsReport,
    ProxyReport,
    PsReport,
    StorageReport,
)

from tests.parsers.transcripts import CREATED, UTC, T


@pytest.mark.parametrize("plugin", sorted(P.REPORTS))
def test_table_maps_every_field_of_its_dataclass(plugin):
    spec = P.REPORTS[plugin]
    report = P.read_report(plugin, {})  # a missing mapping would be a TypeError here
    assert isinstance(report, spec.cls)
    assert set(spec.props) <= {f.name for f in fields(spec.cls)}


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
    assert P.read_reports("ps", T("ps_report_all.txt")) == PS_EXPECTED


@pytest.mark.parametrize("app", sorted(PS_EXPECTED))
def test_ps_report_status_and_counts(app):
    report = P.read_reports("ps", T("ps_report_all.txt"))[app]
    assert (report.status, report.counts) == PS_STATUS[app]
    assert list(report.counts) == sorted(report.counts)


@pytest.mark.parametrize("index, app", list(enumerate(sorted(PS_EXPECTED))))
def test_ps_report_from_json_matches_text(index, app):
    obj = P.parse_report_json(T("ps_report_all.jsonl"))[index]
    assert P.read_report("ps", obj) == PS_EXPECTED[app]


def test_ps_report_single_and_pty():
    node = PS_EXPECTED["node-js-app"]
    assert P.read_reports("ps", T("ps_report_node-js-app.txt")) == {"node-js-app": node}
    assert P.read_reports("ps", T("ps_report_quiet.txt")) == {"": PS_EXPECTED["node-js-app"]}
    assert P.read_reports("ps", T("ps_report_pty.txt")) == {"stopped-app": PS_EXPECTED["stopped-app"]}


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
    report = P.read_report("ps", {"deployed": "true", key: "running (CID: abc)"})
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
    report = P.read_report("ps", {
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
    assert P.read_report("ps", obj).restart_policy == policy


# ---------------------------------------------------------------------------
# apps / domains / git
# ---------------------------------------------------------------------------


def test_app_report_text_and_json():
    node = AppReport(created_at=CREATED, deploy_source="git", locked=False, dir="/home/dokku/node-js-app",
                     deploy_source_metadata="main")
    assert P.read_reports("apps", T("apps_report.txt")) == {"node-js-app": node}
    rows = [P.read_report("apps", o) for o in P.parse_report_json(T("apps_report.jsonl"))]
    api = AppReport(created_at=None, deploy_source="", locked=True, dir="/home/dokku/api-staging")
    assert rows == [node, api]
    assert rows[0].created_at.tzinfo is UTC


def test_domains_report_text_and_json():
    node = DomainsReport(True, ("node-js-app.dokku.me", "www.example.com"), True, ("dokku.me",))
    assert P.read_reports("domains", T("domains_report_all.txt")) == {
        "api-staging": DomainsReport(False, (), True, ("dokku.me",)),
        "node-js-app": node,
    }
    (obj,) = P.parse_report_json(T("domains_report.json"))
    assert set(obj) == {"app-enabled", "app-vhosts", "global-enabled", "global-vhosts"}  # no legacy keys
    assert P.read_report("domains", obj) == node


def test_git_report_text_and_json():
    node = GitReport(
        deploy_branch="main", sha="33896f5d7c1b2a3e4f5061728394a5b6c7d8e9f0",
        last_updated_at=CREATED, source_image="",
    )
    assert P.read_reports("git", T("git_report.txt")) == {"node-js-app": node}
    rows = [P.read_report("git", o) for o in P.parse_report_json(T("git_report.jsonl"))]
    assert rows == [
        node,
        GitReport(deploy_branch="master", sha="", last_updated_at=None,
                  source_image="registry.example.com/team/api:1.2.3"),
    ]


# ---------------------------------------------------------------------------
# proxy / ports / storage
# ---------------------------------------------------------------------------


def test_proxy_report():
    assert P.read_reports("proxy", T("proxy_report_all.txt")) == {
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
    assert P.read_report("proxy", obj) == expected


HTTP = PortMapping("http", 80, 5000)
HTTPS = PortMapping("https", 443, 5000)


def test_ports_report_text():
    assert P.read_reports("ports", T("ports_report.txt")) == {
        "node-js-app": PortsReport(configured=(HTTP, HTTPS), detected=(HTTP,)),
    }
    # No configured map: Dokku falls back to the detected one.
    assert P.read_reports("ports", T("ports_report_detected.txt")) == {
        "api-staging": PortsReport(configured=(), detected=(HTTP,)),
    }


def test_ports_report_json_uses_map_json():
    (obj,) = P.parse_report_json(T("ports_report.json"))
    assert obj["map-json"].startswith('[{"container_port"')  # a JSON document inside a string
    assert P.read_report("ports", obj) == PortsReport(configured=(HTTP, HTTPS), detected=(HTTP,))


def test_ports_report_without_json_properties_reads_the_maps():
    block = {"ports-map": "http:80:5000 https:443:5000", "ports-map-detected": ""}
    assert P.read_report("ports", block) == PortsReport(configured=(HTTP, HTTPS), detected=())


STORAGE_TEXT = (
    "=====> node-js-app storage information\n"
    "       Storage build mounts:                       \n"
    "       Storage deploy mounts:         -v /srv/data:/data -v /srv/cache:/cache:ro\n"
    "       Storage run mounts:            -v /srv/data:/data -v /srv/logs:/logs\n"
)


def test_storage_report_text_and_json():
    data, cache, logs = Mount("/srv/data", "/data"), Mount("/srv/cache", "/cache", "ro"), \
        Mount("/srv/logs", "/logs")
    report = P.read_reports("storage", STORAGE_TEXT)["node-js-app"]
    assert report == StorageReport(build=(), deploy=(data, cache), run=(data, logs))
    assert report.mounts == [data, cache, logs]  # each once, deploy phase first
    json_block = {"build-mounts": "", "deploy-mounts": "-v /srv/data:/data -v /srv/cache:/cache:ro",
                  "run-mounts": "-v /srv/data:/data -v /srv/logs:/logs"}
    assert P.read_report("storage", json_block) == report


# ---------------------------------------------------------------------------
# buildpacks / checks / network / docker-options / certs / resource
# ---------------------------------------------------------------------------


def test_buildpacks_report():
    assert P.read_reports("buildpacks", T("buildpacks_report.txt")) == {
        "node-js-app": BuildpacksReport(
            list=(
                "https://github.com/heroku/heroku-buildpack-nodejs.git",
                "https://github.com/heroku/heroku-buildpack-python.git#v250",
            ),
            stack="gliderlabs/herokuish:latest-24",
        )
    }
    assert P.read_report("buildpacks", {"list": "", "stack": "x"}) == BuildpacksReport((), "x")


def test_checks_report():
    assert P.read_reports("checks", T("checks_report.txt")) == {
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
    assert P.read_report("checks", obj) == expected


def test_network_report_text_and_json_agree():
    text = P.read_reports("network", T("network_report.txt"))["node-js-app"]
    assert text.web_listeners == ("172.17.0.5:5000", "172.17.0.6:5000")
    assert text.get("computed-attach-post-deploy") == "backend-net"
    assert text.get("computed-bind-all-interfaces") == "false"
    assert text.get("nope", "dflt") == "dflt"
    (obj,) = P.parse_report_json(T("network_report.json"))
    assert "network-web-listeners" in obj and "web-listeners" in obj  # legacy + new
    assert P.read_report("network", obj) == text


def test_docker_options_report():
    assert P.read_reports("docker-options", T("docker_options_report.txt")) == {
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


def test_certs_report_text_and_json():
    assert P.read_reports("certs", T("certs_report.txt")) == {
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
    assert P.read_report("certs", obj) == CertsReport(
        dir="/home/dokku/api-staging/tls", enabled=False, hostnames=(), expires_at="",
        issuer="", starts_at="", subject="", verified="",
    )


RESOURCES = {
    "_default_": {"limit": {"memory": "1024m"}, "reserve": {}},
    "my-worker": {"limit": {"memory-swap": "1g"}, "reserve": {}},
    "web": {"limit": {"cpu": "1.5", "memory": "512m"}, "reserve": {"memory": "256m"}},
}


def test_resource_report_text_and_json():
    text = P.read_reports("resource", T("resource_report.txt"))
    assert list(text) == ["node-js-app"]
    assert text["node-js-app"].processes == RESOURCES
    assert text["node-js-app"].limit("web", "memory") == "512m"
    assert text["node-js-app"].reserve("web", "memory") == "256m"
    assert text["node-js-app"].limit("worker", "cpu") == ""
    (obj,) = P.parse_report_json(T("resource_report.json"))
    assert P.read_report("resource", obj).processes == RESOURCES


def test_resource_report_empty_output_and_old_labels():
    assert P.read_reports("resource", "") == {}
    assert P.ResourceReport().processes == {}
    # Older Dokku trimmed the "resource" prefix from the label.
    old = "=====> a resource information\n       web limit memory:              1g\n"
    expected = {"web": {"limit": {"memory": "1g"}, "reserve": {}}}
    assert P.read_reports("resource", old)["a"].processes == expected


def test_all_apps_json_and_text_agree_for_every_app():
    text = P.parse_report(T("ps_report_all.txt"))
    rows = P.parse_report_json(T("ps_report_all.jsonl"))
    assert [P.read_report("ps", r) for r in rows] == [P.read_report("ps", v) for v in text.values()]
