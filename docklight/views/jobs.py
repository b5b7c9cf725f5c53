"""Jobs: the list, one job's live panel, cancel, and its WebSocket stream."""

from __future__ import annotations

import queue

from flask import Blueprint, abort, flash, render_template, request, url_for

from docklight import services
from docklight.dokku.validators import ascii_int
from docklight.htmx import page_or_fragment, redirect_to, wants_fragment
from docklight.views.job_next import job_next_url, next_step
from docklight.views.job_slot import running_job_panels, running_jobs_by_app
from docklight.views.websocket import sock

bp = Blueprint("jobs", __name__)
bp.add_app_template_global(running_job_panels)
bp.add_app_template_global(job_next_url)
bp.add_app_template_global(running_jobs_by_app)

MAX_QUEUED = 5000  # lines waiting for one slow browser before we skip
POLL_SECONDS = 0.5  # how often a viewer of another worker's job reads the database


def _job_or_404(job_id: str):
    job = services.get().jobs.get(job_id)
    if job is None:
        abort(404, f"There is no job {job_id}.")
    return job


@bp.get("/jobs")
def index():
    """List running and recent jobs."""
    jobs = services.get().jobs.recent(limit=100, app=request.args.get("app") or None)
    return page_or_fragment("jobs/index.html", "jobs/_list.html", jobs=jobs)


@bp.get("/jobs/<job_id>")
def show(job_id):
    """Show one job: its command, output so far, and (while running) the live tail."""
    job = _job_or_404(job_id)
    lines = services.get().jobs.output(job)
    return page_or_fragment("jobs/show.html", "jobs/_panel.html", job=job, lines=lines)


@bp.get("/jobs/<job_id>/next")
def next_step_GET(job_id):
    """Continue after a job that destroyed or renamed its app, with a flash message."""
    job = _job_or_404(job_id)
    step = next_step(job)
    if step is None:
        return redirect_to(url_for("jobs.show", job_id=job_id))
    url, message = step
    flash(message)
    return redirect_to(url)


@bp.post("/jobs/<job_id>/cancel")
def cancel(job_id):
    """Cancel a running job: its SSH channel closes, which ends the remote command."""
    job = _job_or_404(job_id)
    manager = services.get().jobs
    if job.running:
        manager.cancel(job_id)
        job = manager.wait_finished(job_id, 10)
    if wants_fragment():
        return render_template("jobs/_panel.html", job=job, lines=manager.output(job))
    return redirect_to(url_for("jobs.show", job_id=job_id))


def _send_lines(ws, job, lines, first_seq: int) -> None:
    for offset, line in enumerate(lines):
        ws.send(render_template("jobs/_line_oob.html", job=job, seq=first_seq + offset,
                                line=line))


@sock.route("/ws/jobs/<job_id>", bp=bp)
def stream(ws, job_id):
    """Send the job's lines after ?after=N as they arrive, then its final state."""
    manager = services.get().jobs
    job = manager.get(job_id)
    if job is None:
        ws.close(reason=1008, message="no such job")
        return
    after = ascii_int(request.args.get("after", "0")) or 0
    live = manager.live.get(job_id)
    if live is not None:
        pending: queue.Queue = queue.Queue(maxsize=MAX_QUEUED)
        skipped = [0]

        def listener(seq, line):
            try:
                pending.put_nowait((seq, line))
            except queue.Full:
                skipped[0] += 1

        missed = live.subscribe(listener)
        try:
            _send_lines(ws, job, missed[after:], after + 1)
            after = max(after, len(missed))
            if not live.done.is_set():
                while True:
                    seq, line = pending.get()
                    if seq is None:
                        break
                    if skipped[0]:
                        ws.send(render_template("jobs/_line_oob.html", job=job, seq=seq,
                                                line=f"[{skipped[0]} lines skipped: this "
                                                     "browser fell behind; reload for all]"))
                        skipped[0] = 0
                    if seq > after:
                        _send_lines(ws, job, [line], seq)
                        after = seq
        finally:
            live.unsubscribe(listener)
    else:
        # Finished, or running in another worker: follow what it stores.
        # The status is read before the output: output is complete once a
        # job no longer runs.
        while True:
            job = manager.get(job_id)
            lines = manager.output(job)
            _send_lines(ws, job, lines[after:], after + 1)
            after = max(after, len(lines))
            if not job.running:
                break
            ws.receive(timeout=POLL_SECONDS)
    job = manager.get(job_id)
    ws.send(render_template("jobs/_status_oob.html", job=job))
    ws.close()
