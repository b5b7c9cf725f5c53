"""A warm dashboard poll renders the cached rows without working each row out again.

Every open dashboard polls every half TTL, so at 200 apps the table is
rendered far more often than Dokku is read. What follows from a row alone
(its link, status class, domain list, deploy time) and the ETag's digest of
the rows are worked out once per read of Dokku; the tests pin that, and that
the table still says the same.
"""

from __future__ import annotations

import flask
from bs4 import BeautifulSoup

from docklight import dashboard
from docklight.emulator import state as emu

HX = {"HX-Request": "true"}


def test_polls_of_a_cached_overview_digest_its_rows_once(client, auth, emulator, monkeypatch):
    digests = []
    real = dashboard._content_digest
    monkeypatch.setattr(dashboard, "_content_digest",
                        lambda overview: digests.append(overview) or real(overview))
    auth.login()
    first = client.get("/apps", headers=HX)
    tag = first.headers["ETag"]
    for _ in range(3):
        again = client.get("/apps", headers={**HX, "If-None-Match": tag})
        assert again.status_code == 304
    assert len([d for d in digests if d is not None]) == 1


def test_one_table_builds_one_app_link_whatever_the_number_of_apps(client, auth, emulator,
                                                                    monkeypatch):
    emulator.reset(apps=[emu.make_app(f"app-{i:03d}", domains=[f"a{i}.example.com"])
                         for i in range(40)] + [emu.make_app("idle", deployed=False)])
    built = []
    real = flask.url_for

    def counting(endpoint, **values):
        built.append(endpoint)
        return real(endpoint, **values)

    auth.login()
    app = client.application
    monkeypatch.setitem(app.jinja_env.globals, "url_for", counting)
    html = client.get("/apps", headers=HX).get_data(as_text=True)
    assert built.count("app.overview") == 1
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.select("#apps-table tbody tr")
    assert len(rows) == 41
    row = soup.select_one("tr#app-app-007")
    assert row.th.a["href"] == "/apps/app-007/overview"
    assert row["data-domains"] == "a7.example.com"
    assert row.select_one("span.status")["class"] == ["status", "status-running"]
    deployed = row.select_one("td.last-deployed time")
    assert deployed["datetime"].endswith("+00:00") and deployed["title"].endswith(" UTC")
    idle = soup.select_one("tr#app-idle")
    assert idle.select_one("span.status")["class"] == ["status", "status-not-deployed"]
    assert idle.select_one("td.last-deployed").get_text(strip=True) == "never"
