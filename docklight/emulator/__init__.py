"""A stateful Dokku emulator speaking Dokku's real output formats and exit codes.

Run it as ``python3 -m docklight.emulator ARGS...`` (or through a forced SSH
command that sets ``SSH_ORIGINAL_COMMAND``) with ``DOKKU_EMULATOR_HOME`` pointing
at a directory holding its state. See :mod:`docklight.emulator.state` for the
state schema and the helpers tests use. Stdlib only, nothing heavy at import.
"""


def main(argv=None):
    """Run one emulated ``dokku`` invocation; see :func:`docklight.emulator.cli.main`."""
    from .cli import main as cli_main

    return cli_main(argv)
