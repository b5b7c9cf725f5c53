"""Helpers the bats ports share: a must-succeed run and a one-app setup.

They live here, not in conftest.py, because tests import them by name and a
conftest is not meant to be imported.
"""

from __future__ import annotations

import pytest


def ok(dokku, *args, **run_kwargs):
    """Run a command that must succeed; return its output."""
    result = dokku.run(*args, **run_kwargs)
    assert result.status == 0, (args, result.output)
    return result.output


def one_app(app: str):
    """Return a `dokku` fixture whose host has APP created, as the bats setup's create_app leaves it.

    Dokku's tests/unit/test_helper.bash create_app runs ``dokku apps:create``, so
    this does too. Each module passes its own APP; the fixture overrides the
    conftest's empty host of the same name.
    """

    @pytest.fixture
    def dokku(dokku):
        """A host with one created app, as the bats setup's create_app leaves it."""
        assert dokku.run("apps:create", app).status == 0
        return dokku

    return dokku
