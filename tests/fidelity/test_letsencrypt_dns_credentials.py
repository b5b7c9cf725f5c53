"""A DNS provider token set for Let's Encrypt stays with Dokku: never in history or on pages.

dokku-letsencrypt 0.25.0 and later print every ``dns-provider-*`` property
(the DNS-01 credentials, such as a Cloudflare API token) in clear in
letsencrypt:report unless LETSENCRYPT_REPORT_SANITIZE=true
(internal-functions fn-letsencrypt-report-add-dns-provider-keys). The SSL tab
reads that report on every load, so the token went into history, its
exports and the report cache every worker reads.
"""

from __future__ import annotations

import glob
import sqlite3

from docklight.emulator import state as emu
from tests.tabs import HX

TOKEN = "cf-Zq8vT0k3nXyWb71"


def _database_bytes(app) -> bytes:
    data = b""
    for path in glob.glob(app.config["DATABASE"] + "*"):
        with open(path, "rb") as f:
            data += f.read()
    return data


def test_the_dns_provider_token_is_not_kept_by_docklight(app, client, auth, emulator):
    state = emulator.state()
    props = state["global"].setdefault("props", {}).setdefault("letsencrypt", {})
    props.update({"dns-provider": "cloudflare", "dns-provider-CF_API_TOKEN": TOKEN})
    emu.write_state(emulator.home, state)
    auth.login()
    bodies = [client.get("/apps/api/ssl", headers=HX).get_data(),
              client.get("/apps/api/ssl").get_data()]
    assert ["letsencrypt:report", "api", "--format", "json"] in emulator.calls()
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        rows = [row for (row,) in conn.execute(
            "SELECT id FROM commands WHERE subcommand = 'letsencrypt:report'")]
    assert rows
    for url in ["/history", "/history/export.csv", "/history/export.jsonl",
                *(f"/history/{row}" for row in rows)]:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.get_data())
    for body in bodies:
        assert TOKEN.encode() not in body
    assert TOKEN.encode() not in _database_bytes(app)
