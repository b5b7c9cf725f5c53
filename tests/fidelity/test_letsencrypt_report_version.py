"""The SSL tab reads letsencrypt:report in the form the installed plugin has (issue 11 item 10).

``--format json`` arrived in dokku-letsencrypt 0.24.0 (commit 081b8e8,
internal-functions fn-letsencrypt-report-parse-args). In 0.20-0.23
cmd-letsencrypt-report takes its second word for an info flag, so
``letsencrypt:report api --format json`` fails with "Invalid flag passed":
on such a host the tab lost the app's e-mail and offered to enable Let's
Encrypt as if none were set. The plugin's version comes from plugin:list; the
emulator plays the older release through its ``plugin_versions`` setting.
"""

from __future__ import annotations

import pytest

from docklight.emulator import state as emu
from tests.tabs import HX, soup


def with_email(emulator, plugin_version: str) -> None:
    """Reset to the standard apps with an e-mail on `api`, and the given plugin release."""
    emulator.reset()
    state = emulator.state()
    state["apps"]["api"]["letsencrypt"]["email"] = "ops@example.com"
    emu.write_state(emulator.home, state)
    emulator.settings(plugin_versions={"letsencrypt": plugin_version})


def report_calls(emulator) -> list[list[str]]:
    return [c for c in emulator.calls() if c[0] == "letsencrypt:report"]


@pytest.mark.parametrize("plugin_version, sent", [
    ("0.23.1", ["letsencrypt:report", "api"]),
    ("0.24.0", ["letsencrypt:report", "api", "--format", "json"]),
    ("0.25.1", ["letsencrypt:report", "api", "--format", "json"]),
])
def test_the_apps_letsencrypt_email_is_not_lost_on_an_older_plugin(client, auth, emulator,
                                                                     plugin_version, sent):
    with_email(emulator, plugin_version)
    auth.login()
    page = soup(client.get("/apps/api/ssl", headers=HX))
    assert report_calls(emulator) == [sent]
    assert page.select_one("input[name=email]")["value"] == "ops@example.com"
    assert "ops@example.com" in page.select_one("#letsencrypt .facts").get_text()
    enable = page.select_one('form[action="/apps/api/ssl/enable"] button')
    assert not enable.has_attr("disabled")


def test_an_older_plugin_refuses_the_json_report_as_its_source_does(sshd, emulator):
    """What made the JSON read fail: the 0.23 plugin's own answer, through the real sshd."""
    with_email(emulator, "0.23.1")
    done = sshd.run("letsencrypt:report api --format json")
    assert done.returncode == 1
    assert done.stderr.startswith(" !     Invalid flag passed, valid flags: --letsencrypt-active ")
    assert "--letsencrypt-lego-docker-args" in done.stderr  # the 0.23 property set
    listed = sshd.run("plugin:list")
    assert any(line.split()[:2] == ["letsencrypt", "0.23.1"] for line in listed.stdout.splitlines())
