"""History: every command recorded, secrets never stored."""

from __future__ import annotations

import base64
import glob
import json
import sqlite3

import pytest

from docklight import db, services
from docklight.dokku import commands, parsers
from docklight.dokku.actor import Actor

SECRET = "hunter2-öß-'\"-$(id)-`x`\nsecond line"


def _all_db_bytes(app) -> bytes:
    """Return the raw bytes of the database and its WAL/SHM files."""
    data = b""
    for path in glob.glob(app.config["DATABASE"] + "*"):
        with open(path, "rb") as f:
            data += f.read()
    return data


def test_secret_never_reaches_the_sqlite_file(app, emulator):
    with app.app_context():
        dokku = services.dokku()
        result = dokku.run(commands.config_set("api", {"SECRET": SECRET, "PLAIN": "visible-ok"},
                                               restart=False), actor=Actor("10.0.0.9"))
        assert result.ok, result.stderr
        export = dokku.run(commands.config_export("api"))
        got = dokku.run(commands.config_get("api", "SECRET"))
    # Dokku itself got and kept the exact bytes...
    assert parsers.parse_config_export_json(export.stdout)["SECRET"] == SECRET
    assert got.stdout == SECRET + "\n"
    assert emulator.state()["apps"]["api"]["config"]["SECRET"] == SECRET
    # ...and echoed them (config:set prints values in clear text).
    assert "hunter2" in result.stdout
    raw = _all_db_bytes(app)
    for needle in (b"hunter2", SECRET.encode(), base64.b64encode(SECRET.encode()),
                   b"visible-ok", b"postgres://u:pw@"):
        assert needle not in raw, needle
    conn = sqlite3.connect(app.config["DATABASE"])
    rows = conn.execute("SELECT command, stdout, actorIp, changesState, exitCode, status"
                        " FROM commands ORDER BY id").fetchall()
    assert rows[0][0] == "dokku config:set --encoded --no-restart api SECRET=*** PLAIN=***"
    assert "SECRET:" in rows[0][1] and "***" in rows[0][1]
    assert rows[0][2:] == ("10.0.0.9", 1, 0, "ok")
    assert rows[1][0] == "dokku config:export --format json api"
    assert json.loads(rows[1][1]) == {"DATABASE_URL": "***", "PLAIN": "***", "SECRET": "***"}
    assert rows[2][0] == "dokku config:get api SECRET" and rows[2][1] == "***"


def test_reads_and_failures_are_recorded(app, emulator):
    with app.app_context():
        dokku = services.dokku()
        dokku.run(commands.report("ps"))
        failed = dokku.run(commands.ps_action("restart", "missing-app"))
    assert failed.exit_code == 20
    conn = sqlite3.connect(app.config["DATABASE"])
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM commands ORDER BY id").fetchall()
    assert [r["command"] for r in rows] == ["dokku ps:report", "dokku ps:restart missing-app"]
    assert rows[0]["changesState"] == 0 and rows[0]["exitCode"] == 0
    assert rows[1]["changesState"] == 1 and rows[1]["exitCode"] == 20
    assert rows[1]["status"] == "failed" and "App missing-app does not exist" in rows[1]["stderr"]
    assert rows[1]["app"] == "missing-app" and rows[1]["subcommand"] == "ps:restart"
    assert rows[0]["target"] == app.config["SETTINGS"].dokku.target.__str__()
    assert rows[0]["createdAt"].endswith("Z") and rows[0]["durationMs"] >= 0


def test_schema_is_versioned_and_wal(app):
    conn = sqlite3.connect(app.config["DATABASE"])
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    cols = {r[1] for r in conn.execute("PRAGMA table_info(commands)")}
    assert {"id", "command", "exitCode", "stdout", "stderr", "createdAt", "durationMs",
            "target", "actorIp", "changesState"} <= cols


def test_connection_is_closed_when_its_block_ends(app):
    with db.connection(app.config["DATABASE"]) as conn:
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db.BUSY_TIMEOUT_MS
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        conn.execute("SELECT 1")
    with pytest.raises(ZeroDivisionError):
        with db.connection(app.config["DATABASE"]) as failing:
            1 / 0
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        failing.execute("SELECT 1")


def test_concurrent_writers(app):
    import threading

    from docklight.history import History

    history = History(app.config["DATABASE"])
    errors = []

    def write(n):
        try:
            for i in range(50):
                history.record(command=f"dokku t {n} {i}", subcommand="t", app=None, target="x",
                               actor_ip=None, changes_state=False, status="ok", exit_code=0,
                               duration=0.0, stdout="", stderr="")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conn = sqlite3.connect(app.config["DATABASE"])
    assert conn.execute("SELECT COUNT(*) FROM commands").fetchone()[0] == 300


def test_a_long_read_reaches_its_caller_whole_and_history_keeps_its_start(app, emulator):
    """At 200 apps a bulk report is ~200 kB, read every cache TTL while a dashboard is open."""
    from docklight import history
    from docklight.emulator import state as emu

    emulator.reset(apps=[emu.make_app(f"app-{i:04d}") for i in range(200)])
    with app.app_context():
        result = services.dokku().run(commands.report("ps"))
    assert len(parsers.read_reports("ps", result.stdout)) == 200  # the page gets every app
    with db.connection(app.config["DATABASE"]) as conn:
        stored = conn.execute("SELECT stdout FROM commands WHERE subcommand = 'ps:report'"
                              " ORDER BY id DESC LIMIT 1").fetchone()["stdout"]
    kept, _, note = stored.rstrip("\n").rpartition("\n")
    assert result.stdout.startswith(kept + "\n")  # whole lines from the start
    assert len(kept) <= history.READ_OUTPUT_KEPT
    assert note == (f"[{len(result.stdout) - len(kept) - 1:,} more characters not kept: history"
                    f" keeps the first {history.READ_OUTPUT_KEPT:,} characters of a read's output]")


def test_a_state_change_keeps_all_of_its_output(app):
    from docklight import history

    text = "".join(f"-----> step {i}\n" for i in range(5000))
    rows = history.History(app.config["DATABASE"])
    for changes in (True, False):
        rows.record(command="dokku ps:rebuild api", subcommand="ps:rebuild", app="api",
                    target="t", actor_ip=None, changes_state=changes, status="ok",
                    exit_code=0, duration=1.0, stdout=text, stderr=text)
    with db.connection(app.config["DATABASE"]) as conn:
        got = conn.execute("SELECT changesState, stdout, stderr FROM commands"
                           " ORDER BY id DESC LIMIT 2").fetchall()
    by_kind = {row["changesState"]: (row["stdout"], row["stderr"]) for row in got}
    assert by_kind[1] == (text, text)
    assert all(len(part) < len(text) for part in by_kind[0])
