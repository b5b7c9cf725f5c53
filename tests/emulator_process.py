"""How tests start the emulator themselves, as the forced SSH command starts it.

The program is ``python3 -S docklight/emulator/dokku.py`` (what the test
sshd's forced command names), with its bytecode cached in one folder per user
for every run: the environment tests run in may set PYTHONDONTWRITEBYTECODE,
and then each of the suite's thousands of emulator processes compiled the
emulator's modules afresh (about 25 ms of CPU each).
"""

from __future__ import annotations

import os
import sys
import tempfile

from docklight.emulator import PROGRAM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
PYCACHE = os.path.join(tempfile.gettempdir(), f"docklight-emulator-pycache-{os.getuid()}")


def argv(*args: str) -> list[str]:
    """Return the command line of `dokku ARGS` on the emulated host."""
    return [PYTHON, "-S", PROGRAM, *args]


def environment(home, **extra: str) -> dict[str, str]:
    """Return the emulator's environment for home: this one without SSH or root markers."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("SSH_ORIGINAL_COMMAND", "DOKKU_EMULATOR_ROOT", "PYTHONDONTWRITEBYTECODE")}
    env.update(PYTHONPATH=ROOT, DOKKU_EMULATOR_HOME=os.fspath(home), PYTHONPYCACHEPREFIX=PYCACHE)
    env.update(extra)
    return env
