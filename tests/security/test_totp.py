"""Two-step login: enrolment with a QR code, codes at login, recovery codes, per-role policy."""

from __future__ import annotations

import re
import time

from docklight import login_policy, totp, users
from tests.conftest import ORIGIN, PASSWORD

H = {"Origin": ORIGIN}


def password_login(client, name="", password=PASSWORD):
    return client.post("/api/auth/login", data={"username": name, "password": password},
                       headers=H)


def enrol(app, client, name="admin"):
    """Enrol the logged-in client; return (secret, recovery codes)."""
    page = client.post("/account/totp/start", headers=H).get_data(as_text=True)
    assert "<svg" in page  # the QR code, drawn on the server
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)[1]
    assert users.totp_state(app.config["DATABASE"], name)["pending"] == secret
    r = client.post("/account/totp/confirm", data={"code": totp.code_at(secret, time.time())},
                    headers=H)
    assert r.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", r.get_data(as_text=True))
    assert len(codes) == totp.RECOVERY_CODES
    return secret, codes


def test_enrolment_then_login_needs_the_code(app):
    client = app.test_client()
    password_login(client)
    secret, _codes = enrol(app, client)
    fresh = app.test_client()
    r = password_login(fresh)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login/code")
    # Password alone is not a login: pages send the browser back to the code form.
    r = fresh.get("/apps")
    assert r.status_code == 303 and r.headers["Location"] == "/login/code"
    assert fresh.post("/api/auth/code", data={"code": "000000"}, headers=H).status_code == 401
    # Step 0 of the clock was used by the enrolment; the next step's code is good.
    code = totp.code_at(secret, time.time() + totp.STEP_SECONDS)
    r = fresh.post("/api/auth/code", data={"code": code, "next": "/databases"}, headers=H)
    assert r.status_code == 303 and r.headers["Location"] == "/databases"
    assert fresh.get("/apps").status_code == 200
    # The same code cannot log in a second browser (no replay).
    other = app.test_client()
    password_login(other)
    assert other.post("/api/auth/code", data={"code": code}, headers=H).status_code == 401


def test_a_wrong_enrolment_code_keeps_the_qr_and_says_why(app):
    client = app.test_client()
    password_login(client)
    client.post("/account/totp/start", headers=H)
    r = client.post("/account/totp/confirm", data={"code": "123456"}, headers=H)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "That code does not match." in html and "<svg" in html
    assert users.totp_state(app.config["DATABASE"], "admin")["secret"] is None


def test_a_recovery_code_logs_in_once(app):
    client = app.test_client()
    password_login(client)
    _secret, codes = enrol(app, client)
    first = app.test_client()
    password_login(first)
    assert first.post("/api/auth/code", data={"code": codes[0].upper()},
                      headers=H).status_code == 303
    second = app.test_client()
    password_login(second)
    assert second.post("/api/auth/code", data={"code": codes[0]}, headers=H).status_code == 401
    assert len(users.totp_state(app.config["DATABASE"], "admin")["recovery"]) == \
        totp.RECOVERY_CODES - 1


def test_a_role_that_requires_it_must_enrol_before_anything_else(app, emulator):
    path = app.config["DATABASE"]
    users.add(path, "otto", "otto's password", "operator")
    login_policy.set_totp_roles(path, ["operator"])
    otto = app.test_client()
    assert password_login(otto, "otto", "otto's password").status_code == 303
    r = otto.get("/apps")
    assert r.status_code == 303 and r.headers["Location"] == "/account?enrol=1#totp"
    before = len(emulator.calls())
    assert otto.post("/apps/api/ps/restart", headers=H).status_code == 303
    assert emulator.calls()[before:] == []
    page = otto.get("/account?enrol=1").get_data(as_text=True)
    assert "Your role requires two-step login." in page
    enrol(app, otto, "otto")
    assert otto.get("/apps").status_code == 200
    # And they cannot turn it off again while the policy holds.
    r = otto.post("/account/totp/disable", headers=H)
    assert r.status_code == 422 and "Your role requires two-step login." in r.get_data(as_text=True)


def test_the_admin_sets_the_policy_and_resets_a_lost_phone(app):
    path = app.config["DATABASE"]
    users.add(path, "otto", "otto's password", "operator")
    otto = app.test_client()
    password_login(otto, "otto", "otto's password")
    enrol(app, otto, "otto")
    admin = app.test_client()
    password_login(admin)
    r = admin.post("/users/policy", data={"totp_role": ["operator", "nonsense"]}, headers=H)
    assert r.status_code == 303
    assert login_policy.totp_roles(path) == {"operator"}
    assert admin.post("/users/otto/totp/reset", headers=H).status_code == 303
    assert users.totp_state(path, "otto")["secret"] is None
    # Requiring it of admins applies to the admin who set it, at the next request.
    admin.post("/users/policy", data={"totp_role": ["admin"]}, headers=H)
    assert admin.get("/users").headers["Location"] == "/account?enrol=1#totp"
