"""Sudo mode: dangerous actions ask for the password again after five minutes, keeping the form."""

from __future__ import annotations

import time

from bs4 import BeautifulSoup

from docklight import db, sudo, users
from tests.conftest import ORIGIN, PASSWORD, job_id_of, wait_for_job

HX = {"HX-Request": "true", "Origin": ORIGIN}


def logged_in(app):
    client = app.test_client()
    r = client.post("/api/auth/login", data={"password": PASSWORD}, headers={"Origin": ORIGIN})
    assert r.status_code == 303
    return client


def password_given_minutes_ago(app, minutes):
    with db.connection(app.config["DATABASE"]) as conn:
        conn.execute("UPDATE sessions SET authAt = ?", (time.time() - minutes * 60,))


def test_a_fresh_login_counts_as_a_recent_password(app, emulator):
    client = logged_in(app)
    r = client.post("/apps/blog/destroy", data={"confirm": "blog"}, headers=HX)
    assert wait_for_job(app, job_id_of(r)).status == "ok"


def test_destroy_after_five_minutes_asks_again_and_keeps_the_form(app, emulator):
    client = logged_in(app)
    password_given_minutes_ago(app, 6)
    r = client.post("/apps/blog/destroy", data={"confirm": "blog"}, headers=HX)
    assert r.status_code == 401 and r.headers["HX-Retarget"] == "main"
    page = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    form = page.select_one("#sudo form")
    assert form["action"] == "/apps/blog/destroy" and form["method"] == "post"
    assert [(i["name"], i["value"]) for i in form.select("input[type=hidden]")] == \
        [("confirm", "blog")]
    assert not [c for c in emulator.calls() if c[0] == "apps:destroy"]
    # The password form re-sends the original fields with the password.
    r = client.post("/apps/blog/destroy", data={"confirm": "blog", "sudo_password": PASSWORD},
                    headers={"Origin": ORIGIN})
    assert r.status_code == 303 and r.headers["Location"].startswith("/jobs/")
    assert wait_for_job(app, r.headers["Location"].rsplit("/", 1)[1]).status == "ok"
    assert ["apps:destroy", "blog", "--force"] in emulator.calls()
    # And for the next five minutes nothing asks again.
    r = client.post("/apps/api/config/reveal", data={"key": "DATABASE_URL"}, headers=HX)
    assert r.status_code == 200 and "postgres://u:pw@db/api" in r.get_data(as_text=True)


def test_a_wrong_password_runs_nothing_and_says_so(app, emulator):
    client = logged_in(app)
    password_given_minutes_ago(app, 6)
    before = len(emulator.calls())
    r = client.post("/apps/api/config/reveal", data={"key": "DATABASE_URL",
                                                     "sudo_password": "not mine"},
                    headers={"Origin": ORIGIN})
    assert r.status_code == 401
    html = r.get_data(as_text=True)
    assert "That is not your password." in html and "postgres://u:pw@db/api" not in html
    assert 'name="key" value="DATABASE_URL"' in html
    assert emulator.calls()[before:] == []


def test_every_dangerous_action_is_covered(app, emulator):
    client = logged_in(app)
    password_given_minutes_ago(app, 6)
    for url, data in [("/apps/api/destroy", {"confirm": "api"}),
                      ("/apps/api/config/reveal", {"key": "DATABASE_URL"}),
                      ("/databases/postgres/api-db/destroy", {"confirm": "api-db"}),
                      ("/databases/postgres/api-db/reveal", {}),
                      ("/plugins/letsencrypt/uninstall", {"confirm": "letsencrypt"}),
                      ("/users/add", {"name": "zed", "role": "viewer", "password": "zed's pass"}),
                      ("/users/admin/password", {"password": "another password"})]:
        r = client.post(url, data=data, headers={"Origin": ORIGIN})
        assert r.status_code == 401, url
        assert 'name="sudo_password"' in r.get_data(as_text=True), url
    assert users.get(app.config["DATABASE"], "zed") is None
    calls = [c[0] for c in emulator.calls()]
    assert not [c for c in calls if c.endswith((":destroy", "plugin:uninstall", "config:get"))]
    # A harmless change does not ask.
    r = client.post("/apps/api/ps/restart", headers=HX)
    assert r.status_code == 202


def test_the_window_is_five_minutes():
    now = time.time()
    assert sudo.recent(now - 299, now) and not sudo.recent(now - 301, now)
