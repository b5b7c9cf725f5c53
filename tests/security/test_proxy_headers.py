"""X-Forwarded-* only from configured proxies; Host only from the allowlist (issue 12.9)."""

from __future__ import annotations

import pytest

from docklight import db
from docklight.config import ConfigError, load
from docklight.forwarded import parse_allowed_hosts, parse_trusted_proxies
from tests.conftest import ORIGIN, PASSWORD


def _failed_ips(app) -> list[str]:
    with db.connection(app.config["DATABASE"]) as conn:
        return [r[0] for r in conn.execute("SELECT ip FROM login_failures ORDER BY at")]


def _wrong_login(client, peer, **headers):
    return client.post("/api/auth/login", data={"password": "wrong"},
                       headers={"Origin": ORIGIN, **headers},
                       environ_base={"REMOTE_ADDR": peer})


def test_a_hop_count_is_not_believed_from_a_public_peer(make_app):
    # "1" is what Dokku's nginx needs; it must not let any client name its address.
    app = make_app(DOCKLIGHT_TRUSTED_PROXIES="1")
    client = app.test_client()
    for i in range(5):
        assert _wrong_login(client, "203.0.113.9", **{
            "X-Forwarded-For": f"198.51.100.{i}"}).status_code == 401
    assert _failed_ips(app) == ["203.0.113.9"] * 5
    r = _wrong_login(client, "203.0.113.9", **{"X-Forwarded-For": "198.51.100.77"})
    assert r.status_code == 429
    # From the docker bridge (where Dokku's nginx connects from) one hop is believed.
    # (Another account: admin's own failures now throttle admin from any address.)
    client.post("/api/auth/login", data={"username": "someone", "password": "wrong"},
                headers={"Origin": ORIGIN, "X-Forwarded-For": "192.0.2.5"},
                environ_base={"REMOTE_ADDR": "172.17.0.1"})
    assert _failed_ips(app)[-1] == "192.0.2.5"


def test_cidr_proxies_walk_the_chain_to_the_first_untrusted_address(make_app):
    app = make_app(DOCKLIGHT_TRUSTED_PROXIES="10.0.0.0/8, 192.168.1.1")
    client = app.test_client()
    # client -> 10.2.2.2 (an inner proxy) -> 10.1.1.1 (our peer)
    _wrong_login(client, "10.1.1.1", **{"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.2.2.2"})
    assert _failed_ips(app)[-1] == "198.51.100.7"
    # A peer outside the list: its headers are ignored, whatever they claim.
    _wrong_login(client, "203.0.113.50", **{"X-Forwarded-For": "198.51.100.8"})
    assert _failed_ips(app)[-1] == "203.0.113.50"


def test_forwarded_proto_counts_only_from_a_trusted_proxy(make_app):
    app = make_app(DOCKLIGHT_TRUSTED_PROXIES="192.168.1.1")
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7",
               "Origin": "https://localhost"}
    r = client.post("/api/auth/login", data={"password": PASSWORD}, headers=headers,
                    environ_base={"REMOTE_ADDR": "192.168.1.1"})
    assert r.status_code == 303 and "Secure" in r.headers["Set-Cookie"]
    r = app.test_client().post("/api/auth/login", data={"password": PASSWORD},
                               headers=headers, environ_base={"REMOTE_ADDR": "192.168.1.2"})
    assert r.status_code == 403  # the https claim was ignored, so the Origin is foreign


def test_a_host_outside_the_allowlist_gets_a_400_page(make_app):
    app = make_app(DOCKLIGHT_ALLOWED_HOSTS="docklight.example.com, .corp.example",
                   DOCKLIGHT_TRUSTED_PROXIES="1")
    client = app.test_client()
    r = client.get("/login", headers={"Host": "evil.example"})
    assert r.status_code == 400
    assert "DOCKLIGHT_ALLOWED_HOSTS" in r.get_data(as_text=True)
    assert "evil.example" in r.get_data(as_text=True)
    for host in ("docklight.example.com", "docklight.example.com:8443", "corp.example",
                 "a.corp.example", "localhost", "127.0.0.1:3001", "[::1]:3001"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host
    # A trusted proxy's X-Forwarded-Host is checked the same way.
    r = client.get("/login", headers={"X-Forwarded-Host": "evil.example",
                                      "X-Forwarded-For": "192.0.2.1"},
                   environ_base={"REMOTE_ADDR": "172.17.0.1"})
    assert r.status_code == 400
    # Dokku's checks call the container by its address.
    assert client.get("/healthz", headers={"Host": "172.17.0.5:5000"}).status_code == 200


def test_by_default_only_loopback_names_are_answered(client):
    assert client.get("/login", headers={"Host": "attacker.example"}).status_code == 400
    r = client.post("/api/auth/login", data={"password": PASSWORD},
                    headers={"Host": "attacker.example", "Origin": "http://attacker.example"})
    assert r.status_code == 400 and "Location" not in r.headers


@pytest.mark.parametrize("value, message", [
    ("-1", "DOCKLIGHT_TRUSTED_PROXIES must be from 0 to 10, got -1"),
    ("10.0.0.0/33", "DOCKLIGHT_TRUSTED_PROXIES '10.0.0.0/33' is neither a number of hops"),
    ("nginx", "DOCKLIGHT_TRUSTED_PROXIES 'nginx' is neither a number of hops"),
])
def test_bad_proxy_settings_stop_start_up_with_one_line(data_dir, value, message):
    with pytest.raises(ConfigError, match="^" + message):
        load({"DOCKLIGHT_DATA_DIR": data_dir, "DOCKLIGHT_DEMO": "1",
              "DOCKLIGHT_TRUSTED_PROXIES": value})
    with pytest.raises(ConfigError, match="DOCKLIGHT_ALLOWED_HOSTS 'https://x/' is not a host"):
        load({"DOCKLIGHT_DATA_DIR": data_dir, "DOCKLIGHT_DEMO": "1",
              "DOCKLIGHT_ALLOWED_HOSTS": "https://x/"})


def test_settings_parse_as_documented():
    assert not parse_trusted_proxies("") and not parse_trusted_proxies("0")
    one = parse_trusted_proxies("1")
    assert one.hops == 1 and one.trusts("172.17.0.1") and one.trusts("127.0.0.1")
    assert not one.trusts("203.0.113.1")
    listed = parse_trusted_proxies("172.17.0.1 2001:db8::/32")
    assert listed.trusts("172.17.0.1") and listed.trusts("2001:db8::5")
    assert listed.trusts("::ffff:172.17.0.1") and not listed.trusts("172.17.0.2")
    hosts = parse_allowed_hosts("A.example.com,.b.example")
    assert hosts.allows("a.example.com:80") and hosts.allows("x.b.example")
    assert not hosts.allows("xb.example") and not hosts.allows("")
    assert parse_allowed_hosts("*").allows("anything.example")
