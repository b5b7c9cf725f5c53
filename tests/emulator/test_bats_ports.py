"""Dokku's ports unit tests (tests/unit/ports.bats) ported to the emulator.

The bats `jq -e` checks of --ports-map-json become comparisons of the parsed
JSON. Left out, because they need a real deploy, an image pull or TLS files:
"(ports:add) post-deploy add" (HTTP requests to the running app),
"(ports:report) herokuish tls" and "dockerfile tls" (detected maps from a
build), "ports not reinitialized on upgrade" (git:from-image). Of
"(ports:rename) renamed app persists ports" the ports:set and apps:rename
part is kept on an app recorded as deployed; its postgres/redis links and
git:from-image are left to the datastore and git ports.
"""

import json

import pytest

from docklight.emulator import state as store
from tests.emulator.bats import ok, one_app

APP = "dokku-test-app"
dokku = one_app(APP)


def ports_map(dokku, app=APP, flag="--ports-map"):
    """Return `dokku --quiet ports:report APP FLAG` without its newline."""
    return ok(dokku, "--quiet", "ports:report", app, flag).rstrip("\n")


def map_json(dokku, flag="--ports-map-json"):
    """Return the parsed JSON flag as (scheme, host_port, container_port) triples."""
    return sorted((m["scheme"], m["host_port"], m["container_port"])
                  for m in json.loads(ports_map(dokku, flag=flag)) or [])


def test_ports_help(dokku):
    """ports.bats: "(ports) ports:help"."""
    bare = dokku.run("ports")
    assert "Manage ports for an app" in bare.output
    assert dokku.run("ports:help").output == bare.output


def test_ports_subcommands_list_add_set_remove_clear(dokku):
    """ports.bats: "(ports) ports subcommands (list/add/set/remove/clear)"."""
    ok(dokku, "ports:set", APP, "http:1234:5001")
    assert ports_map(dokku) == "http:1234:5001"
    assert map_json(dokku) == [("http", 1234, 5001)]

    ok(dokku, "ports:add", APP, "http:8080:5002", "https:8443:5003")
    assert ports_map(dokku) == "http:1234:5001 http:8080:5002 https:8443:5003"
    assert map_json(dokku) == [("http", 1234, 5001), ("http", 8080, 5002), ("https", 8443, 5003)]

    ok(dokku, "ports:set", APP, "http:8080:5000", "https:8443:5000", "http:1234:5001")
    for argv in (("ports:set", APP, "http:8080:5000", "https:8443:5000", "http:1234:5001", "http:1234:5002"),
                 ("ports:add", APP, "http:12345:5002", "http:12345:5004"),
                 ("ports:add", APP, "http:1234:5003", "http:12345:5004"),
                 ("ports:add", APP, "http:1234:5001")):
        assert dokku.run(*argv).status != 0, argv
    assert ports_map(dokku) == "http:1234:5001 http:8080:5000 https:8443:5000"
    assert map_json(dokku) == [("http", 1234, 5001), ("http", 8080, 5000), ("https", 8443, 5000)]

    ok(dokku, "ports:remove", APP, "8080")
    assert ports_map(dokku) == "http:1234:5001 https:8443:5000"
    assert map_json(dokku) == [("http", 1234, 5001), ("https", 8443, 5000)]

    ok(dokku, "ports:remove", APP, "http:1234:5001")
    assert ports_map(dokku) == "https:8443:5000"
    assert map_json(dokku) == [("https", 8443, 5000)]

    ok(dokku, "ports:clear", APP)
    assert ports_map(dokku) == ""
    assert json.loads(ports_map(dokku, flag="--ports-map-json")) in ([], None)
    assert ports_map(dokku, flag="--ports-map-detected") == "http:80:5000"
    assert map_json(dokku, "--ports-map-detected-json") == [("http", 80, 5000)]


