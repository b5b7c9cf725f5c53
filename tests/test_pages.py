"""The page/fragment checks of tests/pages.py tell the two apart (and fail when they should)."""

from __future__ import annotations

import pytest

from tests.pages import assert_app_page, assert_fragment, assert_page

PAGE = """<!doctype html><html><body><header class="topbar"><nav aria-label="Main"></nav></header>
<main><section class="app-page"><nav class="tabs" id="app-tabs"></nav>
<div id="tab"><div id="ports"></div></div></section></main></body></html>"""
LOGIN_PAGE = "<!doctype html><html><body><header class='topbar'></header><main><form></form></main>"
FRAGMENT = '<div id="ports"><table></table></div>\n<p>after</p>'


def test_a_page_is_a_page():
    assert assert_app_page(PAGE, "div#ports").select_one("#ports") is not None
    assert_page(LOGIN_PAGE, "form", nav=False)
    with pytest.raises(AssertionError):
        assert_fragment(PAGE, "div#ports")
    with pytest.raises(AssertionError):
        assert_page(PAGE, "div#deploy")
    with pytest.raises(AssertionError):
        assert_page(LOGIN_PAGE)  # no navigation before logging in
    with pytest.raises(AssertionError):
        assert_app_page(LOGIN_PAGE.replace("<form>", "<div id='ports'>"), "div#ports")


def test_a_fragment_is_a_fragment_starting_with_its_root():
    assert assert_fragment(FRAGMENT, "div#ports").select_one("table") is not None
    with pytest.raises(AssertionError):
        assert_page(FRAGMENT)
    with pytest.raises(AssertionError):
        assert_fragment(FRAGMENT, "table")  # inside the root, not the root
    with pytest.raises(AssertionError):
        assert_fragment('<nav class="tabs" id="app-tabs"></nav>' + FRAGMENT, "nav#app-tabs")
