"""Databases in headless Chromium: create a database, link it to an app, see it on the app."""

from __future__ import annotations

from docklight.emulator import state as emu
from tests.conftest import PASSWORD


def login(page, live):
    page.goto(live.url + "/login?next=/databases")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#databases")


def wait_for_job(page, status="ok"):
    """Wait until the job panel in #job-slot reports its end; return that status."""
    head = page.wait_for_selector("#job-slot [data-job-finished]", timeout=30000)
    assert head.get_attribute("data-job-finished") == status, page.inner_text("#job-slot")


def test_create_link_and_see_it_on_the_app(page, live, emulator, make_app):  # noqa: F811
    has_config_tab = "app.config" in make_app().view_functions
    emulator.reset(apps=[emu.make_app("blog", processes={"web": 1})])
    login(page, live)
    section = page.wait_for_selector("#datastore-postgres")
    assert "No postgres services yet." in section.inner_text()

    # Create: a job with live output in #job-slot; the list reloads when it ends.
    page.fill("#datastore-postgres-name", "blog-db")
    page.click("#datastore-postgres form.create-service button[type=submit]")
    wait_for_job(page)
    assert "Postgres container created: blog-db" in page.inner_text("#job-slot")
    assert "***" in page.inner_text("#job-slot")  # the Dsn line, redacted
    password = emu.service_password("postgres", "blog-db")
    assert password not in page.content()
    row = page.wait_for_selector("#service-postgres-blog-db")
    assert row.query_selector(".status").inner_text() == "running"

    # Link to blog: the app restarts; the row then lists it.
    page.select_option("#service-postgres-blog-db-app", "blog")
    page.click("#service-postgres-blog-db form.link-service button[type=submit]")
    page.wait_for_selector("#job-slot [data-job-finished]", timeout=30000)
    page.wait_for_selector('#service-postgres-blog-db li.linked-app[data-app="blog"]')
    assert password not in page.content()

    # Reveal shows the URL with its password; nothing else did.
    page.click("#service-postgres-blog-db-connection button[type=submit]")
    dsn = page.wait_for_selector("#service-postgres-blog-db-connection code.dsn")
    assert password in dsn.inner_text()
    page.click("#service-postgres-blog-db-connection >> text=Hide")
    page.wait_for_selector("#service-postgres-blog-db-connection .secret")
    assert password not in page.content()

    # On the app: its Config tab lists DATABASE_URL (the value stays hidden).
    page.click('#service-postgres-blog-db li.linked-app[data-app="blog"] a')
    page.wait_for_url(live.url + "/apps/blog/**")
    if has_config_tab:
        page.click('nav.tabs a[href="/apps/blog/config"]')
        page.wait_for_selector('tr[data-key="DATABASE_URL"]')
        assert password not in page.content()
    assert page.console_errors == [], page.console_errors
