"""Config tab: keys with hidden values, reveal one, set many (byte-exact), unset, refusals."""

from __future__ import annotations

import base64
import glob
import json
import sqlite3

import pytest
from bs4 import BeautifulSoup

from docklight import services
from tests.conftest import job_id_of, wait_for_job
from tests.tabs import HX, soup
from tests.pages import assert_app_page, assert_fragment

DB_SECRET = "postgres://u:pw@db/api"  # the standard api app's DATABASE_URL
# Values that break naive quoting on the way through ssh, xargs and echo.
NASTY = {
    "SPACES": "  two  spaces inside and trailing   ",
    "QUOTES": "it's \"double\" and 'single'",
    "EQUALS": "a=b==c=",
    "SUBSHELL": "$(id) ${HOME} $PATH",
    "BACKTICKS": "`uname -a`",
    "SEMICOLONS": "a; rm -rf / ; echo x | cat && true",
    "NEWLINES": "line one\nline two\n\n  line four\n",
    "LEADING_NEWLINE": "\nstarts with a newline",
    "UNICODE": "grüße 日本語 🚀 ünïcödé",
    "FORCE": "--force",
    "LEADING_DASH": "-rf --quiet --app other",
    "BARE_N": "-n",
    "BACKSLASH": "back\\slash \\n not a newline \\ inside",  # a trailing one breaks the env file
    "TAB": "\ttab\t",
    "HTML": "<script>alert(1)</script> &amp;",
}



def set_form(pairs: dict[str, str], *, no_restart: bool = True, rows: int | None = None) -> dict:
    """Return the set form's fields for pairs, one row each."""
    data = {"rows": str(rows or len(pairs))}
    for i, (key, value) in enumerate(pairs.items()):
        data[f"key-{i}"] = key
        data[f"value-{i}"] = value
    if no_restart:
        data["no_restart"] = "1"
    return data


def field_error(page: BeautifulSoup, name: str) -> str | None:
    """Return the message shown inside the same .field as the input named name."""
    control = page.find(attrs={"name": name})
    assert control is not None, name
    box = control.find_parent(class_="field")
    error = box.select_one(".field-error")
    return error.get_text(strip=True) if error else None


def db_bytes(app) -> bytes:
    data = b""
    for path in glob.glob(app.config["DATABASE"] + "*"):
        with open(path, "rb") as f:
            data += f.read()
    return data




# --- reading -----------------------------------------------------------------

def test_full_page_lists_keys_with_values_hidden(client, auth, emulator):
    auth.login()
    r = client.get("/apps/api/config")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    page = assert_app_page(r, "div#config")
    assert page.select_one('.tabs a[aria-current="page"]').get_text(strip=True) == "Config"
    rows = page.select("#config .config-list tbody tr")
    assert [tr["data-key"] for tr in rows] == ["DATABASE_URL"]
    assert rows[0].select_one(".masked").get_text() == "••••"
    assert DB_SECRET not in html and "pw@db" not in html
    assert r.headers["Cache-Control"] == "no-store"
    assert emulator.calls()[-1] == ["config:export", "--format", "json", "api"]