def test_ports_rename_persists_ports(dokku):
    """ports.bats: "(ports:rename) renamed app persists ports" (its ports:set and rename part)."""
    app = store.make_app(APP)
    app["ports_detected"] = ["http:3000:3000"]
    store.write_state(dokku.home, store.new_state([app]))
    ok(dokku, "ports:set", APP, "http:80:3000")
    assert ports_map(dokku) == "http:80:3000"
    assert ports_map(dokku, flag="--ports-map-detected") == "http:3000:3000"
    assert "Application deployed" in ok(dokku, "apps:rename", APP, f"{APP}-other")
    assert ports_map(dokku, f"{APP}-other") == "http:80:3000"
    assert ports_map(dokku, f"{APP}-other", "--ports-map-detected") == "http:3000:3000"


def test_ports_report_emits_new_stripped_json_keys_alongside_legacy(dokku):
    """ports.bats: "(ports:report) emits new stripped JSON keys alongside legacy"."""
    keys = json.loads(ok(dokku, "ports:report", APP, "--format", "json"))
    assert "map" in keys and "ports-map" in keys
    assert "map-detected" in keys and "ports-map-detected" in keys


# --------------------------------------------- plugins/ports beyond the bats cases


@pytest.mark.parametrize("word, message", [
    ("http:0:5000", "Invalid port map http:0:5000 [hostPort=0]"),
    ("http:80:65536", "Invalid port map http:80:65536 [containerPort=65536]"),
    ("http:x:5000", 'Invalid port map http:x:5000 [err=strconv.Atoi: parsing "x": invalid syntax]'),
    ("http:80", "Invalid port map http:80 [len=2]"),
])
def test_ports_parse_errors(dokku, word, message):
    """functions.go parsePortMapString: Atoi, the length and inRange(0, 65536) checks."""
    refused = dokku.run("ports:add", APP, word)
    assert (refused.status, refused.output) == (1, f" !     {message}\n")


def test_ports_are_stored_as_atoi_reads_them_and_sorted(dokku):
    """functions.go: Atoi drops leading zeros and a plus sign; setPortMaps sorts the strings."""
    ok(dokku, "ports:set", APP, "https:+443:05000", "http:080:5000")
    assert ports_map(dokku) == "http:80:5000 https:443:5000"


def test_ports_reuse_messages(dokku):
    """subcommands.go CommandAdd/CommandSet: which validation refuses a reused scheme:host-port."""
    ok(dokku, "ports:set", APP, "http:80:5000")
    again = dokku.run("ports:add", APP, "http:80:5000")
    assert again.output == (" !     Error validating all port mappings: "
                            "The same scheme:host-port is being reused: http:80\n")
    twice = dokku.run("ports:set", APP, "http:81:1", "http:81:2")
    assert twice.output == (" !     Error validating port mappings: "
                            "The same scheme:host-port is being reused: http:81\n")
    assert ports_map(dokku) == "http:80:5000"


def test_ports_list_shows_only_the_stored_maps(dokku):
    """functions.go listAppPortMaps reads getPortMaps, never the detected maps."""
    refused = dokku.run("ports:list", APP)
    assert (refused.status, refused.output) == (1, " !     No port mappings configured for app\n")
    ok(dokku, "ports:set", APP, "https:443:5000", "http:80:5000")
    assert ok(dokku, "--quiet", "ports:list", APP).split("\n")[:2] == \
        ["    http   80   5000", "    https  443  5000"]


def test_ports_clear_forgets_the_detected_maps(dokku):
    """functions.go clearPorts deletes map-detected too; the report then shows the default."""
    state = dokku.state()
    state["apps"][APP]["ports_detected"] = ["http:3000:3000"]
    store.write_state(dokku.home, state)
    ok(dokku, "ports:clear", APP)
    assert ports_map(dokku, flag="--ports-map-detected") == "http:80:5000"


def test_ports_detected_default_follows_the_proxy_port(dokku):
    """functions.go getDetectedPortMaps: http:<computed proxy-port>:5000 when nothing was detected."""
    state = dokku.state()
    state["apps"][APP]["proxy"]["proxy_port"] = "8080"
    store.write_state(dokku.home, state)
    assert ports_map(dokku, flag="--ports-map-detected") == "http:8080:5000"
