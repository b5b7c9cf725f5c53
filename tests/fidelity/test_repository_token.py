"""A token in a git:sync URL stays with Dokku: never in history, logs, pages or exports.

plugins/git/internal-functions cmd-git-sync ends with ``plugn trigger
deploy-source-set APP git-sync "${GIT_REMOTE}#${GIT_REF}"``;
plugins/apps/triggers.go TriggerDeploySourceSet writes it as the app's
``deploy-source-metadata`` property, and plugins/apps/report.go prints it in
every ``apps:report``. So the token is not only in the one git:sync command:
it comes back on every Overview load, long after the sync.
"""

from __future__ import annotations

import glob
import sqlite3

import pytest

from tests.conftest import job_id_of, wait_for_job
from tests.tabs import HX, soup

TOKEN = "glpat-Zq8vT0k3nXy"
FORMS = {
    "token-as-user": f"https://{TOKEN}@git.example.com/team/app.git",
    "user-and-token": f"https://deploy:{TOKEN}@git.example.com/team/app.git",
    "oauth2-token": f"https://oauth2:{TOKEN}@git.example.com/team/app.git",
}
SHOWN = "https://***@git.example.com/team/app.git"


def _database_bytes(app) -> bytes:
    data = b""
    for path in glob.glob(app.config["DATABASE"] + "*"):
        with open(path, "rb") as f:
            data += f.read()
    return data


@pytest.mark.parametrize("form", sorted(FORMS))
def test_sync_token_is_not_kept_by_docklight(make_app, emulator, capsys, form):
    # The JSON log goes to stdout (docklight/jsonlog.py): capsys holds it.
    emulator.settings(step_delay_ms=0)
    app = make_app(DOCKLIGHT_LOG_LEVEL="debug")
    client = app.test_client()
    client.post("/api/auth/login", data={"password": "correct horse battery staple"},
                headers={"Origin": "http://localhost"})
    post = {"Origin": "http://localhost", **HX}
    r = client.post("/apps/api/git/sync", headers=post, data={"repository": FORMS[form]})
    job = wait_for_job(app, job_id_of(r))
    assert job.status == "ok"
    # Dokku got the token and keeps it, as it does on a real host.
    assert emulator.calls()[-1] == ["git:sync", "--build", "api", FORMS[form]]
    metadata = emulator.state()["apps"]["api"]["deploy_source_metadata"]
    assert metadata.startswith(FORMS[form] + "#")

    pages = []

    def load(url, **kw):
        response = client.get(url, **kw)
        pages.append((url, response.status_code, response.get_data()))  # streams read now
        return response

    overview = load("/apps/api/overview")
    for _ in range(3):  # several Overview loads, page and fragment, each reads apps:report
        load("/apps/api/overview", headers=HX)
        load("/apps/api/overview")
        app.extensions["docklight"].dokku.changed()  # as after any write: read again
    assert ["apps:report", "api", "--format", "json"] in emulator.calls()
    shown = soup(overview).select_one("#deploy-source-metadata").get_text()
    assert shown.startswith(SHOWN + "#")

    for url in ("/", "/apps/api/deploy", "/history", "/history?q=git", "/jobs",
                f"/jobs/{job.id}", "/history/export.csv", "/history/export.jsonl"):
        load(url)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        rows = [row for (row,) in conn.execute("SELECT id FROM commands")]
    assert len(rows) > 5
    for row in rows:
        load(f"/history/{row}")
    for url, status, body in pages:
        assert status == 200, url
        assert TOKEN.encode() not in body, url
    assert TOKEN.encode() not in _database_bytes(app)
    log = capsys.readouterr().out
    assert '"dokku command"' in log and "apps:report" in log
    assert TOKEN not in log


@pytest.mark.parametrize("text, shown", [
    (f"https://{TOKEN}@h.example/r.git#0a1b", "https://***@h.example/r.git#0a1b"),
    (f"https://user:{TOKEN}@h.example/r.git", "https://***@h.example/r.git"),
    (f"https://oauth2:{TOKEN}@h.example/r.git", "https://***@h.example/r.git"),
    (f"https://h.example/a.tgz?private_token={TOKEN}&x=1", "https://h.example/a.tgz?private_token=***&x=1"),
    (f"https://h.example/a.tgz?access_token={TOKEN}", "https://h.example/a.tgz?access_token=***"),
    (f"https://h.example/a.tgz?ref=main&token={TOKEN}", "https://h.example/a.tgz?ref=main&token=***"),
    # A DSN keeps its user name; ssh's user is no secret.
    (f"postgres://postgres:{TOKEN}@db:5432/x", "postgres://postgres:***@db:5432/x"),
    ("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git"),
    ('{"a": "http://host","b": "u@x"}', '{"a": "http://host","b": "u@x"}'),
])
def test_every_url_credential_form_is_redacted(text, shown):
    from docklight.dokku import redact

    assert redact.redact_urls(text) == shown
    assert redact.redact_text(f"Cloning api from {text}\n") == f"Cloning api from {shown}\n"
