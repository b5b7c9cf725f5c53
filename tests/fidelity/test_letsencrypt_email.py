"""The Let's Encrypt e-mail is checked the way dokku-letsencrypt uses it, and enable needs one (issue 11 item 9).

dokku-letsencrypt 0.25.1 internal-functions: fn-letsencrypt-check-email only
asks fn-letsencrypt-computed-email (the app's e-mail, else the global one)
for a non-empty value and stops the enable with "Cannot request a
certificate without an e-mail address!"; the address then becomes one word
of the lego command line (fn-letsencrypt-config-string, read back with
``read -r -a``) and a directory name (fn-letsencrypt-shared-account-exists).
"""

from __future__ import annotations

import pytest

from tests.conftest import job_id_of, wait_for_job
from tests.tabs import HX, error_next_to


def sent(emulator, subcommand: str) -> list[list[str]]:
    """Return every argv of subcommand Dokku received."""
    return [c for c in emulator.calls() if c[0] == subcommand]


@pytest.mark.parametrize("address", [
    "ops@example..com",   # an empty domain label
    ".ops@example.com",   # a local part starting with a dot
    "ops@-example.com",   # a label starting with '-'
])
def test_an_email_lego_cannot_register_is_refused_with_the_plugins_rule(client, auth, emulator,
                                                                       address):
    auth.login()
    r = client.post("/apps/api/ssl/email", data={"email": address}, headers=HX)
    assert r.status_code == 422
    message = error_next_to(r, "email")
    assert "fn-letsencrypt-check-email" in message and "fn-letsencrypt-config-string" in message
    assert sent(emulator, "letsencrypt:set") == []


def test_an_email_on_an_internationalised_domain_is_stored(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/ssl/email", data={"email": "ops@example.xn--p1ai"}, headers=HX)
    assert r.status_code == 200
    assert sent(emulator, "letsencrypt:set") == [["letsencrypt:set", "api", "email",
                                                  "ops@example.xn--p1ai"]]
    assert emulator.state()["apps"]["api"]["letsencrypt"]["email"] == "ops@example.xn--p1ai"


def test_enable_without_any_email_quotes_the_rule_and_a_global_email_set_meanwhile_counts(
        app, client, auth, emulator, sshd):
    auth.login()
    client.get("/apps/api/ssl", headers=HX)  # the report, read with no e-mail anywhere
    r = client.post("/apps/api/ssl/enable", headers=HX)
    assert r.status_code == 422
    message = error_next_to(r, "email")
    assert "fn-letsencrypt-check-email" in message and "global" in message
    assert sent(emulator, "letsencrypt:enable") == []
    # An operator sets the global e-mail on the server; the next click goes through.
    assert sshd.run("letsencrypt:set --global email ops@example.com").returncode == 0
    r = client.post("/apps/api/ssl/enable", headers=HX)
    assert r.status_code == 202
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert sent(emulator, "letsencrypt:enable") == [["letsencrypt:enable", "api"]]
    assert emulator.state()["apps"]["api"]["letsencrypt"]["enabled"] is True
