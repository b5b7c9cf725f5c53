"""Executors: run a Command on Dokku over SSH (paramiko), and what both kinds share.

The SSH executor lives here; docklight/dokku/local.py runs a local ``dokku``
(or the demo simulator) with the same Stream and Result. Both return a Result for any command that ran to its end, whatever its exit
code: success is the exit code, never stderr (Dokku warns on stderr when all
is well). They raise DokkuError only when Dokku could not be reached or did
not answer in time.

Ending a remote command (reference 0.7): sshd will not deliver signals to a
forced-command session, and closing a channel without a pty ends only a
command that still writes. So commands that may run long or wait silently
(jobs, ``logs --tail``) get a pty: closing their channel hangs the session up
and Dokku ends at once. Short reads run without one, which keeps stderr apart
from stdout for the parsers; when such a read times out we close its channel
and Dokku ends at its next write.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

from docklight.dokku.command import Command, Result
from docklight.dokku.errors import (CommandTimeout, ConnectionLostMidway, DokkuBusy,
                                   DokkuError, HostKeyError, RootNotConfigured)
from docklight.dokku.targets import SSHSettings, SSHTarget, Timeouts

READ_CHUNK = 32768
log = logging.getLogger("docklight.dokku")


def fingerprint(key) -> str:
    """Return the OpenSSH-style SHA256 fingerprint of a paramiko key."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


# --- line splitting shared by both executors --------------------------------