def test_fragment_is_the_tab_alone(client, auth, emulator):
    auth.login()
    r = client.get("/apps/api/config", headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    page = assert_fragment(r, "div#config")
    assert page.select_one("div#config")["hx-trigger"] == "job-done from:body"
    assert [tr["data-key"] for tr in page.select(".config-list tbody tr")] == ["DATABASE_URL"]
    assert len(page.select("#config-set textarea")) == 3  # three blank rows
    assert "pw@db" not in html


def test_more_rows_without_javascript(client, auth, emulator):
    auth.login()
    page = soup(client.get("/apps/api/config?rows=5"))
    assert len(page.select("#config-set input[name^=key-]")) == 5
    assert page.select_one("#config-set input[name=rows]")["value"] == "5"
    # "Add row" posts what was typed and gets it back with one more row.
    before = emulator.calls()
    r = client.post("/apps/api/config", data={"rows": "2", "key-0": "A", "value-0": "x\ny",
                                              "add_row": "1"}, headers=HX)
    assert r.status_code == 200 and r.headers["HX-Retarget"] == "#config-set"
    page = soup(r)
    assert len(page.select("input[name^=key-]")) == 3
    assert page.select_one("input[name=key-0]")["value"] == "A"
    assert page.select_one("textarea[name=value-0]").get_text() == "\nx\ny"  # see the template
    assert emulator.calls() == before


def test_rows_posted_beyond_the_rows_field_are_not_dropped(client, auth, emulator):
    auth.login()
    data = {"rows": "1", "key-0": "FIRST", "value-0": "1st", "key-4": "FIFTH", "value-4": "5th",
            "no_restart": "1"}
    assert client.post("/apps/api/config", data=data).status_code == 200
    config = emulator.state()["apps"]["api"]["config"]
    assert config["FIRST"] == "1st" and config["FIFTH"] == "5th"


def test_edit_loads_the_current_value_and_keeps_it_out_of_caches(app, client, auth, emulator):
    auth.login()
    page = soup(client.get("/apps/api/config"))
    button = page.select_one('tr[data-key="DATABASE_URL"] button[name=edit]')
    assert button["value"] == "DATABASE_URL" and button["formmethod"] == "post"
    assert "pw@db" not in str(page)  # nothing is read until Edit is pressed
    r = client.post(button["formaction"], data={"edit": "DATABASE_URL"}, headers=HX)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.headers["HX-Retarget"] == "#config-set"
    form = soup(r)
    assert form.select_one("#config-set")["hx-history"] == "false"
    assert form.select_one("input[name=key-0]")["value"] == "DATABASE_URL"
    assert form.select_one("textarea[name=value-0]").get_text() == "\n" + DB_SECRET
    conn = sqlite3.connect(app.config["DATABASE"])
    assert conn.execute("SELECT command, stdout FROM commands WHERE subcommand = 'config:get'"
                        ).fetchall() == [("dokku config:get api DATABASE_URL", "***")]
    # Without JavaScript the whole tab comes back with the value in the form.
    page = soup(client.post("/apps/api/config/edit", data={"edit": "DATABASE_URL"}))
    assert page.select_one("#config-set textarea[name=value-0]").get_text() == "\n" + DB_SECRET


def test_an_empty_value_is_only_stored_when_confirmed(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config", data={"rows": "1", "key-0": "DATABASE_URL", "value-0": "",
                                              "no_restart": "1"}, headers=HX)
    assert r.status_code == 422
    page = soup(r)
    assert "is empty" in page.select_one("#e-value-0").get_text()
    assert page.select_one("input[name=empty-0]") is not None
    assert not [c for c in emulator.calls() if c[0] == "config:set"]
    assert emulator.state()["apps"]["api"]["config"]["DATABASE_URL"] == DB_SECRET
    r = client.post("/apps/api/config", data={"rows": "1", "key-0": "DATABASE_URL", "value-0": "",
                                              "empty-0": "1", "no_restart": "1"}, headers=HX)
    assert r.status_code == 200
    assert emulator.state()["apps"]["api"]["config"]["DATABASE_URL"] == ""


# --- reveal ------------------------------------------------------------------

