"""A bats-like harness: `dokku.run(...)` gives status and merged output, as bats' `run` does.

Dokku's unit tests call ``run /bin/bash -c "dokku ..."`` and then assert on
``$status``, ``$output`` (stdout and stderr interleaved) and ``${lines[@]}``.
Each port here does the same against the emulator, run as a subprocess under
Debian's python3 exactly as the forced SSH command runs it, with a fresh home
per test so no test depends on another.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from docklight.emulator import state as store  # noqa: E402
from tests import emulator_process  # noqa: E402


@dataclass
class Run:
    """What bats' `run` captures: the exit status and the merged output."""

    status: int
    output: str

    @property
    def lines(self) -> list[str]:
        """Return the output's non-empty lines, as bats' ${lines[@]} holds them."""
        return [line for line in self.output.split("\n") if line != ""]


class Dokku:
    """One emulated Dokku host in a temporary home."""

    def __init__(self, home: Path):
        self.home = home

    def run(self, *args: str, stdin: str = "", ssh: str | None = None, root: bool = True,
            env: dict | None = None) -> Run:
        """Run `dokku ARGS` (or an SSH_ORIGINAL_COMMAND) and capture it like bats."""
        environment = emulator_process.environment(self.home, LC_ALL="C.UTF-8")
        if root:
            environment["DOKKU_EMULATOR_ROOT"] = "1"
        if ssh is not None:
            environment["SSH_ORIGINAL_COMMAND"] = ssh
        environment.update(env or {})
        proc = subprocess.run(emulator_process.argv(*args),
                              input=stdin.encode(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=environment, timeout=30)
        return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"))

    def reset(self, apps=(), **kw) -> None:
        """Replace the whole state (no apps by default, like a fresh Dokku)."""
        store.write_state(self.home, store.new_state(list(apps), **kw))

    def create_app(self, *names: str, **make_app_kwargs) -> "Dokku":
        """Replace the state with created, never deployed apps, as bats' create_app leaves them."""
        self.reset([store.make_app(name, deployed=False, **make_app_kwargs) for name in names])
        return self

    def state(self) -> dict:
        """Return the emulator's state."""
        return store.read_state(self.home)


@pytest.fixture
def dokku(tmp_path) -> Dokku:
    """A fresh emulated Dokku with no apps and no progress delays."""
    store.write_settings(tmp_path, step_delay_ms=0)
    host = Dokku(tmp_path)
    host.reset()
    return host
