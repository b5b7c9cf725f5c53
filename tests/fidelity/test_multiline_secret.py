"""Every line of a multi-line config value stays secret, however short it is.

Dokku prints the values config:set stores (plugins/config/config.go SetMany ->
environment.go prettyPrintEnvEntries): ``KEY:  first line`` and then the
later lines of a multi-line value as raw lines of their own. A PEM key ends
in a short line (``Q7==``-like tails, a lone ``=``); the redactor ignored
literals under four characters, so those lines reached history and the job
page in clear text.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import PASSWORD, job_id_of, wait_for_job
from tests.tabs import HX

SHORT = ("Q7", "=", "x")
VALUE = "\n".join(["-----BEGIN PRIVATE KEY-----", "MIIBVQIBADANBgkqhkiG9w0BAQEF",
                   *SHORT, "-----END PRIVATE KEY-----"])
POST = {"Origin": "http://localhost", **HX}


def _stored_lines(app) -> list[str]:
    """Return every line of output history holds."""
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        rows = conn.execute("SELECT stdout, stderr FROM commands WHERE subcommand = 'config:set'"
                            ).fetchall()
    assert rows
    return [line.strip() for row in rows for text in row for line in (text or "").split("\n")]


@pytest.mark.parametrize("restart", [True, False], ids=["job", "no-restart"])
def test_short_lines_of_a_pem_key_stay_secret(make_app, emulator, restart):
    emulator.settings(step_delay_ms=0)
    app = make_app()
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD}, headers=POST)
    data = {"key-0": "TLS_KEY", "value-0": VALUE}
    if not restart:
        data["no_restart"] = "1"
    r = client.post("/apps/api/config", headers=POST, data=data)
    pages = [r.get_data(as_text=True)]
    if restart:
        job = wait_for_job(app, job_id_of(r))
        assert job.status == "ok"
        output = app.extensions["docklight"].jobs.output(job)
        assert output and not set(SHORT) & {line.strip() for line in output}
        pages.append(client.get(f"/jobs/{job.id}").get_data(as_text=True))
    assert emulator.state()["apps"]["api"]["config"]["TLS_KEY"] == VALUE
    lines = _stored_lines(app)
    assert "***" in lines or any(line.endswith("***") for line in lines)
    assert not set(SHORT) & set(lines), lines
    assert not any("MIIBVQ" in line or "PRIVATE KEY" in line for line in lines)
    for page in pages:
        text = [line.strip() for line in page.split("\n")]
        assert not any(line in SHORT for line in text)
        assert "MIIBVQ" not in page
