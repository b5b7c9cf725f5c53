"""The command object every builder returns, how it travels, and what came back.

A Command is data: the argv after ``dokku``, what it may do (change state,
run long, need root), and which parts are secret. Only the builders in
docklight.dokku.commands create one, so nothing else can reach the executor.
A Result is what a command that ran to its end returned.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from docklight.dokku.validators import ValidationError

# ssh dokku@host hands Dokku SSH_ORIGINAL_COMMAND, which Dokku re-splits with
# `xargs -n 1` and passes word by word through /bin/echo (reference 0.1).
# Words of these characters survive that untouched; anything else is wrapped
# in single quotes, with each embedded ' written as '"'"'.
_XARGS_SAFE = re.compile(r"^[A-Za-z0-9@%+=:,./_-]+$")
# /bin/echo swallows these words (or prints its own help), so they can never
# travel as plain arguments.
_ECHO_WORDS = re.compile(r"^(-[neE]+|--help|--version)$")

SECRET = "***"
# Dokku gets the whole command line in one environment string,
# SSH_ORIGINAL_COMMAND=<line>, and Linux refuses to exec with any single
# argument or environment string longer than MAX_ARG_STRLEN (32 pages,
# include/uapi/linux/binfmts.h), counting the name and the final NUL.
MAX_ARG_STRLEN = 131072
SSH_COMMAND_VARIABLE = "SSH_ORIGINAL_COMMAND"
MAX_WIRE_BYTES = MAX_ARG_STRLEN - len(SSH_COMMAND_VARIABLE + "=") - 1
_DISPLAY_SAFE = re.compile(r"^[A-Za-z0-9@%+=:,./_*-]+$")


def _display_quote(arg: str) -> str:
    """Quote for a POSIX shell, leaving the *** placeholder readable."""
    return arg if _DISPLAY_SAFE.match(arg) else shlex.quote(arg)


def xargs_quote(arg: str) -> str:
    """Encode one argument so Dokku's xargs re-split yields it byte-exact.

    :raise ValidationError: for values no quoting can carry (newlines, NUL,
        a bare echo option); config values avoid this by travelling base64.
    """
    if "\n" in arg or "\r" in arg or "\x00" in arg:
        raise ValidationError(
            "value",
            "This value holds a newline, which cannot travel as a Dokku argument.",
        )
    if _ECHO_WORDS.match(arg):
        raise ValidationError(
            "value",
            f"'{arg}' cannot travel as a Dokku argument (Dokku's argument "
            "splitting passes it to echo, which would swallow it).",
        )
    if _XARGS_SAFE.match(arg):
        return arg
    return "'" + arg.replace("'", "'\"'\"'") + "'"


@dataclass(frozen=True)
class Command:
    """One allowlisted Dokku invocation, ready for an executor."""

    args: tuple[str, ...]
    """argv after ``dokku``; args[0] is the subcommand."""
    shown: tuple[str, ...]
    """args with secrets replaced by ***: what history and pages show."""
    app: str | None = None
    mutates: bool = False
    long: bool = False
    """Streams output and may run for minutes: runs as a job, with a pty."""
    root: bool = False
    """Only root may run it: goes through the root target."""
    timeout: float | None = None
    """Seconds; None means the executor's default for the command's kind."""
    secrets: tuple[str, ...] = ()
    """Literal secret strings to scrub from stored output."""
    redact_output: str | None = None
    """Name of an output redactor in docklight.dokku.redact (config, service, ...)."""

    @property
    def subcommand(self) -> str:
        """Return the Dokku subcommand, e.g. ps:report."""
        return self.args[0]

    @property
    def retryable(self) -> bool:
        """Return whether a retry after a reconnect is safe (reads only)."""
        return not self.mutates

    @property
    def display(self) -> str:
        """Return the command as a person would type it, secrets hidden."""
        return "dokku " + " ".join(_display_quote(a) for a in self.shown)

    def wire(self) -> str:
        """Return the SSH command line, encoded for Dokku's xargs re-split."""
        return " ".join(xargs_quote(a) for a in self.args)

    def check_wire_size(self) -> None:
        """Refuse a command whose SSH line could never reach Dokku (MAX_ARG_STRLEN).

        sshd would fail to start Dokku at all (E2BIG), so nothing would run
        and nothing would say why. Arguments no quoting can carry are left
        for :meth:`wire` to refuse, as before.
        """
        try:
            size = len(self.wire().encode("utf-8", "surrogateescape"))
        except ValidationError:
            return
        if size > MAX_WIRE_BYTES:
            raise ValidationError(
                "value",
                f"Too large to reach Dokku: this command is {size:,} bytes as sent, "
                f"{size - MAX_WIRE_BYTES:,} over the limit. Dokku receives the whole command "
                f"line in the {SSH_COMMAND_VARIABLE} environment variable, which Linux caps at "
                f"{MAX_ARG_STRLEN:,} bytes (MAX_ARG_STRLEN, name and final NUL included), so "
                f"at most {MAX_WIRE_BYTES:,} bytes; config values travel base64, 4 bytes for "
                "every 3. Send fewer or smaller values at once. Nothing was sent.",
            )


@dataclass
class Result:
    """What a finished command returned."""

    command: Command
    exit_code: int | None
    stdout: str
    stderr: str
    duration: float
    target: str
    status: str = "ok"  # ok | failed | timeout | cancelled | error

    @property
    def ok(self) -> bool:
        """Return whether Dokku exited 0."""
        return self.exit_code == 0
