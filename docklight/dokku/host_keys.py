"""Pinning a server's SSH host key after an admin confirmed its fingerprint.

The executor refuses an unknown host key (executor.SSHExecutor._check_host_key)
and shows its fingerprint.  The Settings page lets an admin compare that
fingerprint with the server's own (`ssh-keygen -lf /etc/ssh/ssh_host_*.pub`)
and trust it: the key is fetched again, and only if it still has the
fingerprint the admin confirmed is its line appended to known_hosts, in
OpenSSH's format.  A key that changed in between is refused, so a confirmed
fingerprint can never pin a different key.
"""

from __future__ import annotations

import os
import socket

from docklight.dokku.errors import DokkuError, HostKeyError
from docklight.dokku.executor import fingerprint
from docklight.dokku.targets import SSHTarget


def server_key(target: SSHTarget, timeout: float = 10.0):
    """Return the paramiko key target presents, without authenticating.

    :raise DokkuError: when the server cannot be reached or the handshake fails.
    """
    import paramiko

    try:
        sock = socket.create_connection((target.host, target.port), timeout=timeout)
    except OSError as exc:
        raise DokkuError("Cannot connect", exc.strerror or str(exc), target=str(target),
                         hint="Check the host, the port and the firewall.") from exc
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise DokkuError("SSH handshake failed", str(exc) or type(exc).__name__,
                         target=str(target)) from exc
    finally:
        transport.close()


def trust(target: SSHTarget, known_hosts: str, confirmed: str, timeout: float = 10.0) -> str:
    """Append target's host key to known_hosts if its fingerprint is confirmed; return it.

    :raise HostKeyError: the key now presented has another fingerprint.
    """
    key = server_key(target, timeout)
    found = fingerprint(key)
    if found != confirmed.strip():
        raise HostKeyError(
            "Host key changed", f"{target.host} now presents {key.get_name()} key {found}, "
            f"not the {confirmed.strip() or '(none)'} you confirmed. Nothing was trusted.",
            target=str(target), fingerprint=found, known_hosts=known_hosts)
    directory = os.path.dirname(os.path.abspath(known_hosts))
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd = os.open(known_hosts, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as f:
        f.write(f"{target.known_hosts_name} {key.get_name()} {key.get_base64()}\n")
    return found
