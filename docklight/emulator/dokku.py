"""The emulator's ``dokku`` program: what the test host's ~/.sshcommand names.

Dokku's sshcommand forces every key to ``FINGERPRINT=… NAME=… `cat
~/.sshcommand` $SSH_ORIGINAL_COMMAND``, where ~/.sshcommand holds the path of
the ``dokku`` script. The test sshd forces its keys to ``python3 -S`` on this
file in the same place. It is a plain script rather than ``python3 -m
docklight.emulator`` because every emulated Dokku call starts a new Python:
runpy's imports and site's start-up were a third of that start-up's CPU, time
the product's measurements then shared two cores with. The emulator needs
nothing from site-packages.
"""

import sys

# sys.path[0] is this folder; its modules are imported as docklight.emulator.*
# only (from PYTHONPATH), never as top-level modules that could shadow others.
del sys.path[0]

from docklight.emulator.cli import main  # noqa: E402

sys.exit(main())
