"""The apps overview: every app's status, processes, domains and last deploy.

Three bulk reports (ps, domains, git: each one call for all apps) and the
version run concurrently, so a cold load costs about one Dokku round trip
whatever the number of apps. All-apps reports are read in Dokku's text
format on purpose: in all-apps mode each text block starts with
`=====> <app> ... information`, while `--format json` prints bare objects with
no app name, which could only be matched to apps by position (and an app
created between two calls would shift every row after it).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from docklight.dokku import commands, parsers
from docklight.dokku.actor import NOBODY, Actor
from docklight.dokku.client import Dokku
from docklight.dokku.readcache import Cached
from docklight.dokku.errors import CommandFailed

STATUS_ORDER = {"partly running": 0, "stopped": 1, "running": 2, "not deployed": 3}
CACHE_KEY = "overview"


@dataclass
class AppRow:
    """One line of the apps table."""

    name: str
    status: str
    counts: dict[str, tuple[int, int]]
    domains: tuple[str, ...]
    domains_enabled: bool
    last_deployed: dt.datetime | None
    deploy_branch: str = ""

    # What the table prints that follows from the row alone, worked out once
    # per read of Dokku when the row is made, not on every render of 200
    # rows. (Plain fields: functools.cached_property takes a lock on each
    # first access, a visible share of a cold load's CPU at 200 apps.)
    status_slug: str = field(init=False, repr=False, compare=False)
    """The status as a CSS class suffix (``partly-running``)."""
    domains_text: str = field(init=False, repr=False, compare=False)
    """The domains space separated (the row's data-domains)."""
    deployed_iso: str = field(init=False, repr=False, compare=False)
    """The last deploy as ISO 8601 ('' when never deployed)."""
    deployed_title: str = field(init=False, repr=False, compare=False)
    """The last deploy as the tooltip shows it ('' when never deployed)."""
    process_cells: tuple[tuple[str, str, str], ...] = field(init=False, repr=False,
                                                            compare=False)
    """(type, ``running/total``, tooltip) per process type, as the row prints them."""

    def __post_init__(self):
        deployed = self.last_deployed
        self.status_slug = self.status.replace(" ", "-")
        self.domains_text = " ".join(self.domains)
        self.deployed_iso = deployed.isoformat() if deployed else ""
        self.deployed_title = deployed.strftime("%Y-%m-%d %H:%M:%S UTC") if deployed else ""
        self.process_cells = tuple(
            (proc, f"{running}/{total}", f"{running} of {total} {proc} containers running")
            for proc, (running, total) in self.counts.items())


@dataclass
class Overview:
    """What the dashboard shows, and what could not be read."""

    apps: list[AppRow]
    version: parsers.DokkuVersion | None
    fetched_at: float
    warnings: list[str] = field(default_factory=list)

    @functools.cached_property
    def content_digest(self) -> str:
        """Return a digest of every row, the version and the warnings (etag's part)."""
        return _content_digest(self)

    def sorted(self, key: str, descending: bool) -> list[AppRow]:
        """Return the apps sorted by name, status or last deploy (never deployed last)."""
        if key == "status":
            return sorted(self.apps, key=lambda a: (STATUS_ORDER.get(a.status, 9), a.name),
                          reverse=descending)
        if key == "deployed":
            deployed = sorted((a for a in self.apps if a.last_deployed),
                              key=lambda a: (a.last_deployed, a.name), reverse=descending)
            return deployed + sorted((a for a in self.apps if not a.last_deployed),
                                     key=lambda a: a.name)
        return sorted(self.apps, key=lambda a: a.name, reverse=descending)


def filter_apps(apps: list[AppRow], name: str = "", status: str = "",
                domain: str = "") -> list[AppRow]:
    """Return the apps whose name and any domain hold the given text, with that status.

    The same rule as the dashboard's script applies while typing
    (static/docklight.js), so the page without JavaScript shows the same rows.
    """
    name, domain = name.strip().lower(), domain.strip().lower()
    return [a for a in apps
            if name in a.name.lower()
            and (not status or a.status == status)
            and (not domain or any(domain in d.lower() for d in a.domains))]


def _reports(dokku: Dokku, plugin: str, actor):
    result = dokku.run(commands.report(plugin), actor=actor)
    # Parsed here, in the worker thread, while the other reports are still
    # on their way.
    return parsers.read_reports(plugin, dokku.check_result(result).stdout)


def load(dokku: Dokku, *, actor: Actor = NOBODY) -> Overview:
    """Ask Dokku for everything the apps table needs, concurrently.

    :raise DokkuError: Dokku cannot be reached.
    :raise CommandFailed: ps:report failed (without it there is no table).
    """
    with ThreadPoolExecutor(max_workers=4) as pool:
        ps = pool.submit(_reports, dokku, "ps", actor)
        domains = pool.submit(_reports, dokku, "domains", actor)
        git = pool.submit(_reports, dokku, "git", actor)
        version = pool.submit(dokku.version, actor=actor)
        ps_reports = ps.result()
        warnings = []
        try:
            domain_reports = domains.result()
        except CommandFailed as exc:
            domain_reports = {}
            warnings.append(f"Domains unavailable: {exc.message}")
        try:
            git_reports = git.result()
        except CommandFailed as exc:
            git_reports = {}
            warnings.append(f"Deploy times unavailable: {exc.message}")
        try:
            host_version = version.result()
        except Exception as exc:  # the table is still worth showing
            host_version = None
            warnings.append(f"Dokku version unavailable: {exc}")
    apps = []
    for name, ps_report in ps_reports.items():
        d = domain_reports.get(name)
        g = git_reports.get(name)
        apps.append(AppRow(
            name=name,
            status=ps_report.status,
            counts=ps_report.counts,
            domains=d.app_vhosts if d else (),
            domains_enabled=d.app_enabled if d else False,
            last_deployed=g.last_updated_at if g else None,
            deploy_branch=g.deploy_branch if g else "",
        ))
    return Overview(apps=apps, version=host_version, fetched_at=time.time(), warnings=warnings)


def cached(dokku: Dokku, *, actor: Actor = NOBODY, refresh: bool = False) -> Overview:
    """Return the overview from the short-lived cache, loading it if needed."""
    return lookup(dokku, actor=actor, refresh=refresh).value


def lookup(dokku: Dokku, *, actor: Actor = NOBODY, refresh: bool = False) -> Cached:
    """Return the cached overview with its age (stale, overdue), as the page shows it."""
    if refresh:
        dokku.forget(CACHE_KEY)
    return dokku.lookup(CACHE_KEY, lambda: load(dokku, actor=actor), shared=True)


def etag(overview: Overview | None, *extra) -> str:
    """Return a tag of what the apps table shows, leaving out when it was read.

    A refresh that finds nothing new gives the same tag, so a polling page
    gets 304 and keeps its table. The overview's part is worked out once per
    read of Dokku (every poll of every open page asks for it).
    """
    content = overview.content_digest if overview is not None else _content_digest(None)
    text = repr((content, extra))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _content_digest(overview: Overview | None) -> str:
    rows = [] if overview is None else [
        (a.name, a.status, sorted(a.counts.items()), a.domains, a.domains_enabled,
         a.last_deployed.isoformat() if a.last_deployed else "", a.deploy_branch)
        for a in overview.apps]
    version = overview.version.raw if overview and overview.version else ""
    warnings = overview.warnings if overview else []
    return hashlib.sha256(repr((rows, version, warnings)).encode()).hexdigest()


def is_warm(dokku: Dokku) -> bool:
    """Return whether an overview can be served now (fresh or stale: no wait for Dokku)."""
    return dokku.peek(CACHE_KEY) is not None
