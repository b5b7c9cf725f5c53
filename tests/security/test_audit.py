"""Who did what: every history row and job records the user and the client address."""

from __future__ import annotations

import json

from docklight import db, users
from tests.conftest import ORIGIN, job_id_of, wait_for_job

HX = {"HX-Request": "true", "Origin": ORIGIN}


def login_as(app, name, password, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    r = client.post("/api/auth/login", data={"username": name, "password": password},
                    headers={"Origin": ORIGIN})
    assert r.status_code == 303
    return client


def history_rows(app, where="1"):
    with db.connection(app.config["DATABASE"]) as conn:
        return [dict(r) for r in conn.execute(
            f"SELECT subcommand, app, actorUser, actorIp FROM commands WHERE {where} ORDER BY id")]


def test_jobs_and_commands_record_the_user_and_address(make_app, emulator, capsys):
    app = make_app(DOCKLIGHT_LOG_LEVEL="info")
    users.add(app.config["DATABASE"], "otto", "otto's password", "operator")
    otto = login_as(app, "otto", "otto's password", "10.4.4.4")
    r = otto.post("/apps/api/scale", data={"count-web": "3", "count-worker": "1"}, headers=HX)
    job = wait_for_job(app, job_id_of(r))
    assert job.status == "ok" and job.actorUser == "otto" and job.actorIp == "10.4.4.4"
    assert "by <span class=\"job-actor\">otto</span>" in otto.get(f"/jobs/{job.id}").get_data(
        as_text=True)
    assert '<td class="job-actor">otto</td>' in otto.get("/jobs").get_data(as_text=True)
    scale = history_rows(app, "subcommand = 'ps:scale'")
    assert scale == [{"subcommand": "ps:scale", "app": "api", "actorUser": "otto",
                      "actorIp": "10.4.4.4"}]
    # Reads made for otto's pages carry the name too.
    otto.get("/apps/api/config")
    assert history_rows(app, "subcommand = 'config:export'")[-1]["actorUser"] == "otto"
    # The JSON log line of each command names the user.
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()
              if line.startswith("{") and '"dokku command"' in line]
    assert any(e.get("subcommand") == "ps:scale" and e.get("user") == "otto" for e in logged)


def test_reads_run_behind_the_cache_record_who_asked_for_them(make_app, emulator):
    # The dashboard, databases and plugins pages read in pooled threads behind
    # the read cache; their rows name the user whose page started the read.
    app = make_app()
    users.add(app.config["DATABASE"], "vera", "vera's password", "viewer")
    vera = login_as(app, "vera", "vera's password", "10.5.5.5")
    assert vera.get("/apps?refresh=1", headers=HX).status_code == 200
    assert vera.get("/databases?refresh=1").status_code == 200
    pooled = history_rows(app, "subcommand IN ('ps:report', 'domains:report', 'git:report',"
                               " 'version', 'plugin:list', 'apps:list')")
    assert {row["subcommand"] for row in pooled} >= {"ps:report", "domains:report",
                                                      "git:report", "plugin:list"}
    assert {(row["actorUser"], row["actorIp"]) for row in pooled} == {("vera", "10.5.5.5")}


def test_history_filters_by_user_and_shows_name_and_address(app, emulator):
    path = app.config["DATABASE"]
    users.add(path, "otto", "otto's password", "operator")
    users.add(path, "nina", "nina's password", "operator")
    otto = login_as(app, "otto", "otto's password", "10.4.4.4")
    nina = login_as(app, "nina", "nina's password", "10.5.5.5")
    wait_for_job(app, job_id_of(otto.post("/apps/api/ps/restart", headers=HX)))
    wait_for_job(app, job_id_of(nina.post("/apps/blog/ps/start", headers=HX)))
    page = otto.get("/history?user=nina").get_data(as_text=True)
    assert "ps:start blog" in page and "ps:restart api" not in page
    assert ">nina</a>" in page and "10.5.5.5" in page
    everyone = otto.get("/history").get_data(as_text=True)
    assert "ps:start blog" in everyone and "ps:restart api" in everyone


def test_an_app_page_shows_its_recent_activity_with_names(app, emulator):
    users.add(app.config["DATABASE"], "otto", "otto's password", "operator")
    otto = login_as(app, "otto", "otto's password", "10.4.4.4")
    wait_for_job(app, job_id_of(otto.post("/apps/api/ps/restart", headers=HX)))
    wait_for_job(app, job_id_of(otto.post("/apps/blog/ps/start", headers=HX)))
    page = otto.get("/apps/api/overview").get_data(as_text=True)
    assert 'hx-get="/history/recent?app=api"' in page
    recent = otto.get("/history/recent?app=api").get_data(as_text=True)
    assert "ps:restart api" in recent and "by otto from 10.4.4.4" in recent
    assert "ps:start blog" not in recent
