"""Hostile and random values in every form never end in a server error (issue 12.7).

Every POST route of the url_map is posted, with the field names the app's
own pages put in their forms (and the ones the route's form would have), each
filled with values chosen to break parsing: Unicode digits, signs, huge
numbers, control characters, flag-like words, header injections, odd@names.
A seeded random generator picks the mix, so a failure can be replayed.
"""

from __future__ import annotations

import random
import re

import pytest

from docklight.emulator import state as emu
from tests.conftest import standard_apps

HOSTILE = [
    "", " ", "²", "³", "٣", "１２", "½", "⁴2", "1²", "+1", "-1", "1_000", " 7 ", "1e3", "0x10",
    "9" * 40, "99999999999999999999999", "0", "00", "1.5", "NaN", "inf",
    "--force", "-", "--", "--app=api", "a" * 5000, "\x00", "\x00abc", "\r\nX-Evil: 1",
    "é\n", "ü€", "\u202e", "🙂", "../../etc/passwd", "/", "//evil.example", "%0d%0a",
    "'\"<script>", "{{7*7}}", "${HOME}", "$(id)", "`id`", ";rm -rf /", "a b", "web=²",
    "http:²:80", "http:80:²", "tcp:-1:1", "x.y", ".", "..", "_", "web", "1", "on",
    "2026-13-45", "２０２６-01-01", "KEY", "key-²", "value-٣",
]
URL_VALUES = {"app": "api", "plugin": "postgres", "name": "main", "job_id": "0" * 16,
              "action": "²"}
HOSTILE_URL_VALUES = ["²", "a.b", "-x", "%C2%B2", "x" * 300]
PAGES = ["/", "/databases", "/plugins", "/history", "/jobs"]
FIELD_RE = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"')
EXTRA_FIELDS = ["rows", "index", "count-web", "count-worker", "key-0", "value-0", "key-49",
                "value-99", "next", "confirm", "lines", "before", "after", "process_type"]
ATTEMPTS = 5  # per route: hostile URL, all "²", then random mixes
SKIP = {"auth.logout"}  # ends the session the rest of the posts need


def _fill(rule, values) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>",
                  lambda m: values.get(m[1], URL_VALUES.get(m[1], "x")), rule.rule)


def _form_fields(client, app) -> set[str]:
    """Return every field name the app's pages offer in their forms."""
    urls = list(PAGES)
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.rule.startswith("/apps/<app>") \
                and rule.rule.count("<") == 1 and not rule.websocket:
            urls.append(_fill(rule, {}))
    names: set[str] = set()
    for url in urls:
        r = client.get(url)
        assert r.status_code < 500, url
        names.update(FIELD_RE.findall(r.get_data(as_text=True)))
    return {n for n in names if "{" not in n}


@pytest.fixture
def fuzz_target(make_app, emulator):
    """An app whose host has a service with a dot in its name and a linked app."""
    services = {"postgres": {"main": emu.make_service("postgres", "main", links=["api"]),
                             "legacy.db": emu.make_service("postgres", "legacy.db")}}
    emulator.reset(apps=standard_apps(), services=services)
    return make_app()


def test_every_post_route_survives_hostile_values(fuzz_target, emulator):
    app = fuzz_target
    client = app.test_client()
    headers = {"Origin": "http://localhost"}
    r = client.post("/api/auth/login", headers=headers,
                    data={"password": "correct horse battery staple"})
    assert r.status_code == 303
    fields = sorted(_form_fields(client, app) | set(EXTRA_FIELDS))
    assert len(fields) > 30
    rng = random.Random(1204)
    posted, failures = 0, []
    rules = [r for r in app.url_map.iter_rules()
             if "POST" in r.methods and r.endpoint not in SKIP]
    assert len(rules) > 40
    for rule in rules:
        urls = [_fill(rule, {})] + [_fill(rule, {v: rng.choice(HOSTILE_URL_VALUES)
                                                 for v in rule.arguments})]
        for attempt in range(ATTEMPTS):
            url = urls[0] if attempt else urls[1]
            if attempt == 1:
                data = {f: "²" for f in fields}
            else:
                data = {f: rng.choice(HOSTILE) for f in rng.sample(fields, rng.randint(1, 12))}
            extra = {"HX-Request": "true"} if attempt % 2 else {}
            if attempt == ATTEMPTS - 1:
                extra["HX-Current-URL"] = "http://localhost/apps/ü\u202e/%0d%0a"
            r = client.post(url, data=data, headers={**headers, **extra})
            posted += 1
            if r.status_code >= 500 and r.status_code not in (502, 503, 504):
                failures.append((rule.endpoint, url, data, r.status_code))
    assert posted == len(rules) * ATTEMPTS
    assert not failures, failures[:5]


