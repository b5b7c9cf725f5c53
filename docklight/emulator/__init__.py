"""A stateful Dokku emulator speaking Dokku's real output formats and exit codes.

Run it as ``python3 -S docklight/emulator/dokku.py ARGS...`` (:data:`PROGRAM`;
``python3 -m docklight.emulator`` works too), or through a forced SSH command
that sets ``SSH_ORIGINAL_COMMAND``, with ``DOKKU_EMULATOR_HOME`` pointing
at a directory holding its state. See :mod:`docklight.emulator.state` for the
state schema and the helpers tests use. Stdlib only, nothing heavy at import.
"""

import os

# The script a forced command runs, as Dokku's ~/.sshcommand names /usr/bin/dokku.
PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dokku.py")


def main(argv=None):
    """Run one emulated ``dokku`` invocation; see :func:`docklight.emulator.cli.main`."""
    from .cli import main as cli_main

    return cli_main(argv)
