"""Where a finished job leads: a job that removed or renamed its app must not strand the page.

After ``apps:destroy`` the app page has nothing left to show, and after
``apps:rename`` it shows a name that no longer exists; both would answer
every tab with Dokku's "App ... does not exist". Once such a job succeeds,
its panel carries a link to ``/jobs/<id>/next``, which flashes what was done
and redirects to the dashboard (destroy) or to the new name (rename). The
page follows that link by itself when it watched the job end
(static/docklight.js); without JavaScript the link is there to click.
"""

from __future__ import annotations

from flask import url_for

from docklight.jobs import JobRecord


def next_step(job: JobRecord) -> tuple[str, str] | None:
    """Return (url, message) once job destroyed or renamed its app, else None."""
    if job.status != "ok":
        return None
    words = job.command.split()
    if words[:1] == ["dokku"]:
        words = words[1:]
    if len(words) >= 2 and words[0] == "apps:destroy":
        return url_for("apps.index"), f"Destroyed {words[1]}."
    if len(words) >= 3 and words[0] == "apps:rename":
        names = [w for w in words[1:] if not w.startswith("--")]
        if len(names) == 2:
            old, new = names
            return url_for("app.overview", app=new), f"Renamed {old} to {new}."
    return None


def job_next_url(job: JobRecord) -> str | None:
    """Return the URL that continues after job (see the module docstring), or None."""
    return url_for("jobs.next_step_GET", job_id=job.id) if next_step(job) else None
