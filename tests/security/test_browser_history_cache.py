"""A revealed secret does not outlive logout in the browser (issue 12.3).

htmx keeps snapshots of pages in sessionStorage for its history cache and
restores them on Back without asking the server. A page holding a revealed
config value carries hx-history="false", so no snapshot of it is taken;
logout sends Clear-Site-Data, and Back after logout shows no secret.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import PASSWORD

SECRET = "u:pw@db"  # from DATABASE_URL of the standard app "api"


def _history_cache(page) -> str:
    return page.evaluate("() => sessionStorage.getItem('htmx-history-cache') || ''")


def test_a_revealed_value_is_not_cached_and_back_after_logout_shows_nothing(page, live):
    page.goto(live.url + "/login")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    # A boosted navigation first, so htmx's history cache is in use.
    page.click("nav a:text-is('History')")
    page.wait_for_url(lambda url: url.endswith("/history"))
    page.goto(live.url + "/apps/api/config")
    row = page.locator('tr[data-key="DATABASE_URL"]')
    row.locator("button:has-text('Reveal')").click()
    expect(row.locator("pre.config-secret code")).to_contain_text(SECRET)

    # Leaving the page is when htmx would snapshot it into sessionStorage.
    page.click("nav a:text-is('Apps')")
    page.wait_for_url(lambda url: url.rstrip("/") == live.url)
    assert SECRET not in _history_cache(page)

    page.click("form.logout button")
    page.wait_for_url(lambda url: "/login" in url)
    assert _history_cache(page) == ""
    for _ in range(3):
        page.go_back()
        page.wait_for_load_state()
        assert SECRET not in page.content()
        assert SECRET not in _history_cache(page)


def test_logout_asks_the_browser_to_clear_cache_and_storage(client, auth):
    auth.login()
    r = auth.logout()
    assert r.headers["Clear-Site-Data"] == '"cache", "storage"'
    auth.login()
    r = client.post("/api/auth/logout", headers={"HX-Request": "true"})
    assert r.headers["Clear-Site-Data"] == '"cache", "storage"'
    # "Log out everywhere" logs this browser out too.
    auth.login()
    r = client.post("/account/sessions/end-all")
    assert r.status_code == 303 and "/login" in r.headers["Location"]
    assert r.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_fragments_holding_a_secret_opt_out_of_the_history_cache(client, auth):
    auth.login()
    r = client.post("/apps/api/config/reveal", data={"key": "DATABASE_URL"},
                    headers={"HX-Request": "true"})
    html = r.get_data(as_text=True)
    assert SECRET in html and 'hx-history="false"' in html
    assert r.headers["Cache-Control"] == "no-store"
    # Without JavaScript the whole tab comes back with the value: same mark.
    r = client.post("/apps/api/config/reveal", data={"key": "DATABASE_URL"})
    assert SECRET in r.get_data(as_text=True) and 'hx-history="false"' in r.get_data(as_text=True)
    # A set form sent back with typed values holds them too.
    r = client.post("/apps/api/config", headers={"HX-Request": "true"},
                    data={"rows": "1", "key-0": "1BAD", "value-0": "s3cret-typed"})
    assert r.status_code == 422
    assert "s3cret-typed" in r.get_data(as_text=True)
    assert 'hx-history="false"' in r.get_data(as_text=True)
    # The tab without a revealed value stays cacheable by htmx.
    r = client.get("/apps/api/config", headers={"HX-Request": "true"})
    assert 'hx-history="false"' not in r.get_data(as_text=True)
    # Not in the HTTP cache either (set for every authenticated response).
    assert r.headers["Cache-Control"] == "no-store"

