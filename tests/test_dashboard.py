"""The dashboard: full page, fragment, bulk reads, cache, and Dokku failures."""

from __future__ import annotations

import socket

from bs4 import BeautifulSoup

from docklight.emulator import state as emu
from tests.pages import assert_fragment, assert_page


def rows(html: str) -> dict[str, dict]:
    """Return {app: {status, processes, domains, deployed}} from the apps table."""
    soup = BeautifulSoup(html, "html.parser")
    out = {}
    for tr in soup.select("#apps-table tbody tr"):
        cells = tr.find_all(["th", "td"])
        out[tr.th.get_text(strip=True)] = {
            "id": tr["id"],
            "status": cells[1].get_text(strip=True),
            "processes": " ".join(cells[2].get_text(" ", strip=True).split()),
            "domains": cells[3].get_text(" ", strip=True),
            "deployed": cells[4].get_text(strip=True),
        }
    return out


def test_fragment_lists_every_app_with_status_processes_domains(client, auth, emulator):
    auth.login()
    r = client.get("/apps", headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert_fragment(r, "div#apps-table")
    table = rows(html)
    assert list(table) == ["api", "blog", "draft", "shop"]
    assert table["api"]["status"] == "running"
    assert table["api"]["processes"] == "web 2/2 worker 1/1"
    assert table["api"]["domains"] == "api.example.com"
    assert table["blog"]["status"] == "stopped"
    assert table["blog"]["processes"] == "web 0/1"
    assert table["draft"] == {"id": "app-draft", "status": "not deployed", "processes": "none",
                              "domains": "draft.dokku.me", "deployed": "never"}
    assert table["shop"]["status"] == "partly running"
    assert table["api"]["deployed"].endswith("ago") or table["api"]["deployed"] == "just now"
    assert "Dokku 0.38.27" in html


def test_full_page_without_javascript(client, auth):
    auth.login()
    r = client.get("/apps")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert_page(r, "div#apps-table")
    assert len(rows(html)) == 4


def test_shell_loads_table_lazily_then_inline_when_warm(client, auth, emulator):
    auth.login()
    html = client.get("/").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    loader = soup.select_one("#apps-loading")
    assert loader["hx-get"] == "/apps" and loader["hx-trigger"] == "load"
    assert soup.select_one('noscript meta[http-equiv="refresh"]')
    assert emulator.calls() == []  # the shell itself asks Dokku nothing
    client.get("/apps", headers={"HX-Request": "true"})
    html = client.get("/").get_data(as_text=True)
    assert len(rows(html)) == 4 and "apps-loading" not in html


def test_bulk_reports_one_call_each_then_cached(client, auth, emulator):
    auth.login()
    client.get("/apps", headers={"HX-Request": "true"})
    calls = sorted(emulator.calls())
    assert calls == [["domains:report"], ["git:report"], ["ps:report"], ["version"]]
    client.get("/apps", headers={"HX-Request": "true"})
    assert len(emulator.calls()) == 4  # served from the cache
    client.get("/apps?refresh=1", headers={"HX-Request": "true"})
    assert sorted(emulator.calls()[4:]) == [["domains:report"], ["git:report"], ["ps:report"]]


def test_many_apps_still_three_calls(client, auth, emulator):
    emulator.reset(apps=[emu.make_app(f"app{i:03d}") for i in range(60)])
    auth.login()
    table = rows(client.get("/apps", headers={"HX-Request": "true"}).get_data(as_text=True))
    assert len(table) == 60 and all(r["status"] == "running" for r in table.values())
    assert len(emulator.calls()) == 4


def test_state_change_drops_the_cache(app, client, auth, emulator):
    from docklight.dokku import commands

    auth.login()
    client.get("/apps", headers={"HX-Request": "true"})
    with app.app_context():
        from docklight import services

        services.dokku().run(commands.ps_action("stop", "api"))
    table = rows(client.get("/apps", headers={"HX-Request": "true"}).get_data(as_text=True))
    assert table["api"]["status"] == "stopped"


def test_sorting_by_status(client, auth):
    auth.login()
    html = client.get("/apps?sort=status", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert list(rows(html)) == ["shop", "blog", "api", "draft"]
    html = client.get("/apps?sort=name&dir=desc", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert list(rows(html)) == ["shop", "draft", "blog", "api"]


def test_no_apps(client, auth, emulator):
    emulator.reset(apps=[])
    auth.login()
    html = client.get("/apps", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "No apps on this Dokku host yet" in html


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_dokku_says_what_failed(make_app, sshd):
    port = _closed_port()
    app = make_app(DOCKLIGHT_DOKKU_SSH_TARGET=f"dokku@127.0.0.1:{port}")
    client = app.test_client()
    client.post("/api/auth/login", data={"password": "correct horse battery staple"},
                headers={"Origin": "http://localhost"})
    r = client.get("/apps", headers={"HX-Request": "true"})
    assert r.status_code == 502
    text = BeautifulSoup(r.data, "html.parser").get_text(" ", strip=True)
    assert "Cannot connect" in text
    assert f"dokku@127.0.0.1:{port}" in text
    assert "dokku ps:report" in text
    assert "Check that the host is up" in text
    full = client.get("/apps")
    assert full.status_code == 502 and b"Cannot connect" in full.data
    assert_page(full, "div#apps-table")


def test_wrong_host_key_shows_fingerprint_and_refuses(make_app, sshd, emulator):
    app = make_app(DOCKLIGHT_DOKKU_SSH_OPTS=sshd.ssh_opts().replace(
        sshd.known_hosts, sshd.wrong_known_hosts))
    client = app.test_client()
    client.post("/api/auth/login", data={"password": "correct horse battery staple"},
                headers={"Origin": "http://localhost"})
    r = client.get("/apps", headers={"HX-Request": "true"})
    text = BeautifulSoup(r.data, "html.parser").get_text(" ", strip=True)
    assert r.status_code == 502
    assert "Host key mismatch" in text and "SHA256:" in text and "ssh-keygen -R" in text
    assert emulator.calls() == []  # nothing ran on a host we do not trust


def test_dokku_failure_shows_command_exit_code_and_message(client, auth, emulator):
    emulator.settings(version="0.38.27", fail={"ps:report": [1, " !     Access denied"]})
    auth.login()
    r = client.get("/apps", headers={"HX-Request": "true"})
    text = BeautifulSoup(r.data, "html.parser").get_text(" ", strip=True)
    assert r.status_code == 502
    assert "dokku ps:report" in text and "Exit code 1" in text and "Access denied" in text
