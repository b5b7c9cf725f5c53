"""What each ``<plugin>:report`` says, as frozen dataclasses with the views' derived values.

How they are read from Dokku's output is reports.py's table; these classes
know nothing of key names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from docklight.dokku.parsers.text import split_words
from docklight.dokku.parsers.values import Mount, PortMapping



@dataclass(frozen=True, slots=True)
class Container:
    """One container line of ``ps:report`` (``Status web 1: running (CID: …)``)."""

    proc_type: str
    index: int
    state: str
    cid: str

    @property
    def is_running(self) -> bool:
        """True when Docker reports the container as running."""
        return self.state == "running"


@dataclass(frozen=True, slots=True)
class PsReport:
    """Process state of one app from ``ps:report``."""

    deployed: bool
    running: str  # 'true' | 'false' | 'mixed'
    processes: int
    restore: bool
    restart_policy: str
    containers: tuple[Container, ...] = ()

    @property
    def counts(self) -> dict[str, tuple[int, int]]:
        """Map process type to ``(running, total)`` containers, sorted by type."""
        acc: dict[str, list[int]] = {}
        for c in self.containers:
            pair = acc.setdefault(c.proc_type, [0, 0])
            pair[1] += 1
            if c.is_running:
                pair[0] += 1
        return {k: (acc[k][0], acc[k][1]) for k in sorted(acc)}

    @property
    def status(self) -> str:
        """One of 'running', 'stopped', 'not deployed', 'partly running'."""
        if not self.deployed:
            return "not deployed"
        if self.running == "mixed":
            return "partly running"
        if self.containers:
            up = sum(1 for c in self.containers if c.is_running)
            if up == len(self.containers):
                return "running"
            return "partly running" if up else "stopped"
        # Schedulers other than docker-local report no per-container status.
        return "running" if self.running == "true" else "stopped"


@dataclass(frozen=True, slots=True)
class AppReport:
    """Selected ``apps:report`` properties."""

    created_at: datetime | None
    deploy_source: str
    locked: bool
    dir: str
    deploy_source_metadata: str = ""
    """What the source was (git:sync: ``REMOTE#SHA``), shown with credentials redacted."""


@dataclass(frozen=True, slots=True)
class DomainsReport:
    """``domains:report`` of one app."""

    app_enabled: bool
    app_vhosts: tuple[str, ...]
    global_enabled: bool
    global_vhosts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GitReport:
    """Selected ``git:report`` properties (``last_updated_at`` is UTC)."""

    deploy_branch: str
    sha: str
    last_updated_at: datetime | None
    source_image: str


@dataclass(frozen=True, slots=True)
class ProxyReport:
    """``proxy:report`` essentials: whether the proxy is on and which one."""

    enabled: bool
    type: str


@dataclass(frozen=True, slots=True)
class PortsReport:
    """``ports:report``: configured mappings, and the ones Dokku detected from the image.

    Dokku uses the configured mappings when there are any, the detected ones otherwise.
    """

    configured: tuple[PortMapping, ...]
    detected: tuple[PortMapping, ...]


@dataclass(frozen=True, slots=True)
class BuildpacksReport:
    """``buildpacks:report``: configured buildpack URLs and the effective stack."""

    list: tuple[str, ...]
    stack: str


@dataclass(frozen=True, slots=True)
class ChecksReport:
    """``checks:report``: process types with checks disabled/skipped, retire delay (s)."""

    disabled: tuple[str, ...]
    skipped: tuple[str, ...]
    wait_to_retire: int | None


@dataclass(frozen=True, slots=True)
class NetworkReport:
    """``network:report`` properties keyed without the ``network-`` prefix."""

    properties: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        """Return one property (e.g. ``computed-initial-network``)."""
        return self.properties.get(name, default)

    @property
    def web_listeners(self) -> tuple[str, ...]:
        """``ip:port`` listeners of the web process."""
        return split_words(self.properties.get("web-listeners", ""))


@dataclass(frozen=True, slots=True)
class DockerOptions:
    """``docker-options:report``: options per phase, one item per option."""

    build: tuple[str, ...]
    deploy: tuple[str, ...]
    run: tuple[str, ...]
    # Dokku 0.38+: deploy-phase options scoped to one process type, by type.
    processes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StorageReport:
    """``storage:report``: the bind mounts of each phase (``storage:list`` before 0.29.3)."""

    build: tuple[Mount, ...]
    deploy: tuple[Mount, ...]
    run: tuple[Mount, ...]

    @property
    def mounts(self) -> list[Mount]:
        """Return every mount once, deploy-phase ones first."""
        out: list[Mount] = []
        for mount in self.deploy + self.run + self.build:
            if mount not in out:
                out.append(mount)
        return out


@dataclass(frozen=True, slots=True)
class LetsencryptReport:
    """``letsencrypt:report`` (dokku-letsencrypt's own bash report): the e-mail it would use."""

    email: str
    global_email: str
    computed_email: str


@dataclass(frozen=True, slots=True)
class CertsReport:
    """``certs:report`` (report type ``ssl``); dates are kept as printed by openssl."""

    dir: str
    enabled: bool
    hostnames: tuple[str, ...]
    expires_at: str
    issuer: str
    starts_at: str
    subject: str
    verified: str
    fingerprint: str = ""
    serial: str = ""


@dataclass(frozen=True, slots=True)
class ResourceReport:
    """``resource:report``: ``{proc: {'limit': {res: value}, 'reserve': {res: value}}}``."""

    processes: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def limit(self, proc: str, resource: str) -> str:
        """Return the limit of ``resource`` for ``proc`` ('' if unset)."""
        return self.processes.get(proc, {}).get("limit", {}).get(resource, "")

    def reserve(self, proc: str, resource: str) -> str:
        """Return the reservation of ``resource`` for ``proc`` ('' if unset)."""
        return self.processes.get(proc, {}).get("reserve", {}).get(resource, "")


@dataclass(frozen=True, slots=True)
class SchedulerReport:
    """``scheduler:report``: the scheduler that runs the app.

    ``selected`` is the computed value: the app's, else the global one, else
    docker-local (plugins/scheduler/report.go reportComputedSelected).
    """

    selected: str = "docker-local"

