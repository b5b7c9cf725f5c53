"""Request bodies have a limit, checked before anything reads them (issue 12.5)."""

from __future__ import annotations

import io

from docklight.request_limits import CONFIG_BODY_LIMIT, DEFAULT_BODY_LIMIT, LOGIN_BODY_LIMIT
from tests.conftest import ORIGIN

FORM = "application/x-www-form-urlencoded"


class WatchedBody(io.BytesIO):
    """A request body that remembers whether anyone read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)

    def readline(self, *args):
        self.reads += 1
        return super().readline(*args)


def _post(client, url, body: WatchedBody, length: int, **headers):
    headers.setdefault("Origin", ORIGIN)
    # The test client would count the stream's bytes; announce what a client would.
    return client.post(url, input_stream=body, content_type=FORM, headers=headers,
                       environ_overrides={"CONTENT_LENGTH": str(length)})


def test_an_oversized_login_post_is_refused_unread_with_a_readable_page(client):
    body = WatchedBody(b"password=" + b"x" * 100)
    r = _post(client, "/api/auth/login", body, 300 * 1024 * 1024)
    assert r.status_code == 413
    html = r.get_data(as_text=True)
    assert "Too much data" in html and "at most 16 KiB" in html and "300 MiB" in html
    assert "<html" in html
    assert body.reads == 0


def test_an_oversized_htmx_post_gets_the_message_as_a_flash_fragment(client, auth):
    auth.login()
    body = WatchedBody(b"count=1")
    r = _post(client, "/apps/api/scale", body, DEFAULT_BODY_LIMIT + 1, **{"HX-Request": "true"})
    assert r.status_code == 413
    assert r.headers["HX-Retarget"] == "#flash"
    html = r.get_data(as_text=True)
    assert "at most 1 MiB" in html and "<html" not in html
    assert body.reads == 0


def test_a_rate_limited_login_is_answered_before_its_body_is_parsed(client, auth):
    for _ in range(5):
        assert auth.login("wrong").status_code == 401
    data = b"password=correct+horse+battery+staple&next=%2F"
    body = WatchedBody(data)
    r = _post(client, "/api/auth/login", body, len(data))
    assert r.status_code == 429
    assert body.reads == 0


def test_the_login_form_itself_stays_small(client):
    data = b"password=" + b"a" * LOGIN_BODY_LIMIT
    r = client.post("/api/auth/login", data=data, content_type=FORM,
                    headers={"Origin": ORIGIN})
    assert r.status_code == 413


def test_the_config_form_takes_a_pasted_value_larger_than_other_forms(client, auth, emulator):
    auth.login()
    big = b"x" * (DEFAULT_BODY_LIMIT + 1024)
    assert len(big) < CONFIG_BODY_LIMIT
    before = len(emulator.calls())
    # No key for the value: the form answers with its own message, which
    # shows the body got through the limit and was read.
    r = client.post("/apps/api/config", data=b"rows=1&key-0=&value-0=" + big,
                    content_type=FORM, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert "Give a key for this value." in r.get_data(as_text=True)
    r = client.post("/apps/api/scale", data=b"web=" + big, content_type=FORM)
    assert r.status_code == 413
    assert not [c for c in emulator.calls()[before:] if c and c[0] == "ps:scale"]


def _post_chunked(client, url, data: bytes):
    # No Content-Length, as gunicorn passes a chunked body on.
    return client.post(url, input_stream=io.BytesIO(data), content_type=FORM,
                       headers={"Origin": ORIGIN, "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""})


def test_a_chunked_body_is_refused_over_the_limit_and_read_whole_under_it(client, auth):
    # Werkzeug's own stream would stop at the limit silently and the view
    # would see a truncated form.
    big = b"password=" + b"1" * (LOGIN_BODY_LIMIT + 10)
    r = _post_chunked(client, "/api/auth/login", big)
    assert r.status_code == 413
    assert "at most 16 KiB" in r.get_data(as_text=True)
    r = _post_chunked(client, "/api/auth/login", b"password=wrong&next=%2F")
    assert r.status_code == 401
    assert "Wrong name or password." in r.get_data(as_text=True)

