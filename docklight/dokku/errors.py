"""What can go wrong on the road to Dokku, as exception types.

Two kinds, kept apart on purpose: DokkuError (and its subclasses) when Dokku
could not be reached, refused the connection or did not answer in time, and
CommandFailed when Dokku ran the command and exited non-zero. Views and jobs
import them from here without importing the SSH code.
"""

from __future__ import annotations

from docklight.dokku import parsers, redact
from docklight.dokku.command import Command, Result


class DokkuError(Exception):
    """Dokku could not be reached, refused us, or did not answer in time.

    ``transient`` says whether trying again may succeed (a refused or dropped
    connection, a timeout); it is False when the setup must change first (a
    refused or unreadable key, an unknown host key, no root target), so a
    log follow stops instead of retrying forever.
    """

    status = 502
    transient = True

    def __init__(self, title: str, detail: str = "", *, target: str = "",
                 command: Command | None = None, hint: str = "",
                 result: Result | None = None, transient: bool | None = None):
        super().__init__(f"{title}: {detail}" if detail else title)
        self.title = title
        self.detail = detail
        self.target = target
        self.command = command
        self.hint = hint
        self.result = result
        if transient is not None:
            self.transient = transient


class HostKeyError(DokkuError):
    """The host key is unknown or differs from known_hosts."""

    transient = False

    def __init__(self, title, detail, *, fingerprint: str, known_hosts: str, **kw):
        super().__init__(title, detail, **kw)
        self.fingerprint = fingerprint
        self.known_hosts = known_hosts


class CommandTimeout(DokkuError):
    """A command ran past its timeout and its channel was closed."""

    status = 504


class ConnectionLostMidway(DokkuError):
    """The SSH connection dropped after a command started, before its exit status came."""


class OutcomeUnknown(DokkuError):
    """A state change timed out or lost its connection: it may or may not have run.

    ``check`` is the read-only command that shows what really happened
    (dokku/outcome.py); history records the run as ``unknown``.
    """

    status = 504

    def __init__(self, title: str, detail: str = "", *, check: str = "", **kw):
        super().__init__(title, detail, **kw)
        self.check = check


class DokkuBusy(DokkuError):
    """Too many commands already wait for a channel: answered at once, with Retry-After."""

    status = 503
    retry_after = 5


class RootNotConfigured(DokkuError):
    """A root-only command was asked for but no root target is configured."""

    status = 409
    transient = False


class CommandFailed(Exception):
    """Dokku ran the command and exited non-zero."""

    def __init__(self, result: Result):
        super().__init__(f"{result.command.display} exited {result.exit_code}")
        self.result = result

    @property
    def message(self) -> str:
        """Return Dokku's own message (the ` !     ` lines)."""
        return parsers.parse_dokku_error(redact.redact_output(self.result.command,
                                                              self.result.stderr)) or \
            redact.redact_output(self.result.command, self.result.stdout).strip()
