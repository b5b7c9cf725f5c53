"""Every route needs a session; every state change needs our own origin."""

from __future__ import annotations

import re

import pytest

from docklight.security import PUBLIC_ENDPOINTS

WEBSOCKET_HANDSHAKE = {"Upgrade": "websocket", "Connection": "Upgrade",
                       "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                       "Sec-WebSocket-Version": "13"}


def _sample_url(rule) -> str:
    """Fill a rule's variables with harmless values."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "api" if "app" in m[1] else "1", rule.rule)


def test_every_route_but_the_public_ones_requires_a_session(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _sample_url(rule)
        headers = {"Origin": "http://localhost"}
        if rule.websocket:
            headers.update(WEBSOCKET_HANDSHAKE)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method, headers=headers)
            assert r.status_code in (303, 401), f"{method} {url} answered {r.status_code}"
            if r.status_code == 303:
                assert r.headers["Location"].startswith("/login")
            checked += 1
    assert checked >= 3
    assert PUBLIC_ENDPOINTS == {"auth.login", "auth.login_POST", "auth.code", "auth.code_POST",
                                "auth.logout", "health.healthz", "static"}


def test_public_routes_answer_without_session(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/app.css").status_code == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"},
    {"Referer": "https://evil.example/page"},
    {},
])
def test_cross_site_posts_are_refused_and_run_nothing(app, emulator, headers):
    client = app.test_client()  # a plain client: sends only the headers given
    client.post("/api/auth/login", data={"password": "correct horse battery staple"},
                headers={"Origin": "http://localhost"})
    before = len(emulator.calls())
    r = client.post("/api/auth/logout", headers=headers)
    assert r.status_code == 403
    assert "Cross-site request refused" in r.get_data(as_text=True)
    assert client.get("/login").status_code == 303  # still logged in: logout did not run
    assert len(emulator.calls()) == before


def test_same_origin_signals_are_accepted(client, auth):
    auth.login()
    r = client.post("/api/auth/logout", headers={"Origin": None, "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303


def test_security_headers(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in r.headers["Vary"]


def test_pages_have_no_inline_script(client, auth):
    auth.login()
    for url in ("/login", "/", "/apps"):
        html = client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, f"inline script on {url}: {tag}"
        assert " on" + "click=" not in html


def test_secure_cookie_only_through_trusted_proxy(make_app):
    headers = {"X-Forwarded-Proto": "https", "Origin": "https://localhost"}
    untrusted = make_app().test_client()
    r = untrusted.post("/api/auth/login", data={"password": "correct horse battery staple"},
                       headers=headers)
    # Without trusted proxies the https claim is ignored: the Origin no
    # longer matches http://localhost, so even the login is refused.
    assert r.status_code == 403
    trusted = make_app(DOCKLIGHT_TRUSTED_PROXIES="1").test_client()
    r = trusted.post("/api/auth/login", data={"password": "correct horse battery staple"},
                     headers=headers)
    cookie = r.headers["Set-Cookie"]
    assert r.status_code == 303 and "Secure" in cookie
    # Over HTTPS the cookie carries the __Host- prefix: Secure, Path=/, no Domain.
    assert cookie.startswith("__Host-docklight=") and "Path=/" in cookie
    assert "Domain" not in cookie


def test_websocket_from_a_foreign_origin_is_refused(client, auth):
    auth.login()
    rules = [r for r in client.application.url_map.iter_rules() if r.websocket]
    assert rules
    for rule in rules:
        r = client.get(_sample_url(rule), headers={**WEBSOCKET_HANDSHAKE,
                                                   "Origin": "https://evil.example"})
        assert r.status_code == 403
