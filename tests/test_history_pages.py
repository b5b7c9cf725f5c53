"""The history pages: filters, keyset pages, row output, job links, exports, recent."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import urllib.parse

import pytest
from bs4 import BeautifulSoup

from docklight import db
from docklight import history_query
from tests.pages import assert_fragment, assert_page

HX = {"HX-Request": "true"}


def insert(app, *, command="dokku ps:report", subcommand=None, app_name=None,
           changes=False, status="ok", exit_code=0, created="2026-01-10T12:00:00.000Z",
           stdout="", stderr="", job_id=None, actor_ip="10.0.0.1", duration_ms=12) -> int:
    """Insert one history row with every column chosen; return its id."""
    conn = db.connect(app.config["DATABASE"])
    try:
        return conn.execute(
            "INSERT INTO commands (createdAt, command, subcommand, app, target, actorIp,"
            " changesState, status, exitCode, durationMs, stdout, stderr, jobId)"
            " VALUES (?, ?, ?, ?, 'dokku@host', ?, ?, ?, ?, ?, ?, ?, ?)",
            (created, command, subcommand or command.split()[1], app_name, actor_ip,
             int(changes), status, exit_code, duration_ms, stdout, stderr, job_id)).lastrowid
    finally:
        conn.close()


def insert_job(app, job_id, *, status="ok", history_id=None):
    """Insert a jobs row."""
    conn = db.connect(app.config["DATABASE"])
    try:
        conn.execute(
            "INSERT INTO jobs (id, app, title, command, mutates, lockKey, status, createdAt,"
            " historyId, owner, heartbeatAt) VALUES (?, 'api', 'Rebuild api',"
            " 'dokku ps:rebuild api', 1, NULL, ?, '2026-01-10T12:00:00.000Z', ?, 'w', 0)",
            (job_id, status, history_id))
    finally:
        conn.close()


def row_ids(html) -> list[int]:
    """Return the ids of the history rows in a page, in order."""
    soup = BeautifulSoup(html, "html.parser")
    return [int(tr["data-id"]) for tr in soup.select("#history-table tr.entry")]


def older_link(html) -> str | None:
    """Return the href of the "older" pager link, if any."""
    link = BeautifulSoup(html, "html.parser").select_one("#history-older")
    return link["href"] if link else None


@pytest.fixture
def dataset(app):
    """Rows crafted so that every filter keeps a different set; {label: id}."""
    rows = {
        "a": dict(command="dokku ps:restart api", app_name="api", changes=True,
                  created="2026-01-10T08:00:00.000Z"),
        "b": dict(command="dokku ps:restart api", app_name="api", changes=True,
                  status="failed", exit_code=1, created="2026-01-11T00:00:00.000Z"),
        "c": dict(command="dokku ps:report api", app_name="api",
                  created="2026-01-11T10:00:00.000Z"),
        "d": dict(command="dokku ps:restart web", app_name="web", changes=True,
                  status="timeout", exit_code=None, created="2026-01-12T01:00:00.000Z"),
        "e": dict(command="dokku config:set web 100%_OFF=***", app_name="web", changes=True,
                  created="2026-01-12T23:59:59.999Z"),
        "f": dict(command="dokku apps:list", status="failed", exit_code=1,
                  created="2026-01-13T00:00:00.000Z"),
        "g": dict(command="dokku ps:report web", app_name="web",
                  created="2026-01-09T23:59:59.999Z"),
    }
    return {label: insert(app, **kw) for label, kw in rows.items()}


@pytest.mark.parametrize("query, expected", [
    ("", "edba"),
    ("reads=1", "gfedcba"),
    ("app=api", "ba"),
    ("app=api&reads=1", "cba"),
    ("outcome=failed", "db"),
    ("outcome=failed&reads=1", "fdb"),
    ("outcome=ok&reads=1", "geca"),
    ("subcommand=ps:restart", "dba"),
    ("subcommand=ps:report&reads=1", "gc"),
    ("subcommand=ps:restart&outcome=failed&app=web", "d"),
    ("from=2026-01-11&to=2026-01-12", "edb"),
    ("from=2026-01-11&to=2026-01-12&reads=1", "edcb"),
    ("to=2026-01-12&reads=1", "gedcba"),
    ("from=2026-01-13&reads=1", "f"),
    ("from=2026-01-10&to=2026-01-10&reads=1", "a"),
    ("q=restart", "dba"),
    ("q=RESTART+api", "ba"),
    ("q=%25_", "e"),
    ("q=_", "e"),
    ("q=%25", "e"),
    ("q=report&reads=1&app=web", "g"),
    ("app=api&outcome=failed&from=2026-01-11&to=2026-01-11&q=restart", "b"),
    ("app=nobody&reads=1", ""),
])
def test_filters_combine(client, auth, dataset, query, expected):
    auth.login()
    r = client.get(f"/history?{query}", headers=HX)
    assert r.status_code == 200
    assert row_ids(r.data) == [dataset[label] for label in expected]


def test_full_page_and_fragment(client, auth, dataset):
    auth.login()
    page = client.get("/history")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "HX-Request" in page.headers["Vary"]
    soup = assert_page(page, "div#history")
    assert soup.select_one("form.history-filters")["action"] == "/history"
    assert row_ids(html) == [dataset[k] for k in "edba"]
    fragment = client.get("/history?reads=1", headers=HX)
    assert_fragment(fragment, "div#history")
    assert len(row_ids(fragment.data)) == 7


def test_row_shows_time_actor_target_command_exit_duration_kind(client, auth, app):
    row = insert(app, command="dokku ps:rebuild api", app_name="api", changes=True,
                 status="failed", exit_code=20, actor_ip="192.0.2.7", duration_ms=4200,
                 created="2026-02-03T04:05:06.789Z")
    auth.login()
    soup = BeautifulSoup(client.get("/history", headers=HX).data, "html.parser")
    tr = soup.select_one(f"#cmd-{row}")
    cells = [td.get_text(" ", strip=True) for td in tr.find_all("td")]
    assert cells[:7] == ["2026-02-03 04:05:06", "192.0.2.7", "dokku@host", "dokku ps:rebuild api",
                         "20", "4.2 s", "change"]
    assert tr.select_one("time")["datetime"] == "2026-02-03T04:05:06.789Z"


def test_commands_are_escaped_in_the_list(client, auth, app):
    insert(app, command="dokku config:set api X=<script>alert(1)</script>", changes=True)
    auth.login()
    html = client.get("/history", headers=HX).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


@pytest.mark.parametrize("query, field, message", [
    ("from=2026-13-01", "from", "Use a date like 2026-11-24."),
    ("to=yesterday", "to", "Use a date like 2026-11-24."),
    ("from=2026-02-01&to=2026-01-01", "to", "The last day is before the first day."),
    ("outcome=maybe", "outcome", "Choose ok or failed."),
    ("q=" + "x" * 201, "q", "At most 200 characters."),
])
def test_invalid_filters_say_which_field(client, auth, dataset, query, field, message):
    auth.login()
    r = client.get(f"/history?{query}")
    assert r.status_code == 422
    soup = BeautifulSoup(r.data, "html.parser")
    assert soup.select_one(f"#e-{field}").get_text(strip=True) == message
    assert row_ids(r.data) == []


def test_bad_before_is_refused(client, auth, dataset):
    auth.login()
    r = client.get("/history?before=-3", headers=HX)
    assert r.status_code == 422 and b"Not a history row id." in r.data


def _walk(client, url, between=None) -> list[int]:
    """Follow "older" links from url to the end; return every id shown."""
    seen = []
    while url:
        html = client.get(url, headers=HX).get_data(as_text=True)
        ids = row_ids(html)
        assert len(ids) <= history_query.PAGE_SIZE
        seen += ids
        url = older_link(html)
        if between:
            between()
    return seen


def test_keyset_pages_have_no_gaps_or_repeats_while_rows_arrive(client, auth, app):
    original = [insert(app, command=f"dokku ps:restart app{i % 3}", app_name=f"app{i % 3}",
                       changes=True) for i in range(130)]
    counter = iter(range(10_000))

    def more_rows():
        for _ in range(7):
            insert(app, command=f"dokku ps:restart new{next(counter)}", changes=True)

    auth.login()
    seen = _walk(client, "/history", between=more_rows)
    assert seen == sorted(original, reverse=True)
    # with a filter as well: only app1's rows, all of them, once
    app1 = [i for n, i in enumerate(original) if n % 3 == 1]
    assert _walk(client, "/history?app=app1", between=more_rows) == sorted(app1, reverse=True)


def test_submitted_forms_push_the_short_url(client, auth, dataset):
    auth.login()
    r = client.get("/history?app=&subcommand=&outcome=failed&from=&to=&q=", headers=HX)
    assert r.headers["HX-Push-Url"] == "/history?outcome=failed"
    r = client.get("/history?outcome=failed&before=99", headers=HX)
    assert "HX-Push-Url" not in r.headers  # already short: htmx pushes it as it is


@pytest.mark.parametrize("ms, text", [(None, ""), (0, "0 ms"), (999, "999 ms"),
                                      (1000, "1.0 s"), (4250, "4.2 s"),
                                      (61_000, "1 min 1 s"), (3_600_000, "60 min 0 s")])
def test_duration_text(ms, text):
    assert history_query.duration_text(ms) == text


def test_migration_adds_the_indexes_to_an_existing_database(tmp_path, monkeypatch):
    path = str(tmp_path / "old.sqlite3")
    mine = next(i for i, m in enumerate(db.MIGRATIONS) if "commands_app_page" in m)
    monkeypatch.setattr(db, "MIGRATIONS", db.MIGRATIONS[:mine])
    assert db.migrate(path) == mine
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO commands (createdAt, command, subcommand, app, target,"
                 " changesState, status) VALUES ('2026-01-01T00:00:00.000Z', 'dokku ps:stop a',"
                 " 'ps:stop', 'a', 'h', 1, 'failed')")
    conn.commit()
    monkeypatch.undo()
    assert db.migrate(path) == len(db.MIGRATIONS)
    names = {r[1] for r in conn.execute("PRAGMA index_list(commands)")}
    assert {"commands_app_page", "commands_changes_page", "commands_subcommand_page",
            "commands_failed_page"} <= names
    assert not names & {"commands_app_id", "commands_changes_id"}  # covered by the new ones
    assert conn.execute("SELECT count(*) FROM commands INDEXED BY commands_failed_page"
                        " WHERE status != 'ok'").fetchone()[0] == 1
    conn.close()


def test_pages_are_fifty_and_link_the_next_with_before(client, auth, app):
    ids = [insert(app, changes=True, command="dokku ps:stop api") for _ in range(51)]
    auth.login()
    html = client.get("/history?app=&reads=", headers=HX).get_data(as_text=True)
    assert row_ids(html) == sorted(ids, reverse=True)[:50]
    link = urllib.parse.urlsplit(older_link(html))
    assert link.path == "/history"
    assert urllib.parse.parse_qs(link.query) == {"before": [str(sorted(ids)[1])]}
    last = client.get(older_link(html), headers=HX).get_data(as_text=True)
    assert row_ids(last) == [ids[0]] and older_link(last) is None


def test_search_reads_a_bounded_window_and_continues_below_it(client, auth, app, monkeypatch):
    monkeypatch.setattr(history_query, "SEARCH_WINDOW", 10)
    ids = [insert(app, changes=True, command="dokku ps:restart needle" if i in (2, 24, 25)
                  else "dokku ps:restart hay") for i in range(30)]
    auth.login()
    first = client.get("/history?q=needle", headers=HX).get_data(as_text=True)
    assert row_ids(first) == [ids[25], ids[24]]
    assert "Search older commands" in first
    assert _walk(client, "/history?q=needle") == [ids[25], ids[24], ids[2]]


def test_row_expands_to_its_output_escaped(client, auth, app):
    row = insert(app, command="dokku ps:rebuild api", changes=True, status="failed",
                 exit_code=1, stdout="-----> Building <b>api</b>\n", stderr="<script>x()</script>")
    auth.login()
    listing = BeautifulSoup(client.get("/history", headers=HX).data, "html.parser")
    link = listing.select_one(f"#cmd-{row} td.expand a")
    assert link["href"] == f"/history/{row}" and link["hx-get"] == f"/history/{row}"
    assert link["hx-target"] == "closest tr" and link["hx-swap"] == "afterend"

    r = client.get(f"/history/{row}", headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    soup = assert_fragment(r, "tr.detail")
    assert soup.select_one("tr.detail")["id"] == f"detail-{row}"
    assert soup.select_one("pre.stdout").get_text() == "-----> Building <b>api</b>\n"
    assert soup.select_one("pre.stderr").get_text() == "<script>x()</script>"
    assert "<script>" not in html and "<b>" not in html

    page = client.get(f"/history/{row}")
    assert b"&lt;script&gt;x()&lt;/script&gt;" in page.data
    assert_page(page, f"#cmd-{row}")


def test_missing_row_is_404(client, auth):
    auth.login()
    assert client.get("/history/999999").status_code == 404


def test_job_rows_link_to_their_job(client, auth, app):
    by_job_id = insert(app, command="dokku ps:rebuild api", changes=True, job_id="feedbeef01")
    insert_job(app, "feedbeef01")
    by_history_id = insert(app, command="dokku git:sync api", changes=True)
    insert_job(app, "cafe0002", history_id=by_history_id)
    gone = insert(app, command="dokku ps:rebuild web", changes=True, job_id="deleted0")
    plain = insert(app, command="dokku ps:stop api", changes=True)
    auth.login()
    soup = BeautifulSoup(client.get("/history", headers=HX).data, "html.parser")

    def job_href(row):
        link = soup.select_one(f"#cmd-{row} a.job-link")
        return link["href"] if link else None

    assert job_href(by_job_id) == "/jobs/feedbeef01"
    assert job_href(by_history_id) == "/jobs/cafe0002"
    assert job_href(gone) is None and job_href(plain) is None
    detail = BeautifulSoup(client.get(f"/history/{by_history_id}", headers=HX).data,
                           "html.parser")
    assert detail.find("a", string="Open the job")["href"] == "/jobs/cafe0002"


def test_csv_export_neutralises_formulas_and_round_trips(client, auth, app):
    evil = ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "=HYPERLINK(\"http://e\")"]
    ids = {text: insert(app, command=text, subcommand="ps:report", stdout=text,
                        stderr="line1\nline2, \"quoted\"") for text in evil}
    insert(app, command="dokku ps:restart api", changes=True)
    auth.login()
    r = client.get("/history/export.csv?reads=1&subcommand=ps:report")
    assert r.status_code == 200 and r.is_streamed
    assert r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="docklight-history-')
    assert r.headers["Content-Disposition"].endswith('.csv"')
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True), newline="")))
    assert table[0] == list(history_query.EXPORT_COLUMNS)
    body = [dict(zip(table[0], line)) for line in table[1:]]
    assert [int(line["id"]) for line in body] == sorted(ids.values(), reverse=True)
    for line in body:
        text = next(t for t, i in ids.items() if i == int(line["id"]))
        assert line["command"] == "'" + text and line["stdout"] == "'" + text
        assert line["stderr"] == "line1\nline2, \"quoted\""
        assert line["changesState"] == "0" and line["status"] == "ok"
    cells = [cell for line in table[1:] for cell in line]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_csv_export_streams_every_row_in_batches(client, auth, app, monkeypatch):
    monkeypatch.setattr(history_query, "EXPORT_BATCH", 100)
    conn = sqlite3.connect(app.config["DATABASE"])
    conn.executemany(
        "INSERT INTO commands (createdAt, command, subcommand, app, target, changesState,"
        " status) VALUES ('2026-01-01T00:00:00.000Z', ?, 'ps:stop', 'api', 'h', 1, 'ok')",
        [(f"dokku ps:stop n{i}",) for i in range(345)])
    conn.commit()
    conn.close()
    auth.login()
    r = client.get("/history/export.csv?app=api")
    chunks = list(r.response)
    assert len(chunks) >= 4  # one per batch: the download is streamed, not built whole
    table = list(csv.reader(io.StringIO(b"".join(chunks).decode(), newline="")))
    assert [line[6] for line in table[1:]] == [f"dokku ps:stop n{i}" for i in range(344, -1, -1)]


def test_jsonl_export_parses_and_respects_filters(client, auth, dataset):
    auth.login()
    r = client.get("/history/export.jsonl?outcome=failed&reads=1")
    assert r.status_code == 200 and r.is_streamed
    assert r.headers["Content-Disposition"].endswith('.jsonl"')
    lines = r.get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert [rec["id"] for rec in records] == [dataset[k] for k in "fdb"]
    assert records[1]["status"] == "timeout" and records[1]["exitCode"] is None
    assert records[0]["changesState"] is False and records[1]["changesState"] is True
    assert set(records[0]) == set(history_query.EXPORT_COLUMNS)
    everything = client.get("/history/export.jsonl?reads=1").get_data(as_text=True)
    assert len(everything.splitlines()) == 7


def test_export_refuses_invalid_filters(client, auth):
    auth.login()
    r = client.get("/history/export.csv?from=never")
    assert r.status_code == 400 and b"from: Use a date like" in r.data


def test_export_links_repeat_the_filters_and_skip_boost(client, auth, dataset):
    auth.login()
    soup = BeautifulSoup(client.get("/history?app=api&outcome=failed&before=999").data,
                         "html.parser")
    links = soup.select(".history-export a")
    assert [urllib.parse.urlsplit(a["href"]).path for a in links] == [
        "/history/export.csv", "/history/export.jsonl"]
    for a in links:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(a["href"]).query)
        assert query == {"app": ["api"], "outcome": ["failed"]}
        assert a["hx-boost"] == "false"


def test_recent_activity_shows_the_last_eight_changes(client, auth, app):
    changes = [insert(app, command=f"dokku ps:restart app{i}", changes=True,
                      status="failed" if i == 11 else "ok",
                      created=f"2026-01-01T00:00:{i:02d}.000Z") for i in range(12)]
    insert(app, command="dokku ps:report", changes=False)
    auth.login()
    r = client.get("/history/recent", headers=HX)
    assert r.status_code == 200
    soup = assert_fragment(r, "section#recent-activity")
    items = soup.select("#recent-activity li.recent-item")
    assert [int(li["data-id"]) for li in items] == changes[::-1][:8]
    first = items[0]
    assert first.a["href"] == f"/history/{changes[11]}"
    assert first.code.get_text() == "dokku ps:restart app11"
    assert first.select_one(".job-state").get_text() == "failed"
    assert first.time.get_text().endswith("ago")
    page = client.get("/history/recent")
    assert b"Recent activity" in page.data
    assert_page(page, "section#recent-activity")


def test_every_history_url_needs_a_session(app, client):
    urls = {rule.rule.replace("<int:row_id>", "1") for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("history.")}
    assert urls == {"/history", "/history/1", "/history/recent", "/history/export.csv",
                    "/history/export.jsonl"}
    for url in sorted(urls):
        r = client.get(url)
        assert r.status_code == 303 and r.headers["Location"].startswith("/login"), url
        assert client.get(url, headers=HX).headers.get("HX-Redirect", "").startswith("/login")


def test_history_of_real_commands(client, auth, emulator):
    """Rows written by the Dokku client show up like crafted ones."""
    auth.login()
    client.get("/apps", headers=HX)  # three reports and a version: reads
    assert row_ids(client.get("/history", headers=HX).data) == []
    html = client.get("/history?reads=1", headers=HX).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    commands = {tr.select_one("td.command code").get_text() for tr in soup.select("tr.entry")}
    assert {"dokku ps:report", "dokku version"} <= commands


@pytest.fixture
def served(app):
    """Serve the test app on a loopback port from a thread; yield its URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_in_a_browser_rows_expand_filters_push_short_urls_and_pages_follow(app, served, page):
    from tests.conftest import PASSWORD

    for i in range(60):
        insert(app, command=f"dokku ps:restart app{i % 2}", app_name=f"app{i % 2}",
               changes=True, status="failed" if i % 5 == 0 else "ok",
               stdout=f"<i>restarted {i}</i>\n")
    problems = page.console_errors

    def wait_for_url(text):
        for _ in range(100):
            if text in page.url:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"{text!r} not in {page.url}")

    page.goto(served + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(served + "/history")
    newest = page.query_selector("tr.entry").get_attribute("data-id")
    link = f"#cmd-{newest} td.expand a"
    page.click(link)
    page.wait_for_selector(f"#detail-{newest} pre.stdout")
    assert page.inner_text(f"#detail-{newest} pre.stdout").strip() == "<i>restarted 59</i>"
    page.click(link)  # a second click loads nothing more
    page.wait_for_timeout(200)
    assert len(page.query_selector_all("tr.detail")) == 1
    assert page.url == served + "/history"  # expanding does not navigate

    page.select_option("#f-outcome", "failed")
    wait_for_url("?outcome=failed")
    assert page.url == served + "/history?outcome=failed"  # no empty fields
    page.wait_for_selector("#history-table tr.entry")
    assert len(page.query_selector_all("#history-table tr.entry")) == 12

    page.goto(served + "/history")
    page.click("#history-older")
    wait_for_url("before=")
    for _ in range(100):  # CSP forbids wait_for_function's eval: poll instead
        if len(page.query_selector_all("#history-table tr.entry")) == 10:
            break
        page.wait_for_timeout(50)
    assert len(page.query_selector_all("#history-table tr.entry")) == 10
    assert problems == [], problems
