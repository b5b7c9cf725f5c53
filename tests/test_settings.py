"""Settings page: saved values under the environment, across workers, and the connection test.

Two app instances on one data directory stand for two gunicorn workers.
The connection test goes through the real sshd, including an unknown host
key that is trusted only after its fingerprint is confirmed.
"""

from __future__ import annotations

import os
import shutil

import pytest
from bs4 import BeautifulSoup

from docklight import saved_settings
from docklight.views import settings as settings_view
from tests.test_databases import HX, logged_in_client


@pytest.fixture
def plain_env(sshd):
    """Settings that reach the sshd through the page's own fields, not DOCKLIGHT_DOKKU_SSH_OPTS."""
    return {"DOCKLIGHT_DOKKU_SSH_OPTS": "", "DOCKLIGHT_DOKKU_SSH_ROOT_TARGET": "",
            "DOCKLIGHT_DOKKU_SSH_ROOT_KEY_PATH": "", "DOCKLIGHT_DOKKU_SSH_KEY_PATH": sshd.key_path,
            "DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS": sshd.known_hosts}


def field_sources(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    return {div.input["id"][2:]: div["data-source"] for div in soup.select("#settings-form .field")}


def test_environment_wins_and_is_shown_as_fixed(make_app, emulator):
    client = logged_in_client(make_app(DOCKLIGHT_DOKKU_SSH_ROOT_TARGET=""))
    html = client.get("/settings").get_data(as_text=True)
    sources = field_sources(html)
    assert sources["DOCKLIGHT_DOKKU_SSH_TARGET"] == "environment"
    assert sources["DOCKLIGHT_DOKKU_SSH_ROOT_TARGET"] == "default"
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#f-DOCKLIGHT_DOKKU_SSH_TARGET").has_attr("readonly")
    # A crafted post for a fixed variable is ignored, not stored.
    r = client.post("/settings", data={"DOCKLIGHT_DOKKU_SSH_TARGET": "dokku@elsewhere",
                                       "DOCKLIGHT_HISTORY_READS_DAYS": "3"})
    assert r.status_code == 303
    saved, _ = saved_settings.load(client.application.config["DATABASE"])
    assert "DOCKLIGHT_DOKKU_SSH_TARGET" not in saved
    assert saved["DOCKLIGHT_HISTORY_READS_DAYS"] == "3"
    assert client.application.config["HISTORY_READS_DAYS"] == 3.0
    # The cache TTL is fixed by this environment (DOCKLIGHT_CACHE_TTL=10).
    assert field_sources(client.get("/settings").get_data(as_text=True))[
        "DOCKLIGHT_CACHE_TTL"] == "environment"


def test_saved_root_target_reaches_the_other_worker(make_app, emulator, sshd, monkeypatch):
    monkeypatch.setattr(settings_view, "SETTINGS_CHECK_SECONDS", 0.0)
    first = make_app(DOCKLIGHT_DOKKU_SSH_ROOT_TARGET="")
    other = make_app(DOCKLIGHT_DOKKU_SSH_ROOT_TARGET="")
    admin, colleague = logged_in_client(first), logged_in_client(other)
    assert "id=\"root-help\"" in colleague.get("/plugins").get_data(as_text=True)
    r = admin.post("/settings", data={"DOCKLIGHT_DOKKU_SSH_ROOT_TARGET": sshd.root_target})
    assert r.status_code == 303, r.get_data(as_text=True)
    # The other worker reloads on its next request and now runs root commands.
    assert other.extensions["docklight"].dokku.has_root is False
    colleague.get("/plugins")
    assert other.extensions["docklight"].dokku.has_root is True
    assert field_sources(colleague.get("/settings").get_data(as_text=True))[
        "DOCKLIGHT_DOKKU_SSH_ROOT_TARGET"] == "saved"


def test_a_saved_value_survives_a_restart(make_app, emulator):
    client = logged_in_client(make_app())
    client.post("/settings", data={"DOCKLIGHT_HISTORY_READS_DAYS": "2"})
    restarted = make_app()
    assert restarted.config["SETTINGS"].history_reads_days == 2.0
    assert restarted.config["HISTORY_READS_DAYS"] == 2.0


@pytest.mark.parametrize("field, value, message", [
    ("DOCKLIGHT_HISTORY_READS_DAYS", "soon", "DOCKLIGHT_HISTORY_READS_DAYS must be a number, got 'soon'"),
    ("DOCKLIGHT_HISTORY_CHANGES_DAYS", "-1", "must be >= 0.01"),
    ("DOCKLIGHT_DOKKU_SSH_ROOT_TARGET", "root@bad host", "invalid SSH target"),
    ("DOCKLIGHT_DOKKU_BIN", "a\nb", "line breaks are not allowed"),
])
def test_bad_values_are_refused_next_to_their_field(make_app, emulator, field, value, message):
    client = logged_in_client(make_app(DOCKLIGHT_DOKKU_SSH_ROOT_TARGET=""))
    r = client.post("/settings", data={field: value})
    assert r.status_code == 422
    error = BeautifulSoup(r.get_data(as_text=True), "html.parser").select_one(f"#e-{field}")
    assert error is not None and message in error.get_text()
    assert saved_settings.load(client.application.config["DATABASE"])[0] == {}


def test_connection_test_shows_version_and_round_trip(make_app, emulator, plain_env, sshd):
    client = logged_in_client(make_app(**plain_env))
    r = client.post("/settings/test", data={}, headers=HX)
    soup = BeautifulSoup(r.get_data(as_text=True), "html.parser")
    probe = soup.select_one("#probe .probe")
    assert r.status_code == 200 and probe["data-ok"] == "true"
    assert probe.select_one(".probe-version").get_text() == "dokku version 0.38.27"
    assert int(probe.select_one(".probe-latency").get_text()) >= 0
    assert ["version"] in emulator.calls()


def test_unknown_host_key_is_trusted_only_after_confirming_its_fingerprint(
        make_app, emulator, plain_env, sshd, tmp_path):
    known_hosts = str(tmp_path / "known_hosts")
    env = dict(plain_env, DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS="")
    client = logged_in_client(make_app(**env))
    form = {"DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS": known_hosts}
    soup = BeautifulSoup(client.post("/settings/test", data=form, headers=HX).get_data(as_text=True),
                         "html.parser")
    assert "Unknown host key" in soup.get_text()
    fingerprint = soup.select_one("#probe input[name=fingerprint]")["value"]
    assert fingerprint.startswith("SHA256:")
    assert ["version"] not in emulator.calls()  # nothing reached Dokku over an unknown key

    # Without the tick, or with another fingerprint, nothing is pinned.
    unticked = client.post("/settings/trust", data={**form, "fingerprint": fingerprint}, headers=HX)
    assert unticked.status_code == 422 and not os.path.exists(known_hosts)
    wrong = client.post("/settings/trust", data={**form, "confirmed": "1",
                                                 "fingerprint": "SHA256:someone-else"}, headers=HX)
    assert wrong.status_code == 409 and "Nothing was trusted" in wrong.get_data(as_text=True)
    assert not os.path.exists(known_hosts)

    trusted = client.post("/settings/trust", data={**form, "confirmed": "1",
                                                   "fingerprint": fingerprint}, headers=HX)
    html = trusted.get_data(as_text=True)
    assert trusted.status_code == 200, html
    assert f"{fingerprint} is now pinned" in html
    assert BeautifulSoup(html, "html.parser").select_one(".probe")["data-ok"] == "true"
    assert open(known_hosts).read().startswith(f"[{sshd.host}]:{sshd.port} ssh-ed25519 ")
    assert oct(os.stat(known_hosts).st_mode & 0o777) == "0o600"


def test_a_changed_host_key_is_shown_as_a_mismatch_not_offered_for_trust(
        make_app, emulator, plain_env, sshd, tmp_path):
    known_hosts = str(tmp_path / "known_hosts")
    shutil.copy(sshd.wrong_known_hosts, known_hosts)
    client = logged_in_client(make_app(**dict(plain_env, DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS="")))
    r = client.post("/settings/test", data={"DOCKLIGHT_DOKKU_SSH_KNOWN_HOSTS": known_hosts},
                    headers=HX)
    html = r.get_data(as_text=True)
    assert "Host key mismatch" in html
    assert BeautifulSoup(html, "html.parser").select_one("#probe input[name=fingerprint]") is None