class LineSplitter:
    """Turn byte chunks into text lines, tolerant of split UTF-8 and CRLF."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""

    def feed(self, data: bytes) -> list[str]:
        """Return the complete lines in data (without line endings)."""
        self._buffer += self._decoder.decode(data)
        *lines, self._buffer = self._buffer.split("\n")
        return [line.rstrip("\r") for line in lines]

    def flush(self) -> list[str]:
        """Return what is left after the last newline, if anything."""
        rest = self._buffer + self._decoder.decode(b"", final=True)
        self._buffer = ""
        return [rest.rstrip("\r")] if rest else []


class Stream:
    """Lines of a long command as they arrive; close() ends the command.

    Iterate to get lines; after iteration ``result`` holds the exit code.
    Lines are not kept here: the caller stores what it needs.
    """

    def __init__(self, command: Command, target: str, timeout: float | None):
        self.command = command
        self.target = target
        self.result: Result | None = None
        self._cancelled = False
        self._started = time.monotonic()
        self._deadline = None if not timeout else self._started + timeout

    def cancel(self) -> None:
        """Ask the command to stop: closes its channel or kills the process."""
        self._cancelled = True
        self._close()

    def _close(self) -> None:
        raise NotImplementedError

    def _finish(self, exit_code: int | None, status: str) -> None:
        if self._cancelled:
            status = "cancelled"
        elif status == "ok" and exit_code != 0:
            status = "failed"
        self.result = Result(self.command, exit_code, "", "",
                             time.monotonic() - self._started, self.target, status)


# --- SSH ----------------------------------------------------------------------

def _prefer_aead_ciphers(transport) -> None:
    """Offer AES-GCM first, as OpenSSH's own client does (after chacha20-poly1305).

    An AEAD cipher authenticates each packet in the same C call that
    decrypts it; paramiko's default, AES-CTR with a separate HMAC, builds an
    HMAC object and checks the MAC in Python for every packet, and a cold
    dashboard at 200 apps receives about a thousand. Servers without GCM
    still agree on the rest of paramiko's list.
    """
    options = transport.get_security_options()
    aead = tuple(c for c in ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com")
                 if c in options.ciphers)
    options.ciphers = aead + tuple(c for c in options.ciphers if c not in aead)


class SSHExecutor:
    """Run commands over one shared paramiko Transport per target.

    The transport opens lazily, is shared by every request of the worker, and
    is rebuilt when it drops. Each command gets its own exec channel; at most
    ``max_channels`` run at once (OpenSSH allows 10 sessions per connection).
    """

    def __init__(self, target: SSHTarget, settings: SSHSettings, timeouts: Timeouts):
        self.target = target
        self.settings = settings
        self.timeouts = timeouts
        self._transport = None
        self._opened = 0  # transports opened so far; the live one is number _opened
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(settings.max_channels)
        self._queue_lock = threading.Lock()
        self.waiting = 0  # reads and writes waiting for a channel right now

    def __str__(self) -> str:
        return str(self.target)

    # connection -------------------------------------------------------------

    def _error(self, title, detail, command=None, hint="", cls=DokkuError, **kw):
        return cls(title, detail, target=str(self.target), command=command, hint=hint, **kw)

    def _load_key(self, command):
        import paramiko

        path = self.settings.key_path
        candidates = [path] if path else [
            os.path.expanduser(f"~/.ssh/{name}") for name in ("id_ed25519", "id_ecdsa", "id_rsa")
        ]
        for candidate in candidates:
            if candidate and os.path.exists(candidate):
                try:
                    return paramiko.PKey.from_path(candidate)
                except (OSError, paramiko.SSHException, ValueError) as exc:
                    raise self._error(
                        "Cannot read the SSH key", f"{candidate}: {exc}", command,
                        "Check DOCKLIGHT_DOKKU_SSH_KEY_PATH: the private key must be readable "
                        "and have no passphrase.", transient=False) from exc
        raise self._error(
            "No SSH key", f"not found: {', '.join(c for c in candidates if c)}", command,
            "Set DOCKLIGHT_DOKKU_SSH_KEY_PATH to a private key registered with "
            "`dokku ssh-keys:add`.", transient=False)

    def _check_host_key(self, key, command) -> None:
        import paramiko

        name = self.target.known_hosts_name
        path = self.settings.known_hosts
        known = paramiko.HostKeys()
        if os.path.exists(path):
            try:
                known.load(path)
            except (OSError, paramiko.SSHException) as exc:
                raise self._error("Cannot read known_hosts", f"{path}: {exc}", command,
                                  transient=False) from exc
        entry = known.lookup(name)
        fp = fingerprint(key)
        if entry is not None and key.get_name() in entry:
            if entry[key.get_name()] == key:
                return
            raise self._error(
                "Host key mismatch",
                f"{self.target.host} presented {key.get_name()} key {fp}, which differs "
                f"from the key recorded in {path}. This can mean someone is "
                "intercepting the connection, or the server was reinstalled.",
                command,
                f"If the server really changed, remove the old line with "
                f"`ssh-keygen -R '{name}' -f {path}` and pin the new key with "
                f"`ssh-keyscan -p {self.target.port} {self.target.host} >> {path}` "
                "after checking the fingerprint on the server "
                "(`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`).",
                cls=HostKeyError, fingerprint=fp, known_hosts=path)
        if self.settings.strict_host_key_checking == "accept-new":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a") as f:
                f.write(f"{name} {key.get_name()} {key.get_base64()}\n")
            log.warning("trusted new host key on first use",
                        extra={"target": str(self.target), "fingerprint": fp})
            return
        raise self._error(
            "Unknown host key",
            f"{self.target.host} presented {key.get_name()} key {fp}, which is not in {path}.",
            command,
            f"Check the fingerprint on the server (`ssh-keygen -lf "
            f"/etc/ssh/ssh_host_ed25519_key.pub`), then pin it with `ssh-keyscan -p "
            f"{self.target.port} {self.target.host} >> {path}`, or set "
            "DOCKLIGHT_DOKKU_SSH_OPTS='-o StrictHostKeyChecking=accept-new' to trust "
            "the first key seen.",
            cls=HostKeyError, fingerprint=fp, known_hosts=path)

    def _preferred_key_types(self, transport) -> None:
        """Ask the server for the key type we already know (as SSHClient does)."""
        import paramiko

        path = self.settings.known_hosts
        if not os.path.exists(path):
            return
        known = paramiko.HostKeys()
        try:
            known.load(path)
        except (OSError, paramiko.SSHException):
            return
        entry = known.lookup(self.target.known_hosts_name)
        if entry:
            options = transport.get_security_options()
            first = [k for k in entry.keys() if k in options.key_types]
            if first:
                options.key_types = first + [k for k in options.key_types if k not in first]

    def _connect(self, command):
        import paramiko

        timeout = self.settings.connect_timeout
        try:
            sock = socket.create_connection((self.target.host, self.target.port), timeout=timeout)
        except socket.timeout as exc:
            raise self._error("Connection timed out", f"no answer within {timeout:g} s",
                              command, "Check the host, port and firewall.") from exc
        except OSError as exc:
            raise self._error("Cannot connect", exc.strerror or str(exc), command,
                              "Check that the host is up and sshd listens on that port.") from exc
        # Nagle's algorithm would hold back each small SSH packet ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        kwargs = {"default_window_size": self.settings.window_size} \
            if self.settings.window_size else {}
        transport = paramiko.Transport(sock, **kwargs)
        try:
            self._preferred_key_types(transport)
            _prefer_aead_ciphers(transport)
            transport.start_client(timeout=timeout)
            self._check_host_key(transport.get_remote_server_key(), command)
            key = self._load_key(command)
            transport.auth_publickey(self.target.user, key)
        except DokkuError:
            transport.close()
            raise
        except paramiko.AuthenticationException as exc:
            transport.close()
            raise self._error(
                "Authentication failed", f"{self.target.user}@{self.target.host} refused the key",
                command, "Register the public key with `dokku ssh-keys:add docklight <key.pub>` "
                "on the server.", transient=False) from exc
        except (paramiko.SSHException, EOFError, OSError) as exc:
            transport.close()
            raise self._error("SSH handshake failed", str(exc) or type(exc).__name__,
                              command) from exc
        if self.settings.keepalive_interval:
            transport.set_keepalive(self.settings.keepalive_interval)
        return transport

    def _get_transport(self, command):
        with self._lock:
            if self._transport is None or not self._transport.is_active():
                if self._transport is not None:
                    self._transport.close()
                self._transport = self._connect(command)
                self._opened += 1
            return self._transport

    @property
    def connection(self) -> int | None:
        """Return the number of the live connection (1, then 2 after a reconnect), or None.

        What was learnt about the host over one connection (its Dokku
        version) holds for that connection only: a new number means a new
        session, possibly to an upgraded Dokku, so it is read again.
        """
        transport = self._transport
        if transport is None or not transport.is_active():
            return None
        return self._opened

    def _drop(self, transport) -> None:
        with self._lock:
            if self._transport is transport:
                self._transport = None
        transport.close()

    def host_key_fingerprint(self) -> str:
        """Return the fingerprint of the server key (connecting if needed)."""
        return fingerprint(self._get_transport(None).get_remote_server_key())

    def close(self) -> None:
        """Close the shared transport."""
        with self._lock:
            if self._transport is not None:
                self._transport.close()
                self._transport = None

    def _open(self, command, pty: bool):
        """Open an exec channel, reconnecting once if the shared transport died."""
        import paramiko

        refused = 0
        attempt = 1
        while True:
            transport = self._get_transport(command)
            try:
                channel = transport.open_session(timeout=self.settings.connect_timeout)
                if pty:
                    # A pty makes a closed channel hang the command up (0.7).
                    channel.get_pty(term="dumb", width=500, height=50)
                channel.exec_command(command.wire())
                return channel
            except paramiko.ChannelException as exc:
                # sshd refused a session (MaxSessions: sessions that just
                # ended may still count for a moment). The connection is
                # fine: wait a little and ask again.
                refused += 1
                if refused > 20:
                    raise self._error("sshd refused a new session", str(exc), command,
                                      "Lower DOCKLIGHT_DOKKU_MAX_CHANNELS below sshd's "
                                      "MaxSessions.") from exc
                time.sleep(0.05 * refused)
            except (paramiko.SSHException, EOFError, OSError) as exc:
                # The channel never started: the command did not run, so a
                # fresh connection is safe for reads and writes alike.
                self._drop(transport)
                if attempt == 2:
                    raise self._error("SSH connection lost", str(exc) or type(exc).__name__,
                                      command) from exc
                attempt += 1

    # running ----------------------------------------------------------------

    def run(self, command: Command) -> Result:
        """Run command to completion and return its Result."""
        try:
            return self._run_once(command)
        except _ConnectionLost as lost:
            if not command.retryable:
                raise self._error(
                    "SSH connection lost while the command ran",
                    "Dokku may or may not have completed it; it was not retried because "
                    "it changes state.", command, "Check the app's state, then retry.",
                    cls=ConnectionLostMidway) from lost
            return self._run_once(command)

    def _admit(self, command: Command, deadline: float | None) -> None:
        """Take a channel slot, or refuse at once when too many reads already wait.

        Admission control (issue 13.2): when Dokku is slow every channel is
        busy and requests would pile up behind them. A read finds at most
        ``max_queue`` others waiting before it, and waits no longer than its
        own deadline; otherwise it gets DokkuBusy now (a page then shows its
        stale value, or "Dokku is not answering" with Retry-After). Writes
        are never refused for a full queue: someone asked for them.
        """
        if self._slots.acquire(blocking=False):
            return
        with self._queue_lock:
            if not command.mutates and self.waiting >= self.settings.max_queue:
                raise self._error(
                    "Dokku is not answering",
                    f"all {self.settings.max_channels} channels to Dokku are busy and "
                    f"{self.waiting} more commands are waiting for one", command,
                    "Dokku is slow or overloaded; try again in a few seconds.", cls=DokkuBusy)
            self.waiting += 1
        try:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._slots.acquire(timeout=wait):
                raise self._error(
                    "Dokku is not answering",
                    f"no channel to Dokku came free within {wait:g} s", command,
                    "Dokku is slow or overloaded; try again in a few seconds.", cls=DokkuBusy)
        finally:
            with self._queue_lock:
                self.waiting -= 1

    def _run_once(self, command: Command) -> Result:
        timeout = self.timeouts.for_command(command)
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        self._admit(command, deadline)
        try:
            channel = self._open(command, pty=False)
            stdout, stderr = bytearray(), bytearray()
            stderr_done = threading.Event()

            def drain_stderr():
                # stdout and stderr share one SSH window: read both at once or
                # a chatty stderr stalls the command.
                try:
                    while True:
                        chunk = channel.recv_stderr(READ_CHUNK)
                        if not chunk:
                            break
                        stderr.extend(chunk)
                except (socket.timeout, OSError, EOFError):
                    pass
                finally:
                    stderr_done.set()

            reader = threading.Thread(target=drain_stderr, daemon=True)
            reader.start()
            timed_out = False
            try:
                while True:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        timed_out = True
                        break
                    channel.settimeout(remaining)
                    try:
                        chunk = channel.recv(READ_CHUNK)
                    except socket.timeout:
                        timed_out = True
                        break
                    if not chunk:
                        break
                    stdout.extend(chunk)
                if not timed_out:
                    remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                    timed_out = not stderr_done.wait(remaining)
                if not timed_out:
                    remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                    if not channel.status_event.wait(remaining):
                        timed_out = True
            finally:
                exit_code = channel.exit_status if channel.exit_status_ready() else None
                transport_alive = channel.get_transport() is not None and \
                    channel.get_transport().is_active()
                channel.close()
        finally:
            self._slots.release()
        duration = time.monotonic() - started
        out = stdout.decode("utf-8", "replace")
        err = stderr.decode("utf-8", "replace")
        if timed_out:
            result = Result(command, None, out, err, duration, str(self.target), "timeout")
            raise self._error(
                "Dokku did not answer in time",
                f"no result after {timeout:g} s; the channel was closed", command,
                "Raise DOCKLIGHT_DOKKU_READ_TIMEOUT (or the job timeout) if the host is slow.",
                cls=CommandTimeout, result=result)
        if exit_code is None or exit_code == -1:
            if not transport_alive:
                raise _ConnectionLost()
            exit_code = -1
        status = "ok" if exit_code == 0 else "failed"
        return Result(command, exit_code, out, err, duration, str(self.target), status)

    def stream(self, command: Command) -> "SSHStream":
        """Start command with a pty and return its Stream of output lines."""
        timeout = self.timeouts.for_command(command)
        self._slots.acquire()
        try:
            channel = self._open(command, pty=True)
        except BaseException:
            self._slots.release()
            raise
        return SSHStream(command, str(self.target), timeout, channel, self._slots)


class _ConnectionLost(Exception):
    """The transport died while a command ran (no exit status came back)."""


class SSHStream(Stream):
    """A Stream over a paramiko channel with a pty (stderr merged)."""

    def __init__(self, command, target, timeout, channel, slots):
        super().__init__(command, target, timeout)
        self._channel = channel
        self._slots = slots
        self._released = False

    def _close(self) -> None:
        self._channel.close()
        if not self._released:
            self._released = True
            self._slots.release()

    def __iter__(self):
        splitter = LineSplitter()
        status = "ok"
        try:
            while True:
                remaining = None if self._deadline is None else self._deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    status = "timeout"
                    break
                # Wake up now and then so a deadline or cancel is noticed.
                self._channel.settimeout(1.0 if remaining is None else min(1.0, remaining))
                try:
                    chunk = self._channel.recv(READ_CHUNK)
                except socket.timeout:
                    if self._cancelled:
                        break
                    continue
                except (OSError, EOFError):
                    break
                if not chunk:
                    break
                yield from splitter.feed(chunk)
            yield from splitter.flush()
            exit_code = None
            if status == "ok" and not self._cancelled:
                self._channel.status_event.wait(5)
                if self._channel.exit_status_ready() and self._channel.exit_status != -1:
                    exit_code = self._channel.exit_status
                else:
                    status = "error"
            self._finish(exit_code, status)
        finally:
            self._close()


@dataclass
class Executors:
    """The user target and, if configured, the root target."""

    user: object
    root: object | None = None

    def for_command(self, command: Command):
        """Return the executor that may run command.

        :raise RootNotConfigured: for a root-only command without a root target.
        """
        if not command.root:
            return self.user
        if self.root is None:
            raise RootNotConfigured(
                "Root access is not configured",
                f"`{command.display}` must run as root on the Dokku host.",
                target=str(self.user), command=command,
                hint="Set DOCKLIGHT_DOKKU_SSH_ROOT_TARGET (e.g. root@host) to a key that may "
                     "log in as root. That key can do anything on the host, so Docklight keeps "
                     "it separate and uses it only for plugin and ssh-key commands.")
        return self.root
