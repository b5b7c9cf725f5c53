"""The dashboard's cold load does its per-load work once, not once per app or per copy.

A cold load at 200 apps reads ~400 kB of bulk reports; what Docklight does
with them (scrub, record, parse) was a large part of the time above the raw
calls. These tests pin the mechanisms that keep it small: one scrub of each
output serves both history and the caller, the URL-credential scans run only
on text that could hold a URL credential, and each report label is checked
and normalized once per distinct label, not once per line.
"""

from __future__ import annotations

from docklight.dokku import commands, parsers, redact
from docklight.dokku.parsers import report_format
from docklight.emulator import seeds


def test_a_report_is_scrubbed_once_for_history_and_the_caller(app, emulator, monkeypatch):
    scrubbed = []
    real = redact.redact_text

    def counting(text, secrets=()):
        scrubbed.append(text)
        return real(text, secrets)

    monkeypatch.setattr(redact, "redact_text", counting)
    with app.app_context():
        dokku = app.extensions["docklight"].dokku
        result = dokku.run(commands.report("ps"))
    assert result.ok and "=====> api ps information" in result.stdout
    # stdout and stderr once each (empty stderr returns before scrubbing).
    assert scrubbed.count(result.stdout) == 1
    assert len(scrubbed) <= 2


def test_a_revealing_read_still_reaches_the_caller_and_not_history(app, emulator, monkeypatch):
    """The one scrub is shared only where both would scrub alike: not for a reveal."""
    from docklight import db
    from docklight.emulator import state as emu

    shared = []
    real = redact.caller_sees_stored
    monkeypatch.setattr(redact, "caller_sees_stored",
                        lambda command: shared.append(command.subcommand) or real(command))
    emulator.reset(apps=[emu.make_app("api", config={"SECRET_PW": "s3cret-pw-value"})])
    with app.app_context():
        dokku = app.extensions["docklight"].dokku
        result = dokku.run(commands.config_get("api", "SECRET_PW"))
        dokku.run(commands.report("ps"))
    assert result.stdout.strip() == "s3cret-pw-value"
    with db.connection(app.config["DATABASE"]) as conn:
        stored = conn.execute("SELECT stdout FROM commands WHERE subcommand = 'config:get'"
                              " ORDER BY id DESC LIMIT 1").fetchone()
    assert "s3cret" not in stored["stdout"]
    assert shared[-2:] == ["config:get", "ps:report"]


def test_text_without_url_marks_is_not_scanned_for_credentials(monkeypatch):
    text = "=====> app-0000 ps information\n       Running:   true\n" * 50
    scans = []

    class Recorder:
        def __init__(self, pattern):
            self.pattern = pattern

        def sub(self, repl, s):
            scans.append(self.pattern.pattern[:20])
            return self.pattern.sub(repl, s)

    monkeypatch.setattr(redact, "_URL_USERINFO", Recorder(redact._URL_USERINFO))
    monkeypatch.setattr(redact, "_TOKEN_QUERY", Recorder(redact._TOKEN_QUERY))
    assert redact.redact_urls(text) == text
    assert scans == []
    # Text that can hold them is still scrubbed.
    assert redact.redact_urls("https://tok@h/x?token=abcd") == "https://***@h/x?token=***"
    assert len(scans) == 2


def test_each_report_label_is_normalized_once_per_distinct_label(monkeypatch):
    from docklight.emulator.commands import ps
    from docklight.emulator.report import block_lines

    state = seeds.seed_many(30)
    text = "".join(
        f"=====> {name} ps information\n"
        + "".join(line + "\n" for line in block_lines(ps.report_flags(None, state, name, app,
                                                                       None)))
        for name, app in sorted(state["apps"].items()))
    normalized = []
    real = report_format.normalize_key

    def counting(label):
        normalized.append(label)
        return real(label)

    cache = getattr(report_format, "_report_key", None)  # absent before labels were cached
    if cache is not None:
        cache.cache_clear()
    monkeypatch.setattr(report_format, "normalize_key", counting)
    reports = parsers.read_reports("ps", text)
    assert len(reports) == 30 and all(r.status == "running" for r in reports.values())
    assert len(normalized) == len(set(normalized))
    if cache is not None:
        cache.cache_clear()
