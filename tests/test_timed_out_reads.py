"""A read that times out leaves its Dokku process running (issue 13.6).

Reads run without a pty (stderr kept apart for the parsers), and sshd does
not signal a forced-command session, so closing the channel at the timeout
does not end the remote command: it goes on until its next write to the
closed pipe (SIGPIPE), which for a report is when it has its answer. These
tests measure that on the real sshd, and check that the host page lists the
reads that may still be running.
"""

from __future__ import annotations

import time

import pytest

from docklight.dokku import commands
from docklight.dokku.errors import CommandTimeout
from tests.conftest import PASSWORD

HANG_MS = 2500


def end_of(emulator, argv) -> dict:
    """Wait for the end event of the emulator run of argv; return (start, end)."""
    while True:
        events = emulator.events()
        starts = {e["pid"]: e for e in events if e.get("event") == "start" and e["argv"] == argv}
        for e in events:
            if e.get("event") == "end" and e["pid"] in starts:
                return starts[e["pid"]], e
        time.sleep(0.05)


def test_a_timed_out_read_lingers_until_its_next_write(make_app, emulator):
    app = make_app(DOCKLIGHT_DOKKU_READ_TIMEOUT="1")
    dokku = app.extensions["docklight"].dokku
    emulator.settings(delay_ms=HANG_MS)
    with pytest.raises(CommandTimeout):
        dokku.run(commands.report("ps"))
    gave_up = time.time()
    start, end = end_of(emulator, ["ps:report"])
    # Still running after Docklight closed the channel; ended by the broken pipe.
    assert end["ts"] > gave_up
    assert end["reason"] == "SIGPIPE", end
    print(f"\nlingered {end['ts'] - gave_up:.2f} s after the timeout "
          f"(ran {end['ts'] - start['ts']:.2f} s, emulated work {HANG_MS / 1000:g} s)")


def test_host_page_lists_reads_that_may_still_run(make_app, emulator):
    app = make_app(DOCKLIGHT_DOKKU_READ_TIMEOUT="1")
    client = app.test_client()
    client.post("/api/auth/login", data={"password": PASSWORD},
                headers={"Origin": "http://localhost"})
    emulator.settings(delay_ms=HANG_MS)
    dokku = app.extensions["docklight"].dokku
    with pytest.raises(CommandTimeout):
        dokku.run(commands.report("domains"))
    emulator.settings(delay_ms=0)
    html = client.get("/host").get_data(as_text=True)
    assert 'id="lingering"' in html
    assert "dokku domains:report" in html and "may still be running" in html
