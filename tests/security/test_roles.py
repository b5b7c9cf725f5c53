"""Roles are enforced on the server, in one place, for every route; users are managed by admins."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from docklight import access, users
from tests.conftest import ORIGIN, PASSWORD, REPO_ROOT, app_config

PASSWORDS = {"vera": "vera's password", "otto": "otto's password"}


def _sample_url(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "api" if "app" in m[1] else "x", rule.rule)


@pytest.fixture
def team(app):
    """The admin plus a viewer (vera) and an operator (otto)."""
    path = app.config["DATABASE"]
    users.add(path, "vera", PASSWORDS["vera"], "viewer")
    users.add(path, "otto", PASSWORDS["otto"], "operator")
    return app


def logged_in(app, name):
    client = app.test_client()
    password = PASSWORD if name == "admin" else PASSWORDS[name]
    r = client.post("/api/auth/login", data={"username": name, "password": password},
                    headers={"Origin": ORIGIN})
    assert r.status_code == 303, r.get_data(as_text=True)
    return client


def post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.endpoint.startswith(("auth.", "account.")):
            yield rule


def test_a_viewer_is_refused_every_post_and_dokku_hears_nothing(team, emulator):
    viewer = logged_in(team, "vera")
    before = len(emulator.calls())
    checked = 0
    for rule in post_routes(team):
        r = viewer.post(_sample_url(rule), data={"confirm": "api", "key": "X", "value": "1"},
                        headers={"Origin": ORIGIN})
        assert r.status_code == 403, f"POST {rule.rule} answered {r.status_code}"
        assert "Your role (viewer) cannot do this" in r.get_data(as_text=True)
        checked += 1
    assert checked > 30
    assert emulator.calls()[before:] == []


def test_a_viewer_reads_pages_but_not_secrets(team, emulator):
    viewer = logged_in(team, "vera")
    assert viewer.get("/apps").status_code == 200
    assert viewer.get("/apps/api", follow_redirects=True).status_code == 200
    assert viewer.post("/apps/api/config/reveal", data={"key": "DATABASE_URL"},
                       headers={"Origin": ORIGIN}).status_code == 403
    assert "postgres://u:pw@db/api" not in viewer.get("/apps/api/config").get_data(as_text=True)
    # Their own login stays theirs to manage.
    assert viewer.get("/account").status_code == 200


def test_an_operator_operates_apps_but_not_plugins_or_users(team, emulator):
    operator = logged_in(team, "otto")
    r = operator.post("/apps/api/ps/restart", headers={"Origin": ORIGIN})
    assert r.status_code in (200, 202, 303)
    for url in ("/plugins/install", "/plugins/letsencrypt/uninstall", "/users/add"):
        assert operator.post(url, data={"name": "x"}, headers={"Origin": ORIGIN}).status_code \
            == 403, url
    assert operator.get("/users").status_code == 403
    assert operator.get("/plugins").status_code == 200  # reading is fine
    assert not [c for c in emulator.calls() if c and c[0].startswith("plugin:")
                and c[0] not in ("plugin:list", "plugin:installed")]


def test_admin_only_areas_and_the_decorator_share_one_table(team):
    for endpoint in ("users.index", "users.add", "host.index", "maintenance.index"):
        view = team.view_functions.get(endpoint)
        if view is None:
            continue
        assert access.required_role(endpoint, "GET", view) == "admin", endpoint
    assert access.required_role("apps.index", "GET") == "viewer"
    assert access.required_role("apps.create_POST", "POST") == "operator"
    assert access.required_role("plugins.install_POST", "POST") == "admin"
    assert access.required_role("account.index", "POST") == "viewer"

    @access.require_role("admin")
    def settings_view():
        return "ok"

    assert access.required_role("apps.something", "GET", settings_view) == "admin"


def test_the_ui_hides_admin_links_from_others(team):
    admin_page = logged_in(team, "admin").get("/apps").get_data(as_text=True)
    viewer_page = logged_in(team, "vera").get("/apps").get_data(as_text=True)
    assert 'href="/users"' in admin_page and 'href="/users"' not in viewer_page
    assert 'class="role-viewer"' in viewer_page or "role-viewer" in viewer_page
    assert "vera (viewer)" in viewer_page


def test_admin_adds_a_user_who_can_then_log_in(team):
    admin = logged_in(team, "admin")
    r = admin.post("/users/add", data={"name": "nina", "role": "operator",
                                       "password": "nina's password"}, headers={"Origin": ORIGIN})
    assert r.status_code == 303
    nina = team.test_client()
    r = nina.post("/api/auth/login", data={"username": "nina", "password": "nina's password"},
                  headers={"Origin": ORIGIN})
    assert r.status_code == 303
    assert "nina (operator)" in nina.get("/apps").get_data(as_text=True)


def test_a_bad_new_user_comes_back_next_to_its_field(team):
    admin = logged_in(team, "admin")
    r = admin.post("/users/add", data={"name": "Bad Name", "role": "viewer",
                                       "password": "long enough"}, headers={"Origin": ORIGIN})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="e-name"' in html and 'value="Bad Name"' in html


def test_disabling_a_user_ends_their_sessions_at_once(team):
    otto = logged_in(team, "otto")
    admin = logged_in(team, "admin")
    admin.post("/users/otto/disable", headers={"Origin": ORIGIN})
    assert otto.get("/apps").status_code == 303
    r = team.test_client().post("/api/auth/login", headers={"Origin": ORIGIN},
                                data={"username": "otto", "password": PASSWORDS["otto"]})
    assert r.status_code == 401


def test_the_last_admin_keeps_the_role(team):
    admin = logged_in(team, "admin")
    r = admin.post("/users/admin/role", data={"role": "viewer"}, headers={"Origin": ORIGIN})
    assert r.status_code == 422 and "last admin" in r.get_data(as_text=True)
    assert users.get(team.config["DATABASE"], "admin").role == "admin"


def test_a_role_change_counts_at_the_next_request(team):
    otto = logged_in(team, "otto")
    users.set_role(team.config["DATABASE"], "otto", "viewer")
    assert otto.post("/apps/api/ps/restart", headers={"Origin": ORIGIN}).status_code == 403


def test_first_run_admin_name_comes_from_the_environment(make_app):
    app = make_app(DOCKLIGHT_ADMIN_USER="root-admin")
    assert [(u.name, u.role) for u in users.list_all(app.config["DATABASE"])] == \
        [("root-admin", "admin")]
    client = app.test_client()
    r = client.post("/api/auth/login", data={"username": "root-admin", "password": PASSWORD},
                    headers={"Origin": ORIGIN})
    assert r.status_code == 303


# --- the command line -------------------------------------------------------------

def run_cli(sshd, data_dir, *args, stdin=""):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env["PATH"] = "/usr/bin:/bin"
    return subprocess.run([sys.executable, "-m", "docklight", "users", *args], cwd=REPO_ROOT,
                          env=env, input=stdin, capture_output=True, text=True, timeout=60)


def test_users_cli_add_list_set_role_disable_reset(sshd, data_dir, make_app):
    r = run_cli(sshd, data_dir, "add", "cleo", "--role", "operator", "--password-stdin",
                stdin="cleo's password\n")
    assert r.returncode == 0, r.stderr
    assert "added cleo (operator)" in r.stdout
    r = run_cli(sshd, data_dir, "list")
    assert re.search(r"^admin\s+admin\s+enabled", r.stdout, re.M)
    assert re.search(r"^cleo\s+operator\s+enabled", r.stdout, re.M)
    assert run_cli(sshd, data_dir, "set-role", "cleo", "viewer").returncode == 0
    assert run_cli(sshd, data_dir, "reset-password", "cleo", "--password-stdin",
                   stdin="cleo's new password\n").returncode == 0
    app = make_app()
    assert users.authenticate(app.config["DATABASE"], "cleo", "cleo's new password").role \
        == "viewer"
    assert run_cli(sshd, data_dir, "disable", "cleo").returncode == 0
    assert users.get(app.config["DATABASE"], "cleo").disabled
    r = run_cli(sshd, data_dir, "set-role", "admin", "viewer")
    assert r.returncode == 1 and "last admin" in r.stderr and "Traceback" not in r.stderr