def test_unicode_digits_are_refused_next_to_their_field(client, auth, emulator):
    auth.login()
    before = len(emulator.calls())
    r = client.post("/apps/api/scale", data={"count-web": "²", "count-worker": "1"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Count must be a whole number from 0 to" in html and "digits 0-9" in html
    # int() would have read these as 3 and 12: they are not numbers to us.
    for typed in ("٣", "１２", "+1", "1_0"):
        r = client.post("/apps/api/scale", data={"count-web": typed},
                        headers={"HX-Request": "true"})
        assert r.status_code == 422, typed
    r = client.post("/apps/api/ports/add", headers={"HX-Request": "true"},
                    data={"scheme": "http", "host_port": "8²", "container_port": "5000"})
    assert r.status_code == 422
    assert "Port must be a number from 1 to 65535." in r.get_data(as_text=True)
    writes = [c for c in emulator.calls()[before:]
              if c[0] in ("ps:scale", "ports:add") and "--format" not in c]
    assert not writes
    r = client.get("/history?before=²")
    assert r.status_code == 422 or "Not a history row id." in r.get_data(as_text=True)
    r = client.get("/history?from=２０２６-01-01")
    assert "Use a date like 2026-11-24." in r.get_data(as_text=True)
    r = client.get("/apps/api/config?rows=²")
    assert r.status_code == 200


@pytest.mark.parametrize("next_url, expected", [
    ("/apps/ü€", "/apps/%C3%BC%E2%82%AC"),
    ("/apps/api\r\nSet-Cookie: x=1", "/"),
    ("/history?q=a b", "/history?q=a%20b"),
])
def test_login_redirect_headers_carry_an_encoded_next(client, next_url, expected):
    r = client.post("/api/auth/login", headers={"HX-Request": "true"},
                    data={"password": "correct horse battery staple", "next": next_url})
    assert r.status_code == 204
    assert r.headers["HX-Redirect"] == expected
    r = client.post("/api/auth/login",
                    data={"password": "correct horse battery staple", "next": next_url})
    assert r.status_code == 303
    assert r.headers["Location"] == expected


def test_a_service_name_with_a_dot_is_listed_and_driven(fuzz_target, emulator):
    client = fuzz_target.test_client()
    client.post("/api/auth/login", headers={"Origin": "http://localhost"},
                data={"password": "correct horse battery staple"})
    r = client.get("/databases")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'data-service="legacy.db"' in html and 'data-service="main"' in html
    assert ["postgres:info", "legacy.db"] in emulator.calls()
    r = client.post("/databases/postgres/legacy.db/reveal", headers={"Origin": "http://localhost"})
    assert r.status_code == 200
    assert "postgres://" in r.get_data(as_text=True)
    # Creating one is still held to the plugin's create rule (no dots).
    r = client.post("/databases/postgres/create", data={"name": "new.db"},
                    headers={"Origin": "http://localhost", "HX-Request": "true"})
    assert r.status_code == 422
    assert "Please specify a valid name for the service" in r.get_data(as_text=True)


def test_a_listed_service_we_cannot_name_is_marked_and_the_page_still_shows(
        make_app, emulator):
    services = {"postgres": {"main": emu.make_service("postgres", "main"),
                             "odd@name": emu.make_service("postgres", "odd@name")}}
    emulator.reset(apps=standard_apps(), services=services)
    client = make_app().test_client()
    client.post("/api/auth/login", headers={"Origin": "http://localhost"},
                data={"password": "correct horse battery staple"})
    r = client.get("/databases")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    row = html[html.index('data-service="odd@name"'):]
    assert "Not read:" in row[:600]
    assert ["postgres:info", "main"] in emulator.calls()
    assert not [c for c in emulator.calls() if c[:2] == ["postgres:info", "odd@name"]]
