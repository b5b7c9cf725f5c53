"""Where Dokku lives and how to reach it: plain settings types, no I/O.

docklight/config.py builds these from the environment; only docklight/dokku/
turns them into connections, so describing a host never imports the SSH code
(docklight/dokku/executor.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from docklight.dokku.command import Command

_TARGET_RE = re.compile(
    r"^(?:ssh://)?(?:(?P<user>[A-Za-z0-9._-]+)@)?"
    r"(?:\[(?P<ipv6>[0-9A-Fa-f:.%]+)\]|(?P<host>[A-Za-z0-9._-]+))"
    r"(?::(?P<port>[0-9]{1,5}))?/?$"
)


@dataclass(frozen=True)
class SSHTarget:
    """Where Dokku lives: user, host and port."""

    user: str
    host: str
    port: int = 22

    @classmethod
    def parse(cls, text: str, default_port: int | None = None) -> "SSHTarget":
        """Parse dokku@host, dokku@host:port, ssh://dokku@host:port, dokku@[::1]:2222.

        :raise ValueError: with a one-line message for anything else.
        """
        m = _TARGET_RE.match(text.strip())
        if not m:
            raise ValueError(
                f"invalid SSH target {text!r}: expected dokku@host, dokku@host:port, "
                "ssh://dokku@host:port or dokku@[ipv6]:port"
            )
        port = int(m["port"]) if m["port"] else (default_port or 22)
        if not 1 <= port <= 65535:
            raise ValueError(f"invalid port in SSH target {text!r}")
        return cls(user=m["user"] or "dokku", host=m["ipv6"] or m["host"], port=port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.user}@{host}" + ("" if self.port == 22 else f":{self.port}")

    @property
    def known_hosts_name(self) -> str:
        """Return the name OpenSSH uses for this host in known_hosts."""
        return self.host if self.port == 22 else f"[{self.host}]:{self.port}"


@dataclass
class SSHSettings:
    """How to reach and trust an SSH target."""

    key_path: str | None = None
    known_hosts: str = os.path.expanduser("~/.ssh/known_hosts")
    strict_host_key_checking: str = "yes"  # yes | accept-new
    connect_timeout: float = 10.0
    keepalive_interval: int = 15
    max_channels: int = 8
    # Reads that may wait for a busy channel before more are refused at once.
    max_queue: int = 32
    window_size: int | None = None  # None: paramiko's default (2 MiB)


@dataclass
class Timeouts:
    """Default per-command timeouts in seconds, by kind of command."""

    read: float = 30.0
    write: float = 300.0
    long: float = 3600.0
    # The longest a page waits for a cached read to load; the read itself
    # goes on (up to ``read``) and fills the cache for the next request.
    page: float = 10.0

    def for_command(self, command: Command) -> float | None:
        """Return the timeout for command (None: no deadline)."""
        if command.timeout is not None:
            return command.timeout or None
        if command.long:
            return self.long
        return self.write if command.mutates else self.read


@dataclass
class DokkuSettings:
    """How to reach Dokku: SSH targets, or the local binary, or the demo."""

    target: SSHTarget | None
    root_target: SSHTarget | None
    ssh: SSHSettings
    root_ssh: SSHSettings
    local_argv: list[str]
    local_env: dict | None
    timeouts: Timeouts
    demo: bool = False
