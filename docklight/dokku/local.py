"""The local executor: run ``dokku`` (or the demo simulator) on this machine.

Used when Docklight runs on the Dokku host itself, or in the demo. The argv
list goes straight to the process, never through a shell; a long command's
whole process group is ended when it is cancelled or times out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

from docklight.dokku.command import Command, Result
from docklight.dokku.errors import CommandTimeout, DokkuError
from docklight.dokku.executor import READ_CHUNK, LineSplitter, Stream
from docklight.dokku.targets import Timeouts


class LocalExecutor:
    """Run `dokku <args>` on this machine, as an argv list, never a shell."""

    def __init__(self, argv_prefix: list[str], timeouts: Timeouts, env: dict | None = None,
                 label: str = "local"):
        self.argv_prefix = list(argv_prefix)
        self.timeouts = timeouts
        self.env = env
        self.label = label

    def __str__(self) -> str:
        return self.label

    # No connection to lose: each command is a process of its own, so what
    # the client learns about this Dokku (its version) is read once.
    connection = 0

    def close(self) -> None:
        """Close nothing: each command is a process of its own."""

    def _spawn(self, command: Command, stderr):
        try:
            return subprocess.Popen(
                [*self.argv_prefix, *command.args], stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=stderr, env=self.env, start_new_session=True)
        except OSError as exc:
            raise DokkuError("Cannot run dokku", f"{self.argv_prefix[0]}: {exc.strerror}",
                             target=self.label, command=command,
                             hint="Set DOCKLIGHT_DOKKU_BIN or DOCKLIGHT_DOKKU_SSH_TARGET.") from exc

    def run(self, command: Command) -> Result:
        """Run command to completion and return its Result."""
        timeout = self.timeouts.for_command(command)
        started = time.monotonic()
        proc = self._spawn(command, subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            out, err = proc.communicate()
            result = Result(command, None, out.decode("utf-8", "replace"),
                            err.decode("utf-8", "replace"), time.monotonic() - started,
                            self.label, "timeout")
            raise CommandTimeout("Dokku did not answer in time",
                                 f"no result after {timeout:g} s; the process was killed",
                                 target=self.label, command=command, result=result) from None
        code = proc.returncode
        return Result(command, code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                      time.monotonic() - started, self.label, "ok" if code == 0 else "failed")

    def stream(self, command: Command) -> "LocalStream":
        """Start command and return its Stream of output lines (stderr merged)."""
        proc = self._spawn(command, subprocess.STDOUT)
        return LocalStream(command, self.label, self.timeouts.for_command(command), proc)


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(2)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


class LocalStream(Stream):
    """A Stream over a local process's merged stdout/stderr."""

    def __init__(self, command, target, timeout, proc):
        super().__init__(command, target, timeout)
        self._proc = proc
        self._timed_out = False
        if self._deadline is not None:
            self._timer = threading.Timer(timeout, self._expire)
            self._timer.daemon = True
            self._timer.start()
        else:
            self._timer = None

    def _expire(self) -> None:
        self._timed_out = True
        _kill_group(self._proc)

    def _close(self) -> None:
        if self._proc.poll() is None:
            _kill_group(self._proc)

    def __iter__(self):
        splitter = LineSplitter()
        try:
            fd = self._proc.stdout
            while True:
                chunk = fd.read1(READ_CHUNK) if hasattr(fd, "read1") else fd.read(READ_CHUNK)
                if not chunk:
                    break
                yield from splitter.feed(chunk)
            yield from splitter.flush()
            code = self._proc.wait()
            self._finish(None if self._timed_out else code,
                         "timeout" if self._timed_out else "ok")
        finally:
            if self._timer:
                self._timer.cancel()
            self._close()
            self._proc.stdout.close()
