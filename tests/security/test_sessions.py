"""Server-side sessions: logout, timeouts, rotation, "log out everywhere", across workers."""

from __future__ import annotations

import http.client
import json
import time
import urllib.parse

import pytest

from docklight import db, session_store
from tests.conftest import ORIGIN, PASSWORD, app_config
from tests.live import LiveServer

COOKIE = "docklight_session"


def login(client, name="", password=PASSWORD, headers=None, **kw):
    return client.post("/api/auth/login", data={"username": name, "password": password},
                       headers={"Origin": ORIGIN, **(headers or {})}, **kw)


def rows(app):
    with db.connection(app.config["DATABASE"]) as conn:
        return conn.execute("SELECT * FROM sessions").fetchall()


def test_a_logged_out_cookie_no_longer_works(app):
    client = app.test_client()
    login(client)
    cookie = client.get_cookie(COOKIE).value
    assert client.get("/apps").status_code == 200
    client.post("/api/auth/logout", headers={"Origin": ORIGIN})
    assert rows(app) == []
    # The very cookie the browser had, replayed after logout, is refused.
    replay = app.test_client()
    replay.set_cookie(COOKIE, cookie)
    r = replay.get("/apps")
    assert r.status_code == 303 and r.headers["Location"].startswith("/login")


def test_session_row_records_who_where_and_which_browser(app):
    client = app.test_client()
    login(client, environ_base={"REMOTE_ADDR": "10.2.3.4"},
          headers={"Origin": ORIGIN, "User-Agent": "TestBrowser/1.0"})
    (row,) = rows(app)
    assert row["user"] == "admin" and row["ip"] == "10.2.3.4"
    assert row["userAgent"] == "TestBrowser/1.0"
    # Only a hash of the id is stored: the cookie's id is not in the table.
    sid = client.get_cookie(COOKIE)
    assert sid is not None
    with client.session_transaction() as s:
        assert row["idHash"] != s["sid"] and row["idHash"] == session_store.id_hash(s["sid"])


@pytest.mark.parametrize("column,age", [("lastSeenAt", 31 * 60), ("createdAt", 13 * 3600)])
def test_idle_timeout_and_absolute_lifetime_end_a_session(app, column, age):
    client = app.test_client()
    login(client)
    with db.connection(app.config["DATABASE"]) as conn:
        conn.execute(f"UPDATE sessions SET {column} = ?", (time.time() - age,))
    r = client.get("/apps")
    assert r.status_code == 303
    assert r.headers["Location"] == "/login?next=/apps&ended=1"
    assert rows(app) == []
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Your session has ended." in page
    assert 'name="next" value="/apps"' in page


def test_login_rotates_the_session_id(app):
    client = app.test_client()
    with client.session_transaction() as s:
        s["sid"] = "planted-by-someone-else"
    login(client)
    with client.session_transaction() as s:
        first = s["sid"]
    assert first != "planted-by-someone-else"
    login(client)
    with client.session_transaction() as s:
        second = s["sid"]
    assert second != first
    # The id used before the second login is gone, not merely unused.
    assert [r["idHash"] for r in rows(app)] == [session_store.id_hash(second)]


def test_sessions_page_lists_browsers_and_logs_out_everywhere(app):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, headers={"Origin": ORIGIN, "User-Agent": "Laptop/1"})
    login(phone, headers={"Origin": ORIGIN, "User-Agent": "Phone/2"})
    page = laptop.get("/account").get_data(as_text=True)
    assert "Laptop/1" in page and "Phone/2" in page and "this browser" in page
    r = laptop.post("/account/sessions/end-all", headers={"Origin": ORIGIN})
    assert r.headers["Location"] == "/login?out=1"
    assert phone.get("/apps").status_code == 303
    assert laptop.get("/apps").status_code == 303


def test_ending_one_other_session_keeps_this_one(app):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    with phone.session_transaction() as s:
        phone_hash = session_store.id_hash(s["sid"])
    laptop.post("/account/sessions/end", data={"session": phone_hash}, headers={"Origin": ORIGIN})
    assert phone.get("/apps").status_code == 303
    assert laptop.get("/apps").status_code == 200


def test_changing_the_password_on_the_account_page_ends_other_sessions(app):
    here, elsewhere = app.test_client(), app.test_client()
    login(here)
    login(elsewhere)
    r = here.post("/account/password", headers={"Origin": ORIGIN}, data={
        "current_password": PASSWORD, "new_password": "a brand new one",
        "confirm_password": "a brand new one"})
    assert r.status_code == 200 and "Every other session has ended." in r.get_data(as_text=True)
    assert elsewhere.get("/apps").status_code == 303
    assert here.get("/apps").status_code == 200
    assert login(app.test_client(), password="a brand new one").status_code == 303


def test_a_wrong_current_password_changes_nothing(app):
    client = app.test_client()
    login(client)
    r = client.post("/account/password", headers={"Origin": ORIGIN}, data={
        "current_password": "not it", "new_password": "a brand new one",
        "confirm_password": "a brand new one"})
    assert r.status_code == 422 and "That is not your password." in r.get_data(as_text=True)
    assert login(app.test_client()).status_code == 303


def test_logout_then_login_keeps_next(app):
    client = app.test_client()
    r = client.get("/databases")
    login_url = r.headers["Location"]
    assert login_url == "/login?next=/databases"
    page = client.get(login_url).get_data(as_text=True)
    assert 'name="next" value="/databases"' in page
    r = client.post("/api/auth/login", headers={"Origin": ORIGIN},
                    data={"password": PASSWORD, "next": "/databases"})
    assert r.headers["Location"] == "/databases"


# --- two gunicorn workers ---------------------------------------------------------

@pytest.fixture(scope="module")
def two_workers(sshd, tmp_path_factory):
    env = {k: str(v) for k, v in app_config(sshd, str(tmp_path_factory.mktemp("two"))).items()
           if k != "TESTING"}
    env["WEB_CONCURRENCY"] = "2"
    env["DOCKLIGHT_LOG_LEVEL"] = "info"
    server = LiveServer(env)
    yield server
    server.stop()


def _request(server, method, path, cookie=None, body=None):
    """One request on a new connection (so the kernel may hand it to either worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Origin": server.url}
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(body)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _workers_that_answered(server, path, status):
    pids = set()
    for line in server.log().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == "request" and entry.get("path") == path \
                and entry.get("status") == status:
            pids.add(entry["worker"])
    return pids


def _until_both_workers(server, path, cookie, status):
    """Ask until two different workers have answered path with status; every answer must be it."""
    for _ in range(200):
        assert _request(server, "GET", path, cookie).status == status
        if len(_workers_that_answered(server, path, status)) >= 2:
            return
    raise AssertionError("only one worker ever answered")


def test_logout_in_one_worker_ends_the_session_in_every_worker(two_workers, emulator):
    r = _request(two_workers, "POST", "/api/auth/login", body={"password": PASSWORD})
    assert r.status == 303
    cookie = r.getheader("Set-Cookie").split(";")[0].split("=", 1)[1]
    # Both workers accept the session ...
    _until_both_workers(two_workers, "/history", cookie, 200)
    assert _request(two_workers, "POST", "/api/auth/logout", cookie).status == 303
    # ... and after one of them handled the logout, neither does.
    _until_both_workers(two_workers, "/jobs", cookie, 303)
