"""GET /host: the machine Dokku runs on, as `dokku report` describes it.

Memory, the disk that holds /var/lib/dokku and the one under Docker's root
directory, Docker's container and image counts, and the Dokku and plugin
versions.  `dokku report` runs several programs on the host (free, df,
docker info, each tool's --version), which takes seconds, so its answer is
cached for a minute and only this page asks for it: /healthz stays one cheap
`version` call.  With a root target configured the report is read through it,
otherwise as the dokku user; both only read.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from docklight import db, history_query, services
from docklight.dokku import commands
from docklight.dokku.parsers.host import DOKKU_DATA, HostReport, parse_host_report
from docklight.views.answers import run
from docklight.views.errors import attempt

bp = Blueprint("host", __name__)

CACHE_KEY = "host-report"
CACHE_SECONDS = 60.0
FULL_PERCENT = 90
"""Disk or memory use from which the page warns."""


def _read() -> HostReport:
    dokku = services.dokku()
    return parse_host_report(run(commands.host_report(root=dokku.has_root)).stdout)


def load(refresh: bool = False) -> HostReport:
    """Return the host report, from the one-minute cache unless refresh."""
    dokku = services.dokku()
    if refresh:
        dokku.forget(CACHE_KEY)
    return dokku.cached(CACHE_KEY, _read, ttl=CACHE_SECONDS)


def warnings(report: HostReport) -> list[str]:
    """Return what deserves attention: nearly full disks and memory, missing tools."""
    found = []
    for label, path in (("Dokku's data", DOKKU_DATA), ("Docker's data", report.docker_root)):
        disk = report.disk_for(path) if path else None
        if disk and disk.use_percent is not None and disk.use_percent >= FULL_PERCENT:
            found.append(f"The disk holding {label} ({disk.mounted_on}) is {disk.use_percent}% "
                         f"full: {disk.available} left. Maintenance → cleanup frees old "
                         "containers and images.")
    if report.memory and report.memory.used_percent >= FULL_PERCENT:
        found.append(f"Memory is {report.memory.used_percent}% in use.")
    return found + list(report.warnings)


LINGER_WINDOW = 15 * 60.0
"""How far back timed-out reads are listed as possibly still running on the host."""


def lingering() -> list[dict]:
    """Return the reads that timed out lately: their Dokku processes may still run.

    Docklight cannot end them (no pty, and sshd does not signal forced-command
    sessions); each runs until its next write to the closed channel.
    """
    with db.connection(services.get().settings.database) as conn:
        rows = history_query.timed_out_reads(conn, LINGER_WINDOW)
    return [{**row, "started": history_query.parse_time(row["createdAt"])} for row in rows]


@bp.get("/host")
def index():
    """Show the host's vitals, or what failed when they cannot be read."""
    report, failure, status = attempt(lambda: load(refresh=request.args.get("refresh") == "1"))
    dokku_disk = report.disk_for(DOKKU_DATA) if report else None
    docker_disk = report.disk_for(report.docker_root) if report and report.docker_root else None
    return render_template("host/index.html", report=report, dokku_disk=dokku_disk,
                           docker_disk=docker_disk, dokku_data=DOKKU_DATA,
                           notes=warnings(report) if report else [],
                           through_root=services.dokku().has_root, lingering=lingering(),
                           linger_minutes=int(LINGER_WINDOW // 60), **failure), status
