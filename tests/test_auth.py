"""Login, sessions, rate limiting."""

from __future__ import annotations


import pytest

from tests.conftest import PASSWORD


def test_login_page_renders_form(client):
    r = client.get("/login")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'action="/api/auth/login"' in html and 'method="post"' in html
    assert 'name="password"' in html


def test_pages_redirect_to_login_with_next(client):
    r = client.get("/apps?sort=status")
    assert r.status_code == 303
    assert r.headers["Location"] == "/login?next=/apps?sort%3Dstatus"


def test_wrong_password_shows_form_again(client, auth):
    r = auth.login("nope")
    assert r.status_code == 401
    assert "Wrong name or password." in r.get_data(as_text=True)
    assert "docklight_session=" not in r.headers.get("Set-Cookie", "")
    assert client.get("/apps").status_code == 303


def test_login_sets_strict_cookie_and_redirects_to_next(client, auth):
    r = auth.login(next_url="/apps?sort=status")
    assert r.status_code == 303 and r.headers["Location"] == "/apps?sort=status"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http, no trusted proxy


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x",
                                      "/\\evil.example", "javascript:alert(1)"])
def test_login_refuses_foreign_next(auth, next_url):
    r = auth.login(next_url=next_url)
    assert r.headers["Location"] == "/"


def test_htmx_login_uses_hx_redirect(client):
    r = client.post("/api/auth/login", data={"password": PASSWORD},
                    headers={"HX-Request": "true"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/"


def test_logout_ends_session(client, auth):
    auth.login()
    assert auth.logout().headers["Location"] == "/login?out=1"
    assert client.get("/apps").status_code == 303
    assert "You are logged out." in client.get("/login?out=1").get_data(as_text=True)


def test_expired_htmx_request_gets_hx_redirect(client, auth):
    r = client.get("/apps", headers={"HX-Request": "true",
                                     "HX-Current-URL": "http://localhost/apps?sort=name"})
    assert r.status_code == 204
    assert r.headers["HX-Redirect"] == "/login?next=/apps?sort%3Dname"


def test_changing_the_password_ends_sessions(make_app):
    app = make_app()
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD},
                headers={"Origin": "http://localhost"})
    cookie = client.get_cookie("docklight_session").value
    c3 = make_app().test_client()
    c3.set_cookie("docklight_session", cookie)
    assert c3.get("/login").status_code == 303  # same password: still logged in
    other = make_app(DOCKLIGHT_PASSWORD="a new password")
    c2 = other.test_client()
    c2.set_cookie("docklight_session", cookie)
    assert c2.get("/apps").status_code == 303
    r = c2.post("/api/auth/login", data={"password": "a new password"},
                headers={"Origin": "http://localhost"})
    assert r.status_code == 303


def test_changing_the_secret_ends_sessions(make_app):
    app = make_app(DOCKLIGHT_SECRET="s" * 32)
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD},
                headers={"Origin": "http://localhost"})
    cookie = client.get_cookie("docklight_session").value
    other = make_app(DOCKLIGHT_SECRET="t" * 32).test_client()
    other.set_cookie("docklight_session", cookie)
    assert other.get("/apps").status_code == 303


def test_rate_limit_holds_across_app_instances(make_app):
    first = make_app(DOCKLIGHT_LOGIN_MAX_FAILURES="3").test_client()
    for _ in range(3):
        r = first.post("/api/auth/login", data={"password": "x"},
                       headers={"Origin": "http://localhost"})
        assert r.status_code == 401
    # A second worker (another app on the same database) sees the same count.
    second = make_app(DOCKLIGHT_LOGIN_MAX_FAILURES="3").test_client()
    r = second.post("/api/auth/login", data={"password": PASSWORD},
                    headers={"Origin": "http://localhost"})
    assert r.status_code == 429
    assert "Too many failed attempts. Try again in 30 seconds." in r.get_data(as_text=True)
    assert 25 < int(r.headers["Retry-After"]) <= 30
