"""Cached reads under load: single flight, stale while revalidate, shared across workers.

Each test counts what reached Dokku in the emulator's argv log. "Workers" are
two app instances on one data folder (separate memory, shared sqlite and
generation file, as two gunicorn workers have) and, in the last test, a real
gunicorn with two workers.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from docklight import dashboard
from docklight.dokku import commands
from tests.conftest import PASSWORD, app_config
from tests.live import LiveServer

BULK = (["ps:report"], ["domains:report"], ["git:report"])


def bulk_calls(emulator) -> int:
    """Return how many all-apps ps:report calls reached Dokku."""
    return emulator.calls().count(["ps:report"])


def running_pids(emulator, argv) -> set[int]:
    """Return the pids of emulator runs of argv that have started and not yet ended."""
    started, ended = {}, set()
    for event in emulator.events():
        if event.get("event") == "start" and event.get("argv") == argv:
            started[event["pid"]] = event
        elif event.get("event") == "end":
            ended.add(event["pid"])
    return set(started) - ended


def overview_in_threads(apps, count: int) -> list:
    """Read the dashboard overview from count threads at once, spread over apps."""
    results, errors = [None] * count, []
    barrier = threading.Barrier(count)

    def read(i):
        app = apps[i % len(apps)]
        with app.app_context():
            dokku = app.extensions["docklight"].dokku
            barrier.wait()
            try:
                results[i] = dashboard.cached(dokku)
            except Exception as exc:  # collected, the assertion below names it
                errors.append(exc)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_concurrent_misses_in_one_worker_run_one_bulk_report(app, emulator):
    emulator.settings(delay_ms=300)  # long enough for every miss to overlap the first
    results = overview_in_threads([app], 12)
    assert bulk_calls(emulator) == 1
    for argv in BULK:
        assert emulator.calls().count(argv) == 1, argv
    assert {r.fetched_at for r in results} == {results[0].fetched_at}
    assert {a.name for a in results[0].apps} == {"api", "blog", "draft", "shop"}


def test_concurrent_misses_across_workers_run_one_bulk_report(make_app, emulator):
    workers = [make_app(), make_app()]
    emulator.settings(delay_ms=300)
    results = overview_in_threads(workers, 12)
    assert bulk_calls(emulator) == 1
    assert {a.name for a in results[-1].apps} == {"api", "blog", "draft", "shop"}
    # A third worker starting cold takes the stored copy within the TTL.
    overview_in_threads([make_app()], 4)
    assert bulk_calls(emulator) == 1


def test_a_write_in_one_worker_drops_the_other_workers_cache(make_app, emulator):
    first, second = make_app(), make_app()
    overview_in_threads([first, second], 2)
    assert bulk_calls(emulator) == 1
    client = first.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD},
                headers={"Origin": "http://localhost"})
    r = client.post("/apps", data={"name": "fresh"}, headers={"Origin": "http://localhost"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:500]
    # The second worker did not run the write; its next read is fresh anyway.
    with second.app_context():
        overview = dashboard.cached(second.extensions["docklight"].dokku)
    assert "fresh" in {a.name for a in overview.apps}
    assert bulk_calls(emulator) == 2


def logged_in(app):
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD},
                headers={"Origin": "http://localhost"})
    return client


def test_a_write_to_one_app_keeps_other_apps_reads_cached_in_every_worker(make_app, emulator):
    first, second = make_app(), make_app()
    reader = logged_in(second)
    for app in ("api", "blog"):
        assert reader.get(f"/apps/{app}/domains").status_code == 200
    reads = {app: emulator.calls().count(["domains:report", app, "--format", "json"]) for app in ("api", "blog")}
    assert reads == {"api": 1, "blog": 1}
    # The first worker adds a domain to api; the second did not run the write.
    r = logged_in(first).post("/apps/api/domains/add", data={"add-domains": "new.example.com"},
                              headers={"Origin": "http://localhost"})
    assert r.status_code in (200, 302, 303), r.get_data(as_text=True)[:500]
    assert ["domains:add", "api", "new.example.com"] in emulator.calls()
    assert "new.example.com" in reader.get("/apps/api/domains").get_data(as_text=True)
    reader.get("/apps/blog/domains")
    assert {app: emulator.calls().count(["domains:report", app, "--format", "json"])
            for app in ("api", "blog")} == {"api": 2, "blog": 1}
    # A write that names no single app (a new database service) ends every app's reads.
    with first.app_context():
        created = first.extensions["docklight"].dokku.run(commands.service_create("postgres",
                                                                                  "cachedb"))
    assert created.ok, created.stderr
    reader.get("/apps/blog/domains")
    assert emulator.calls().count(["domains:report", "blog", "--format", "json"]) == 2


def test_stale_value_is_served_at_once_while_dokku_hangs(make_app, emulator):
    app = make_app(DOCKLIGHT_CACHE_TTL="1")
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD},
                headers={"Origin": "http://localhost"})
    first = client.get("/apps", headers={"HX-Request": "true"})
    assert first.status_code == 200 and 'id="app-api"' in first.get_data(as_text=True)
    assert bulk_calls(emulator) == 1
    emulator.settings(delay_ms=3000)  # Dokku hangs from now on
    with app.app_context():
        dokku = app.extensions["docklight"].dokku
        while dokku.reads.peek(dashboard.CACHE_KEY).age <= 2.1:
            time.sleep(0.05)  # wait until the value is overdue (2 TTL; not a measurement)
    answers = [client.get("/apps", headers={"HX-Request": "true"}) for _ in range(5)]
    # Every answer came before the one refresh ended: it is still hanging in Dokku.
    while bulk_calls(emulator) < 2:
        time.sleep(0.05)
    assert running_pids(emulator, ["ps:report"]), emulator.events()
    for r in answers:
        html = r.get_data(as_text=True)
        assert r.status_code == 200
        assert 'id="app-api"' in html and "s ago; a fresh answer is on its way" in html
    assert bulk_calls(emulator) == 2  # one refresh, however many requests
    # Let the refresh end here rather than retry into the next test.
    while dokku.reads.refreshing(dashboard.CACHE_KEY):
        time.sleep(0.05)
    assert "a fresh answer" not in client.get("/apps", headers={"HX-Request": "true"}).get_data(
        as_text=True)


def _login(url: str):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"password": PASSWORD, "next": "/apps"}).encode()
    opener.open(urllib.request.Request(url + "/api/auth/login", data=data,
                                       headers={"Origin": url})).read()
    return opener


def _request_pids(server, path: str, after: int) -> set[int]:
    logs = [json.loads(line) for line in server.log().splitlines()[after:]
            if line.startswith("{")]
    return {e["pid"] for e in logs if e.get("message") == "request" and e.get("path") == path}


def test_two_gunicorn_workers_share_reads_and_invalidation(sshd, emulator, data_dir):
    env = {k: str(v) for k, v in app_config(sshd, data_dir).items() if k != "TESTING"}
    env.update(WEB_CONCURRENCY="2", DOCKLIGHT_LOG_LEVEL="info")
    server = LiveServer(env)
    try:
        opener = _login(server.url)

        def read_apps(times: int) -> list[str]:
            pages = []
            for _ in range(times):
                # A fresh connection each time, so both workers get requests.
                req = urllib.request.Request(server.url + "/apps",
                                             headers={"HX-Request": "true", "Connection": "close"})
                with opener.open(req) as r:
                    pages.append(r.read().decode())
            return pages

        mark = len(server.log().splitlines())
        pages = read_apps(30)
        while len(pages) < 120 and len(_request_pids(server, "/apps", mark)) < 2:
            pages += read_apps(10)  # Linux may hand a run of connections to one idle worker
        assert len(_request_pids(server, "/apps", mark)) == 2, "one worker served everything"
        assert all('id="app-api"' in p for p in pages)
        assert bulk_calls(emulator) == 1
        data = urllib.parse.urlencode({"name": "fresh"}).encode()
        opener.open(urllib.request.Request(server.url + "/apps", data=data,
                                           headers={"Origin": server.url})).read()
        mark = len(server.log().splitlines())
        pages = read_apps(30)
        while len(pages) < 120 and len(_request_pids(server, "/apps", mark)) < 2:
            pages += read_apps(10)
        assert len(_request_pids(server, "/apps", mark)) == 2
        assert all('id="app-fresh"' in p for p in pages)
        assert bulk_calls(emulator) == 2
    finally:
        server.stop()


# --- admission control -------------------------------------------------------------

def test_a_full_queue_refuses_reads_at_once_without_asking_dokku(make_app, emulator):
    from docklight.dokku import commands
    from docklight.dokku.errors import DokkuBusy

    app = make_app(DOCKLIGHT_DOKKU_MAX_CHANNELS="1", DOCKLIGHT_DOKKU_MAX_QUEUE="1")
    dokku = app.extensions["docklight"].dokku
    emulator.settings(delay_ms=1500)
    outcomes = {}

    def read(name):
        try:
            outcomes[name] = dokku.run(commands.report("ps")).exit_code
        except DokkuBusy as exc:
            outcomes[name] = exc

    holder = threading.Thread(target=read, args=("holder",))
    holder.start()
    while not running_pids(emulator, ["ps:report"]):
        time.sleep(0.02)  # the one channel is taken
    queued = threading.Thread(target=read, args=("queued",))
    queued.start()
    executor = dokku.executors.user
    while executor.waiting < 1:
        time.sleep(0.02)  # the one queue place is taken
    read("refused")
    assert isinstance(outcomes["refused"], DokkuBusy)
    assert outcomes["refused"].status == 503
    assert "Dokku is not answering" in str(outcomes["refused"])
    holder.join(30)
    queued.join(30)
    assert outcomes["holder"] == 0 and outcomes["queued"] == 0
    assert bulk_calls(emulator) == 2  # the refused read never reached Dokku


def test_cold_page_answers_503_with_retry_after_when_dokku_hangs(make_app, emulator):
    app = make_app(DOCKLIGHT_PAGE_TIMEOUT="0.5")
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD},
                headers={"Origin": "http://localhost"})
    emulator.settings(delay_ms=2500)
    r = client.get("/apps", headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "5"
    assert "Dokku is not answering" in html
    # The page gave up while Dokku still worked on the read...
    while bulk_calls(emulator) < 1:
        time.sleep(0.02)
    assert running_pids(emulator, ["ps:report"])
    dokku = app.extensions["docklight"].dokku
    while dokku.reads.refreshing(dashboard.CACHE_KEY):
        time.sleep(0.05)
    # ...which then filled the cache for the next request, without asking again.
    r = client.get("/apps", headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="app-api"' in r.get_data(as_text=True)
    assert bulk_calls(emulator) == 1


# --- polling ---------------------------------------------------------------------

def test_an_unchanged_table_is_304_to_a_poll_and_a_changed_one_is_not(client, auth, emulator):
    auth.login()
    first = client.get("/apps", headers={"HX-Request": "true"})
    tag = first.headers["ETag"]
    again = client.get("/apps", headers={"HX-Request": "true", "If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    client.post("/apps", data={"name": "fresh"})  # a change drops the cached reads
    changed = client.get("/apps", headers={"HX-Request": "true", "If-None-Match": tag})
    assert changed.status_code == 200 and 'id="app-fresh"' in changed.get_data(as_text=True)
