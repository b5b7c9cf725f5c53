"""Dokku's certs unit tests (tests/unit/certs.bats) ported to the emulator.

The emulator has no certs:add/remove/show (Docklight only reads certs:report);
the report tests that start with `certs:add` of the bats fixtures set the
equivalent tls record in the state instead (see docklight.emulator.tls).
Left out: certs:add/remove/show and the certs-set/certs-remove trigger tests,
and get_ssl_hostnames (a bash function, not a command).
"""

import json

import pytest

from docklight.emulator import state as store

APP = "dokku-test-app"
T0 = 1714566896


@pytest.fixture
def dokku(dokku):
    """A host with one created app, as bats' create_app leaves it."""
    return dokku.create_app(APP)


def with_cert(dokku, **cert):
    """Put a certificate in the app's tls directory, as `certs:add` would."""
    st = dokku.state()
    st["apps"][APP]["tls"] = dict({"issuer": "CN = dokku.me", "starts_at": T0, "expires_at": T0 + 86400,
                                   "verified": False}, **cert)
    store.write_state(dokku.home, st)


def test_certs_help(dokku):
    """tests/unit/certs.bats: "(certs) certs:help"."""
    bare = dokku.run("certs")
    assert "Manage SSL (TLS) certs" in bare.output
    assert dokku.run("certs:help").output == bare.output


def test_certs_report_info_flag_works_before_deploy(dokku):
    """tests/unit/certs.bats: "(certs:report) info-flag works before deploy"."""
    assert dokku.run("certs:report", APP, "--ssl-hostnames").status == 0
    result = dokku.run("certs:report", APP, "--ssl-dir")
    assert result.status == 0 and f"/{APP}/tls" in result.output
    result = dokku.run("certs:report", APP, "--ssl-invalid-flag")
    assert result.status != 0 and "Invalid flag passed" in result.output


def test_certs_report_global_format_json(dokku):
    """tests/unit/certs.bats: "(certs:report) --global --format json"."""
    result = dokku.run("certs:report", "--global", "--format", "json")
    assert result.status == 0 and json.loads(result.output) == {}
    result = dokku.run("certs:report", "--global")
    assert result.status == 0 and "global ssl information" in result.output
    result = dokku.run("certs:report", "--global", "--ssl-bogus")
    assert result.status != 0 and "Invalid flag passed" in result.output


def test_certs_report_hostnames_and_subject_for_a_cn_only_certificate(dokku):
    """tests/unit/certs.bats: "(certs:report) reports hostnames and subject for a CN-only certificate"."""
    with_cert(dokku, subject="CN=dokku.me", hostnames=["dokku.me"])
    assert dokku.run("certs:report", APP, "--ssl-hostnames").output == "dokku.me\n"
    assert dokku.run("certs:report", APP, "--ssl-subject").output == "CN=dokku.me\n"


def test_certs_report_preserves_multi_field_subject_order(dokku):
    """tests/unit/certs.bats: "(certs:report) preserves multi-field subject order"."""
    subject = "C=US; ST=California; L=San Francisco; O=Expa; OU=Operations; CN=node-js-app.dokku.me"
    with_cert(dokku, subject=subject, hostnames=["node-js-app.dokku.me"])
    assert dokku.run("certs:report", APP, "--ssl-subject").output == subject + "\n"
    assert dokku.run("certs:report", APP, "--ssl-hostnames").output == "node-js-app.dokku.me\n"


def test_certs_report_the_cn_and_all_sans_as_hostnames(dokku):
    """tests/unit/certs.bats: "(certs:report) reports the CN and all SANs as hostnames"."""
    with_cert(dokku, subject="CN=test.dokku.me",
              hostnames=["test.dokku.me", "www.test.dokku.me", "www.test.app.dokku.me"])
    assert dokku.run("certs:report", APP, "--ssl-hostnames").output == (
        "test.dokku.me www.test.app.dokku.me www.test.dokku.me\n")


# ---------------------------------------------------------------------- from the source


def test_certs_report_keys_and_empty_values_without_a_cert(dokku):
    """plugins/certs/report.go ReportSingleApp: eight keys, all but dir/enabled empty without a cert."""
    report = json.loads(dokku.run("certs:report", APP, "--format", "json").output)
    assert report == {"dir": f"/home/dokku/{APP}/tls", "enabled": "false", "expires-at": "",
                      "hostnames": "", "issuer": "", "starts-at": "", "subject": "", "verified": ""}


def test_certs_report_self_signed_dates(dokku):
    """plugins/certs/report.go reportSSLVerified/ExpiresAt: `self signed`, openssl's date form."""
    with_cert(dokku, subject="CN=dokku.me", hostnames=["dokku.me"])
    report = json.loads(dokku.run("certs:report", APP, "--format", "json").output)
    assert report["verified"] == "self signed" and report["enabled"] == "true"
    assert report["starts-at"] == "May  1 12:34:56 2024 GMT"
    assert report["expires-at"] == "May  2 12:34:56 2024 GMT"
