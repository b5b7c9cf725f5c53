"""Tell a whole page from an htmx fragment by its structure, not by a string in the body.

A page is base.html around the content: <html>, the top bar with the main
navigation (shown once logged in) and <main>; an app page adds the tab bar.
A fragment is the partial alone: it starts with its own root element and
has none of those.
"""

from __future__ import annotations

from bs4 import BeautifulSoup

MAIN_NAV = 'header.topbar nav[aria-label="Main"]'
TAB_BAR = "nav#app-tabs"


def soup(response) -> BeautifulSoup:
    """Parse a response body (a test client's response, or the body itself)."""
    body = response if isinstance(response, (str, bytes)) else response.get_data(as_text=True)
    return BeautifulSoup(body, "html.parser")


def assert_page(response, root: str | None = None, *, nav: bool = True) -> BeautifulSoup:
    """Assert response is a whole page (with root inside <main>); return it parsed.

    nav=False for pages shown before logging in, which have no navigation.
    """
    doc = soup(response)
    assert doc.select_one("html > body main") is not None, "not a whole page"
    assert (doc.select_one(MAIN_NAV) is not None) == nav, "main navigation"
    if root is not None:
        assert doc.select_one(f"main {root}") is not None, f"no {root} in <main>"
    return doc


def assert_app_page(response, root: str) -> BeautifulSoup:
    """Assert response is the whole app page, tab bar and all, showing root."""
    doc = assert_page(response, root)
    assert doc.select_one(f"main {TAB_BAR}") is not None, "no tab bar"
    return doc


def assert_fragment(response, root: str) -> BeautifulSoup:
    """Assert response is a fragment that starts with root; return it parsed."""
    doc = soup(response)
    assert doc.find(["html", "head", "body", "main"]) is None, "a whole page, not a fragment"
    assert doc.select_one(MAIN_NAV) is None and doc.select_one(TAB_BAR) is None
    first = doc.find(True, recursive=False)
    assert first is not None and first in doc.select(root), f"does not start with {root}"
    return doc
