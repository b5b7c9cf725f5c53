"""Login throttling per address and per account, with growing waits and logged lockouts."""

from __future__ import annotations

import json
import time

from docklight import db, ratelimit, users
from tests.conftest import ORIGIN, PASSWORD


def post(client, password, name="", ip="10.0.0.1"):
    return client.post("/api/auth/login", data={"username": name, "password": password},
                       headers={"Origin": ORIGIN}, environ_base={"REMOTE_ADDR": ip})


def age_failures(app, seconds):
    """Move every recorded failure seconds into the past (the wait passes)."""
    with db.connection(app.config["DATABASE"]) as conn:
        conn.execute("UPDATE login_failures SET at = at - ?", (seconds,))


def test_the_waits_grow_and_stop_at_the_cap():
    waits = [ratelimit.delay_after(n, free=5) for n in range(4, 12)]
    assert waits == [0, 30, 60, 120, 240, 480, 900, 900]


def test_a_correct_password_gets_through_once_the_wait_is_over(make_app):
    app = make_app(DOCKLIGHT_LOGIN_MAX_FAILURES="3")
    client = app.test_client()
    for _ in range(3):
        assert post(client, "wrong").status_code == 401
    r = post(client, PASSWORD)
    assert r.status_code == 429 and "Try again in 30 seconds." in r.get_data(as_text=True)
    age_failures(app, 31)
    # The old rule kept the right password out for the whole 15-minute window.
    assert post(client, PASSWORD).status_code == 303


def test_each_further_failure_doubles_the_wait(make_app):
    app = make_app(DOCKLIGHT_LOGIN_MAX_FAILURES="2")
    client = app.test_client()
    post(client, "wrong")
    post(client, "wrong")
    age_failures(app, 31)
    assert post(client, "wrong again").status_code == 401
    r = post(client, PASSWORD)
    assert r.status_code == 429 and 55 < int(r.headers["Retry-After"]) <= 60


def test_an_account_guessed_from_many_addresses_is_throttled(make_app):
    app = make_app(DOCKLIGHT_LOGIN_MAX_FAILURES="3")
    users.add(app.config["DATABASE"], "dana", "dana's password", "operator")
    client = app.test_client()
    for i in range(3):
        post(client, "guess", name="dana", ip=f"10.9.0.{i}")
    r = post(client, "dana's password", name="dana", ip="10.9.0.99")
    assert r.status_code == 429
    # Another account from a fresh address is not affected.
    assert post(client, PASSWORD, ip="10.9.0.100").status_code == 303


def test_one_address_guessing_many_names_is_throttled(make_app):
    app = make_app(DOCKLIGHT_LOGIN_MAX_FAILURES="3")
    client = app.test_client()
    for name in ("ann", "bob", "cy"):
        post(client, "guess", name=name, ip="10.7.7.7")
    assert post(client, PASSWORD, ip="10.7.7.7").status_code == 429
    assert post(client, PASSWORD, ip="10.7.7.8").status_code == 303


def test_each_lockout_is_one_structured_log_event(make_app, capsys):
    app = make_app(DOCKLIGHT_LOGIN_MAX_FAILURES="2", DOCKLIGHT_LOG_LEVEL="info")
    client = app.test_client()
    capsys.readouterr()
    post(client, "wrong", ip="10.5.5.5")
    post(client, "wrong", ip="10.5.5.5")
    post(client, PASSWORD, ip="10.5.5.5")  # refused during the wait: not a new lockout
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()
             if line.startswith("{")]
    lockouts = [e for e in lines if e.get("event") == "login_lockout"]
    assert len(lockouts) == 1
    event = lockouts[0]
    assert (event["client_ip"], event["account"], event["failures"], event["wait_s"]) == \
        ("10.5.5.5", "admin", 2, 30)
    assert event["scope"] in ("ip", "account") and event["level"] == "warning"
    assert [e["event"] for e in lines if e.get("event", "").startswith("login_")] == \
        ["login_failed", "login_failed", "login_lockout", "login_throttled"]


def test_failures_older_than_the_window_are_forgotten(tmp_path):
    path = str(tmp_path / "db.sqlite3")
    db.migrate(path)
    now = time.time()
    for i in range(5):
        ratelimit.record_failure(path, "1.2.3.4", account="admin", window=900, now=now - 1000)
    assert ratelimit.retry_after(path, "1.2.3.4", account="admin", max_failures=5,
                                 window=900, now=now) == 0
