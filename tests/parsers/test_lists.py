"""Tests for parsers.lists: apps, ps:scale, config, mounts, certificates, plugins, datastores."""

from __future__ import annotations

from datetime import datetime

import pytest

from docklight.dokku import parsers as P
from docklight.dokku.parsers import LetsencryptEntry, Mount, ParseError, Plugin, ServiceInfo

from tests.parsers.transcripts import T


# ---------------------------------------------------------------------------
# apps / ps:scale / config
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# storage
# ---------------------------------------------------------------------------


MOUNTS = [
    Mount("/var/lib/dokku/data/storage/node-js-app", "/app/storage", ""),
    Mount("/var/lib/dokku/data/storage/shared", "/app/shared", "ro"),
]


def test_parse_storage_list_json():
    # Dokku 0.38 names each mount's storage entry; the Storage tab unmounts by it.
    expected = [Mount(m.host_path, m.container_path, m.options, name)
                for m, name in zip(MOUNTS, ("node-js-app-storage", "shared"))]
    expected += [Mount("cache-volume", "/cache", "z", "cache")]
    assert P.parse_storage_list_json(T("storage_list.json")) == expected
    assert P.parse_storage_list_json("[]") == []
    assert P.parse_storage_list_json("null") == []
    both = '[{"host_path":"/a","container_path":"/b","readonly":true,"volume_options":"z"}]'
    assert P.parse_storage_list_json(both) == [Mount("/a", "/b", "ro,z")]


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