def test_reveal_returns_exactly_the_value_and_history_keeps_stars(app, client, auth, emulator):
    auth.login()
    assert client.post("/apps/api/config", data=set_form(NASTY)).status_code == 200
    for key, value in NASTY.items():
        r = client.post("/apps/api/config/reveal", data={"key": key}, headers=HX)
        assert r.status_code == 200, key
        assert r.headers["Cache-Control"] == "no-store"
        page = soup(r)
        assert page.select_one(".config-value")["data-key"] == key
        assert page.select_one("pre code").get_text() == value, key
        assert page.select_one("a.hide-value")
        assert page.select_one("small.meta code").get_text() == f"dokku config:get api {key}"
    raw = client.post("/apps/api/config/reveal", data={"key": "HTML"},
                      headers=HX).get_data(as_text=True)
    assert "<script>alert" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;" in raw
    conn = sqlite3.connect(app.config["DATABASE"])
    rows = conn.execute("SELECT command, stdout FROM commands WHERE subcommand = 'config:get'"
                        " ORDER BY id").fetchall()
    assert rows[0] == ("dokku config:get api SPACES", "***")
    assert {stdout for _, stdout in rows} == {"***"}


def test_reveal_without_javascript_shows_the_whole_tab(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config/reveal", data={"key": "DATABASE_URL"})
    assert r.status_code == 200
    page = assert_app_page(r, "div#config")
    assert page.select_one('tr[data-key="DATABASE_URL"] pre code').get_text() == DB_SECRET


def test_hide_and_missing_key(client, auth, emulator):
    auth.login()
    before = emulator.calls()
    r = client.get("/apps/api/config/masked?key=DATABASE_URL", headers=HX)
    assert soup(r).select_one(".masked") and "pw@db" not in r.get_data(as_text=True)
    assert emulator.calls() == before
    r = client.post("/apps/api/config/reveal", data={"key": "NOPE"}, headers=HX)
    assert r.status_code == 200 and "NOPE is not set" in soup(r).get_text()


def test_reveal_refusals_stay_in_the_value_cell(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config/reveal", data={"key": "--force"}, headers=HX)
    assert r.status_code == 422
    assert "may not begin with '-'" in soup(r).select_one(".config-value .field-error").text
    assert not [c for c in emulator.calls() if c[0] == "config:get"]
    emulator.settings(fail={"config:get": [1, " !     Access denied"]})
    r = client.post("/apps/api/config/reveal", data={"key": "DATABASE_URL"}, headers=HX)
    assert r.status_code == 422
    box = assert_fragment(r, "div.config-value").select_one(".config-value .dokku-error")
    assert box.select_one("code").get_text() == "dokku config:get api DATABASE_URL"
    assert "exited 1" in box.get_text()
    # config:get's output is redacted whole, Dokku's message included.
    assert "pw@db" not in r.get_data(as_text=True)


# --- set -----------------------------------------------------------------------

def test_set_nasty_values_byte_exact_without_restart(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config", data=set_form(NASTY), headers=HX)
    assert r.status_code == 200
    assert json.loads(r.headers["HX-Trigger"])["app-changed"] == {"app": "api"}
    config = emulator.state()["apps"]["api"]["config"]
    for key, value in NASTY.items():
        assert config[key] == value, key
    encoded = [f"{k}={base64.b64encode(v.encode()).decode()}" for k, v in NASTY.items()]
    assert ["config:set", "--encoded", "--no-restart", "api", *encoded] in emulator.calls()
    page = soup(r)
    shown = "dokku config:set --encoded --no-restart api " + " ".join(f"{k}=***" for k in NASTY)
    assert page.select_one(".done .command code").get_text() == shown
    assert set(NASTY) <= {tr["data-key"] for tr in page.select(".config-list tbody tr")}
    html = r.get_data(as_text=True)
    for value in ("$(id)", "`uname -a`", "grüße", "rm -rf"):
        assert value not in html  # the list never shows values


def test_textarea_line_breaks_arrive_as_typed(client, auth, emulator):
    auth.login()
    # Browsers send a textarea's line breaks as CRLF.
    data = set_form({"PEM": "-----BEGIN KEY-----\r\nabc\r\n-----END KEY-----\r\n"})
    assert client.post("/apps/api/config", data=data).status_code == 200
    pem = emulator.state()["apps"]["api"]["config"]["PEM"]
    assert pem == "-----BEGIN KEY-----\nabc\n-----END KEY-----\n"


def test_blank_rows_are_skipped_and_confirmed_empty_values_allowed(client, auth, emulator):
    auth.login()
    data = {"rows": "3", "key-0": "", "value-0": "", "key-1": "EMPTY", "value-1": "", "empty-1": "1",
            "key-2": "", "value-2": "", "no_restart": "1"}
    assert client.post("/apps/api/config", data=data).status_code == 200
    assert emulator.calls()[-2][:4] == ["config:set", "--encoded", "--no-restart", "api"]
    assert emulator.state()["apps"]["api"]["config"]["EMPTY"] == ""


def test_set_with_restart_runs_as_a_job(app, client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config", data=set_form({"MODE": "fast lane"}, no_restart=False),
                    headers=HX)
    assert r.status_code == 202
    assert r.headers["HX-Retarget"] == "#job-slot"
    panel = soup(r).select_one("section.job")
    assert "dokku config:set --encoded api MODE=***" in panel.select_one(".command").get_text()
    job = wait_for_job(app, job_id_of(r))
    assert job.status == "ok" and job.exitCode == 0
    assert emulator.state()["apps"]["api"]["config"]["MODE"] == "fast lane"
    encoded = base64.b64encode(b"fast lane").decode()
    assert ["config:set", "--encoded", "api", f"MODE={encoded}"] in emulator.calls()
    with app.app_context():
        output = "\n".join(services.get().jobs.output(job))
    assert "Restarting app api" in output and "fast lane" not in output


def test_set_with_restart_without_javascript_redirects_to_the_job(app, client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config", data=set_form({"MODE": "x y"}, no_restart=False))
    assert r.status_code == 303 and r.headers["Location"].startswith("/jobs/")
    wait_for_job(app, r.headers["Location"].rsplit("/", 1)[1])
    assert emulator.state()["apps"]["api"]["config"]["MODE"] == "x y"


def test_dokku_refusal_is_shown_inline(client, auth, emulator):
    auth.login()
    emulator.settings(fail={"config:set": [1, " !     Access denied"]})
    r = client.post("/apps/api/config", data=set_form({"K": "v"}), headers=HX)
    assert r.status_code == 422
    box = soup(r).select_one(".dokku-error")
    facts = [dd.get_text(strip=True) for dd in box.select("dd")]
    assert facts[0] == "dokku config:set --encoded --no-restart api K=***"
    assert facts[1] == "1"
    assert box.select_one("pre").get_text() == "Access denied"


# --- unset -----------------------------------------------------------------------

def test_unset_without_restart_inline(client, auth, emulator):
    auth.login()
    client.post("/apps/api/config", data=set_form({"A": "1a", "B": "2b"}))
    r = client.post("/apps/api/config/unset", data={"unset": ["A", "DATABASE_URL"],
                                                    "no_restart": "1"}, headers=HX)
    assert r.status_code == 200 and "app-changed" in r.headers["HX-Trigger"]
    assert emulator.calls()[-2] == ["config:unset", "--no-restart", "api", "A", "DATABASE_URL"]
    assert set(emulator.state()["apps"]["api"]["config"]) == {"B"}
    page = soup(r)
    assert [tr["data-key"] for tr in page.select(".config-list tbody tr")] == ["B"]
    assert page.select_one(".done .command code").get_text() == \
        "dokku config:unset --no-restart api A DATABASE_URL"


def test_unset_with_restart_is_a_job(app, client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config/unset", data={"unset": "DATABASE_URL"}, headers=HX)
    assert r.status_code == 202
    assert wait_for_job(app, job_id_of(r)).status == "ok"
    assert ["config:unset", "api", "DATABASE_URL"] in emulator.calls()
    assert emulator.state()["apps"]["api"]["config"] == {}


@pytest.mark.parametrize("keys, message", [
    ([], "Tick at least one key to unset."),
    (["--force"], "may not begin with '-'"),
    (["A B"], "Invalid key name: 'A B'"),
])
def test_unset_refusals_send_nothing(client, auth, emulator, keys, message):
    auth.login()
    r = client.post("/apps/api/config/unset", data={"unset": keys, "no_restart": "1"}, headers=HX)
    assert r.status_code == 422
    assert message in soup(r).select_one("#e-unset").get_text()
    assert not [c for c in emulator.calls() if c[0] == "config:unset"]


# --- refusals ----------------------------------------------------------------------

HOSTILE = [
    ({"key-0": "--force", "value-0": "x"}, "key-0", "may not begin with '-'"),
    ({"key-0": "-n", "value-0": "x"}, "key-0", "may not begin with '-'"),
    ({"key-0": "A B", "value-0": "x"}, "key-0", "Invalid key name: 'A B'"),
    ({"key-0": "1ABC", "value-0": "x"}, "key-0", "Invalid key name: '1ABC'"),
    ({"key-0": "A=B", "value-0": "x"}, "key-0", "Invalid key name: 'A=B'"),
    ({"key-0": "K;id", "value-0": "x"}, "key-0", "Invalid key name: 'K;id'"),
    ({"key-0": "$(id)", "value-0": "x"}, "key-0", "Invalid key name"),
    ({"key-0": "ÄPFEL", "value-0": "x"}, "key-0", "Invalid key name"),
    ({"key-0": "OK", "value-0": "x", "key-1": "", "value-1": "orphan"}, "key-1",
     "Give a key for this value."),
    ({"key-0": "SAME", "value-0": "x", "key-1": "SAME", "value-1": "y"}, "key-1",
     "SAME is already in row 1; give each key once."),
    ({"key-0": "NUL", "value-0": "a\x00b"}, "value-0", "Value may not contain a NUL character."),
    ({}, "key-0", "Give at least one KEY and its value."),
]


@pytest.mark.parametrize("fields, field, message", HOSTILE)
def test_hostile_input_refused_next_to_its_field_nothing_sent(client, auth, emulator,
                                                              fields, field, message):
    auth.login()
    client.get("/apps/api/config")
    before = emulator.calls()
    data = {"rows": "3", "no_restart": "1", **fields}
    r = client.post("/apps/api/config", data=data, headers=HX)
    assert r.status_code == 422
    assert r.headers["HX-Retarget"] == "#config-set" and r.headers["HX-Reswap"] == "outerHTML"
    page = soup(r)
    assert message in field_error(page, field)
    # The form comes back with what was typed.
    if fields.get("key-0"):
        assert page.select_one("input[name=key-0]")["value"] == fields["key-0"]
    assert emulator.calls() == before  # not even a read


def test_refusal_without_javascript_shows_the_whole_tab(client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config", data={"rows": "1", "key-0": "BAD KEY", "value-0": "v"})
    assert r.status_code == 422
    assert "Invalid key name" in field_error(assert_app_page(r, "div#config"), "key-0")
    assert not [c for c in emulator.calls() if c[0] == "config:set"]


def test_multiple_errors_each_next_to_its_row(client, auth, emulator):
    auth.login()
    data = {"rows": "3", "key-0": "GOOD", "value-0": "v", "key-1": "bad key", "value-1": "v",
            "key-2": "GOOD", "value-2": "w"}
    page = soup(client.post("/apps/api/config", data=data, headers=HX))
    assert field_error(page, "key-0") is None
    assert "Invalid key name" in field_error(page, "key-1")
    assert "already in row 1" in field_error(page, "key-2")


# --- secrets at rest -------------------------------------------------------------------

def test_secret_never_reaches_the_sqlite_files(app, client, auth, emulator):
    auth.login()
    secret = "s3cr3t-zebra-\"'$(id)`x`\nline two"
    client.post("/apps/api/config", data=set_form({"TOKEN": secret}), headers=HX)
    r = client.post("/apps/api/config", data=set_form({"OTHER": secret + "-job"},
                                                      no_restart=False), headers=HX)
    wait_for_job(app, job_id_of(r))
    revealed = client.post("/apps/api/config/reveal", data={"key": "TOKEN"}, headers=HX)
    assert soup(revealed).select_one("pre code").get_text() == secret
    client.get("/apps/api/config")
    raw = db_bytes(app)
    for needle in (b"s3cr3t-zebra", secret.encode(), base64.b64encode(secret.encode()),
                   base64.b64encode((secret + "-job").encode()), b"pw@db"):
        assert needle not in raw, needle


# --- paste a .env file ------------------------------------------------------------

DOTENV = (
    "# exported by a dotenv tool\r\n"
    "export DATABASE_URL=postgres://u:new@db/api\r\n"
    "GREETING='hello $USER'\r\n"
    'MOTD="two\\nlines"\r\n'
    "PLAIN=value # a comment\r\n"
    "REF=${PLAIN}-x\r\n"
)


def test_paste_previews_then_sets_every_key_in_one_command(app, client, auth, emulator):
    auth.login()
    r = client.post("/apps/api/config/paste", data={"envfile": DOTENV, "no_restart": "1"}, headers=HX)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    page = soup(r)
    assert page.select_one("#config-paste")["hx-history"] == "false"
    rows = {tr["data-key"]: tr.get_text(" ", strip=True) for tr in page.select(".config-paste-preview tr[data-key]")}
    assert list(rows) == ["DATABASE_URL", "GREETING", "MOTD", "PLAIN", "REF"]
    assert "replaces the current value" in rows["DATABASE_URL"] and "new key" in rows["GREETING"]
    assert "expanded $PLAIN" in rows["REF"]
    assert "u:new@db" not in page.select_one(".config-paste-preview").get_text()
    assert not [c for c in emulator.calls() if c[0] == "config:set"]  # a preview sends nothing

    hidden = page.select_one("#config-paste input[name=envfile]")["value"]
    r = client.post("/apps/api/config/paste", data={"envfile": hidden, "no_restart": "1", "apply": "1"},
                    headers=HX)
    assert r.status_code == 200
    sets = [c for c in emulator.calls() if c[0] == "config:set"]
    assert len(sets) == 1 and sets[0][:4] == ["config:set", "--encoded", "--no-restart", "api"]
    assert [a.split("=", 1)[0] for a in sets[0][4:]] == ["DATABASE_URL", "GREETING", "MOTD", "PLAIN", "REF"]
    config = emulator.state()["apps"]["api"]["config"]
    assert config["DATABASE_URL"] == "postgres://u:new@db/api"
    assert config["GREETING"] == "hello $USER" and config["MOTD"] == "two\nlines"
    assert config["PLAIN"] == "value" and config["REF"] == "value-x"
    conn = sqlite3.connect(app.config["DATABASE"])
    stored = " ".join(str(v) for row in conn.execute("SELECT * FROM commands") for v in row)
    assert "u:new@db" not in stored and "two\nlines" not in stored


@pytest.mark.parametrize("text, message", [
    ('A="open\n', "not a .env file godotenv can read: unterminated quoted value"),
    ("PIN=007\nOK=1\n", "1 of 2 keys cannot be set as pasted"),
    ("BAD.KEY=1\n", "1 of 1 keys cannot be set as pasted"),
    ("# nothing\n", "No KEY=value lines found."),
])
def test_paste_that_dokku_cannot_take_is_refused_next_to_the_box(client, auth, emulator, text, message):
    auth.login()
    r = client.post("/apps/api/config/paste", data={"envfile": text, "apply": "1"}, headers=HX)
    assert r.status_code == 422
    assert message in soup(r).select_one("#e-envfile").get_text()
    assert not [c for c in emulator.calls() if c[0] == "config:set"]
