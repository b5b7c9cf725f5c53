"""Helpers for the app-page tab tests: parse a response, find what reached Dokku."""

from __future__ import annotations

from tests.pages import soup

HX = {"HX-Request": "true"}
READS = ("version", "storage:list")


def writes(emulator) -> list[list[str]]:
    """Return the commands Dokku received that were not reads."""
    return [c for c in emulator.calls() if not c[0].endswith(":report") and c[0] not in READS]


def error_next_to(response, name: str) -> str:
    """Return the message shown in the .field holding the input `name` (or a row message)."""
    page = soup(response)
    message = page.select_one(f"#e-{name}")
    assert message is not None, f"no message for {name}"
    control = page.find(id=f"f-{name}") or page.find("input", attrs={"name": name,
                                                                      "type": "checkbox"})
    if control is not None:  # a form field: the message sits in its .field
        assert message in control.find_parent(class_="field").descendants
    return message.get_text(" ", strip=True)
