"""The job slot of a page: the live panels of the jobs that page starts, after a reload too.

A job outlives the request that started it, so a page that can start one
(the app page, databases, plugins) shows every job of its kind that is still
running when it is rendered: its panel with the output so far and the live
tail from there. Which jobs belong to a page is a list of scopes, each an
``fnmatch`` pattern over one side of the job:

- ``app:NAME``  the job's app is NAME,
- ``lock:KEY``  the job holds lock KEY (``lock:service:*`` for every service),
- ``sub:SUB``   the job runs Dokku subcommand SUB (``sub:*:link``).

The slot is rendered by ``templates/jobs/_slot.html`` through the
``running_job_panels`` template global (registered by the jobs blueprint).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from docklight import services
from docklight.jobs import JobRecord


def _subcommand(job: JobRecord) -> str:
    words = job.command.split()
    if words and words[0] == "dokku":
        words = words[1:]
    return words[0] if words else ""


def matches(job: JobRecord, scope: str) -> bool:
    """Return whether job falls within scope (see the module docstring)."""
    kind, _, pattern = scope.partition(":")
    side = {"app": job.app, "lock": job.lockKey, "sub": _subcommand(job)}.get(kind)
    return side is not None and fnmatchcase(side, pattern)


def running_job_panels(*scopes: str) -> list[tuple[JobRecord, list[str]]]:
    """Return (job, output so far) for each running job within any of scopes."""
    manager = services.get().jobs
    return [(job, manager.output(job)) for job in manager.running()
            if any(matches(job, scope) for scope in scopes)]



def running_jobs_by_app() -> dict[str, JobRecord]:
    """Return the running job of each app that has one (the dashboard marks those rows)."""
    return {job.app: job for job in services.get().jobs.running() if job.app}
